"""Every meeting kind in one table: label, procedure, vote rule, minutes template
and how often the 条例 asks for it.

Everything else reads ``KINDS``: the procedure templates (domain.procedures),
the minutes layout (exports.minutes), the compliance requirements
(domain.compliance) and the home columns. Adding a kind is one enum member plus
one ``KindSpec`` entry; tests fail when a kind has no entry.

This module is plain data (enums and frozen dataclasses, no pydantic): the home
screen reads the compliance part of it at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
    """The four counting rules; every vote records the one it used."""

    ASSEMBLY = "党员大会表决"  # >1/2 of 应到有表决权 present; yes > 1/2 of 应到有表决权
    COMMITTEE = "支委会表决"  # >1/2 of 委员 present; majority of those present [常见]
    DEVELOPMENT = "发展党员表决"  # 接收/转正: only 正式党员, secret ballot, written opinions count
    ELECTION = "选举"  # >4/5 of 应到 present; yes > 1/2 of 实到


class VoteMethod(StrEnum):
    HANDS = "举手表决"
    SECRET = "无记名投票"


class Phase(StrEnum):
    BEFORE = "会前"
    DURING = "会中"
    AFTER = "会后"


class RecordKind(StrEnum):
    """What a step lets the recorder capture."""

    NOTES = "notes"
    SPEAKERS = "speakers"
    VOTE = "vote"
    DECISION = "decision"
    ELECTION = "election"


class GateCheck(StrEnum):
    """How a ⚑ step is verified beyond being ticked off."""

    CONFIRM = "confirm"  # the secretary confirms a prerequisite
    QUORUM = "quorum"  # attendance meets the kind's quorum rule (接收: and 发展对象, 介绍人)
    VOTE = "vote"  # a vote was recorded, with quorum
    DECISION = "decision"  # a resolution was recorded
    BALLOTS = "ballots"  # every election: 收回 ≤ 发出, 监票人 and 计票人 named
    ELECTION_RESULT = "election_result"  # an election was counted and announced
    PROBATION_ENDED = "probation_ended"  # 预备期满一年, from the probation start date


class Cadence(StrEnum):
    MONTHLY = "每月"
    QUARTERLY = "每季度"
    HALF_YEARLY = "每半年"
    YEARLY = "每年"


class HeaderField(StrEnum):
    """A fact the minutes header can show; exports.minutes renders each one."""

    NAME = "name"  # 会议名称 (title, or 第×次)
    TIME = "time"
    PLACE = "place"
    CHAIR = "chair"
    RECORDER = "recorder"
    LECTURER = "lecturer"
    EXPECTED_MEMBERS = "expected_members"  # 应到, split 正式/预备
    PRESENT_MEMBERS = "present_members"
    # 有表决权 应到 and 实到 on a row of their own: beside the 正式/预备 split
    # it would not fit one line of the header.
    VOTING = "voting"
    ABSENTEES = "absentees"  # 缺席 only
    ON_LEAVE = "on_leave"  # 请假
    EXCLUDED = "excluded"  # 不计入应到
    OBSERVERS = "observers"
    SUPERVISORS = "supervisors"
    TOPICS = "topics"
    CONTENT = "content"  # 党课/主题党日: 主要内容, from the lecture or study step
    HOURS = "hours"  # 党课: 学时, from start and end time
    AUDIENCE = "audience"  # 听课对象 / 参加范围
    CANDIDATE = "candidate"  # 发展对象 / 预备党员
    SPONSORS = "sponsors"  # 入党介绍人
    PROBATION = "probation"  # 预备期 start and end
    WRITTEN = "written"  # 书面意见 counted
    BRANCH = "branch"  # 所属支部 of a 党小组


class ContentKind(StrEnum):
    """How a content field of the record is entered and printed."""

    TEXT = "text"  # a paragraph
    PEOPLE = "people"  # one remark per person (批评与自我批评)
    COUNTS = "counts"  # a count per option (评定等次)


# -- Row types of the table ---------------------------------------------------


@dataclass(frozen=True)
class StepSeed:
    """One step of a kind's default procedure (domain.procedures builds the model)."""

    key: str
    phase: Phase
    title: str
    guidance: str = ""
    records: frozenset[RecordKind] = frozenset({RecordKind.NOTES})
    gate: GateCheck | None = None  # ⚑ when set
    skippable: bool = True


@dataclass(frozen=True)
class HeaderItem:
    """One header cell pair: ``label`` beside the value of ``field``.

    Narrow items share a row two by two; a wide item takes a whole row. An
    optional item is left out when it has nothing to show.
    """

    field: HeaderField
    label: str
    wide: bool = False
    optional: bool = False


