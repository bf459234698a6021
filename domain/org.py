"""The organisation tree: 党委 → 党总支 → 党支部 → 党小组."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from domain.records import Record
from domain.text import RequiredLine


class OrgKind(StrEnum):
    COMMITTEE = "党委"
    GENERAL_BRANCH = "党总支"
    BRANCH = "党支部"
    GROUP = "党小组"


# Which kind may sit directly under which.
CHILD_KIND: dict[OrgKind, OrgKind | None] = {
    OrgKind.COMMITTEE: OrgKind.GENERAL_BRANCH,
    OrgKind.GENERAL_BRANCH: OrgKind.BRANCH,
    OrgKind.BRANCH: OrgKind.GROUP,
    OrgKind.GROUP: None,
}


class ShiftPattern(StrEnum):
    DAY_ONLY = "常白班"
    TWO_SHIFTS = "白夜两班"
    THREE_SHIFTS = "三班倒"


class OrgUnit(Record):
    name: RequiredLine = Field(max_length=60)
    kind: OrgKind
    parent_id: str | None = None
    shift_pattern: ShiftPattern | None = None
    sort_order: int = 0
