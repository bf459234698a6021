"""One sitting (场次) of an activity held in several sittings: the record
part, kept inside the meeting (domain.meetings.Meeting.sittings). The rules
that use it are in domain.sittings (docs/SITTINGS.md)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.people_codes import Shift
from domain.records import new_id
from domain.text import Line, RequiredLine


class SittingKind(StrEnum):
    SHIFT = "班次场"  # 白班场, 夜班场 …: the members of one shift
    STATION = "上站"  # a 支委 goes to a station to hold it with the people named there
    OTHER = "其他"  # a sitting added by hand (e.g. for those who missed the others)


class Sitting(BaseModel):
    """Its own time, place, leader and attendance; who belongs to it was
    proposed from the branch's shift pattern and can be changed."""

    model_config = ConfigDict(hide_input_in_errors=True)

    id: str = Field(default_factory=new_id)
    label: RequiredLine = Field(max_length=30)  # 白班场 / 夜班场 / 上站（计量站）
    kind: SittingKind = SittingKind.SHIFT
    shift: Shift | None = None
    date: dt.date
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    place: Line = Field(default="", max_length=100)
    leader_id: str | None = None
    leader_name: Line = Field(default="", max_length=40)  # 带领人 (the 支委 holding it)
    member_ids: list[str] = Field(default_factory=list)  # who belongs to this sitting
    present_ids: list[str] = Field(default_factory=list)  # who attended it
