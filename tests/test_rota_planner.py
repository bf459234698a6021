"""Rota planner: holidays from chinese_calendar, fairness, pins, continuation."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.holidays import (
    covered_years,
    day_info,
    is_working_day,
    missing_data_warning,
    next_working_day,
)
from domain.rota import (
    Cadence,
    DayRule,
    DayRuleKind,
    Lecturer,
    PeriodScope,
    Pin,
    PlanPeriod,
    RotaPlan,
    RotaRequest,
    assign,
    check,
    pin,
    plan_rota,
    replan,
    slot_months,
    swap,
    unpin,
)

NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十"]


def lecturers(n: int) -> list[Lecturer]:
    return [Lecturer(id=f"L{k}", name=NAMES[k], branch=f"第{k + 1}支部") for k in range(n)]


def request(n: int = 4, **kw) -> RotaRequest:
    kw.setdefault("period", PlanPeriod(year=2026))
    return RotaRequest(lecturers=lecturers(n), **kw)


def ids(plan: RotaPlan) -> list[str | None]:
    return [s.lecturer_id for s in plan.slots]


# --- holidays ----------------------------------------------------------------


def test_chinese_calendar_years_covered() -> None:
    years = covered_years()
    assert {2004, 2025, 2026} <= years
    assert missing_data_warning(2026) is None


def test_national_day_week_is_not_working() -> None:
    for day in range(1, 8):
        info = day_info(date(2026, 10, day))
        assert not info.working
        assert info.holiday == "国庆节"
    assert is_working_day(date(2026, 10, 8))  # Thursday after the break


def test_adjusted_saturday_counts_as_working_day() -> None:
    sat = date(2026, 10, 10)  # 调休上班 Saturday for 国庆节
    assert sat.weekday() == 5
    info = day_info(sat)
    assert info.working and info.adjusted_workday and info.holiday is None
    assert not is_working_day(date(2026, 10, 11))  # the ordinary Sunday after


def test_next_working_day_gives_reason() -> None:
    assert next_working_day(date(2026, 10, 1)) == (
        date(2026, 10, 8),
        "2026-10-01 是国庆节，顺延到 2026-10-08",
    )
    assert next_working_day(date(2026, 10, 9)) == (date(2026, 10, 9), None)
    moved, reason = next_working_day(date(2026, 10, 17))  # Saturday
    assert moved == date(2026, 10, 19)
    assert reason == "2026-10-17 是星期六，顺延到 2026-10-19"


def test_holidays_only_keeps_weekends() -> None:
    assert next_working_day(date(2026, 10, 17), holidays_only=True) == (date(2026, 10, 17), None)
    assert next_working_day(date(2026, 10, 3), holidays_only=True)[0] == date(2026, 10, 8)


def test_year_without_data_falls_back_with_warning() -> None:
    year = max(covered_years()) + 1
    warning = missing_data_warning(year)
    assert warning is not None and str(year) in warning and "按放假办法推算" in warning
    info = day_info(date(year, 3, 3))
    assert info.data_missing
    # Weekends are off, holidays computed from the rules too; the rest counts as working.
    sat = next(date(year, 3, d) for d in range(1, 8) if date(year, 3, d).weekday() == 5)
    assert not is_working_day(sat)
    assert not is_working_day(date(year, 10, 1))
    moved, reason = next_working_day(date(year, 10, 1))
    assert moved > date(year, 10, 3) and moved.weekday() < 5
    assert reason is not None and "国庆节" in reason


# --- dates and counts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "cadence", "count"),
    [
        (PeriodScope.YEAR, Cadence.MONTHLY, 12),
        (PeriodScope.YEAR, Cadence.QUARTERLY, 4),
        (PeriodScope.H1, Cadence.MONTHLY, 6),
        (PeriodScope.H2, Cadence.QUARTERLY, 2),
        (PeriodScope.Q3, Cadence.MONTHLY, 3),
        (PeriodScope.Q3, Cadence.QUARTERLY, 1),
    ],
)
def test_slot_counts(scope: PeriodScope, cadence: Cadence, count: int) -> None:
    plan = plan_rota(request(period=PlanPeriod(year=2026, scope=scope), cadence=cadence))
    assert len(plan.slots) == count
    assert plan.ok


def test_quarterly_months_default_and_override() -> None:
    req = request()
    assert req.cadence is Cadence.QUARTERLY
    assert slot_months(req) == [3, 6, 7, 12]  # last month, Q3 in July for 七一
    req2 = request(quarter_month=2, quarter_month_overrides={})
    assert slot_months(req2) == [2, 5, 8, 11]


def test_default_rule_first_friday_and_themes() -> None:
    plan = plan_rota(request(cadence=Cadence.MONTHLY))
    assert all(s.date.weekday() == 4 or s.moved_from for s in plan.slots)
    assert plan.slots[2].date == date(2026, 3, 6)
    assert [s.index for s in plan.slots if s.themed] == [6, 9, 10, 11]
    assert plan.slots[6].theme == "七一专题党课"
    off = plan_rota(request(cadence=Cadence.MONTHLY, theme_july=False, theme_q4=False))
    assert not any(s.themed for s in off.slots)


def test_first_friday_in_national_day_week_moves_to_next_working_day() -> None:
    plan = plan_rota(request(cadence=Cadence.MONTHLY))
    oct_slot = plan.slots[9]
    assert oct_slot.rule_date == date(2026, 10, 2)
    assert oct_slot.moved_from == date(2026, 10, 2)
    assert oct_slot.date == date(2026, 10, 8)
    assert oct_slot.move_reason == "2026-10-02 是国庆节，顺延到 2026-10-08"


def test_fixed_day_moves_onto_adjusted_sunday() -> None:
    rule = DayRule(kind=DayRuleKind.DAY_OF_MONTH, day=1)
    plan = plan_rota(request(cadence=Cadence.MONTHLY, rule=rule))
    jan = plan.slots[0]
    # 1 Jan is 元旦, 2–3 Jan are off, Sunday 4 Jan is a 调休 working day.
    assert jan.date == date(2026, 1, 4) and jan.date.weekday() == 6
    assert "元旦" in jan.move_reason
    assert plan.slots[1].date == date(2026, 2, 2)  # Sunday 1 Feb → Monday
    assert plan.slots[9].date == date(2026, 10, 8)


def test_avoid_weekends_off_keeps_saturday() -> None:
    rule = DayRule(kind=DayRuleKind.DAY_OF_MONTH, day=1)
    plan = plan_rota(request(cadence=Cadence.MONTHLY, rule=rule, avoid_weekends=False))
    assert plan.slots[7].date == date(2026, 8, 1)  # Saturday, not a holiday
    assert plan.slots[9].date == date(2026, 10, 8)


@pytest.mark.parametrize(
    ("rule", "month", "expected"),
    [
        (DayRule(n=-1, weekday=4), 10, date(2026, 10, 30)),
        (DayRule(n=5, weekday=4), 2, date(2026, 2, 27)),  # no 5th Friday: last
        (DayRule(n=2, weekday=1), 9, date(2026, 9, 8)),
        (DayRule(kind=DayRuleKind.DAY_OF_MONTH, day=31), 2, date(2026, 2, 28)),
    ],
)
def test_day_rule(rule: DayRule, month: int, expected: date) -> None:
    assert rule.date_in(2026, month) == expected


def test_day_rule_label() -> None:
    assert DayRule().label == "每月第一个星期五"
    assert DayRule(n=-1, weekday=0).label == "每月最后一个星期一"
    assert DayRule(kind=DayRuleKind.DAY_OF_MONTH, day=15).label == "每月15日"


def test_missing_year_warning_in_plan() -> None:
    year = max(covered_years()) + 1
    plan = plan_rota(request(period=PlanPeriod(year=year)))
    assert plan.warnings and str(year) in plan.warnings[0]
    assert plan.ok


# --- rotation ------------------------------------------------------------------


def test_round_robin_monthly() -> None:
    plan = plan_rota(request(cadence=Cadence.MONTHLY))
    assert ids(plan) == [f"L{k % 4}" for k in range(12)]
    assert plan.counts() == {"L0": 3, "L1": 3, "L2": 3, "L3": 3}


def test_continues_from_previous_plan() -> None:
    h2 = PlanPeriod(year=2026, scope=PeriodScope.H2)
    plan = plan_rota(request(period=h2, cadence=Cadence.MONTHLY, previous=["L0", "L1"]))
    assert ids(plan) == ["L2", "L3", "L0", "L1", "L2", "L3"]
    plan = plan_rota(request(period=h2, cadence=Cadence.MONTHLY, previous=["L2"]))
    assert ids(plan)[:4] == ["L3", "L0", "L1", "L2"]


def test_quarterly_halves_cover_everyone_over_a_year() -> None:
    h1 = plan_rota(request(period=PlanPeriod(year=2026, scope=PeriodScope.H1)))
    h2 = plan_rota(request(period=PlanPeriod(year=2026, scope=PeriodScope.H2), previous=ids(h1)))
    assert sorted(ids(h1) + ids(h2)) == ["L0", "L1", "L2", "L3"]


def test_no_repeat_across_plan_boundary() -> None:
    plan = plan_rota(request(n=2, cadence=Cadence.MONTHLY, previous=["L0"]))
    assert ids(plan)[0] == "L1"
    assert plan.ok


def test_unavailable_dates_respected() -> None:
    base = plan_rota(request(cadence=Cadence.MONTHLY))
    away = {"L0": [s.date for s in base.slots[:6]]}
    plan = plan_rota(request(cadence=Cadence.MONTHLY, unavailable=away))
    assert "L0" not in ids(plan)[:6]
    assert plan.ok, plan.problems
    assert plan.counts()["L0"] == 3


def test_all_unavailable_slot_reported() -> None:
    base = plan_rota(request(n=3))
    d = base.slots[2].date
    plan = plan_rota(request(n=3, unavailable={f"L{k}": [d] for k in range(3)}))
    assert plan.slots[2].lecturer_id is None
    assert f"第3次（{d.isoformat()}）所有授课人均不可用" in plan.problems


def test_consecutive_pins_reported() -> None:
    pins = {1: Pin(lecturer_id="L0"), 2: Pin(lecturer_id="L0")}
    plan = plan_rota(request(cadence=Cadence.MONTHLY, pins=pins))
    assert ids(plan)[1:3] == ["L0", "L0"]
    assert "张三 固定在第2、3次，连续授课" in plan.problems
    # Only the forced pair: fairness is kept and no other pair repeats.
    assert len(plan.problems) == 1


def test_overloaded_pins_reported_as_unfair() -> None:
    pins = {0: Pin(lecturer_id="L0"), 2: Pin(lecturer_id="L0"), 4: Pin(lecturer_id="L0")}
    plan = plan_rota(
        request(
            period=PlanPeriod(year=2026, scope=PeriodScope.H1), cadence=Cadence.MONTHLY, pins=pins
        )
    )
    assert any(p.startswith("授课次数不均") and "张三 3 次" in p for p in plan.problems)
    assert "张三 固定了 3 次，超过均衡上限 2 次" in plan.problems
    # The others stay as even as the pins allow.
    assert sorted(plan.counts().values()) == [1, 1, 1, 3]


def test_pin_outside_period_reported() -> None:
    plan = plan_rota(
        request(period=PlanPeriod(year=2026, scope=PeriodScope.Q1), pins={5: Pin(lecturer_id="L1")})
    )
    assert plan.problems == ["第6次的固定安排超出本期次数（共1次），已忽略"]


def test_pinned_date_used_and_warned_on_holiday() -> None:
    plan = plan_rota(request(pins={3: Pin(day=date(2026, 10, 1))}))
    assert plan.slots[3].date == date(2026, 10, 1)
    assert plan.slots[3].pinned_date and plan.slots[3].pinned
    assert plan.slots[3].lecturer_id is not None
    assert any("国庆节" in w for w in plan.warnings)


def test_pin_unknown_lecturer_rejected() -> None:
    with pytest.raises(ValidationError, match="不在授课人名单"):
        request(pins={0: Pin(lecturer_id="nobody")})


def test_swap_pins_and_replan_keeps_it() -> None:
    plan = plan_rota(request(cadence=Cadence.MONTHLY))
    swapped = swap(plan, 0, 2)
    assert ids(swapped)[:3] == ["L2", "L1", "L0"]
    assert swapped.slots[0].pinned_lecturer and swapped.slots[2].pinned_lecturer
    assert swapped.slots[0].lecturer_name == "王五"
    again = replan(swapped)
    assert ids(again)[0] == "L2" and ids(again)[2] == "L0"
    assert again.ok, again.problems


def test_swap_that_creates_a_repeat_is_reported() -> None:
    plan = plan_rota(request(cadence=Cadence.MONTHLY))
    swapped = swap(plan, 1, 4, pin=False)  # L1 ↔ L0: L0 now in slots 0 and 1
    assert ids(swapped)[:2] == ["L0", "L0"]
    assert "张三 在第1、2次连续授课" in check(swapped)
    assert swapped.problems == check(swapped)


def test_assign_pin_unpin() -> None:
    plan = plan_rota(request())
    manual = assign(plan, 1, "L3")
    assert manual.slots[1].lecturer_id == "L3" and manual.request.pins[1].lecturer_id == "L3"
    assert replan(manual).slots[1].lecturer_id == "L3"
    loose = unpin(manual, 1)
    assert 1 not in loose.request.pins and not loose.slots[1].pinned
    fixed = pin(plan, 2, lecturer=True, day=True)
    assert fixed.request.pins[2] == Pin(
        lecturer_id=plan.slots[2].lecturer_id, day=plan.slots[2].date
    )
    with pytest.raises(ValueError, match="没有第9次"):
        swap(plan, 0, 8)


def test_replan_keeps_pins_after_new_unavailability() -> None:
    plan = plan_rota(request(cadence=Cadence.MONTHLY))
    kept = pin(pin(plan, 0), 5)
    away = {"L1": [plan.slots[1].date]}
    again = plan_rota(kept.request.model_copy(update={"unavailable": away}))
    assert ids(again)[0] == ids(plan)[0] and ids(again)[5] == ids(plan)[5]
    assert ids(again)[1] != "L1"
    assert again.ok, again.problems


def test_deterministic() -> None:
    req = request(cadence=Cadence.MONTHLY, previous=["L1"], pins={4: Pin(lecturer_id="L2")})
    assert plan_rota(req) == plan_rota(req)


# --- properties ----------------------------------------------------------------

PERIODS = [
    (scope, cadence)
    for scope in PeriodScope
    for cadence in Cadence
    if not (cadence is Cadence.QUARTERLY and scope.name.startswith("Q"))
] + [(PeriodScope.Q2, Cadence.QUARTERLY)]


@st.composite
def satisfiable(draw: st.DrawFn) -> tuple[RotaRequest, list[str]]:
    """A request built around a known valid plan (round robin in a random order)."""
    n = draw(st.integers(2, 8))
    scope, cadence = draw(st.sampled_from(PERIODS))
    year = draw(st.sampled_from([2025, 2026, 2027]))
    order = draw(st.permutations([f"L{k}" for k in range(n)]))
    base = plan_rota(
        RotaRequest(
            period=PlanPeriod(year=year, scope=scope), cadence=cadence, lecturers=lecturers(n)
        )
    )
    witness = [order[i % n] for i in range(len(base.slots))]
    previous = [order[-1]] if draw(st.booleans()) else []
    unavailable: dict[str, list[date]] = {}
    for s, who in zip(base.slots, witness, strict=True):
        for k in range(n):
            lid = f"L{k}"
            if lid != who and draw(st.booleans()):
                unavailable.setdefault(lid, []).append(s.date)
    pinned = draw(st.sets(st.integers(0, len(base.slots) - 1)))
    pins = {i: Pin(lecturer_id=witness[i]) for i in pinned}
    req = RotaRequest(
        period=PlanPeriod(year=year, scope=scope),
        cadence=cadence,
        lecturers=lecturers(n),
        unavailable=unavailable,
        previous=previous,
        pins=pins,
    )
    return req, witness


def fair(plan: RotaPlan) -> bool:
    c = plan.counts().values()
    return max(c) - min(c) <= 1


def repeats(plan: RotaPlan) -> bool:
    seq = [plan.request.previous[-1]] if plan.request.previous else []
    seq += [s.lecturer_id for s in plan.slots]
    return any(a is not None and a == b for a, b in itertools.pairwise(seq))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(satisfiable())
def test_satisfiable_requests_get_a_clean_plan(case: tuple[RotaRequest, list[str]]) -> None:
    req, _ = case
    plan = plan_rota(req)
    assert plan.problems == []
    assert fair(plan) and not repeats(plan)
    for i, p in req.pins.items():
        assert plan.slots[i].lecturer_id == p.lecturer_id and plan.slots[i].pinned_lecturer
    for s in plan.slots:
        assert not req.is_unavailable(s.lecturer_id, s.date)


@st.composite
def arbitrary(draw: st.DrawFn) -> RotaRequest:
    """Any unavailability and pins, satisfiable or not."""
    n = draw(st.integers(2, 8))
    scope, cadence = draw(st.sampled_from(PERIODS))
    base = plan_rota(
        RotaRequest(
            period=PlanPeriod(year=2026, scope=scope), cadence=cadence, lecturers=lecturers(n)
        )
    )
    m = len(base.slots)
    lids = [f"L{k}" for k in range(n)]
    unavailable = {
        lid: [s.date for s in base.slots if draw(st.integers(0, 3)) == 0] for lid in lids
    }
    pins = draw(st.dictionaries(st.integers(0, m - 1), st.sampled_from(lids), max_size=m))
    previous = draw(st.lists(st.sampled_from(lids), max_size=3))
    return RotaRequest(
        period=PlanPeriod(year=2026, scope=scope),
        cadence=cadence,
        lecturers=lecturers(n),
        unavailable=unavailable,
        previous=previous,
        pins={i: Pin(lecturer_id=lid) for i, lid in pins.items()},
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arbitrary())
def test_rules_hold_or_are_reported(req: RotaRequest) -> None:
    plan = plan_rota(req)
    for i, p in req.pins.items():
        assert plan.slots[i].lecturer_id == p.lecturer_id
    for s in plan.slots:
        if s.lecturer_id is None:
            assert all(req.is_unavailable(lec.id, s.date) for lec in req.lecturers)
            assert any(
                f"第{s.index + 1}次" in p and "所有授课人均不可用" in p for p in plan.problems
            )
        elif not s.pinned_lecturer:
            assert not req.is_unavailable(s.lecturer_id, s.date)
    if not fair(plan):
        assert any(p.startswith("授课次数不均") for p in plan.problems)
    if repeats(plan):
        assert any("连续授课" in p for p in plan.problems)
    assert plan.problems == check(plan)
    assert plan_rota(req) == plan


def brute_force_clean(req: RotaRequest, plan: RotaPlan) -> bool:
    """Whether any assignment keeps every rule (small cases only)."""
    lids = [lec.id for lec in req.lecturers]
    choices = []
    for s in plan.slots:
        if s.index in req.pins:
            choices.append([req.pins[s.index].lecturer_id])
        else:
            choices.append([x for x in lids if not req.is_unavailable(x, s.date)])
    for combo in itertools.product(*choices):
        trial = plan.model_copy(
            update={
                "slots": [
                    s.model_copy(update={"lecturer_id": x})
                    for s, x in zip(plan.slots, combo, strict=True)
                ]
            }
        )
        if not check(trial):
            return True
    return False


SMALL = [
    (PeriodScope.Q1, Cadence.MONTHLY),
    (PeriodScope.H1, Cadence.MONTHLY),
    (PeriodScope.YEAR, Cadence.QUARTERLY),
]


@st.composite
def small(draw: st.DrawFn) -> RotaRequest:
    n = draw(st.integers(2, 4))
    scope, cadence = draw(st.sampled_from(SMALL))
    base = plan_rota(
        RotaRequest(
            period=PlanPeriod(year=2026, scope=scope), cadence=cadence, lecturers=lecturers(n)
        )
    )
    lids = [f"L{k}" for k in range(n)]
    unavailable = {
        lid: [s.date for s in base.slots if draw(st.integers(0, 2)) == 0] for lid in lids
    }
    pins = draw(
        st.dictionaries(st.integers(0, len(base.slots) - 1), st.sampled_from(lids), max_size=2)
    )
    return RotaRequest(
        period=PlanPeriod(year=2026, scope=scope),
        cadence=cadence,
        lecturers=lecturers(n),
        unavailable=unavailable,
        previous=draw(st.lists(st.sampled_from(lids), max_size=2)),
        pins={i: Pin(lecturer_id=lid) for i, lid in pins.items()},
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small())
def test_planner_finds_a_clean_plan_whenever_one_exists(req: RotaRequest) -> None:
    plan = plan_rota(req)
    assert plan.ok == brute_force_clean(req, plan)


def test_forced_repeat_names_its_cause() -> None:
    base = plan_rota(
        request(n=2, cadence=Cadence.MONTHLY, period=PlanPeriod(year=2026, scope=PeriodScope.Q1))
    )
    # 李四 is away in February and March, so 张三 must take both.
    away = {"L1": [base.slots[1].date, base.slots[2].date]}
    plan = plan_rota(
        request(
            n=2,
            cadence=Cadence.MONTHLY,
            unavailable=away,
            period=PlanPeriod(year=2026, scope=PeriodScope.Q1),
        )
    )
    assert ids(plan) == ["L1", "L0", "L0"]
    assert plan.problems == ["张三 在第2、3次连续授课（第2、3次只有张三可用）"]


def test_lecturer_with_too_few_dates_is_named() -> None:
    base = plan_rota(request(n=2, cadence=Cadence.MONTHLY))
    away = {"L1": [s.date for s in base.slots[1:]]}
    plan = plan_rota(request(n=2, cadence=Cadence.MONTHLY, unavailable=away))
    assert plan.counts() == {"L0": 11, "L1": 1}
    assert "李四 在本期只有 1 个授课日期可用" in plan.problems
    assert "授课次数不均（相差应不超过 1 次）：张三 11 次、李四 1 次" in plan.problems
