"""People vocabularies: political status, posts, shifts (no models, cheap to import)."""

from __future__ import annotations

from enum import StrEnum


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
