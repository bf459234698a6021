"""发展党员: one person's development record and its time gates (docs/RULES.md#发展党员).

Pure rules: a record is a person plus dated stage events. The functions say
whether a stage may be recorded on a date (with a Chinese reason when not),
what is due next and when, and what is late. Every time limit is a field of
``DevelopmentConfig``, because local practice varies and several limits are
not fixed centrally (docs/RULES.md#configuration).
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.dates import add_months, format_date
from domain.people_codes import PoliticalStatus
from domain.records import Record


class Stage(StrEnum):
    APPLIED = "递交入党申请书"
    TALK = "谈话"
    ACTIVIST = "确定入党积极分子"
    REPORT = "思想汇报"
    OBSERVATION = "培养考察"
    CANDIDATE = "确定发展对象"
    VETTING = "政治审查"
    TRAINING = "集中培训"
    COMMITTEE_REVIEW = "支委会审查"
    PRE_REVIEW = "上级预审"
    NOTICE = "公示"
    ADMITTED = "接收预备党员"
    APPROVED = "上级党委审批"
    OATH = "入党宣誓"
    EXTENDED = "延长预备期"
    CONFIRMED = "转正"
    CONFIRM_APPROVED = "转正审批"


# Stages recorded again and again; every other stage is recorded once.
REPEATING = frozenset({Stage.REPORT, Stage.OBSERVATION})

# The pipeline's main line, in order; a person "is at" the last one reached.
MAIN_LINE: tuple[Stage, ...] = (
    Stage.APPLIED,
    Stage.TALK,
    Stage.ACTIVIST,
    Stage.CANDIDATE,
    Stage.VETTING,
    Stage.TRAINING,
    Stage.COMMITTEE_REVIEW,
    Stage.PRE_REVIEW,
    Stage.NOTICE,
    Stage.ADMITTED,
    Stage.APPROVED,
    Stage.OATH,
    Stage.CONFIRMED,
    Stage.CONFIRM_APPROVED,
)

# What must already be on record before a stage may be recorded.
PREREQUISITES: dict[Stage, tuple[Stage, ...]] = {
    Stage.APPLIED: (),
    Stage.TALK: (Stage.APPLIED,),
    Stage.ACTIVIST: (Stage.APPLIED,),
    Stage.REPORT: (Stage.ACTIVIST,),
    Stage.OBSERVATION: (Stage.ACTIVIST,),
    Stage.CANDIDATE: (Stage.ACTIVIST,),
    Stage.VETTING: (Stage.CANDIDATE,),
    Stage.TRAINING: (Stage.CANDIDATE,),
    Stage.COMMITTEE_REVIEW: (Stage.VETTING, Stage.TRAINING),
    Stage.PRE_REVIEW: (Stage.COMMITTEE_REVIEW,),
    Stage.NOTICE: (Stage.COMMITTEE_REVIEW,),
    Stage.ADMITTED: (Stage.PRE_REVIEW, Stage.NOTICE),
    Stage.APPROVED: (Stage.ADMITTED,),
    Stage.OATH: (Stage.APPROVED,),
    Stage.EXTENDED: (Stage.APPROVED,),
    Stage.CONFIRMED: (Stage.APPROVED,),
    Stage.CONFIRM_APPROVED: (Stage.CONFIRMED,),
}

# Stages decided by a 支部大会 vote: recorded from a finished meeting.
MEETING_STAGES = frozenset({Stage.ADMITTED, Stage.CONFIRMED, Stage.EXTENDED})


class DevelopmentConfig(BaseModel):
    """Time limits and counts (docs/RULES.md#发展党员 gives each one's source)."""

    model_config = ConfigDict(frozen=True)

    talk_within_months: int = Field(default=1, ge=1)
    contacts_required: int = Field(default=2, ge=1)
    report_every_months: int = Field(default=3, ge=1)
    observation_every_months: int = Field(default=6, ge=1)
    activist_min_months: int = Field(default=12, ge=1)
    training_min_days: int = Field(default=3, ge=1)
    training_min_hours: int = Field(default=24, ge=1)
    # [!] 公示 periods vary locally (≥5 working days or ≥7 days).
    notice_min_days: int = Field(default=7, ge=1)
    sponsors_required: int = Field(default=2, ge=1)
    approval_within_months: int = Field(default=3, ge=1)
    probation_months: int = Field(default=12, ge=1)
    extension_min_months: int = Field(default=6, ge=1)
    extension_max_months: int = Field(default=12, ge=1)
    # [综合] how far ahead home warns that a probation ends.
    probation_warn_days: int = Field(default=30, ge=0)


DEFAULT_CONFIG = DevelopmentConfig()


class StageEvent(BaseModel):
    """One stage on one date. *people*: the 培养联系人 (积极分子) or the
    入党介绍人 (接收); names are snapshots, as the minutes keep them."""

    model_config = ConfigDict(frozen=True)

    stage: Stage
    on: date
    people: tuple[str, ...] = ()
    days: int | None = Field(default=None, ge=0)  # 集中培训: days
    hours: int | None = Field(default=None, ge=0)  # 集中培训: 学时
    months: int | None = Field(default=None, ge=0)  # 延长预备期: months
    note: str = ""
    meeting_id: str | None = None


class DevelopmentRecord(Record):
    """One person's pipeline; storage keeps one row per person and one per event."""

    person_id: str
    person_name: str = ""
    branch_id: str | None = None
    events: tuple[StageEvent, ...] = ()

    def first(self, stage: Stage) -> StageEvent | None:
        return next((e for e in self.events if e.stage is stage), None)

    def last(self, stage: Stage) -> StageEvent | None:
        found = [e for e in self.events if e.stage is stage]
        return max(found, key=lambda e: e.on) if found else None

    def date_of(self, stage: Stage) -> date | None:
        e = self.first(stage)
        return e.on if e else None

    def has(self, stage: Stage) -> bool:
        return self.first(stage) is not None

    def timeline(self) -> list[StageEvent]:
        order = {s: i for i, s in enumerate(Stage)}
        return sorted(self.events, key=lambda e: (e.on, order[e.stage]))


class Verdict(BaseModel):
    """May a stage be recorded? ``reason`` is the Chinese sentence shown."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


class DevelopmentError(ValueError):
    """A stage that may not be recorded; str() is the Chinese reason."""




# -- derived dates -------------------------------------------------------------


def current_stage(record: DevelopmentRecord) -> Stage | None:
    """The furthest main-line stage on record (None: nothing yet)."""
    reached = [s for s in MAIN_LINE if record.has(s)]
    return reached[-1] if reached else None


def probation_end(
    record: DevelopmentRecord, config: DevelopmentConfig = DEFAULT_CONFIG
) -> date | None:
    """The day the 预备期 has run its course: 12 months from the 支部大会 that
    admitted the person, plus the one extension if any."""
    admitted = record.date_of(Stage.ADMITTED)
    if admitted is None:
        return None
    months = config.probation_months
    ext = record.first(Stage.EXTENDED)
    if ext is not None and ext.months:
        months += ext.months
    return add_months(admitted, months)


def party_standing_since(
    record: DevelopmentRecord, config: DevelopmentConfig = DEFAULT_CONFIG
) -> date | None:
    """党龄 counts from the 转正 date, which is the day the probation ended
    (not the day of the meeting that voted it)."""
    if not record.has(Stage.CONFIRMED):
        return None
    return probation_end(record, config)


def activist_year_reached(
    record: DevelopmentRecord, config: DevelopmentConfig = DEFAULT_CONFIG
) -> date | None:
    """Earliest day the person may be made a 发展对象."""
    activist = record.date_of(Stage.ACTIVIST)
    return add_months(activist, config.activist_min_months) if activist else None


# -- may a stage be recorded ---------------------------------------------------


def _no(reason: str) -> Verdict:
    return Verdict(ok=False, reason=reason)


def may_record(
    record: DevelopmentRecord,
    event: StageEvent,
    config: DevelopmentConfig = DEFAULT_CONFIG,
) -> Verdict:
    stage, on = event.stage, event.on
    done = record.first(Stage.EXTENDED)
    if stage is Stage.EXTENDED and done is not None:
        return _no(f"预备期只能延长一次：已于 {format_date(done.on)} 延长 {done.months or 0} 个月")
    if stage not in REPEATING and record.has(stage):
        when = format_date(record.date_of(stage))
        return _no(f"「{stage}」已于 {when} 记录，不能重复记录")
    for before in PREREQUISITES[stage]:
        prior = record.date_of(before)
        if prior is None:
            return _no(f"尚未记录「{before}」，不能记录「{stage}」")
        if on < prior:
            return _no(
                f"「{stage}」的日期 {format_date(on)} 早于「{before}」的 {format_date(prior)}"
            )
    if record.has(Stage.CONFIRMED) and stage in (Stage.REPORT, Stage.OBSERVATION):
        return _no(f"已转正，不再记录「{stage}」")
    check = _GATES.get(stage)
    return check(record, event, config) if check else Verdict(ok=True)


def _gate_activist(r: DevelopmentRecord, e: StageEvent, c: DevelopmentConfig) -> Verdict:
    names = [p for p in dict.fromkeys(p.strip() for p in e.people) if p]
    if len(names) < c.contacts_required:
        return _no(
            f"确定入党积极分子须指定 {c.contacts_required} 名培养联系人，现有 {len(names)} 名"
        )
    return Verdict(ok=True)


def _gate_candidate(r: DevelopmentRecord, e: StageEvent, c: DevelopmentConfig) -> Verdict:
    earliest = activist_year_reached(r, c)
    assert earliest is not None  # the prerequisite check saw 确定入党积极分子
    if e.on < earliest:
        return _no(
            f"作为入党积极分子培养未满 {c.activist_min_months} 个月："
            f"最早 {format_date(earliest)} 可确定为发展对象"
        )
    return Verdict(ok=True)


def _gate_training(r: DevelopmentRecord, e: StageEvent, c: DevelopmentConfig) -> Verdict:
    days, hours = e.days or 0, e.hours or 0
    if days >= c.training_min_days or hours >= c.training_min_hours:
        return Verdict(ok=True)
    return _no(
        f"集中培训不少于 {c.training_min_days} 天或 {c.training_min_hours} 学时，"
        f"现为 {days} 天、{hours} 学时"
    )


def notice_ends(r: DevelopmentRecord, c: DevelopmentConfig = DEFAULT_CONFIG) -> date | None:
    """First day after the 公示 has run its minimum length."""
    start = r.date_of(Stage.NOTICE)
    return start + timedelta(days=c.notice_min_days) if start else None


def _gate_admitted(r: DevelopmentRecord, e: StageEvent, c: DevelopmentConfig) -> Verdict:
    ends = notice_ends(r, c)
    if ends is not None and e.on < ends:
        return _no(
            f"公示不少于 {c.notice_min_days} 天：最早 {format_date(ends)} 可召开接收预备党员大会"
        )
    earliest = activist_year_reached(r, c)
    if earliest is not None and e.on < earliest:
        return _no(f"作为入党积极分子培养未满 {c.activist_min_months} 个月")
    names = [p for p in dict.fromkeys(p.strip() for p in e.people) if p]
    if len(names) < c.sponsors_required:
        return _no(f"接收预备党员须有 {c.sponsors_required} 名入党介绍人，现有 {len(names)} 名")
    return Verdict(ok=True)


def extension_problem(
    months: int | None, *, already: int = 0, config: DevelopmentConfig = DEFAULT_CONFIG
) -> str:
    """Why an extension of *months* may not be resolved ('' when it may).
    *already*: months the probation was extended before (at most once). The
    转正 meeting asks this before it finishes; the record asks it again."""
    c = config
    if already:
        return f"预备期只能延长一次，已延长 {already} 个月"
    bounds = f"{c.extension_min_months}–{c.extension_max_months} 个月"
    if months is None:
        return f"延长预备期须填写延长的月数（{bounds}）"
    if not c.extension_min_months <= months <= c.extension_max_months:
        return f"延长预备期为 {bounds}，现为 {months} 个月"
    return ""


def _gate_extended(r: DevelopmentRecord, e: StageEvent, c: DevelopmentConfig) -> Verdict:
    problem = extension_problem(e.months, config=c)
    if problem:
        return _no(problem)
    if r.has(Stage.CONFIRMED):
        return _no("已转正，不能再延长预备期")
    ends = probation_end(r, c)
    assert ends is not None
    if e.on < ends:
        return _no(f"预备期 {format_date(ends)} 才满，期满后方可讨论延长")
    return Verdict(ok=True)


def _gate_confirmed(r: DevelopmentRecord, e: StageEvent, c: DevelopmentConfig) -> Verdict:
    ends = probation_end(r, c)
    assert ends is not None
    if e.on < ends:
        return _no(f"预备期 {format_date(ends)} 才满，不能提前讨论转正")
    return Verdict(ok=True)


_GATES = {
    Stage.ACTIVIST: _gate_activist,
    Stage.CANDIDATE: _gate_candidate,
    Stage.TRAINING: _gate_training,
    Stage.ADMITTED: _gate_admitted,
    Stage.EXTENDED: _gate_extended,
    Stage.CONFIRMED: _gate_confirmed,
}


def record_stage(
    record: DevelopmentRecord,
    event: StageEvent,
    config: DevelopmentConfig = DEFAULT_CONFIG,
) -> DevelopmentRecord:
    """The record with *event* added, or DevelopmentError with the reason."""
    verdict = may_record(record, event, config)
    if not verdict:
        raise DevelopmentError(verdict.reason)
    return record.model_copy(update={"events": (*record.events, event)})


# -- what is due -----------------------------------------------------------------


class DueKind(StrEnum):
    TALK = "谈话"
    REPORT = "思想汇报"
    OBSERVATION = "培养考察"
    ACTIVIST_YEAR = "满一年可确定为发展对象"
    APPROVAL = "上级党委审批"
    OATH = "入党宣誓"
    PROBATION_ENDS = "预备期满"
    CONFIRM_APPROVAL = "转正审批"


class Due(BaseModel):
    """Something owed for one person. *late*: its date has passed."""

    model_config = ConfigDict(frozen=True)

    kind: DueKind
    on: date
    late: bool
    text: str


def _due(kind: DueKind, on: date, today: date, text: str) -> Due:
    return Due(kind=kind, on=on, late=today > on, text=text)


def due(
    record: DevelopmentRecord,
    today: date,
    config: DevelopmentConfig = DEFAULT_CONFIG,
) -> list[Due]:
    """What is owed next for this person, earliest first. A deadline is late
    from the day after it; a "may from" date (满一年, 预备期满) is never late."""
    c, r = config, record
    out: list[Due] = []
    applied = r.date_of(Stage.APPLIED)
    if applied and not r.has(Stage.TALK):
        on = add_months(applied, c.talk_within_months)
        out.append(_due(DueKind.TALK, on, today, f"递交申请书后 {c.talk_within_months} 个月内谈话"))
    activist = r.date_of(Stage.ACTIVIST)
    open_ = activist is not None and not r.has(Stage.CONFIRMED)
    if activist and open_:
        last = r.last(Stage.REPORT)
        on = add_months(last.on if last else activist, c.report_every_months)
        out.append(_due(DueKind.REPORT, on, today, f"每 {c.report_every_months} 个月一次思想汇报"))
    if activist and open_ and not r.has(Stage.ADMITTED):
        last = r.last(Stage.OBSERVATION)
        on = add_months(last.on if last else activist, c.observation_every_months)
        text = f"每 {c.observation_every_months} 个月一次培养考察"
        out.append(_due(DueKind.OBSERVATION, on, today, text))
    if activist and not r.has(Stage.CANDIDATE):
        on = add_months(activist, c.activist_min_months)
        text = "培养满一年，可确定为发展对象"
        out.append(Due(kind=DueKind.ACTIVIST_YEAR, on=on, late=False, text=text))
    admitted = r.date_of(Stage.ADMITTED)
    if admitted and not r.has(Stage.APPROVED):
        on = add_months(admitted, c.approval_within_months)
        text = f"支部大会通过后 {c.approval_within_months} 个月内报上级党委审批"
        out.append(_due(DueKind.APPROVAL, on, today, text))
    if r.has(Stage.APPROVED) and not r.has(Stage.CONFIRMED):
        ends = probation_end(r, c)
        assert ends is not None
        if not r.has(Stage.OATH):
            approved = r.date_of(Stage.APPROVED)
            assert approved is not None
            out.append(Due(kind=DueKind.OATH, on=approved, late=False, text="组织入党宣誓"))
        out.append(Due(kind=DueKind.PROBATION_ENDS, on=ends, late=False,
                       text=f"预备期 {format_date(ends)} 期满，可召开转正支部大会"))  # fmt: skip
    confirmed = r.date_of(Stage.CONFIRMED)
    if confirmed and not r.has(Stage.CONFIRM_APPROVED):
        on = add_months(confirmed, c.approval_within_months)
        text = f"转正后 {c.approval_within_months} 个月内报上级党委审批"
        out.append(_due(DueKind.CONFIRM_APPROVAL, on, today, text))
    return sorted(out, key=lambda d: d.on)


def late(
    record: DevelopmentRecord,
    today: date,
    config: DevelopmentConfig = DEFAULT_CONFIG,
) -> list[Due]:
    return [d for d in due(record, today, config) if d.late]


def next_due(
    record: DevelopmentRecord,
    today: date,
    config: DevelopmentConfig = DEFAULT_CONFIG,
) -> Due | None:
    items = due(record, today, config)
    return items[0] if items else None


def home_due(
    record: DevelopmentRecord,
    today: date,
    config: DevelopmentConfig = DEFAULT_CONFIG,
) -> list[Due]:
    """This month's home lines: 思想汇报 due this month (or late), one year as
    积极分子 reached this month, 审批 overdue, probation ending within the
    warning window."""
    out: list[Due] = []
    for d in due(record, today, config):
        this_month = (d.on.year, d.on.month) == (today.year, today.month)
        if d.kind is DueKind.REPORT and (this_month or d.late):
            out.append(d)
        elif d.kind is DueKind.ACTIVIST_YEAR and (this_month or d.on <= today):
            out.append(d)
        elif d.kind in (DueKind.APPROVAL, DueKind.CONFIRM_APPROVAL) and d.late:
            out.append(d)
        elif d.kind is DueKind.PROBATION_ENDS and (
            d.on - today <= timedelta(days=config.probation_warn_days)
        ):
            out.append(d)
    return out


# The political status a stage gives the person (the roster shows it).
STATUS_AFTER: dict[Stage, PoliticalStatus] = {
    Stage.ACTIVIST: PoliticalStatus.ACTIVIST,
    Stage.CANDIDATE: PoliticalStatus.CANDIDATE,
    Stage.ADMITTED: PoliticalStatus.PROBATIONARY,
    Stage.CONFIRMED: PoliticalStatus.FULL,
}


class HomeDates(BaseModel):
    """The dates the light home provider filters on, worked out when a stage is
    recorded, so 今日 reads them from SQL without loading this module. None:
    nothing of that kind is owed."""

    model_config = ConfigDict(frozen=True)

    report_due: date | None = None
    activist_year_on: date | None = None
    approval_due: date | None = None  # 上级党委审批 or 转正审批, whichever is open
    probation_end: date | None = None
    probation_warn_from: date | None = None


def home_dates(record: DevelopmentRecord, config: DevelopmentConfig = DEFAULT_CONFIG) -> HomeDates:
    # The dates do not depend on today; any day works for due().
    items = {d.kind: d.on for d in due(record, date.min, config)}
    ends = items.get(DueKind.PROBATION_ENDS)
    return HomeDates(
        report_due=items.get(DueKind.REPORT),
        activist_year_on=items.get(DueKind.ACTIVIST_YEAR),
        approval_due=items.get(DueKind.APPROVAL) or items.get(DueKind.CONFIRM_APPROVAL),
        probation_end=ends,
        probation_warn_from=ends - timedelta(days=config.probation_warn_days) if ends else None,
    )


# The paper each stage leaves in the person's file (the dossier lists them).
DOCUMENT_OF: dict[Stage, str] = {
    Stage.APPLIED: "入党申请书",
    Stage.TALK: "谈话记录",
    Stage.ACTIVIST: "确定入党积极分子的支委会记录",
    Stage.REPORT: "思想汇报",
    Stage.OBSERVATION: "培养考察记录",
    Stage.CANDIDATE: "确定发展对象的支委会记录",
    Stage.VETTING: "政治审查结论",
    Stage.TRAINING: "集中培训结业证明",
    Stage.COMMITTEE_REVIEW: "支委会审查意见",
    Stage.PRE_REVIEW: "上级党委预审意见",
    Stage.NOTICE: "公示情况报告",
    Stage.ADMITTED: "入党志愿书及支部大会决议",
    Stage.APPROVED: "上级党委审批意见",
    Stage.OATH: "入党宣誓记录",
    Stage.EXTENDED: "延长预备期的支部大会决议",
    Stage.CONFIRMED: "转正申请及支部大会决议",
    Stage.CONFIRM_APPROVED: "上级党委转正审批意见",
}


def documents_received(record: DevelopmentRecord) -> list[str]:
    """Documents on file, in timeline order; repeated ones counted (思想汇报 ×3)."""
    counts: dict[str, int] = {}
    for e in record.timeline():
        name = DOCUMENT_OF[e.stage]
        counts[name] = counts.get(name, 0) + 1
    return [f"{n} ×{k}" if k > 1 else n for n, k in counts.items()]