@dataclass(frozen=True)
class MinutesTemplate:
    title_suffix: str  # after the organisation's name: 党员大会会议记录
    header: tuple[HeaderItem, ...]
    # When the organisation's name already ends with the first part, use the
    # second as the suffix (第一党支部 + 委员会会议记录).
    title_when_org_ends: tuple[str, str] | None = None
    secretary_signs: bool = False  # 支部书记（签字） under the record

    def fields(self) -> tuple[HeaderField, ...]:
        return tuple(h.field for h in self.header)

    def labels(self) -> tuple[str, ...]:
        return tuple(h.label for h in self.header)


@dataclass(frozen=True)
class ContentField:
    """What a kind's record holds beyond the checklist: entered on the meeting's
    基本信息 section and printed in the minutes after the step *step* (at the
    end of the record when it is not a 会中 step)."""

    key: str
    label: str
    kind: ContentKind = ContentKind.TEXT
    step: str | None = None
    options: tuple[str, ...] = ()  # COUNTS: the counted options, in order
    hint: str = ""


# 民主评议党员 等次 (条例 第十八条); 优秀 is the one whose share is checked.
APPRAISAL_GRADES = ("优秀", "合格", "基本合格", "不合格")
EXCELLENT = APPRAISAL_GRADES[0]


@dataclass(frozen=True)
class Frequency:
    """One compliance requirement this kind answers (domain.compliance.Requirement)."""

    key: str
    label: str
    cadence: Cadence
    rank: int  # order among all requirements (reports list them in this order)
    times: int = 1
    per_group: bool = False
    by_secretary: bool = False
    include_group_activities: bool = False
    needs_committee: bool = False
    usual_quarter: int | None = None
    tag: str = ""
    basis: str = ""
    home_column: str = ""  # short header of the home table; "" = not on home
    home_rank: int = 0


@dataclass(frozen=True)
class KindSpec:
    kind: MeetingKind
    procedure_name: str
    steps: tuple[StepSeed, ...]
    vote_rule: VoteRule
    vote_method: VoteMethod
    minutes: MinutesTemplate
    frequencies: tuple[Frequency, ...] = ()
    counts_as: MeetingKind | None = None  # held as (and counted toward) another kind
    sample_topics: tuple[str, ...] = ()  # suggestions, and the demo's topics
    label: str = ""
    content: tuple[ContentField, ...] = ()  # the record's own fields (组织生活会, 民主评议)

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.kind.value)
        keys = [s.key for s in self.steps]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.kind}：步骤编号重复")
        for c in self.content:
            if c.step is not None and c.step not in keys:
                raise ValueError(f"{self.kind}：内容「{c.label}」的步骤 {c.step} 不存在")


# -- Minutes headers ------------------------------------------------------------

_H = HeaderField


def _header(
    *,
    lecture: bool = False,
    voting: bool = True,
    topics_label: str = "会议议题",
    extra: tuple[HeaderItem, ...] = (),
    group: bool = False,
) -> tuple[HeaderItem, ...]:
    head = [
        HeaderItem(_H.NAME, "会议名称", wide=True, optional=True),
        HeaderItem(_H.TIME, "时间", wide=True),
        HeaderItem(_H.PLACE, "地点", wide=True),
    ]
    if group:
        head += [HeaderItem(_H.BRANCH, "所属支部", wide=True)]
    if lecture:
        head += [HeaderItem(_H.LECTURER, "授课人"), HeaderItem(_H.CHAIR, "主持人")]
        head += [HeaderItem(_H.RECORDER, "记录人"), HeaderItem(_H.HOURS, "学时")]
    else:
        head += [HeaderItem(_H.CHAIR, "主持人"), HeaderItem(_H.RECORDER, "记录人")]
    head += [
        HeaderItem(_H.EXPECTED_MEMBERS, "应到人数", wide=True),
        HeaderItem(_H.PRESENT_MEMBERS, "实到人数", wide=True),
    ]
    if voting:
        head += [HeaderItem(_H.VOTING, "有表决权人数", wide=True)]
    head += [
        HeaderItem(_H.ON_LEAVE, "请假人员及原因", wide=True),
        HeaderItem(_H.ABSENTEES, "缺席人员及原因", wide=True),
        HeaderItem(_H.EXCLUDED, "不计入应到人员", wide=True, optional=True),
        HeaderItem(_H.OBSERVERS, "列席人员", wide=True),
        HeaderItem(_H.SUPERVISORS, "上级指导人员", wide=True, optional=True),
        *extra,
        HeaderItem(_H.TOPICS, topics_label, wide=True),
    ]
    return tuple(head)


