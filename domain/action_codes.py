"""Kinds of tracked item that come out of meetings."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class ActionKind(StrEnum):
    DECISION = "决议"
    MAKE_UP = "补学"


class MakeUpMethod(StrEnum):
    """How an absent member made up a meeting (补学)."""

    MATERIALS = "学习材料"
    LESSON = "补课"
    ONLINE = "线上"


def days_overdue(deadline: dt.date | None, is_open: bool, today: dt.date) -> int:
    """Whole days past *deadline* for an open item; 0 when not late."""
    if deadline is None or not is_open or today <= deadline:
        return 0
    return (today - deadline).days
