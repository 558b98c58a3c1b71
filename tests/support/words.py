"""What no coach, approver, privacy officer or inwoner may read on a page: the hub's internal
names (field names, codes, roles, steps, English statuses), a UUID, a traceback. Browser and
web tests check the visible text of every page they open with `internal_names`."""

import re

# Internal names seen on screen before the Dutch layer (and their kin): each one a defect.
INTERNAL_NAMES: tuple[str, ...] = (
    # composer fields and code values
    "proposed_monthly_amount_cents",
    "term_months",
    "help_form",
    "parenting_support",
    "product_category",
    "estimated_cost_cents",
    "requested_date",
    "start_date",
    "end_date",
    "creditors_known",
    "pay_fixed_charges",
    "member_id",
    "goal_id",
    "wait_for",
    "advice_type",
    "partner_id",
    "parameters",
    # the client record in the preview
    "street",
    "house_number",
    "tenure",
    "social_rent",
    "rent_arrears_cents",
    "income_source",
    "debt_total_cents",
    "creditor_count",
    "birth_date",
    "given_names",
    "family_name",
    "female",
    "male",
    "youth_protection",
    "parent_with_authority",
    "subject_ref",
    "evidence_ref",
    # roles, steps, statuses
    "team_manager",
    "cluster_manager",
    "team_leader",
    "privacy_officer",
    "buddy_reminder",
    "contact_manager",
    "steering_report",
    "counter_proposal",
    "approval requested",
    "approval_requested",
    "awaiting_approval",
    "registered",
    "in_progress",
    "partly_adopted",
    "carried_out",
    "intake_held",
    "in_consultation",
    "consultation_in",
    "consultation_out",
    "partner_status",
    "advice_attempt",
    "superseded",
    "queued",
    "retrying",
    "delivered",
    "withdrawn",
    "suppressed",
    "refused",
    "allowed",
    "advice_item",
    "delivery.advice",
    "from_date",
    "until_date",
    "None",
    "String should match",
    "Value error",
    "Field required",
    "Input should be",
    "Traceback",
)
UUID = re.compile(
    r"\b[0-9a-f]{32}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I
)
_NAMES = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(n) for n in INTERNAL_NAMES) + r")(?![\w-])", re.I
)


def internal_names(text: str) -> list[str]:
    """The internal names and UUIDs in `text` (a page's visible text), in order; [] if none."""
    return [m.group(0) for m in _NAMES.finditer(text)] + UUID.findall(text)