_LECTURE_HEADER = _header(
    lecture=True,
    voting=False,
    topics_label="题目",
    extra=(
        HeaderItem(_H.AUDIENCE, "听课对象", wide=True),
        HeaderItem(_H.CONTENT, "主要内容", wide=True),
    ),
)
_THEME_DAY_HEADER = _header(
    voting=False,
    topics_label="主题",
    extra=(
        HeaderItem(_H.AUDIENCE, "参加范围", wide=True),
        HeaderItem(_H.CONTENT, "活动内容", wide=True),
    ),
)
_ADMISSION_HEADER = _header(
    extra=(
        HeaderItem(_H.CANDIDATE, "发展对象", wide=True),
        HeaderItem(_H.SPONSORS, "入党介绍人", wide=True),
        HeaderItem(_H.WRITTEN, "书面意见", wide=True),
    ),
)
_CONFIRMATION_HEADER = _header(
    extra=(
        HeaderItem(_H.CANDIDATE, "预备党员", wide=True),
        HeaderItem(_H.SPONSORS, "入党介绍人", wide=True, optional=True),
        HeaderItem(_H.PROBATION, "预备期", wide=True),
        HeaderItem(_H.WRITTEN, "书面意见", wide=True),
    ),
)
_GROUP_HEADER = _header(voting=False, group=True)
_ORG_LIFE_HEADER = _header(voting=False)
_APPRAISAL_HEADER = _header(topics_label="评议内容")


_STANDARD_HEADER = _header()


def _s(
    key: str,
    phase: Phase,
    title: str,
    guidance: str = "",
    *records: RecordKind,
    gate: GateCheck | None = None,
    skippable: bool | None = None,
) -> StepSeed:
    return StepSeed(
        key=key,
        phase=phase,
        title=title,
        guidance=guidance,
        records=frozenset(records or (RecordKind.NOTES,)),
        gate=gate,
        skippable=(gate is None) if skippable is None else skippable,
    )


# -- Default procedures ---------------------------------------------------------

_N = RecordKind.NOTES
_S = RecordKind.SPEAKERS
_V = RecordKind.VOTE
_D = RecordKind.DECISION
_E = RecordKind.ELECTION
_B, _M, _A = Phase.BEFORE, Phase.DURING, Phase.AFTER


# The seed tables read best one step per line; keep the formatter off them.
# fmt: off
_ASSEMBLY = (
    _s("plan", _B, "召开支委会确定议题、时间、地点", "根据上级部署和工作需要确定议题，准备决议草案或工作方案"),
    _s("notify", _B, "提前通知全体党员", "告知议题、时间和要求；党员请假的，尽量会前征求其对议题的意见"),
    _s("materials", _B, "准备会议材料", "签到表；需要时准备选票；需传达的文件"),
    _s("attendance", _M, "清点到会人数", "组织委员清点应到、实到、缺席人数及缺席原因，报告主持人"),
    _s(
        "quorum", _M, "宣布到会情况和会议是否有效",
        "有表决权的党员到会超过半数方可进行（条例第十一条）；书记宣布开会",
        gate=GateCheck.QUORUM,
    ),
    _s("agenda", _M, "宣布议程和讨论要求，确定记录人"),
    _s("report", _M, "传达学习或报告", "支委会可提出决议草案，并说明委员会内的不同意见"),
    _s("discuss", _M, "逐项充分讨论", "党员逐项发言，如实记录不同意见", _N, _S),
    _s(
        "vote", _M, "表决",
        "需要形成决议的，举手或无记名投票，少数服从多数，当场计票并宣布结果；"
        "意见分歧较大的不强行表决，可暂缓再议或报上级。不需表决的注明原因后跳过",
        _V, _D, gate=GateCheck.VOTE, skippable=True,
    ),
    _s("close", _M, "主持人总结，宣布闭会"),
    _s("minutes", _A, "整理会议记录，主持人和记录人签字后归档"),
    _s("report_up", _A, "向上级党组织报告会议情况", "需审批的决议报上级批准，批准后向党员公布"),
    _s("convey", _A, "向缺席党员传达会议精神，抓好分工落实", "", _N, _D),
)

