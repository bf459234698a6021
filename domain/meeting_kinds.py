"""Meeting kinds and which voting rule each one uses (REFERENCE.md §1.3, §2)."""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class MeetingKind(StrEnum):
    MEMBER_ASSEMBLY = "支部党员大会"
    COMMITTEE = "支部委员会"
    GROUP = "党小组会"
    LECTURE = "党课"
    THEME_DAY = "主题党日"
    ORG_LIFE = "组织生活会"
    APPRAISAL = "民主评议党员"
    ADMISSION = "接收预备党员"
    CONFIRMATION = "预备党员转正"
    ELECTION = "换届选举"


class MeetingStatus(StrEnum):
    DRAFT = "草稿"
    FINISHED = "已完成"


class VoteRule(StrEnum):
    """The four counting rules of §1.3; every vote records the one it used."""

    ASSEMBLY = "党员大会表决"  # >1/2 of 应到有表决权 present; yes > 1/2 of 应到有表决权
    COMMITTEE = "支委会表决"  # >1/2 of 委员 present; majority of those present [常见]
    DEVELOPMENT = "发展党员表决"  # 接收/转正: only 正式党员, secret ballot, written opinions count
    ELECTION = "选举"  # >4/5 of 应到 present; yes > 1/2 of 实到


class VoteMethod(StrEnum):
    HANDS = "举手表决"
    SECRET = "无记名投票"


# The rule for votes taken at each kind of meeting.  党小组会 and 党课 do not
# take binding decisions; if a vote is recorded anyway the plain majority rule
# is the least surprising default [综合].  主题党日 民主议事, 组织生活会 and
# 民主评议 run any formal vote as a 党员大会 (§2.5 step 8).
KIND_VOTE_RULE: MappingProxyType[MeetingKind, VoteRule] = MappingProxyType(
    {
        MeetingKind.MEMBER_ASSEMBLY: VoteRule.ASSEMBLY,
        MeetingKind.COMMITTEE: VoteRule.COMMITTEE,
        MeetingKind.GROUP: VoteRule.ASSEMBLY,
        MeetingKind.LECTURE: VoteRule.ASSEMBLY,
        MeetingKind.THEME_DAY: VoteRule.ASSEMBLY,
        MeetingKind.ORG_LIFE: VoteRule.ASSEMBLY,
        MeetingKind.APPRAISAL: VoteRule.ASSEMBLY,
        MeetingKind.ADMISSION: VoteRule.DEVELOPMENT,
        MeetingKind.CONFIRMATION: VoteRule.DEVELOPMENT,
        MeetingKind.ELECTION: VoteRule.ELECTION,
    }
)

# Secret ballot is required for admission and elections and the default for
# confirmation (§8-5); everything else is normally a show of hands.
KIND_VOTE_METHOD: MappingProxyType[MeetingKind, VoteMethod] = MappingProxyType(
    {
        kind: (
            VoteMethod.SECRET
            if kind in (MeetingKind.ADMISSION, MeetingKind.CONFIRMATION)
            else VoteMethod.HANDS
        )
        for kind in MeetingKind
    }
)


def vote_rule_for(kind: MeetingKind) -> VoteRule:
    return KIND_VOTE_RULE[kind]


def default_vote_method(kind: MeetingKind) -> VoteMethod:
    return KIND_VOTE_METHOD[kind]
