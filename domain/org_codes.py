"""Organisation vocabularies: kinds of unit, what sits under what, shift patterns."""

from __future__ import annotations

from enum import StrEnum


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
