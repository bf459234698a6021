"""一人一事 follow-ups: the case model, due dates, escalation flags, status rules.

A follow-up is a case with an append-only timeline (contacts, escalations,
status changes), as case-management tools such as CiviCase keep it. The next
contact date is computed from the last logged contact, so logging a talk
resets the clock (the Monica #1814 complaint).

Every function here is pure: it returns a new FollowUp and leaves its input
alone. Errors are FollowUpError with a Chinese message the UI shows as is.
Rules, levels and deadlines: docs/RULES.md#follow-ups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from datetime import date, timedelta
from typing import NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.dates import add_months
from domain.errors_cn import FIELD_LABELS, describe_validation_error
from domain.followup_codes import (
    ACTIVE_STATUSES,
    OPEN_STATUSES,
    Category,
    ContactMethod,
    Level,
    Source,
    Status,
)
from domain.holidays import is_working_day
from domain.records import Record, new_id
from domain.text import SHORT_MAX, Line, Note, RequiredLine
from domain.triggers import TriggerCatalogue
from domain.triggers import find as find_trigger

# Legal moves. 销号 only after 已回访: the closed loop ends with 反馈 → 销号
# ("事事有回音、件件有着落"), in the order 已解决 → 已回访 → 销号 (docs/RULES.md#follow-ups).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.TODO: frozenset(
        {Status.IN_PROGRESS, Status.RESOLVED, Status.ESCALATED, Status.LONG_TERM}
    ),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.ESCALATED, Status.LONG_TERM}),
    Status.ESCALATED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.LONG_TERM}),
    Status.LONG_TERM: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.ESCALATED}),
    Status.RESOLVED: frozenset({Status.VISITED, Status.IN_PROGRESS}),
    Status.VISITED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}

# Seed trigger → the category it usually means, so the quick form can leave
# category out. Absence and overdue leave count as 违反劳动纪律, one of the
# 三违. Branch-added codes fall back to 其他.
DEFAULT_CATEGORY: dict[str, Category] = {
    "T1": Category.MOOD,
    "T2": Category.SAFETY,
    "T3": Category.SAFETY,
    "T4": Category.JOB,
    "T5": Category.CONFLICT,
    "T6": Category.MOOD,
    "V1": Category.HEALTH,
    "V2": Category.CONFLICT,
    "V3": Category.OTHER,
    "V4": Category.HARDSHIP,
    "V5": Category.HEALTH,
    "V6": Category.SAFETY,
    "Q1": Category.HEALTH,
    "Q2": Category.HEALTH,
    "Q3": Category.HARDSHIP,
    "Q4": Category.OTHER,
    "Q5": Category.CONFLICT,
    "Q6": Category.SAFETY,
    "Q7": Category.MOOD,
}

REDACTED_NAME = "（保密）"

_M = TypeVar("_M", bound=BaseModel)


class FollowUpError(ValueError):
    """Raised with a Chinese message the UI can show as is."""


# --- configuration ----------------------------------------------------------


def _per_level(**values: int) -> dict[Level, int]:
    return {
        Level.ROUTINE: values["routine"],
        Level.SIGNIFICANT: values["significant"],
        Level.CRITICAL: values["critical"],
    }


class FollowUpConfig(BaseModel):
    """Per-branch intervals. All defaults are [综合]/[常见]: change them freely.

    Where the defaults come from (the table in docs/RULES.md#follow-ups):
    - first_contact_days: 一般 "talk within 3 days"; 重大 "same day"; 较大 1 day
      is ours, between the two.
    - report_days: 较大 "report ≤2 working days"; 重大 same day (≤24 h);
      一般 stays in the branch (no report due). Counted in working days
      (statutory holidays and 调休 from domain.holidays) unless
      report_in_working_days is off, e.g. for crews on continuous shifts.
    - resolve_days: 一般 "close ≤15 days". 较大/重大 have no figure in the
      sources ("periodic follow-up", 督办 by the higher level); 30 days is ours.
    - return_visit_days: 一般 "回访 ≤30 days", used for every level.
    - contact_interval_days: ours [综合]; weekly / every 3 days / daily.
    - long_term_interval_days: monthly, matching the monthly 思想动态分析会.
    - bangjiao_months: 3 (帮教期 is commonly 3 or 6 months).
    """

    first_contact_days: dict[Level, int] = Field(
        default_factory=lambda: _per_level(routine=3, significant=1, critical=0)
    )
    contact_interval_days: dict[Level, int] = Field(
        default_factory=lambda: _per_level(routine=7, significant=3, critical=1)
    )
    resolve_days: dict[Level, int] = Field(
        default_factory=lambda: _per_level(routine=15, significant=30, critical=30)
    )
    report_days: dict[Level, int | None] = Field(
        default_factory=lambda: {Level.ROUTINE: None, Level.SIGNIFICANT: 2, Level.CRITICAL: 0}
    )
    report_in_working_days: bool = True
    return_visit_days: int = Field(default=30, ge=0)
    long_term_interval_days: int = Field(default=30, ge=1)
    bangjiao_months: int = Field(default=3, ge=1, le=24)

    @field_validator("first_contact_days", "contact_interval_days", "resolve_days", "report_days")
    @classmethod
    def _every_level(cls, v: dict[Level, int | None]) -> dict[Level, int | None]:
        missing = [lv.value for lv in Level if lv not in v]
        if missing:
            raise ValueError(f"缺少级别：{'、'.join(missing)}")
        if any(n is not None and n < 0 for n in v.values()):
            raise ValueError("天数不能为负")
        return v

    @field_validator("contact_interval_days")
    @classmethod
    def _positive_interval(cls, v: dict[Level, int]) -> dict[Level, int]:
        # A zero interval would make every logged contact due again at once.
        if any(n < 1 for n in v.values()):
            raise ValueError("联系间隔至少1天")
        return v


# --- timeline entries -------------------------------------------------------


class Contact(BaseModel):
    """One talk or visit (谈话/走访记录)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(default_factory=new_id)
    on: date
    by_id: str = ""
    by_name: RequiredLine = Field(max_length=40)
    method: ContactMethod = ContactMethod.TALK
    place: Line = Field(default="", max_length=60)
    content: Note = Field(default="", max_length=2000)  # 主要内容
    attitude: Line = Field(default="", max_length=SHORT_MAX)  # 对象态度
    help_given: Note = Field(default="", max_length=1000)  # 帮扶措施
    return_visit: bool = False  # 回访记录 rather than an ordinary contact
    at: dt.datetime | None = None  # when it was entered (None: entered before stamps)


class Escalation(BaseModel):
    """上报情况: level reported to, date, reason."""

    model_config = ConfigDict(frozen=True)

    to_whom: RequiredLine = Field(max_length=60)
    on: date
    reason: RequiredLine = Field(max_length=SHORT_MAX)
    by_id: str = ""
    by_name: Line = Field(default="", max_length=40)
    at: dt.datetime | None = None


class StatusChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    from_status: Status
    to_status: Status
    on: date
    by_id: str = ""
    by_name: Line = Field(default="", max_length=40)
    note: Line = Field(default="", max_length=SHORT_MAX)
    at: dt.datetime | None = None


class Actor(NamedTuple):
    """Who did it: a person id and the name as shown at the time."""

    person_id: str
    name: str


# --- the case ---------------------------------------------------------------


class FollowUp(Record):
    branch_id: str
    person_id: str
    person_name: RequiredLine = Field(max_length=40)  # snapshot at filing
    found_on: date
    source: Source = Source.TALK
    trigger_code: str = ""
    trigger_text: Line = Field(default="", max_length=60)  # snapshot of the catalogue text
    category: Category = Category.OTHER
    description: Note = Field(default="", max_length=2000)  # facts only
    measures: Note = Field(default="", max_length=1000)  # 帮扶措施 plan
    responsible_id: str
    responsible_name: RequiredLine = Field(max_length=40)  # 包保党员 / 支委
    level: Level = Level.ROUTINE
    status: Status = Status.TODO
    next_contact: date | None = None
    outcome: Note = Field(default="", max_length=2000)  # 办理结果
    appraisal: Line = Field(default="", max_length=SHORT_MAX)  # 对象/群众评价
    private: bool = False
    is_bangjiao: bool = False  # 结对帮教 case
    started_on: date | None = None  # 帮教 start; defaults to found_on
    contacts: tuple[Contact, ...] = ()
    escalations: tuple[Escalation, ...] = ()
    status_changes: tuple[StatusChange, ...] = ()
    # Set by redacted(); storage must refuse to save such a copy.
    is_redacted: bool = False

    @property
    def start_date(self) -> date:
        return self.started_on or self.found_on


_LABELS = FIELD_LABELS | {
    "person_name": "对象姓名",
    "responsible_name": "责任人",
    "trigger_text": "触发情形",
    "description": "问题描述",
    "measures": "帮扶措施",
    "outcome": "办理结果",
    "appraisal": "对象评价",
    "to_whom": "上报对象",
    "reason": "原因",
    "by_name": "姓名",
    "place": "地点",
    "content": "主要内容",
    "attitude": "对象态度",
    "help_given": "帮扶措施",
    "note": "说明",
}


def _now() -> dt.datetime:
    """When an entry is made: the timeline orders a day's entries by it."""
    return dt.datetime.now()


def _build(model: type[_M], **values: object) -> _M:
    if model in (Contact, Escalation, StatusChange) and values.get("at") is None:
        values["at"] = _now()
    try:
        return model.model_validate(values)
    except ValidationError as err:
        raise FollowUpError(describe_validation_error(err, _LABELS)) from None


def _update(fu: FollowUp, **changes: object) -> FollowUp:
    # Re-validate rather than model_copy(update=...), which would skip the
    # text cleaning and length limits on new values such as the outcome.
    return _build(FollowUp, **(fu.model_dump() | changes))


def make_contact(
    on: date,
    actor: Actor,
    *,
    method: ContactMethod = ContactMethod.TALK,
    content: str = "",
    attitude: str = "",
    help_given: str = "",
    place: str = "",
) -> Contact:
    """A Contact for log_contact, with errors in Chinese."""
    return _build(
        Contact,
        on=on,
        by_id=actor.person_id,
        by_name=actor.name,
        method=method,
        content=content,
        attitude=attitude,
        help_given=help_given,
        place=place,
    )


def _check_on(fu: FollowUp, when: date, what: str) -> None:
    if when < fu.found_on:
        raise FollowUpError(f"{what}日期不能早于发现日期（{fu.found_on.isoformat()}）")


_HINTS: dict[Status, str] = {
    Status.CLOSED: "销号前须先回访（已回访），做到事事有回音",
    Status.VISITED: "回访须在办结（已解决）之后",
    Status.ESCALATED: "已办结的事项请先重新打开，再上报",
    Status.LONG_TERM: "已办结的事项请先重新打开",
    Status.RESOLVED: "事项已办结，如需改动请先重新打开",
}


def _transition(
    fu: FollowUp, to: Status, when: date, actor: Actor, note: str = "", **changes: object
) -> FollowUp:
    if to not in TRANSITIONS[fu.status]:
        hint = _HINTS.get(to, "")
        msg = f"不能从「{fu.status}」改为「{to}」"
        raise FollowUpError(f"{msg}：{hint}" if hint else msg)
    _check_on(fu, when, "状态变更")
    change = _build(
        StatusChange,
        from_status=fu.status,
        to_status=to,
        on=when,
        by_id=actor.person_id,
        by_name=actor.name,
        note=note,
    )
    return _update(fu, status=to, status_changes=(*fu.status_changes, change), **changes)


def _require_text(value: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise FollowUpError(message)
    return value


def add_days(d: date, days: int) -> date:
    return d + timedelta(days=days)


def add_working_days(d: date, days: int) -> date:
    """*days* working days after *d*; 0 means *d* itself (same day, even on a
    holiday: a 重大 case does not wait for Monday)."""
    cur, left = d, days
    while left > 0:
        cur += timedelta(days=1)
        if is_working_day(cur):
            left -= 1
    return cur




# --- quick file -------------------------------------------------------------


class QuickForm(BaseModel):
    """The at-most-six-field form used at shift handover (docs/RULES.md#follow-ups).

    The six: worker, trigger, a few words, responsible member, next contact
    date (blank → found date + the level's first-contact days), level.
    The rest have defaults the secretary can fill in later.
    """

    person_id: str = ""
    person_name: str = ""
    trigger_code: str = ""
    summary: str = ""
    responsible_id: str = ""
    responsible_name: str = ""
    next_contact: date | None = None
    level: Level = Level.ROUTINE
    # Optional extras, not on the quick form itself.
    found_on: date | None = None
    source: Source = Source.TALK
    category: Category | None = None
    private: bool = False
    is_bangjiao: bool = False


QUICK_SUMMARY_MAX = 200


def validate_quick_form(
    form: QuickForm,
    catalogue: TriggerCatalogue,
    *,
    today: date,
    member_ids: Collection[str] | None = None,
) -> dict[str, str]:
    """Field name → Chinese error. Empty dict means the form can be filed.

    *member_ids*, when given, are the branch's party members: the responsible
    person must be one of them (包保党员).
    """
    errors: dict[str, str] = {}
    if not form.person_id or not form.person_name.strip():
        errors["person"] = "请选择对象（职工）"
    if not form.trigger_code:
        errors["trigger"] = "请选择触发情形（必谈/必访）"
    else:
        trigger = find_trigger(catalogue, form.trigger_code)
        if trigger is None:
            errors["trigger"] = "触发情形不在本支部的必谈/必访清单中"
        elif not trigger.active:
            errors["trigger"] = f"触发情形「{trigger.text}」已停用，请另选"
    summary = form.summary.strip()
    if not summary:
        errors["summary"] = "请用几个字写明情况"
    elif len(summary) > QUICK_SUMMARY_MAX:
        errors["summary"] = f"简要情况不超过{QUICK_SUMMARY_MAX}字，详细内容可稍后补充"
    if not form.responsible_id or not form.responsible_name.strip():
        errors["responsible"] = "请指定责任人（包保党员）"
    elif form.responsible_id == form.person_id:
        errors["responsible"] = "责任人不能是对象本人"
    elif member_ids is not None and form.responsible_id not in member_ids:
        errors["responsible"] = "责任人须为本支部党员"
    found = form.found_on or today
    if found > today:
        errors["found_on"] = "发现日期不能晚于今天"
    if form.next_contact is not None and form.next_contact < found:
        errors["next_contact"] = "下次联系日期不能早于发现日期"
    return errors


def quick_file(
    form: QuickForm,
    catalogue: TriggerCatalogue,
    *,
    today: date,
    config: FollowUpConfig,
    member_ids: Collection[str] | None = None,
) -> FollowUp:
    """Build a 待办 FollowUp from the quick form, or raise with every error."""
    errors = validate_quick_form(form, catalogue, today=today, member_ids=member_ids)
    if errors:
        raise FollowUpError("；".join(errors.values()))
    trigger = find_trigger(catalogue, form.trigger_code)
    assert trigger is not None  # checked by validate_quick_form
    found = form.found_on or today
    next_contact = form.next_contact or add_days(found, config.first_contact_days[form.level])
    return _build(
        FollowUp,
        branch_id=catalogue.branch_id,
        person_id=form.person_id,
        person_name=form.person_name,
        found_on=found,
        source=form.source,
        trigger_code=trigger.code,
        trigger_text=f"{trigger.kind}：{trigger.text}",
        category=form.category or quick_category(trigger.code),
        description=form.summary,
        responsible_id=form.responsible_id,
        responsible_name=form.responsible_name,
        level=form.level,
        next_contact=next_contact,
        private=form.private,
        is_bangjiao=form.is_bangjiao,
        started_on=found if form.is_bangjiao else None,
    )


def quick_category(trigger_code: str) -> Category:
    """The reason a quick-filed case gets from its trigger (as quick_file does)."""
    return DEFAULT_CATEGORY.get(trigger_code, Category.OTHER)


def open_same_reason(
    cases: Iterable[FollowUp], person_id: str, category: Category
) -> list[FollowUp]:
    """The person's cases not yet 销号 for the same reason: filing another one
    splits one person's story over two timelines, so the form asks first."""
    return [
        fu
        for fu in cases
        if fu.person_id == person_id and fu.status is not Status.CLOSED and fu.category is category
    ]


# --- timeline actions -------------------------------------------------------


def contact_interval(fu: FollowUp, config: FollowUpConfig) -> int:
    if fu.status is Status.LONG_TERM:
        return config.long_term_interval_days
    return config.contact_interval_days[fu.level]


def log_contact(fu: FollowUp, contact: Contact, config: FollowUpConfig) -> FollowUp:
    """Append a talk/visit; next contact = latest contact date + the level's interval.

    Measuring from the latest contact (not from the old due date, nor from
    the entry just typed) keeps back-filled entries from pulling the date back.
    The first contact moves 待办 to 跟进中.
    """
    if fu.status is Status.RESOLVED:
        raise FollowUpError("已解决的事项请记录回访，或先重新打开")
    if fu.status not in ACTIVE_STATUSES:
        raise FollowUpError(f"「{fu.status}」的事项不能再记录谈话，请先重新打开")
    if contact.return_visit:
        raise FollowUpError("回访请用“回访”记录")
    _check_on(fu, contact.on, "谈话")
    contacts = tuple(sorted((*fu.contacts, contact), key=lambda c: c.on))
    latest = contacts[-1].on
    if fu.status is Status.TODO:
        actor = Actor(contact.by_id, contact.by_name)
        fu = _transition(fu, Status.IN_PROGRESS, contact.on, actor, "首次谈话/走访")
    return _update(
        fu, contacts=contacts, next_contact=add_days(latest, contact_interval(fu, config))
    )


def escalate(fu: FollowUp, to_whom: str, when: date, reason: str, actor: Actor) -> FollowUp:
    """Record 上报 (to whom, when, why) and move to 转上级.

    Escalating an already escalated case again (e.g. 政工科 → 基层党委) adds
    another entry without a status change.
    """
    to_whom = _require_text(to_whom, "请写明上报给谁（如 基层党委、政工科、工会）")
    reason = _require_text(reason, "请写明上报原因")
    _check_on(fu, when, "上报")
    entry = _build(
        Escalation,
        to_whom=to_whom,
        on=when,
        reason=reason,
        by_id=actor.person_id,
        by_name=actor.name,
    )
    escalations = (*fu.escalations, entry)
    if fu.status is Status.ESCALATED:
        return _update(fu, escalations=escalations)
    return _transition(fu, Status.ESCALATED, when, actor, f"上报{to_whom}", escalations=escalations)


def resolve(
    fu: FollowUp, outcome: str, when: date, actor: Actor, config: FollowUpConfig
) -> FollowUp:
    """已解决 with the outcome; the return visit falls due return_visit_days later."""
    outcome = _require_text(outcome, "请填写办理结果")
    return _transition(
        fu,
        Status.RESOLVED,
        when,
        actor,
        "办结",
        outcome=outcome,
        next_contact=add_days(when, config.return_visit_days),
    )


def return_visit(
    fu: FollowUp,
    when: date,
    actor: Actor,
    effect: str,
    *,
    method: ContactMethod = ContactMethod.TALK,
    appraisal: str = "",
) -> FollowUp:
    """回访: a dated contact flagged as return visit, then 已回访 (awaiting 销号)."""
    effect = _require_text(effect, "请填写回访情况（效果）")
    visit = _build(
        Contact,
        on=when,
        by_id=actor.person_id,
        by_name=actor.name,
        method=method,
        content=effect,
        return_visit=True,
    )
    contacts = tuple(sorted((*fu.contacts, visit), key=lambda c: c.on))
    return _transition(
        fu,
        Status.VISITED,
        when,
        actor,
        "回访",
        contacts=contacts,
        next_contact=None,
        appraisal=appraisal or fu.appraisal,
    )


def close(fu: FollowUp, when: date, actor: Actor, note: str = "") -> FollowUp:
    """销号. Only from 已回访, and only with an outcome on file (the closed loop)."""
    if fu.status is Status.VISITED and not fu.outcome.strip():
        raise FollowUpError("销号前须填写办理结果")
    return _transition(fu, Status.CLOSED, when, actor, note or "销号", next_contact=None)


def reopen(fu: FollowUp, when: date, actor: Actor, reason: str, config: FollowUpConfig) -> FollowUp:
    """Back to 跟进中 from 已解决/已回访/销号, with a reason.

    The next contact falls due one level interval later. The old outcome stays
    on file until the case is resolved again.
    """
    reason = _require_text(reason, "请写明重新打开的原因")
    if fu.status in ACTIVE_STATUSES:
        raise FollowUpError(f"事项仍在「{fu.status}」，无需重新打开")
    return _transition(
        fu,
        Status.IN_PROGRESS,
        when,
        actor,
        f"重新打开：{reason}",
        next_contact=add_days(when, config.contact_interval_days[fu.level]),
    )


def set_long_term(
    fu: FollowUp, when: date, actor: Actor, reason: str, config: FollowUpConfig
) -> FollowUp:
    """长期跟踪 (长期推进 / 政策限制): exempt from the resolve deadline,
    contacted every long_term_interval_days."""
    reason = _require_text(reason, "请写明转为长期跟踪的原因")
    return _transition(
        fu,
        Status.LONG_TERM,
        when,
        actor,
        f"长期跟踪：{reason}",
        next_contact=add_days(when, config.long_term_interval_days),
    )


# --- due dates and flags ----------------------------------------------------


def is_due(fu: FollowUp, today: date) -> bool:
    """A contact or return visit is due today or earlier."""
    return fu.status in OPEN_STATUSES and fu.next_contact is not None and fu.next_contact <= today


def days_overdue(fu: FollowUp, today: date) -> int:
    """Days past next_contact; 0 when not yet due (due today is not overdue)."""
    if not is_due(fu, today):
        return 0
    assert fu.next_contact is not None
    return (today - fu.next_contact).days


def resolve_deadline(fu: FollowUp, config: FollowUpConfig) -> date | None:
    """办理时限: level deadline from found_on, or bangjiao_months from the start for
    帮教 (mentoring runs for months, so the 15-day deadline does not apply).
    None once resolved or while 长期跟踪."""
    if fu.status not in ACTIVE_STATUSES or fu.status is Status.LONG_TERM:
        return None
    if fu.is_bangjiao:
        return add_months(fu.start_date, config.bangjiao_months)
    return add_days(fu.found_on, config.resolve_days[fu.level])


def report_deadline(fu: FollowUp, config: FollowUpConfig) -> date | None:
    """When a 较大/重大 case must have been reported; None if not required or done."""
    days = config.report_days[fu.level]
    if days is None or fu.escalations or fu.status not in ACTIVE_STATUSES:
        return None
    if config.report_in_working_days:
        return add_working_days(fu.found_on, days)
    return add_days(fu.found_on, days)


def flags(fu: FollowUp, today: date, config: FollowUpConfig) -> list[str]:
    """Chinese warnings for the home screen and the ledger, most urgent first."""
    out: list[str] = []
    report_by = report_deadline(fu, config)
    # Shown from filing day on, so a 重大 case is flagged the same day.
    if report_by is not None:
        late = (today - report_by).days
        msg = f"{fu.level}问题尚未上报（应于{report_by.isoformat()}前上报）"
        out.append(f"{msg}，已超期{late}天" if late > 0 else msg)
    overdue = days_overdue(fu, today)
    if overdue:
        what = "回访" if fu.status is Status.RESOLVED else "联系"
        assert fu.next_contact is not None
        out.append(f"{what}已逾期{overdue}天（应于{fu.next_contact.isoformat()}）")
    deadline = resolve_deadline(fu, config)
    if deadline is not None and today > deadline:
        late = (today - deadline).days
        if fu.is_bangjiao:
            out.append(
                f"帮教满{config.bangjiao_months}个月仍未解决（责任人：{fu.responsible_name}），"
                f"已超{late}天，请上报或调整帮教措施"
            )
        elif fu.status is Status.ESCALATED:
            out.append(f"已上报但超过{fu.level}问题办理时限{late}天，请催办")
        else:
            out.append(
                f"超过{fu.level}问题办理时限（{config.resolve_days[fu.level]}天）{late}天，"
                "请上报或转长期跟踪"
            )
    return out


# --- pairing load -----------------------------------------------------------


class MemberLoad(NamedTuple):
    open: int
    overdue: int


def member_load(followups: Iterable[FollowUp], member_id: str, today: date) -> MemberLoad:
    """How many open cases a 包保党员 carries and how many are overdue, for
    balancing the 一帮一/一帮二 pairing."""
    mine = [fu for fu in followups if fu.responsible_id == member_id and fu.status in OPEN_STATUSES]
    return MemberLoad(open=len(mine), overdue=sum(1 for fu in mine if days_overdue(fu, today) > 0))


# --- privacy ----------------------------------------------------------------


def redacted(fu: FollowUp) -> FollowUp:
    """A copy that says only that a case exists, who carries it and when it is due.

    Who gets it instead of the record is decided in one place,
    services.private_details (docs/SECURITY.md#private-details-and-exports).

    Blanked: the worker's id and name, trigger, category, description,
    measures, outcome, appraisal and the whole timeline (contact notes name
    places and family). Kept: status, level, dates and the responsible
    member, so due lists and member_load still work on it.
    """
    return _update(
        fu,
        person_id="",
        person_name=REDACTED_NAME,
        trigger_code="",
        trigger_text="",
        category=Category.OTHER,
        description="",
        measures="",
        outcome="",
        appraisal="",
        contacts=(),
        escalations=(),
        status_changes=(),
        is_redacted=True,
    )