_COMMITTEE = (
    _s(
        "topics", _B, "书记确定议题并准备意见",
        "根据上级部署和支部工作需要确定议题，准备初步意见；提前通知全体委员时间、地点和议题；"
        "可请党小组长或有关党员列席",
    ),
    _s(
        "quorum", _M, "确认半数以上委员到会",
        "半数以上委员到会方可进行（条例第十二条）；不足半数又需作重大决定的，提交党员大会",
        gate=GateCheck.QUORUM,
    ),
    _s("open", _M, "书记主持开会，说明议题和讨论要求，确定记录人"),
    _s("discuss", _M, "委员逐项讨论、发表意见", "如实记录不同意见", _N, _S),
    _s("summarise", _M, "书记适时归纳"),
    _s(
        "decide", _M, "按少数服从多数作出决定",
        "需要决定时表决；须由党员大会决定的重大事项，这里只形成建议。不需决定的注明原因后跳过",
        _V, _D, gate=GateCheck.VOTE, skippable=True,
    ),
    _s("assign", _M, "明确分工：责任委员和完成时限", "", _N, _D),
    _s("file", _A, "散会，记录人整理归档会议记录"),
    _s("progress", _A, "责任委员向书记汇报落实进展"),
)

_GROUP = (
    _s("plan", _B, "组长与支部商定内容和形式，提前通知党员", "内容集中在一两个重点问题"),
    _s("open", _M, "组长召集主持会议，登记到会情况"),
    _s(
        "items", _M, "开展会议内容",
        "政治学习；谈心谈话；党员汇报思想和工作；批评和自我批评；"
        "讨论落实支部决议，对入党积极分子、预备党员的意见，评议和任务",
        _N, _S,
    ),
    _s("focus", _M, "集中讨论、统一认识，明确任务和责任", "", _N, _S, _D),
    _s("report", _A, "记录会议并向支部汇报，组长跟踪议定事项"),
)

_LECTURE = (
    _s(
        "approved", _B, "党课已列入计划，讲稿/课件审核通过", "见党课计划和课件审核流程",
        gate=GateCheck.CONFIRM,
    ),
    _s("notify", _B, "提前通知党课主题、时间、地点和授课人"),
    _s("signin", _M, "签到", "党员可佩戴党徽"),
    _s("open", _M, "主持人宣布党课主题，介绍授课人", "书记或宣传委员主持"),
    _s("lecture", _M, "授课", "集中授课、微党课、现场教学或线上授课；记录内容摘要"),
    _s("discuss", _M, "交流研讨、提问", "", _N, _S),
    _s("summarise", _M, "书记（主持人）总结"),
    _s(
        "record", _A, "填写党课记录，讲稿/课件存档，报上级备案",
        "记录时间、地点、授课人、主题、到会情况、内容摘要和讨论情况；可要求党员撰写心得体会",
    ),
)

_THEME_DAY = (
    _s(
        "theme", _B, "支委会确定本月主题和内容",
        "列入年度或月度主题党日计划，提前2至3天通知党员；"
        "不得搞成纯娱乐、观光或茶话会，保持政治性和庄重感",
    ),
    _s("leave", _B, "安排请假；流动党员和年老体弱党员以适当方式参加（如线上）"),
    _s("signin", _M, "签到，佩戴党徽"),
    _s("open", _M, "开场", "可升国旗，唱国歌或《国际歌》"),
    _s("oath", _M, "重温入党誓词或诵读党章"),
    _s("study", _M, "集中学习", "学习第一议题或上级文件"),
    _s("dues", _M, "交纳党费"),
    _s(
        "deliberate", _M, "民主议事",
        "通报支部工作，讨论决定事项；需要正式表决的，按党员大会的到会和表决规则进行",
        _N, _S, _V, _D,
    ),
    _s("optional", _M, "自选动作", "一般1至2项：志愿服务、党课、现场教学、走访帮扶等"),
    _s("review", _M, "书记点评总结"),
    _s("record", _A, "记入支部工作记录本，按要求报送主题党日活动登记表"),
    _s("follow_up", _A, "抓好议定事项落实", "", _N, _D),
)

_ORG_LIFE = (
    _s(
        "plan", _B, "按上级通知确定主题，制定方案并报上级",
        "支委会拟定方案，连同会议时间报上级党组织，上级可派人指导",
    ),
    _s("study", _B, "集中学习规定文件"),
    _s(
        "talks", _B, "开展谈心谈话，广泛征求意见",
        "支委之间、支委与党员、党员之间谈心谈话；通过问卷、座谈、走访征求意见",
    ),
    _s("materials", _B, "撰写对照检查材料或发言提纲", "书记的材料一般报上级审核"),
    _s("notify", _B, "通知党员", "不能参会的党员提交书面党性分析，会上代为宣读"),
    _s("open", _M, "签到，主持人报告到会情况，宣布会议主题"),
    _s("last_year", _M, "通报上年度整改落实情况"),
    _s(
        "report", _M, "书记报告支部工作，代表支委会作对照检查",
        "设支委会的，通常先开支委会，再向党员大会报告",
    ),
    _s(
        "criticism", _M, "开展批评和自我批评",
        "支委逐一对照检查、相互批评；党员逐一作党性分析、自我批评并接受批评；批评要指名道姓、指出具体事",
        _N, _S,
    ),
    _s("appraisal", _M, "民主评议党员（合并进行时）", "按民主评议党员程序进行"),
    _s("close", _M, "上级指导人员点评，书记总结表态"),
    _s(
        "rectify", _A, "形成问题清单和整改清单",
        "明确整改措施、责任人和时限，在一定范围内公开", _N, _D,
    ),
    _s("report_up", _A, "按时向上级报送情况报告"),
    _s("track", _A, "跟踪整改，逐项对单销号，材料归档"),
)

