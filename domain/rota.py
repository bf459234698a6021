"""党课轮讲计划: a fair lecture rota over a year, half-year or quarter.

Pure functions over pydantic models (docs/RULES.md#lecture-rota).

Choices
- Slot indices are 0-based in the API; the UI and messages say 第1次, 第2次 ….
- Quarterly cadence (the default, docs/RULES.md#frequencies) puts the lecture in the
  *last* month of each quarter, leaving the first weeks for topic filing and
  courseware review (14 days' lead by default); except Q3, which defaults to
  July so the 七一 lecture falls in the month it is themed for. Both are
  configurable (``quarter_month``, ``quarter_month_overrides``).
- The day rule yields a date each month; a day off (statutory holiday, or an
  ordinary weekend unless ``avoid_weekends`` is off) moves the slot to the
  next working day, recorded as ``moved_from`` + ``move_reason``.
- Hard rules: pins are always kept; nobody is scheduled on a date they marked
  unavailable (a slot nobody can take stays empty and is reported). Soft
  rules, in order of priority: counts within one of each other, then no
  lecturer twice in a row. When they cannot both hold the planner picks the
  least-bad plan and ``check`` names every rule it breaks.
- Deterministic: the same request gives the same plan, so re-planning with
  pins changes only the unpinned slots that have to change.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field, computed_field, field_validator, model_validator

from domain.dates import WEEKDAYS
from domain.holidays import DEFAULT_CALENDAR, HolidayCalendar, HolidaySource
from domain.text import Line, RequiredLine

# --- request ---------------------------------------------------------------


class PeriodScope(StrEnum):
    YEAR = "全年"
    H1 = "上半年"
    H2 = "下半年"
    Q1 = "第一季度"
    Q2 = "第二季度"
    Q3 = "第三季度"
    Q4 = "第四季度"


_SCOPE_MONTHS = {
    PeriodScope.YEAR: range(1, 13),
    PeriodScope.H1: range(1, 7),
    PeriodScope.H2: range(7, 13),
    PeriodScope.Q1: range(1, 4),
    PeriodScope.Q2: range(4, 7),
    PeriodScope.Q3: range(7, 10),
    PeriodScope.Q4: range(10, 13),
}


class PlanPeriod(BaseModel):
    year: int = Field(ge=2000, le=2100)
    scope: PeriodScope = PeriodScope.YEAR

    def months(self) -> list[int]:
        return list(_SCOPE_MONTHS[self.scope])

    def quarters(self) -> list[int]:
        return sorted({(m - 1) // 3 + 1 for m in self.months()})

    @property
    def label(self) -> str:
        return (
            f"{self.year}年度" if self.scope is PeriodScope.YEAR else f"{self.year}年{self.scope}"
        )


class Cadence(StrEnum):
    MONTHLY = "每月"
    QUARTERLY = "每季度"


class DayRuleKind(StrEnum):
    NTH_WEEKDAY = "第几个星期几"
    DAY_OF_MONTH = "每月固定日"


_CN_ORDINAL = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}


class DayRule(BaseModel):
    """Which day of a month: the nth weekday (n=-1: the last) or a fixed day.

    A 5th weekday that a month lacks falls back to the last one; day 31 in a
    short month falls back to the month's last day.
    """

    kind: DayRuleKind = DayRuleKind.NTH_WEEKDAY
    n: int = Field(default=1, ge=-1, le=5)
    weekday: int = Field(default=4, ge=0, le=6)  # 0 = Monday; default Friday
    day: int = Field(default=1, ge=1, le=31)

    @field_validator("n")
    @classmethod
    def _n(cls, v: int) -> int:
        if v == 0:
            raise ValueError("第几个星期几不能为 0（最后一个写 -1）")
        return v

    def date_in(self, year: int, month: int) -> date:
        last = calendar.monthrange(year, month)[1]
        if self.kind is DayRuleKind.DAY_OF_MONTH:
            return date(year, month, min(self.day, last))
        days = [d for d in range(1, last + 1) if date(year, month, d).weekday() == self.weekday]
        return date(year, month, days[-1] if self.n == -1 else days[min(self.n, len(days)) - 1])

    @property
    def label(self) -> str:
        if self.kind is DayRuleKind.DAY_OF_MONTH:
            return f"每月{self.day}日"
        nth = "最后一个" if self.n == -1 else f"第{_CN_ORDINAL[self.n]}个"
        return f"每月{nth}星期{WEEKDAYS[self.weekday]}"


class Lecturer(BaseModel):
    id: RequiredLine
    name: RequiredLine = Field(max_length=40)
    branch: Line = Field(default="", max_length=60)  # 所在支部
    post: Line = Field(default="", max_length=40)  # 职务


class Pin(BaseModel):
    """A slot fixed by the user: its lecturer, its date, or both."""

    lecturer_id: str | None = None
    day: date | None = None

    @model_validator(mode="after")
    def _something(self) -> Pin:
        if self.lecturer_id is None and self.day is None:
            raise ValueError("固定安排需指定授课人或日期")
        return self


class RotaRequest(BaseModel):
    period: PlanPeriod
    cadence: Cadence = Cadence.QUARTERLY
    rule: DayRule = Field(default_factory=DayRule)
    quarter_month: int = Field(default=3, ge=1, le=3)  # month within each quarter
    quarter_month_overrides: dict[int, int] = Field(default_factory=lambda: {3: 1})
    lecturers: list[Lecturer] = Field(default_factory=list)
    unavailable: dict[str, list[date]] = Field(default_factory=dict)
    previous: list[str] = Field(default_factory=list)  # last plan's lecturer ids, oldest first
    pins: dict[int, Pin] = Field(default_factory=dict)
    theme_july: bool = True  # 七一 themed lecture
    theme_q4: bool = True  # Q4 组织生活会 season
    themed_slots: list[int] = Field(default_factory=list)
    avoid_weekends: bool = True  # False: only statutory holidays move a slot

    @field_validator("quarter_month_overrides")
    @classmethod
    def _overrides(cls, v: dict[int, int]) -> dict[int, int]:
        for q, m in v.items():
            if not (1 <= q <= 4 and 1 <= m <= 3):
                raise ValueError("季度内月份设置不对：季度为 1–4，月份为 1–3")
        return v

    @model_validator(mode="after")
    def _ids(self) -> RotaRequest:
        ids = [lec.id for lec in self.lecturers]
        if len(ids) != len(set(ids)):
            raise ValueError("授课人名单有重复")
        for pin in self.pins.values():
            if pin.lecturer_id is not None and pin.lecturer_id not in ids:
                raise ValueError("固定安排的授课人不在授课人名单中")
        return self

    def lecturer(self, lecturer_id: str | None) -> Lecturer | None:
        return next((lec for lec in self.lecturers if lec.id == lecturer_id), None)

    def is_unavailable(self, lecturer_id: str, d: date) -> bool:
        return d in self.unavailable.get(lecturer_id, ())


# --- plan ------------------------------------------------------------------


class Slot(BaseModel):
    index: int  # 0-based
    date: date
    # datetime.date: inside the class body `date` names the field above.
    rule_date: datetime.date  # what the day rule gave, before any move
    moved_from: datetime.date | None = None
    move_reason: str = ""
    lecturer_id: str | None = None
    lecturer_name: str = ""
    lecturer_branch: str = ""
    themed: bool = False
    theme: str = ""
    pinned_lecturer: bool = False
    pinned_date: bool = False
    holiday_source: str = ""  # HolidaySource of the date's year: 法定数据 / 按规则推算 / 已导入安排

    @computed_field  # type: ignore[prop-decorator]  # mypy rejects decorators over @property
    @property
    def pinned(self) -> bool:
        return self.pinned_lecturer or self.pinned_date

    @property
    def label(self) -> str:
        return f"第{self.index + 1}次"


class RotaPlan(BaseModel):
    request: RotaRequest
    slots: list[Slot]
    problems: list[str] = Field(default_factory=list)  # rules broken (Chinese)
    warnings: list[str] = Field(default_factory=list)  # data caveats (missing holidays, long moves)
    # Year -> where its holidays came from, and the sentence saying so.
    holiday_sources: dict[int, str] = Field(default_factory=dict)
    holiday_statements: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        out = {lec.id: 0 for lec in self.request.lecturers}
        for s in self.slots:
            if s.lecturer_id in out:
                out[s.lecturer_id] += 1
        return out


# --- dates -----------------------------------------------------------------


def slot_months(request: RotaRequest) -> list[int]:
    if request.cadence is Cadence.MONTHLY:
        return request.period.months()
    months = []
    for q in request.period.quarters():
        within = request.quarter_month_overrides.get(q, request.quarter_month)
        months.append(3 * (q - 1) + within)
    return months


def _theme(request: RotaRequest, index: int, month: int) -> str:
    if month == 7 and request.theme_july:
        return "七一专题党课"
    if month >= 10 and request.theme_q4:
        return "四季度专题党课（结合组织生活会）"
    if index in request.themed_slots:
        return "专题党课"
    return ""


def _slot_skeletons(request: RotaRequest, cal: HolidayCalendar) -> tuple[list[Slot], list[str]]:
    """Slot dates (moved off days off), pins and themes; no lecturers yet."""
    slots: list[Slot] = []
    warnings: list[str] = []
    year = request.period.year
    for i, month in enumerate(slot_months(request)):
        rule_date = request.rule.date_in(year, month)
        pin = request.pins.get(i)
        theme = _theme(request, i, month)
        slot = Slot(index=i, date=rule_date, rule_date=rule_date, themed=bool(theme), theme=theme)
        if pin is not None and pin.day is not None:
            slot.date, slot.pinned_date = pin.day, True
            if not cal.is_working_day(pin.day):
                warnings.append(
                    f"{slot.label}固定在 {pin.day.isoformat()}，该日是{cal.describe_day_off(pin.day)}"
                )
        else:
            moved, reason = cal.next_working_day(
                rule_date, holidays_only=not request.avoid_weekends
            )
            if reason:
                slot.date, slot.moved_from, slot.move_reason = moved, rule_date, reason
                if (moved - rule_date).days > 7:
                    warnings.append(f"{slot.label}{reason}，顺延超过一周，请确认")
        if pin is not None and pin.lecturer_id is not None:
            slot.pinned_lecturer = True
            slot.lecturer_id = pin.lecturer_id
        slot.holiday_source = cal.source(slot.date.year).value
        slots.append(slot)
    for y in sorted({s.date.year for s in slots} | {year}, reverse=True):
        if cal.source(y) is HolidaySource.COMPUTED:
            warnings.insert(0, cal.statement(y))
    return slots, warnings


# --- solver ----------------------------------------------------------------


class _OutOfBudget(Exception):
    pass


_NEVER = -(10**6)
_BUDGET = 200_000  # search nodes per attempt; real plans have at most 12 slots


class _Solver:
    """Depth-first search over slots with failure memo.

    ``cands[i]`` are lecturer indices allowed in slot i (one when pinned, none
    when everybody is unavailable). An attempt bounds every count to [lo, hi]
    and allows at most ``max_consec`` back-to-back pairs.
    """

    def __init__(
        self,
        cands: list[list[int]],
        n_lect: int,
        prev_last: int | None,
        rank: list[int],
        last_seen: list[int],
    ) -> None:
        self.cands, self.L, self.prev_last = cands, n_lect, prev_last
        self.rank, self.last_seen0 = rank, last_seen
        n = len(cands)
        self.cand_after = [[0] * n_lect for _ in range(n + 1)]
        self.forced_after = [[0] * n_lect for _ in range(n + 1)]
        self.active_after = [0] * (n + 1)
        for i in range(n - 1, -1, -1):
            self.cand_after[i] = list(self.cand_after[i + 1])
            self.forced_after[i] = list(self.forced_after[i + 1])
            self.active_after[i] = self.active_after[i + 1] + (1 if cands[i] else 0)
            for x in cands[i]:
                self.cand_after[i][x] += 1
            if len(cands[i]) == 1:
                self.forced_after[i][cands[i][0]] += 1

    def solve(self, lo: int, hi: int, max_consec: int) -> list[int | None] | None:
        n = len(self.cands)
        counts = [0] * self.L
        seen = list(self.last_seen0)
        out: list[int | None] = [None] * n
        failed: set[tuple[int, int | None, tuple[int, ...], int]] = set()
        nodes = 0

        def feasible(i: int) -> bool:
            need = cap = 0
            for x in range(self.L):
                c = counts[x]
                if c + self.forced_after[i][x] > hi or c + self.cand_after[i][x] < lo:
                    return False
                need += max(0, lo - c)
                cap += hi - c
            return need <= self.active_after[i] <= cap

        def go(i: int, last: int | None, consec: int) -> bool:
            nonlocal nodes
            if i == n:
                return True
            if not self.cands[i]:
                return go(i + 1, None, consec)  # an empty slot breaks the chain
            key = (i, last, tuple(counts), consec)
            if key in failed:
                return False
            nodes += 1
            if nodes > _BUDGET:
                raise _OutOfBudget
            fut = self.forced_after[i + 1]
            order = sorted(
                self.cands[i],
                key=lambda x: (x == last, counts[x] + fut[x], seen[x], self.rank[x]),
            )
            for x in order:
                c2 = consec + (x == last)
                if c2 > max_consec or counts[x] + 1 + fut[x] > hi:
                    continue
                counts[x] += 1
                saved, seen[x] = seen[x], i
                out[i] = x
                if feasible(i + 1) and go(i + 1, x, c2):
                    return True
                counts[x] -= 1
                seen[x] = saved
            out[i] = None
            failed.add(key)
            return False

        if not feasible(0):
            return None
        try:
            return out if go(0, self.prev_last, 0) else None
        except _OutOfBudget:
            return None

    def best(self) -> list[int | None]:
        """Fairest plan first, then fewest back-to-back pairs."""
        n_active = self.active_after[0]
        if self.L == 0 or n_active == 0:
            return [None] * len(self.cands)
        q = n_active // self.L
        for spread in range(1, n_active + 1):
            los = [
                lo
                for lo in range(q, max(0, q - spread) - 1, -1)
                if self.L * (lo + spread) >= n_active
            ]
            for max_consec in range(n_active + 1):
                for lo in los:
                    sol = self.solve(lo, lo + spread, max_consec)
                    if sol is not None:
                        return sol
        raise AssertionError("unbounded attempt cannot fail")  # pragma: no cover


def _rotation(request: RotaRequest) -> tuple[int | None, list[int], list[int]]:
    """Where the previous plan stopped: last lecturer, tie-break rank, last-seen."""
    ids = [lec.id for lec in request.lecturers]
    prev = [p for p in request.previous if p in ids]
    prev_last = ids.index(prev[-1]) if prev else None
    start = 0 if prev_last is None else prev_last + 1
    rank = [(k - start) % len(ids) for k in range(len(ids))]  # cyclic from after prev_last
    seen = [_NEVER] * len(ids)
    for pos, pid in enumerate(prev):
        seen[ids.index(pid)] = pos - len(prev)  # negative: before slot 0
    return prev_last, rank, seen


def plan_rota(request: RotaRequest, calendar: HolidayCalendar | None = None) -> RotaPlan:
    """Propose a plan; ``problems`` lists every rule it could not keep.

    *calendar* carries the user's imported 放假安排; without it only the
    package data and the rules are used.
    """
    cal = calendar or DEFAULT_CALENDAR
    slots, warnings = _slot_skeletons(request, cal)
    ids = [lec.id for lec in request.lecturers]
    cands = []
    for s in slots:
        if s.pinned_lecturer:
            assert s.lecturer_id is not None  # _slot_skeletons pins only with an id
            cands.append([ids.index(s.lecturer_id)])
        else:
            cands.append(
                [k for k, lid in enumerate(ids) if not request.is_unavailable(lid, s.date)]
            )
    prev_last, rank, seen = _rotation(request) if ids else (None, [], [])
    solution = _Solver(cands, len(ids), prev_last, rank, seen).best()
    for s, k in zip(slots, solution, strict=True):
        s.lecturer_id = None if k is None else ids[k]
    years = sorted({s.date.year for s in slots} | {request.period.year})
    plan = RotaPlan(
        request=request,
        slots=[_named(request, s) for s in slots],
        warnings=warnings,
        holiday_sources={y: cal.source(y).value for y in years},
        holiday_statements=[cal.statement(y) for y in years],
    )
    plan.problems = check(plan)
    return plan


def _named(request: RotaRequest, slot: Slot) -> Slot:
    lec = request.lecturer(slot.lecturer_id)
    return slot.model_copy(
        update={
            "lecturer_name": lec.name if lec else "",
            "lecturer_branch": lec.branch if lec else "",
        }
    )


# --- checking and editing --------------------------------------------------


def _who(request: RotaRequest, lecturer_id: str | None) -> str:
    lec = request.lecturer(lecturer_id)
    if lec is None:
        return lecturer_id or "（空）"
    same = sum(1 for other in request.lecturers if other.name == lec.name)
    return f"{lec.name}（{lec.branch}）" if same > 1 and lec.branch else lec.name


def _slot_ref(s: Slot) -> str:
    return f"{s.label}（{s.date.isoformat()}）"


def _nums(slots: Sequence[Slot]) -> str:
    return "、".join(str(s.index + 1) for s in slots)


def check(plan: RotaPlan) -> list[str]:
    """Every rule the plan breaks, in Chinese, naming the slots and people."""
    req, slots = plan.request, plan.slots
    out = [
        f"第{i + 1}次的固定安排超出本期次数（共{len(slots)}次），已忽略"
        for i in sorted(req.pins)
        if not 0 <= i < len(slots)
    ]
    if not req.lecturers:
        return [*out, "尚未选择授课人"] if slots else out
    for s in slots:
        if s.lecturer_id is None:
            if all(req.is_unavailable(lec.id, s.date) for lec in req.lecturers):
                out.append(f"{_slot_ref(s)}所有授课人均不可用")
            else:
                out.append(f"{_slot_ref(s)}尚未安排授课人")
        elif req.is_unavailable(s.lecturer_id, s.date):
            verb = "固定在" if s.pinned_lecturer else "安排在"
            out.append(f"{_who(req, s.lecturer_id)} {verb}{_slot_ref(s)}，但该日已标为不可用")
    out += _consecutive_problems(plan)
    out += _fairness_problems(plan)
    return out


def _consecutive_problems(plan: RotaPlan) -> list[str]:
    req, slots = plan.request, plan.slots
    out: list[str] = []
    prev = [p for p in req.previous if req.lecturer(p)]
    if slots and prev and slots[0].lecturer_id == prev[-1]:
        who = _who(req, prev[-1])
        if slots[0].pinned_lecturer:
            out.append(f"{who} 固定在第1次，与上期最后一次连续授课")
        else:
            out.append(f"{who} 在上期最后一次和本期第1次连续授课")
    i = 0
    while i < len(slots):
        j = i
        while (
            j + 1 < len(slots)
            and slots[i].lecturer_id
            and slots[j + 1].lecturer_id == slots[i].lecturer_id
        ):
            j += 1
        if j > i:
            run = slots[i : j + 1]
            who = _who(req, slots[i].lecturer_id)
            if all(s.pinned_lecturer for s in run):
                out.append(f"{who} 固定在第{_nums(run)}次，连续授课")
            else:
                out.append(f"{who} 在第{_nums(run)}次连续授课{_run_causes(req, run)}")
        i = j + 1
    return out


def _run_causes(req: RotaRequest, run: Sequence[Slot]) -> str:
    """Why a back-to-back run may be forced: pins, or nobody else free that day."""
    lid = run[0].lecturer_id
    pinned = [s for s in run if s.pinned_lecturer]
    sole = [
        s
        for s in run
        if not s.pinned_lecturer
        and all(req.is_unavailable(x.id, s.date) for x in req.lecturers if x.id != lid)
    ]
    notes = []
    if pinned:
        notes.append(f"第{_nums(pinned)}次为固定安排")
    if sole:
        notes.append(f"第{_nums(sole)}次只有{_who(req, lid)}可用")
    return f"（{'；'.join(notes)}）" if notes else ""


def _fairness_problems(plan: RotaPlan) -> list[str]:
    req = plan.request
    counts = plan.counts()
    if max(counts.values()) - min(counts.values()) <= 1:
        return []
    listed = "、".join(
        f"{_who(req, lid)} {c} 次" for lid, c in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    out = [f"授课次数不均（相差应不超过 1 次）：{listed}"]
    assigned = sum(counts.values())
    fair_min, fair_max = assigned // len(counts), -(-assigned // len(counts))
    for lec in req.lecturers:
        pinned = sum(1 for s in plan.slots if s.pinned_lecturer and s.lecturer_id == lec.id)
        if pinned > fair_max:
            out.append(f"{_who(req, lec.id)} 固定了 {pinned} 次，超过均衡上限 {fair_max} 次")
        free = sum(1 for s in plan.slots if not req.is_unavailable(lec.id, s.date))
        if free == 0:
            out.append(f"{_who(req, lec.id)} 在本期所有授课日期均不可用")
        elif counts[lec.id] < fair_min and free < fair_min:
            out.append(f"{_who(req, lec.id)} 在本期只有 {free} 个授课日期可用")
    return out


def _with_slots(plan: RotaPlan, slots: list[Slot], request: RotaRequest) -> RotaPlan:
    new = RotaPlan(
        request=request,
        slots=[_named(request, s) for s in slots],
        warnings=plan.warnings,
        holiday_sources=plan.holiday_sources,
        holiday_statements=plan.holiday_statements,
    )
    new.problems = check(new)
    return new


def _slot(plan: RotaPlan, i: int) -> Slot:
    if not 0 <= i < len(plan.slots):
        raise ValueError(f"没有第{i + 1}次（共{len(plan.slots)}次）")
    return plan.slots[i]


def _pin_lecturer(pins: dict[int, Pin], i: int, lecturer_id: str | None) -> None:
    old = pins.get(i)
    day = old.day if old else None
    if lecturer_id is None and day is None:
        pins.pop(i, None)
    else:
        pins[i] = Pin(lecturer_id=lecturer_id, day=day)


def swap(plan: RotaPlan, i: int, j: int, *, pin: bool = True) -> RotaPlan:
    """Exchange the lecturers of slots i and j (dates stay).

    With ``pin`` both slots are pinned, so a later re-plan keeps the swap.
    """
    a, b = _slot(plan, i), _slot(plan, j)
    pins = dict(plan.request.pins)
    slots = list(plan.slots)
    for x, y in ((a, b), (b, a)):
        keep = pin or x.pinned_lecturer
        slots[x.index] = x.model_copy(
            update={
                "lecturer_id": y.lecturer_id,
                "pinned_lecturer": keep and y.lecturer_id is not None,
            }
        )
        _pin_lecturer(pins, x.index, y.lecturer_id if keep else None)
    return _with_slots(plan, slots, plan.request.model_copy(update={"pins": pins}))


def assign(plan: RotaPlan, i: int, lecturer_id: str | None, *, pin: bool = True) -> RotaPlan:
    """Put a lecturer (or nobody) in slot i by hand."""
    s = _slot(plan, i)
    if lecturer_id is not None and plan.request.lecturer(lecturer_id) is None:
        raise ValueError("授课人不在名单中")
    pins = dict(plan.request.pins)
    _pin_lecturer(pins, i, lecturer_id if pin else None)
    slots = list(plan.slots)
    slots[i] = s.model_copy(
        update={"lecturer_id": lecturer_id, "pinned_lecturer": pin and lecturer_id is not None}
    )
    return _with_slots(plan, slots, plan.request.model_copy(update={"pins": pins}))


def pin(plan: RotaPlan, i: int, *, lecturer: bool = True, day: bool = False) -> RotaPlan:
    """Fix slot i's current lecturer and/or date for re-planning."""
    s = _slot(plan, i)
    old = plan.request.pins.get(i)
    lid = s.lecturer_id if lecturer else (old.lecturer_id if old else None)
    d = s.date if day else (old.day if old else None)
    pins = dict(plan.request.pins)
    if lid is None and d is None:
        pins.pop(i, None)
    else:
        pins[i] = Pin(lecturer_id=lid, day=d)
    slots = list(plan.slots)
    slots[i] = s.model_copy(
        update={"pinned_lecturer": lid is not None, "pinned_date": d is not None}
    )
    return _with_slots(plan, slots, plan.request.model_copy(update={"pins": pins}))


def unpin(plan: RotaPlan, i: int) -> RotaPlan:
    s = _slot(plan, i)
    pins = {k: v for k, v in plan.request.pins.items() if k != i}
    slots = list(plan.slots)
    slots[i] = s.model_copy(update={"pinned_lecturer": False, "pinned_date": False})
    return _with_slots(plan, slots, plan.request.model_copy(update={"pins": pins}))


def replan(plan: RotaPlan, calendar: HolidayCalendar | None = None) -> RotaPlan:
    """Plan again from the plan's request: pins stay, the rest may change."""
    return plan_rota(plan.request, calendar)
