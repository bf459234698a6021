"""People on the roster and their voting rights."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator

from domain.records import Record
from domain.text import Digits, Line, RequiredLine


class PoliticalStatus(StrEnum):
    FULL = "正式党员"
    PROBATIONARY = "预备党员"
    ACTIVIST = "入党积极分子"
    CANDIDATE = "发展对象"
    MASSES = "群众"


class Sex(StrEnum):
    MALE = "男"
    FEMALE = "女"


class CommitteePost(StrEnum):
    SECRETARY = "书记"
    DEPUTY = "副书记"
    ORGANISATION = "组织委员"
    PUBLICITY = "宣传委员"
    DISCIPLINE = "纪检委员"
    GROUP_LEADER = "党小组长"


# Posts that make a person a member of the branch committee (支委).
COMMITTEE_POSTS = frozenset(
    {
        CommitteePost.SECRETARY,
        CommitteePost.DEPUTY,
        CommitteePost.ORGANISATION,
        CommitteePost.PUBLICITY,
        CommitteePost.DISCIPLINE,
    }
)


class Shift(StrEnum):
    DAY = "白班"
    NIGHT = "夜班"
    MORNING = "早班"
    MIDDLE = "中班"
    LATE = "晚班"
    REST = "倒休"


PARTY_MEMBER_STATUSES = frozenset({PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY})


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
