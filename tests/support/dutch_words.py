"""Words no coach, approver, privacy officer or team leader should read: the hub's internal
names and codes that reached the screens before (field names, enum values, event and role
names, pydantic's English). A browser test fails on any of them in a page's visible text."""

import re

INTERNAL_WORDS = (
    # fields and values of advice types and client views
    "proposed_monthly_amount_cents",
    "term_months",
    "help_form",
    "parenting_support",
    "rent_arrears_cents",
    "social_rent",
    "tenure",
    "street",
    "house_number",
    "female",
    "male",
    "subject_ref",
    # statuses, events, roles
    "approval requested",
    "awaiting_approval",
    "team_manager",
    "cluster_manager",
    "team_leader",
    "privacy_officer",
    "buddy_reminder",
    "contact_manager",
    "counter_proposal",
    "registered",
    "in_progress",
    "carried_out",
    "suppressed",
    "refused",
    "allowed",
    "advice_item",
    "delivery.advice",
    "from_date",
    "until_date",
    # Python and pydantic leaking through
    "Traceback",
    "None",
    "Input should",
    "String should",
    "Value error",
    "Field required",
)
_PATTERN = re.compile("|".join(rf"(?<![\w/.-]){re.escape(w)}(?![\w-])" for w in INTERNAL_WORDS))


def internal_words(text: str) -> list[str]:
    """The internal words in `text` (visible text of a page), in order of appearance."""
    return [m.group(0) for m in _PATTERN.finditer(text)]
