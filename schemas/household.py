"""The household (cliëntsysteem) and its plan: members with roles, life domains, goals.

A member is an existing client; a goal's text is free text (sealed in the store). An advice
item can name the member it is about, the goal it serves, and what it waits for.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, model_validator

from wijkhub.hub.i18n import gettext
from wijkhub.schemas.common import Contract, LongText
from wijkhub.schemas.status import PartnerStatus


class MemberRole(StrEnum):
    parent_with_authority = "parent_with_authority"
    partner = "partner"
    child = "child"
    other = "other"


MEMBER_ROLE_LABELS_NL: dict[MemberRole, str] = {
    MemberRole.parent_with_authority: gettext("parent with authority"),
    MemberRole.partner: gettext("partner of the client"),
    MemberRole.child: gettext("child"),
    MemberRole.other: gettext("other member of the household"),
}


class LifeDomain(StrEnum):
    financien = "financien"
    wonen = "wonen"
    opvoeding = "opvoeding"
    gezondheid = "gezondheid"
    werk_en_inkomen = "werk_en_inkomen"
    school = "school"


LIFE_DOMAIN_LABELS_NL: dict[LifeDomain, str] = {
    LifeDomain.financien: gettext("finances (life domain)"),
    LifeDomain.wonen: gettext("housing (life domain)"),
    LifeDomain.opvoeding: gettext("upbringing (life domain)"),
    LifeDomain.gezondheid: gettext("health (life domain)"),
    LifeDomain.werk_en_inkomen: gettext("work and income (life domain)"),
    LifeDomain.school: gettext("school (life domain)"),
}


class WaitFor(Contract):
    """What an item waits for before it is put in the outbox: another item reaching a
    partner status (`item`: the index of an earlier item in the same advice, or `item_id`: an
    item already submitted), or a date (`until`, sent on that day)."""

    item: Annotated[int, Field(ge=0, le=19)] | None = None
    item_id: UUID | None = None
    status: PartnerStatus | None = None
    until: date | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        on_item = self.item is not None or self.item_id is not None
        if self.item is not None and self.item_id is not None:
            raise ValueError("noem item of item_id, niet beide")
        if on_item == (self.until is not None):
            raise ValueError("wacht op een onderdeel (item of item_id met status) of op until")
        if on_item and self.status is None:
            raise ValueError("status ontbreekt: op welke status van het onderdeel wordt gewacht")
        if not on_item and self.status is not None:
            raise ValueError("status hoort bij item of item_id")
        return self


class MemberIn(Contract):
    client_id: UUID
    role: MemberRole


class HouseholdIn(Contract):
    members: Annotated[list[MemberIn], Field(max_length=20)] = []


class Member(Contract):
    id: UUID
    client_id: UUID
    role: MemberRole
    role_label: str
    name: str
    added_at: datetime


class Household(Contract):
    id: UUID
    team: str
    created_at: datetime
    members: list[Member]


class GoalIn(Contract):
    domain: LifeDomain
    member_id: UUID
    text: LongText


class Goal(Contract):
    id: UUID
    domain: LifeDomain
    domain_label: str
    member_id: UUID
    text: str
    created_at: datetime


class ItemLink(Contract):
    """Link an item submitted earlier to a member and (optionally) a goal of the plan."""

    item_id: UUID
    member_id: UUID
    goal_id: UUID | None = None


class PlanItem(Contract):
    item_id: UUID
    advice_id: UUID
    number: int
    partner_id: str
    advice_type: str
    goal_id: UUID | None
    domain: LifeDomain | None
    delivery_status: str
    delivery_status_label: str
    partner_status: PartnerStatus | None
    running: bool
    since: datetime
    until: date | None  # the deadline, where known
    waiting_on: str | None  # in Dutch: what a waiting item waits for


class MemberPlan(Contract):
    member: Member
    goals: list[Goal]
    items: list[PlanItem]


class Plan(Contract):
    household_id: UUID
    domains: dict[str, str]  # every life domain with its Dutch label
    members: list[MemberPlan]