_APPRAISAL = (
    _s("mobilise", _B, "学习动员", "支委会制定方案并报上级党组织"),
    _s(
        "self", _B, "个人自评",
        "对照合格党员标准和入党誓词，联系岗位职责，撰写党性分析或自评材料，征求他人意见",
    ),
    _s("peer", _M, "党员互评", "在党员大会上进行；人数较多的支部可在党小组内自评互评", _N, _S),
    _s("rating", _M, "民主测评", "以票或表测评，可请群众代表参加"),
    _s(
        "org_rating", _M, "组织评定",
        "支委会或党员大会结合测评和日常表现提出评定意见：优秀（一般不超过三分之一）、"
        "合格、基本合格、不合格；防止简单以票取人",
        _N, _V, _D,
    ),
    _s("feedback", _A, "反馈本人，公示或通报，报上级党组织"),
    _s(
        "use", _A, "运用评议结果",
        "优秀的表彰；合格的肯定；基本合格的指出差距、帮助改进；"
        "不合格的教育转化，按规定组织处置（限期改正、劝退、除名）",
        _N, _D,
    ),
)

_C = GateCheck.CONFIRM

_ADMISSION = (
    _s(
        "candidate", _B, "已确定为发展对象，担任入党积极分子满一年",
        "3个月内将离开本单位的，一般不办理", gate=_C,
    ),
    _s("vetting", _B, "政审结论已存档", gate=_C),
    _s("training", _B, "集中培训不少于3天或24学时", gate=_C),
    _s("review", _B, "支委会审查完成，公示完毕", gate=_C),
    _s("prereview", _B, "基层党委预审通过，入党志愿书已发放并填写", gate=_C),
    _s(
        "sponsors", _B, "有两名正式党员作入党介绍人", "受留党察看处分的党员不能作入党介绍人",
        gate=_C,
    ),
    _s(
        "quorum", _M, "清点并报告到会正式党员人数",
        "有表决权的到会人数须超过应到会有表决权人数的半数；发展对象和两名入党介绍人应到会",
        gate=GateCheck.QUORUM,
    ),
    _s("open", _M, "主持人宣布开会，宣读发展对象名单", "书记或组织委员主持"),
    _s(
        "candidate_report", _M, "发展对象汇报",
        "一般宣读入党志愿书，汇报对党的认识、入党动机、本人经历、家庭和主要社会关系及需要说明的问题",
    ),
    _s("sponsor_intro", _M, "入党介绍人介绍情况", "介绍发展对象情况，表明是否同意其入党", _N, _S),
    _s(
        "committee_report", _M, "支委会报告审查情况",
        "培养考察、政审、党员和群众意见、公示结果及支委会意见",
    ),
    _s(
        "discuss", _M, "党员充分讨论",
        "入党介绍人、支委或发展对象回答提问，发展对象可表明态度；如实记录不同意见", _N, _S,
    ),
    _s(
        "vote", _M, "无记名投票表决",
        "只有正式党员有表决权；会前提交的正式书面意见计入票数；两人以上的，讨论一个、表决一个",
        _V, gate=GateCheck.VOTE,
    ),
    _s("count", _M, "公开唱票、计票", "由一名支委宣读票决报告单"),
    _s(
        "resolution", _M, "形成支部大会决议",
        "赞成票超过应到会有表决权正式党员的半数方为通过；主持人宣读决议草案，党员确认；"
        "决议写明主要表现、应到和实到有表决权人数、表决结果和日期，书记签名",
        _N, _D, gate=GateCheck.DECISION,
    ),
    _s("close", _M, "发展对象表态，书记总结"),
    _s(
        "after", _A, "决议写入入党志愿书，报基层党委审批",
        "审批前上级党委派人谈话，3个月内审批；未通过的，支部保存志愿书和材料，做好思想工作",
    ),
)

