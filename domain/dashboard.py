"""What the home screen lists: one shape for every workflow's due items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from domain.navigation import Go


class Urgency(IntEnum):
    INFO = 0
    DUE = 1  # due today or soon
    OVERDUE = 2


@dataclass(frozen=True)
class DueItem:
    """One line on 今日. ``action`` is where Enter leads (a place and its
    ids, see domain.navigation); text is plain, never markup."""

    section: str  # 会议 / 党课 / 一人一事 / 决议 / 三会一课
    text: str
    due: date | None = None
    urgency: Urgency = Urgency.INFO
    action: Go | None = None
    # Who is to act on it (a name), and the 党支部 it concerns (a name): zhibu
    # remind sends an item to its owner and to its branch. Empty where no one
    # should be sent it: a member's 党费 arrears are not for a group chat.
    owner: str = ""
    branch: str = ""

    def days_overdue(self, today: date) -> int:
        return (today - self.due).days if self.due and today > self.due else 0
