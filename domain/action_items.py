"""Tracked items that come out of meetings: decisions (决议) and make-ups (补学)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from domain.action_codes import ActionKind, days_overdue
from domain.records import Record
from domain.text import Line, RequiredLine

__all__ = ["ActionItem", "ActionKind"]


class ActionItem(Record):
    source: Line = ""  # e.g. "2026-03-15 支部党员大会（采油一队党支部）"
    meeting_id: str | None = None
    kind: ActionKind
    text: RequiredLine = Field(max_length=2000)
    owner_id: str | None = None
    owner_name: Line = Field(default="", max_length=40)
    deadline: dt.date | None = None
    closed_at: str | None = None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def days_overdue(self, today: dt.date) -> int:
        return days_overdue(self.deadline, self.is_open, today)
