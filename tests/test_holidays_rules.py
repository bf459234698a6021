"""Holidays computed from the 放假办法 for years the package lacks, and the
user's loaded 放假安排 (docs/RULES.md#holidays)."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from domain.holidays import (
    ArrangementError,
    HolidayCalendar,
    HolidayRules,
    HolidaySource,
    chuxi,
    computed_days_off,
    covered_years,
    format_arrangement,
    mid_autumn,
    parse_arrangement,
    qingming,
    source_note,
    statutory_days,
)
from domain.rota import Cadence, DayRule, DayRuleKind, Lecturer, PlanPeriod, RotaRequest, plan_rota

D = date


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def test_2027_is_not_in_the_package() -> None:
    # The whole point: if chinesecalendar gains 2027, these tests need a later year.
    assert 2027 not in covered_years()
    assert HolidayCalendar().source(2027) is HolidaySource.COMPUTED
    assert HolidayCalendar().source(2026) is HolidaySource.PACKAGE


# --- lunar and solar-term dates ----------------------------------------------


@pytest.mark.parametrize(
    ("year", "eve"),
    [(2025, D(2025, 1, 28)), (2026, D(2026, 2, 16)), (2027, D(2027, 2, 5)), (2028, D(2028, 1, 25))],
)
def test_chuxi(year: int, eve: date) -> None:
    assert chuxi(year) == eve


@pytest.mark.parametrize(
    ("year", "day"),
    [(2024, D(2024, 4, 4)), (2025, D(2025, 4, 4)), (2026, D(2026, 4, 5)), (2027, D(2027, 4, 5)),
     (2028, D(2028, 4, 4)), (2029, D(2029, 4, 4))],
)  # fmt: skip
def test_qingming_is_the_solar_term(year: int, day: date) -> None:
    assert qingming(year) == day
    off = computed_days_off(year)
    assert off[day] == "清明节"
    assert day - timedelta(days=1) not in off and day + timedelta(days=1) not in off


def test_chuxi_is_statutory_from_2025_only() -> None:
    assert statutory_days(2027)[D(2027, 2, 5)] == "春节"
    assert D(2024, 2, 9) not in statutory_days(2024)  # 除夕 2024: not yet statutory
    assert D(2024, 5, 2) not in statutory_days(2024)
    assert statutory_days(2025)[D(2025, 5, 2)] == "劳动节"


def test_spring_festival_break_starts_on_chuxi() -> None:
    off = computed_days_off(2027)
    assert [d for d in _days(D(2027, 2, 3), D(2027, 2, 14)) if d in off] == _days(
        D(2027, 2, 5), D(2027, 2, 12)
    )
    assert D(2027, 2, 4) not in off
    shorter = computed_days_off(2027, HolidayRules(spring_festival_break_days=4))
    assert D(2027, 2, 8) in shorter and D(2027, 2, 9) not in shorter


@pytest.mark.parametrize(
    ("year", "first", "last"),
    [
        (2025, D(2025, 10, 1), D(2025, 10, 8)),  # 中秋 10-06 inside the week: 8 days
        (2028, D(2028, 10, 1), D(2028, 10, 8)),  # 中秋 10-03
        (2031, D(2031, 10, 1), D(2031, 10, 8)),  # 中秋 on 10-01 itself
        (2023, D(2023, 9, 29), D(2023, 10, 6)),  # 中秋 09-29, just before: break starts then
        (2027, D(2027, 10, 1), D(2027, 10, 7)),  # 中秋 09-15, far away: the plain week
    ],
)
def test_national_day_and_mid_autumn(year: int, first: date, last: date) -> None:
    off = computed_days_off(year)
    around = _days(D(year, 9, 25), D(year, 10, 12))
    assert [d for d in around if d in off] == _days(first, last)
    assert off[mid_autumn(year)] == "中秋节"


def test_2027_mid_autumn_is_a_single_day_in_september() -> None:
    off = computed_days_off(2027)
    assert mid_autumn(2027) == D(2027, 9, 15)
    assert D(2027, 9, 14) not in off and D(2027, 9, 16) not in off


@pytest.mark.parametrize("year", [2025, 2026])
def test_computed_days_are_days_off_in_the_published_tables(year: int) -> None:
    # The rules never invent a day off the State Council did not give.
    for d in computed_days_off(year):
        assert chinese_calendar.is_holiday(d), d


# --- the calendar and its sources --------------------------------------------


def test_computed_year_keeps_weekends_off_and_names_the_source() -> None:
    cal = HolidayCalendar()
    info = cal.day_info(D(2027, 2, 5))
    assert not info.working and info.holiday == "春节" and info.source is HolidaySource.COMPUTED
    assert not cal.is_working_day(D(2027, 2, 20))  # Saturday: 调休 unknown
    assert cal.next_working_day(D(2027, 10, 1)) == (
        D(2027, 10, 8),
        "2027-10-01 是国庆节，顺延到 2027-10-08",
    )
    assert cal.statement(2027) == (
        "2027 年尚无国务院放假安排，节假日按放假办法推算（含除夕），调休上班日未知；"
        "公布后请在「放假安排」录入。"
    )


ARRANGEMENT_2027 = """\
# 国务院办公厅关于2027年部分节假日安排的通知（示例）
元旦 2027-01-01~2027-01-03
春节 2027-02-04~2027-02-12
上班 2027-02-13 2027-02-20
国庆节 2027-10-01~2027-10-07
上班 2027-09-26, 2027-10-09
"""


def test_parse_arrangement() -> None:
    arr = parse_arrangement(ARRANGEMENT_2027)
    assert arr.year == 2027
    assert arr.days_off[D(2027, 2, 4)] == "春节" and len(arr.days_off) == 3 + 9 + 7
    assert arr.workdays == {D(2027, 2, 13), D(2027, 2, 20), D(2027, 9, 26), D(2027, 10, 9)}
    assert parse_arrangement(format_arrangement(arr)) == arr


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("春节", "第 1 行应为"),
        ("春节 2027-02-30", "第 1 行：日期 2027-02-30 不存在"),
        ("# x\n春节 明天", "第 2 行：看不懂「明天」"),
        ("春节 2027-02-11~2027-02-04", "日期范围"),
        ("元旦 2027-01-01\n上班 2027-01-01", "第 2 行：2027-01-01 已写为放假"),
        ("元旦 2027-01-01\n元旦 2028-01-01", "只能含一个年度"),
        ("# 只有注释\n", "没有读到"),
    ],
)
def test_parse_arrangement_refuses(text: str, words: str) -> None:
    with pytest.raises(ArrangementError, match=words):
        parse_arrangement(text)


def test_imported_arrangement_wins_and_its_workdays_are_used() -> None:
    cal = HolidayCalendar([parse_arrangement(ARRANGEMENT_2027)])
    assert cal.source(2027) is HolidaySource.IMPORTED
    sat = D(2027, 2, 20)
    assert sat.weekday() == 5
    info = cal.day_info(sat)
    assert info.working and info.adjusted_workday and info.source is HolidaySource.IMPORTED
    # The day before 除夕: a working Thursday by the rules, off as loaded.
    assert HolidayCalendar().is_working_day(D(2027, 2, 4))
    assert not cal.is_working_day(D(2027, 2, 4))
    assert cal.next_working_day(D(2027, 2, 4))[0] == D(2027, 2, 13)  # the 调休 Saturday
    assert "已导入" in cal.statement(2027)


def test_imported_workday_moves_a_rota_slot_onto_it() -> None:
    # 2027-02 first Thursday is 02-04: off under the arrangement; the next
    # working day is the 调休 Saturday 02-13 only because it was loaded.
    req = RotaRequest(
        period=PlanPeriod(year=2027),
        cadence=Cadence.MONTHLY,
        rule=DayRule(n=1, weekday=3),
        lecturers=[Lecturer(id=f"L{k}", name=f"人{k}") for k in range(3)],
    )
    cal = HolidayCalendar([parse_arrangement(ARRANGEMENT_2027)])
    feb = plan_rota(req, cal).slots[1]
    assert feb.date == D(2027, 2, 13) and feb.moved_from == D(2027, 2, 4)
    assert feb.holiday_source == "已导入安排"
    assert plan_rota(req).slots[1].date == D(2027, 2, 4)  # without it: an ordinary Thursday
    plan = plan_rota(req, cal)
    assert plan.holiday_sources == {2027: "已导入安排"}
    assert not any("推算" in w for w in plan.warnings)


def _all_rules() -> list[DayRule]:
    nth = [DayRule(n=n, weekday=w) for n in (1, 2, 3, 4, 5, -1) for w in range(7)]
    fixed = [DayRule(kind=DayRuleKind.DAY_OF_MONTH, day=d) for d in range(1, 32)]
    return nth + fixed


def test_2027_monthly_rota_never_falls_on_a_statutory_day_off() -> None:
    lecturers = [Lecturer(id=f"L{k}", name=f"人{k}") for k in range(4)]
    off = computed_days_off(2027)
    assert D(2027, 2, 5) in off  # 除夕
    for rule in _all_rules():
        req = RotaRequest(
            period=PlanPeriod(year=2027), cadence=Cadence.MONTHLY, rule=rule, lecturers=lecturers
        )
        plan = plan_rota(req)
        for s in plan.slots:
            assert s.date not in off, (rule.label, s.date)
            assert s.date.weekday() < 5
            assert s.holiday_source == "按规则推算"
        assert plan.warnings[0].startswith("2027 年尚无国务院放假安排，")


def test_2027_default_rule_moves_off_chuxi_and_the_national_day_week() -> None:
    req = RotaRequest(
        period=PlanPeriod(year=2027),
        cadence=Cadence.MONTHLY,
        lecturers=[Lecturer(id="a", name="甲"), Lecturer(id="b", name="乙")],
    )  # first Friday of each month
    slots = plan_rota(req).slots
    assert slots[1].rule_date == D(2027, 2, 5)
    assert slots[1].date == D(2027, 2, 15)
    assert slots[1].move_reason == "2027-02-05 是春节，顺延到 2027-02-15"
    assert slots[9].rule_date == D(2027, 10, 1) and slots[9].date == D(2027, 10, 8)


def test_source_note_for_documents() -> None:
    assert source_note(2026, "法定数据") == "2026年节假日依据国务院放假安排（法定数据）。"
    assert "推算" in source_note(2027, HolidaySource.COMPUTED)
