"""Meeting procedures as data: editable templates seeded from REFERENCE.md §2.

Templates are frozen pydantic models.  Editing returns a new template, so a
meeting keeps the exact copy of the procedure it was run with even after the
branch rewords or reorders its own template later.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.meeting_kinds import MeetingKind
from domain.text import Line, Note, RequiredLine


class Phase(StrEnum):
    BEFORE = "会前"
    DURING = "会中"
    AFTER = "会后"


PHASE_ORDER: dict[Phase, int] = {Phase.BEFORE: 0, Phase.DURING: 1, Phase.AFTER: 2}


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
    QUORUM = "quorum"  # attendance meets the kind's quorum rule
    VOTE = "vote"  # a vote was recorded, with quorum
    DECISION = "decision"  # a resolution was recorded
    BALLOTS = "ballots"  # every election: 收回 ≤ 发出
    ELECTION_RESULT = "election_result"  # an election was counted and announced


class StepTemplate(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: RequiredLine = Field(max_length=60)
    phase: Phase
    title: RequiredLine = Field(max_length=200)
    guidance: Note = Field(default="", max_length=2000)
    hard_gate: bool = False  # ⚑ in the reference: "finish" is blocked until met
    gate_check: GateCheck | None = None
    # A ⚑ step that only applies "where a resolution is needed" may be skipped
    # with a reason; the others may not be skipped at all.
    skippable: bool = True
    records: frozenset[RecordKind] = frozenset({RecordKind.NOTES})

    @model_validator(mode="after")
    def _check_only_on_gates(self) -> StepTemplate:
        if self.gate_check is not None and not self.hard_gate:
            raise ValueError("只有 ⚑ 步骤才能设置检查方式")
        return self


class ProcedureTemplate(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: MeetingKind
    name: Line = Field(default="", max_length=100)
    version: int = Field(default=1, ge=1)
    steps: tuple[StepTemplate, ...] = ()

    @field_validator("steps")
    @classmethod
    def _keys_unique_and_phases_ordered(
        cls, steps: tuple[StepTemplate, ...]
    ) -> tuple[StepTemplate, ...]:
        keys = [s.key for s in steps]
        if len(set(keys)) != len(keys):
            raise ValueError("步骤编号重复")
        orders = [PHASE_ORDER[s.phase] for s in steps]
        if orders != sorted(orders):
            raise ValueError("步骤须按 会前、会中、会后 的顺序排列")
        return steps

    def step(self, key: str) -> StepTemplate:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(key)

    def index(self, key: str) -> int:
        for i, s in enumerate(self.steps):
            if s.key == key:
                return i
        raise KeyError(key)

    def phase_steps(self, phase: Phase) -> tuple[StepTemplate, ...]:
        return tuple(s for s in self.steps if s.phase is phase)

    @property
    def gates(self) -> tuple[StepTemplate, ...]:
        return tuple(s for s in self.steps if s.hard_gate)


# -- Editing: every function returns a new template ------------------------


def _with_steps(template: ProcedureTemplate, steps: list[StepTemplate]) -> ProcedureTemplate:
    return ProcedureTemplate(
        kind=template.kind, name=template.name, version=template.version + 1, steps=tuple(steps)
    )


def add_step(
    template: ProcedureTemplate, step: StepTemplate, *, after: str | None = None
) -> ProcedureTemplate:
    """Insert *step* after the step *after*, or at the end of its phase."""
    if any(s.key == step.key for s in template.steps):
        raise ValueError(f"步骤编号已存在：{step.key}")
    steps = list(template.steps)
    if after is not None:
        anchor = template.step(after)
        if anchor.phase is not step.phase:
            raise ValueError("只能插在同一阶段的步骤后面")
        pos = template.index(after) + 1
    else:
        pos = sum(1 for s in steps if PHASE_ORDER[s.phase] <= PHASE_ORDER[step.phase])
    steps.insert(pos, step)
    return _with_steps(template, steps)


def remove_step(template: ProcedureTemplate, key: str) -> ProcedureTemplate:
    """Remove a step.  ⚑ steps carry rules from the 条例/细则 and cannot be removed."""
    step = template.step(key)
    if step.hard_gate:
        raise ValueError(f"⚑ 步骤不能删除：{step.title}")
    return _with_steps(template, [s for s in template.steps if s.key != key])


def move_step(
    template: ProcedureTemplate, key: str, direction: Literal["up", "down"]
) -> ProcedureTemplate:
    """Swap a step with its neighbour inside the same phase.

    At the edge of its phase the template is returned unchanged: a step does
    not silently change from 会前 to 会中.
    """
    if direction not in ("up", "down"):
        raise ValueError("direction must be 'up' or 'down'")
    i = template.index(key)
    j = i - 1 if direction == "up" else i + 1
    steps = list(template.steps)
    if not 0 <= j < len(steps) or steps[j].phase is not steps[i].phase:
        return template
    steps[i], steps[j] = steps[j], steps[i]
    return _with_steps(template, steps)


def reword_step(
    template: ProcedureTemplate,
    key: str,
    *,
    title: str | None = None,
    guidance: str | None = None,
) -> ProcedureTemplate:
    update: dict[str, str] = {}
    if title is not None:
        update["title"] = title
    if guidance is not None:
        update["guidance"] = guidance
    template.step(key)  # KeyError for an unknown key
    steps = [
        StepTemplate.model_validate({**s.model_dump(), **update}) if s.key == key else s
        for s in template.steps
    ]
    return _with_steps(template, steps)


# -- The seeded templates (REFERENCE.md §2.1–§2.10) --------------------------

_N = RecordKind.NOTES
_S = RecordKind.SPEAKERS
_V = RecordKind.VOTE
_D = RecordKind.DECISION
_E = RecordKind.ELECTION
_B, _M, _A = Phase.BEFORE, Phase.DURING, Phase.AFTER


def _s(
    key: str,
    phase: Phase,
    title: str,
    guidance: str = "",
    *records: RecordKind,
    gate: GateCheck | None = None,
    skippable: bool | None = None,
) -> StepTemplate:
    return StepTemplate(
        key=key,
        phase=phase,
        title=title,
        guidance=guidance,
        hard_gate=gate is not None,
        gate_check=gate,
        skippable=(gate is None) if skippable is None else skippable,
        records=frozenset(records or (_N,)),
    )


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
    _s("expired", _B, "预备期一年已满", "预备期未满不得召开转正大会", gate=_C),
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

# fmt: on

_SEEDS: dict[MeetingKind, tuple[str, tuple[StepTemplate, ...]]] = {
    MeetingKind.MEMBER_ASSEMBLY: ("支部党员大会（一般程序）", _ASSEMBLY),
    MeetingKind.COMMITTEE: ("支部委员会会议", _COMMITTEE),
    MeetingKind.GROUP: ("党小组会", _GROUP),
    MeetingKind.LECTURE: ("党课", _LECTURE),
    MeetingKind.THEME_DAY: ("主题党日", _THEME_DAY),
    MeetingKind.ORG_LIFE: ("组织生活会", _ORG_LIFE),
    MeetingKind.APPRAISAL: ("民主评议党员", _APPRAISAL),
    MeetingKind.ADMISSION: ("接收预备党员的支部大会", _ADMISSION),
    MeetingKind.CONFIRMATION: ("预备党员转正的支部大会", _CONFIRMATION),
    MeetingKind.ELECTION: ("换届选举", _ELECTION),
}


def default_template(kind: MeetingKind) -> ProcedureTemplate:
    name, steps = _SEEDS[MeetingKind(kind)]
    return ProcedureTemplate(kind=kind, name=name, version=1, steps=steps)