_CONFIRMATION = (
    _s(
        "expired", _B, "预备期一年已满", "预备期未满不得召开转正大会",
        gate=GateCheck.PROBATION_ENDED, skippable=False,
    ),
    _s("application", _B, "本人已提交书面转正申请", gate=_C),
    _s("opinions", _B, "党小组意见已提出，党员和群众意见已征求", gate=_C),
    _s("review", _B, "公示完毕，支委会审查完成", gate=_C),
    _s(
        "quorum", _M, "清点并报告到会人数",
        "同接收预备党员：有表决权的到会人数须超过应到会有表决权人数的半数",
        gate=GateCheck.QUORUM,
    ),
    _s(
        "report", _M, "预备党员宣读转正申请，汇报预备期表现",
        "优点和不足、入党时所提缺点的改进情况、今后努力方向",
    ),
    _s("group", _M, "党小组提出意见", "设党小组的"),
    _s("sponsors", _M, "入党介绍人介绍考察情况并表明意见", "", _N, _S),
    _s("committee_report", _M, "支委会报告教育考察情况，提出能否转正的意见"),
    _s("discuss", _M, "党员讨论", "如实记录不同意见", _N, _S),
    _s(
        "vote", _M, "表决",
        "默认无记名投票；书面意见计入；逐个表决；通过规则同接收预备党员",
        _V, gate=GateCheck.VOTE,
    ),
    _s(
        "resolution", _M, "形成决议",
        "按期转正、延长预备期（一次，不少于6个月、不超过1年）或取消预备党员资格；"
        "决议写明预备期表现、讨论情况、应到和实到人数、表决结果",
        _N, _D,
    ),
    _s("close", _M, "预备党员表态，书记总结"),
    _s(
        "after", _A, "决议写入入党志愿书，报上级审批",
        "3个月内审批；批准后书记与本人谈话，并在党员大会上宣布；党龄从预备期满之日算起",
    ),
)

_ELECTION = (
    _s(
        "decide", _B, "支委会研究换届，起草工作报告和换届方案",
        "方案含时间、议程、委员职数和结构、候选人提名方式和选举方式",
    ),
    _s("request", _B, "向上级党组织书面请示换届选举"),
    _s(
        "nominate", _B, "酝酿推荐，确定候选人预备人选并报批",
        "按多数党员意见确定；委员实行差额，差额不少于20%；书记、副书记可等额提名",
    ),
    _s(
        "prepare", _B, "准备选举办法、候选人简介、选票、票箱和监票人、计票人人选",
        "选票上候选人按姓氏笔画排列",
    ),
    _s(
        "quorum", _M, "报告应到、实到有选举权人数，宣布会议有效",
        "实到超过应到的五分之四方为有效",
        gate=GateCheck.QUORUM,
    ),
    _s("report", _M, "听取审议上届支委会工作报告"),
    _s("rules", _M, "表决通过选举办法，宣布候选人名单", "", _N, _V),
    _s("scrutineers", _M, "表决通过监票人、计票人", "监票人从不是候选人的党员中推选", _N, _V),
    _s(
        "ballots", _M, "检查票箱，发放选票，说明填写方法",
        "可赞成、反对或弃权，可另选他人，不得委托投票；不能书写的可请非候选人按其意愿代写",
    ),
    _s("voting", _M, "无记名投票"),
    _s(
        "returned", _M, "清点收回选票",
        "收回数等于或少于发出数，选举有效；多于发出数，选举无效，应重新投票",
        _N, _E, gate=GateCheck.BALLOTS,
    ),
    _s(
        "count", _M, "监票人监督计票", "所选人数多于应选人数的选票无效；监票人在计票单上签字",
        _N, _E,
    ),
    _s(
        "result", _M, "宣布选举结果",
        "赞成票超过实到会有选举权人数一半的始得当选；超过应选名额时按得票多少依次取；"
        "票数相等不能确定时对票数相等的重新投票；不足应选名额时可另行选举",
        _N, _E, gate=GateCheck.ELECTION_RESULT,
    ),
    _s("first_meeting", _A, "新一届支委会召开第一次会议", "等额选举书记、副书记，委员分工"),
    _s(
        "report_up", _A, "报告选举结果，选票和计票单封存归档",
        "书记、副书记报上级批准，委员报上级备案；更新名册和职务",
    ),
)


# -- Record content ---------------------------------------------------------------

_ORG_LIFE_CONTENT = (
    ContentField("self_check", "对照检查", step="report",
                 hint="支委会对照检查查摆的主要问题及原因"),
    ContentField("criticism", "批评与自我批评", ContentKind.PEOPLE, step="criticism",
                 hint="每行一人：姓名：自我批评，及他人提出的批评意见"),
    ContentField("rectify", "整改措施", step="close",
                 hint="问题清单对应的整改措施、责任人和时限"),
)
_APPRAISAL_CONTENT = (
    ContentField("rating", "民主测评", step="rating",
                 hint="测评方式、参加人数（含群众代表）、收回测评表份数"),
    ContentField("grades", "评定等次", ContentKind.COUNTS, step="org_rating",
                 options=APPRAISAL_GRADES, hint="各等次人数"),
)

