"""补学 done: a member on leave or absent made up a meeting — when, how, checked by whom."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from domain.action_codes import MakeUpMethod
from domain.records import Record
from domain.text import Note, RequiredLine

__all__ = ["MakeUpMethod", "MakeUpRecord"]


class MakeUpRecord(Record):
    """One member's make-up of one meeting; closes the meeting's 补学 item."""

    action_id: str  # the 补学 action item it settles
    meeting_id: str
    person_id: str
    name: RequiredLine = Field(max_length=40)
    meeting_date: dt.date
    done_on: dt.date  # 补学日期
    method: MakeUpMethod  # 学习材料 / 补课 / 线上
    checked_by: RequiredLine = Field(max_length=40)  # who checked it was done
    note: Note = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _not_before_the_meeting(self) -> MakeUpRecord:
        if self.done_on < self.meeting_date:
            raise ValueError("补学日期不能早于会议日期")
        return self
