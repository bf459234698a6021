"""People on the roster and their voting rights."""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from domain.people_codes import (
    COMMITTEE_POSTS,
    PARTY_MEMBER_STATUSES,
    CommitteePost,
    PoliticalStatus,
    Sex,
    Shift,
)
from domain.records import Record
from domain.text import Digits, Line, RequiredLine

__all__ = [
    "COMMITTEE_POSTS",
    "CommitteePost",
    "PARTY_MEMBER_STATUSES",
    "Person",
    "PoliticalStatus",
    "Sex",
    "Shift",
]


class Person(Record):
    name: RequiredLine = Field(max_length=40)
    sex: Sex | None = None
    birth_date: date | None = None
    status: PoliticalStatus = PoliticalStatus.MASSES
    branch_id: str | None = None
    group_id: str | None = None
    post: CommitteePost | None = None
    team: Line = Field(default="", max_length=60)  # 班组
    job: Line = Field(default="", max_length=60)  # 岗位
    shift: Shift | None = None
    phone: Digits = Field(default="", max_length=20)
    joined_party: date | None = None  # 入党时间 (预备)
    confirmed_on: date | None = None  # 转正时间
    on_party_probation: bool = False  # 留党察看期间: no vote
    note: Line = Field(default="", max_length=200)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        v = v.replace(" ", "").replace("-", "")
        if v and not v.lstrip("+").isdigit():
            raise ValueError("电话只能是数字")
        return v

    @property
    def is_member(self) -> bool:
        return self.status in PARTY_MEMBER_STATUSES

    @property
    def has_vote(self) -> bool:
        """Only 正式党员 not under 留党察看 vote, elect and stand (党章第七条)."""
        return self.status is PoliticalStatus.FULL and not self.on_party_probation

    @property
    def on_committee(self) -> bool:
        return self.post in COMMITTEE_POSTS