# -- Compliance frequencies -----------------------------------------------------

_F = Frequency

# -- The table ------------------------------------------------------------------

_SECRET = VoteMethod.SECRET
_HANDS = VoteMethod.HANDS

KINDS: Mapping[MeetingKind, KindSpec] = MappingProxyType(
    {
        MeetingKind.MEMBER_ASSEMBLY: KindSpec(
            kind=MeetingKind.MEMBER_ASSEMBLY,
            procedure_name="支部党员大会（一般程序）",
            steps=_ASSEMBLY,
            vote_rule=VoteRule.ASSEMBLY,
            vote_method=_HANDS,
            minutes=MinutesTemplate("党员大会会议记录", _STANDARD_HEADER),
            frequencies=(
                _F("member_assembly", "支部党员大会", Cadence.QUARTERLY, rank=2, tag="[条例]",
                   basis="条例 第十一、十四条", home_column="党员大会", home_rank=3),
            ),
            sample_topics=("听取支委会季度工作报告", "讨论通过季度党建工作计划"),
        ),
        MeetingKind.COMMITTEE: KindSpec(
            kind=MeetingKind.COMMITTEE,
            procedure_name="支部委员会会议",
            steps=_COMMITTEE,
            vote_rule=VoteRule.COMMITTEE,
            vote_method=_HANDS,
            minutes=MinutesTemplate(
                "支部委员会会议记录", _STANDARD_HEADER, title_when_org_ends=("支部", "委员会会议记录")
            ),
            frequencies=(
                _F("branch_committee", "支部委员会", Cadence.MONTHLY, rank=0, needs_committee=True,
                   tag="[条例]", basis="条例 第十二、十四条", home_column="支委会", home_rank=0),
            ),
            sample_topics=("研究本月党建工作安排", "讨论党员发展计划", "研究安全生产中的党建工作"),
        ),
        # 党小组会 and 党课 take no binding decisions; a vote recorded anyway uses
        # the plain majority rule, the least surprising default [综合].
        MeetingKind.GROUP: KindSpec(
            kind=MeetingKind.GROUP,
            procedure_name="党小组会",
            steps=_GROUP,
            vote_rule=VoteRule.ASSEMBLY,
            vote_method=_HANDS,
            minutes=MinutesTemplate(
                "党小组会会议记录", _GROUP_HEADER, title_when_org_ends=("党小组", "会议记录")
            ),
            frequencies=(
                _F("party_group", "党小组会", Cadence.MONTHLY, rank=1, per_group=True,
                   tag="[条例]", basis="条例 第十三、十四条", home_column="小组会", home_rank=1),
            ),
            sample_topics=("学习安全生产规章", "交流岗位履职情况", "开展批评与自我批评"),
        ),
        MeetingKind.LECTURE: KindSpec(
            kind=MeetingKind.LECTURE,
            procedure_name="党课",
            steps=_LECTURE,
            vote_rule=VoteRule.ASSEMBLY,
            vote_method=_HANDS,
            minutes=MinutesTemplate("党课记录", _LECTURE_HEADER),
            frequencies=(
                _F("party_lecture", "党课", Cadence.QUARTERLY, rank=3, tag="[常见][!]",
                   basis="三会一课（见 docs/RULES.md 频次表）", home_column="党课", home_rank=4),
                _F("secretary_lecture", "支部书记讲党课", Cadence.YEARLY, rank=7,
                   by_secretary=True, tag="[常见][!]", basis="地方规定（见 docs/RULES.md 频次表）"),
            ),
            sample_topics=(
                "弘扬石油精神 争当岗位先锋",
                "安全生产与党员责任",
                "廉洁从业警示教育",
                "学习党的创新理论",
            ),
        ),
        # 主题党日 民主议事, 组织生活会 and 民主评议 run any formal vote as a 党员大会.
        MeetingKind.THEME_DAY: KindSpec(
            kind=MeetingKind.THEME_DAY,
            procedure_name="主题党日",
            steps=_THEME_DAY,
            vote_rule=VoteRule.ASSEMBLY,
            vote_method=_HANDS,
            minutes=MinutesTemplate("主题党日活动记录", _THEME_DAY_HEADER),
            frequencies=(
                _F("theme_day", "主题党日", Cadence.MONTHLY, rank=4, tag="[条例]",
                   basis="条例 第五章（引作第十六条）", home_column="主题党日", home_rank=2),
            ),
            sample_topics=("集中学习党章", "“党员先锋岗”志愿服务", "重温入党誓词"),
        ),
        MeetingKind.ORG_LIFE: KindSpec(
            kind=MeetingKind.ORG_LIFE,
            procedure_name="组织生活会",
            steps=_ORG_LIFE,
            vote_rule=VoteRule.ASSEMBLY,
            vote_method=_HANDS,
            minutes=MinutesTemplate("组织生活会会议记录", _ORG_LIFE_HEADER),
            frequencies=(
                _F("org_life", "组织生活会", Cadence.YEARLY, rank=5, usual_quarter=4,
                   include_group_activities=True, tag="[条例]", basis="条例 第十七条"),
            ),
            content=_ORG_LIFE_CONTENT,
        ),
        MeetingKind.APPRAISAL: KindSpec(
            kind=MeetingKind.APPRAISAL,
            procedure_name="民主评议党员",
            steps=_APPRAISAL,
            vote_rule=VoteRule.ASSEMBLY,
            vote_method=_HANDS,
            minutes=MinutesTemplate("民主评议党员会议记录", _APPRAISAL_HEADER),
            frequencies=(
                _F("appraisal", "民主评议党员", Cadence.YEARLY, rank=6,
                   include_group_activities=True, tag="[条例]", basis="条例 第十八条"),
            ),
            content=_APPRAISAL_CONTENT,
        ),
        # Secret ballot is required for admission and the default for
        # confirmation; both are held as (and count toward) a 党员大会.
        MeetingKind.ADMISSION: KindSpec(
            kind=MeetingKind.ADMISSION,
            procedure_name="接收预备党员的支部大会",
            steps=_ADMISSION,
            vote_rule=VoteRule.DEVELOPMENT,
            vote_method=_SECRET,
            minutes=MinutesTemplate(
                "接收预备党员支部大会会议记录", _ADMISSION_HEADER, secretary_signs=True
            ),
            counts_as=MeetingKind.MEMBER_ASSEMBLY,
        ),
        MeetingKind.CONFIRMATION: KindSpec(
            kind=MeetingKind.CONFIRMATION,
            procedure_name="预备党员转正的支部大会",
            steps=_CONFIRMATION,
            vote_rule=VoteRule.DEVELOPMENT,
            vote_method=_SECRET,
            minutes=MinutesTemplate(
                "预备党员转正支部大会会议记录", _CONFIRMATION_HEADER, secretary_signs=True
            ),
            counts_as=MeetingKind.MEMBER_ASSEMBLY,
        ),
        # The ballots themselves are secret; the votes on the election rules
        # and the 监票人 are taken by show of hands.
        MeetingKind.ELECTION: KindSpec(
            kind=MeetingKind.ELECTION,
            procedure_name="换届选举",
            steps=_ELECTION,
            vote_rule=VoteRule.ELECTION,
            vote_method=_HANDS,
            minutes=MinutesTemplate("换届选举党员大会会议记录", _STANDARD_HEADER),
            counts_as=MeetingKind.MEMBER_ASSEMBLY,
        ),
    }
)
# fmt: on


