"""Tracked items that come out of meetings: decisions (决议) and make-ups (补学)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from domain.records import Record
from domain.text import Line, RequiredLine


class ActionKind(StrEnum):
    DECISION = "决议"
    MAKE_UP = "补学"


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
        if self.deadline is None or not self.is_open or today <= self.deadline:
            return 0
        return (today - self.deadline).days
