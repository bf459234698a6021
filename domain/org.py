"""The organisation tree: 党委 → 党总支 → 党支部 → 党小组."""

from __future__ import annotations

from pydantic import Field

from domain.org_codes import CHILD_KIND, OrgKind, ShiftPattern
from domain.records import Record
from domain.text import RequiredLine

__all__ = ["CHILD_KIND", "OrgKind", "OrgUnit", "ShiftPattern"]


class OrgUnit(Record):
    name: RequiredLine = Field(max_length=60)
    kind: OrgKind
    parent_id: str | None = None
    shift_pattern: ShiftPattern | None = None
    sort_order: int = 0