def missing_kinds() -> list[MeetingKind]:
    """Kinds with no table entry (a test keeps this empty)."""
    return [k for k in MeetingKind if k not in KINDS]


def kind_spec(kind: MeetingKind | str) -> KindSpec:
    """The table entry of *kind*; a KeyError names a kind that has none."""
    k = MeetingKind(kind)
    try:
        return KINDS[k]
    except KeyError:
        raise KeyError(f"会议类型「{k}」没有登记在 domain.meeting_kinds.KINDS 中") from None


def vote_rule_for(kind: MeetingKind) -> VoteRule:
    return kind_spec(kind).vote_rule


def default_vote_method(kind: MeetingKind) -> VoteMethod:
    return kind_spec(kind).vote_method


def all_frequencies() -> list[tuple[MeetingKind, Frequency]]:
    """Every compliance requirement of every kind, in report order."""
    pairs = [(k, f) for k, spec in KINDS.items() for f in spec.frequencies]
    return sorted(pairs, key=lambda p: p[1].rank)


def home_columns() -> list[tuple[MeetingKind, Frequency]]:
    """The requirements shown as columns of the home table, left to right."""
    pairs = [(k, f) for k, f in all_frequencies() if f.home_column]
    return sorted(pairs, key=lambda p: p[1].home_rank)


def aliases() -> dict[MeetingKind, MeetingKind]:
    """Kinds held as another kind and counted toward it."""
    return {k: spec.counts_as for k, spec in KINDS.items() if spec.counts_as is not None}
