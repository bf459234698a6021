"""党费 bands, rounding, monthly records, back payment, arrears and branch rates."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.dues import (
    ArrearsLevel,
    DuesConfig,
    DuesError,
    DuesKind,
    DuesRecord,
    DuesStatus,
    RateBand,
    arrears_alert,
    branch_month_summary,
    check_back_payment,
    compute_due,
    format_rate,
    format_yuan,
    make_record,
    member_arrears,
    parse_yuan,
    quarter_average_base,
    record_payment,
    waive,
)

# ---------------------------------------------------------------- bands


pytestmark = pytest.mark.both_engines

@pytest.mark.parametrize(
    ("base_fen", "amount_fen", "rate_bp", "label"),
    [
        (0, 0, 50, "≤3000元 0.5%"),
        (250_000, 1_250, 50, "≤3000元 0.5%"),
        (300_000, 1_500, 50, "≤3000元 0.5%"),  # 3000 itself is in the lowest band
        (300_001, 3_000, 100, "3000–5000元 1%"),
        (450_000, 4_500, 100, "3000–5000元 1%"),
        (500_000, 5_000, 100, "3000–5000元 1%"),  # "3000–5000 (incl.)"
        (500_001, 7_500, 150, "5000–10000元 1.5%"),
        (1_000_000, 15_000, 150, "5000–10000元 1.5%"),
        (1_000_001, 20_000, 200, ">10000元 2%"),
        (1_200_000, 24_000, 200, ">10000元 2%"),
    ],
)
def test_serving_bands(base_fen: int, amount_fen: int, rate_bp: int, label: str) -> None:
    r = compute_due(base_fen)
    assert (r.amount_fen, r.rate_bp, r.band_label, r.kind) == (
        amount_fen,
        rate_bp,
        label,
        DuesKind.SALARIED,
    )


def test_rounding_half_up_to_fen() -> None:
    assert compute_due(345_050).amount_fen == 3_451  # 34.505 元 -> 34.51
    assert compute_due(345_049).amount_fen == 3_450  # 34.50490 -> 34.50
    assert compute_due(123_450).amount_fen == 617  # 6.1725 -> 6.17
    assert compute_due(123_500).amount_fen == 618  # 6.175 -> 6.18
    by_jiao = DuesConfig(rounding_unit_fen=10)
    assert compute_due(345_050, config=by_jiao).amount_fen == 3_450  # 34.505 -> 34.5
    assert compute_due(345_500, config=by_jiao).amount_fen == 3_460  # 34.555 -> 34.6


def test_other_rated_kinds_use_serving_bands() -> None:
    for kind in (DuesKind.ANNUAL_SALARY, DuesKind.NO_FIXED_INCOME):
        r = compute_due(800_000, kind)
        assert (r.amount_fen, r.band_label) == (12_000, "5000–10000元 1.5%")


def test_retired_bands() -> None:
    r = compute_due(500_000, DuesKind.RETIRED)
    assert (r.amount_fen, r.rate_bp, r.band_label) == (2_500, 50, "离退休 ≤5000元 0.5%")
    r = compute_due(600_000, DuesKind.RETIRED)
    assert (r.amount_fen, r.rate_bp, r.band_label) == (6_000, 100, "离退休 >5000元 1%")


@pytest.mark.parametrize(
    "kind", [DuesKind.STUDENT, DuesKind.UNEMPLOYED, DuesKind.RELIEF, DuesKind.PEASANT]
)
def test_flat_amounts(kind: DuesKind) -> None:
    r = compute_due(900_000, kind)  # base does not matter
    assert (r.amount_fen, r.rate_bp, r.band_label) == (20, None, f"{kind} 每月0.2元")


def test_configurable_tables() -> None:
    config = DuesConfig(
        flat_fen={DuesKind.PEASANT: 50, DuesKind.STUDENT: 20},
        serving_bands=[RateBand(upper_fen=400_000, rate_bp=50), RateBand(rate_bp=125)],
    )
    assert compute_due(0, DuesKind.PEASANT, config).band_label == "农民 每月0.5元"
    assert compute_due(0, DuesKind.PEASANT, config).amount_fen == 50
    r = compute_due(400_100, config=config)
    assert (r.amount_fen, r.band_label) == (5_001, ">4000元 1.25%")
    with pytest.raises(DuesError, match="下岗失业"):
        compute_due(0, DuesKind.UNEMPLOYED, config)


def test_bad_tables_rejected() -> None:
    with pytest.raises(ValidationError):
        DuesConfig(serving_bands=[RateBand(upper_fen=300_000, rate_bp=50)])  # capped last band
    with pytest.raises(ValidationError):
        DuesConfig(
            serving_bands=[
                RateBand(upper_fen=500_000, rate_bp=50),
                RateBand(upper_fen=300_000, rate_bp=100),
                RateBand(rate_bp=200),
            ]
        )
    with pytest.raises(ValidationError):
        DuesConfig(flat_fen={DuesKind.SALARIED: 20})
    with pytest.raises(DuesError):
        compute_due(-1)


@given(st.integers(min_value=0, max_value=10**9))
def test_amount_is_never_above_two_percent_and_monotone(base: int) -> None:
    a = compute_due(base).amount_fen
    assert 0 <= a <= base * 2 // 100 + 1
    assert compute_due(base + 1).amount_fen >= a


def test_no_fixed_income_base() -> None:
    assert quarter_average_base([300_000, 350_000, 400_001]) == 350_000
    assert quarter_average_base([100, 101]) == 101  # 100.5 rounds up
    with pytest.raises(DuesError):
        quarter_average_base([])


def test_money_text() -> None:
    assert parse_yuan("3,500.5元") == 350_050
    assert parse_yuan("３５００") == 350_000
    assert parse_yuan("0.2") == 20
    for bad in ("", "1.234", "-1", "abc", "NaN"):
        with pytest.raises(DuesError):
            parse_yuan(bad)
    assert format_yuan(350_050) == "3500.50"
    assert format_yuan(20) == "0.20"
    assert [format_rate(x) for x in (50, 100, 150, 125, 200)] == [
        "0.5%",
        "1%",
        "1.5%",
        "1.25%",
        "2%",
    ]


# ---------------------------------------------------------------- records


def test_make_record_and_statuses() -> None:
    r = make_record("p1", date(2026, 3, 15), 450_000)
    assert (r.month, r.due_fen, r.rate_bp, r.band_label) == (
        date(2026, 3, 1),
        4_500,
        100,
        "3000–5000元 1%",
    )
    assert r.status is DuesStatus.UNPAID and r.owed_fen == 4_500

    on_time = record_payment(r, 4_500, date(2026, 3, 20), method="现金")
    assert (on_time.status, on_time.paid_fen, on_time.method, on_time.owed_fen) == (
        DuesStatus.PAID,
        4_500,
        "现金",
        0,
    )
    assert r.paid_fen == 0  # the original is untouched

    late = record_payment(r, 4_500, date(2026, 5, 3))
    assert late.status is DuesStatus.BACK_PAID

    part = record_payment(r, 2_000, date(2026, 3, 20))
    assert (part.status, part.owed_fen) == (DuesStatus.UNPAID, 2_500)
    full = record_payment(part, 2_500, date(2026, 3, 28))
    assert (full.status, full.paid_fen) == (DuesStatus.PAID, 4_500)

    w = waive(r, "困难党员，经上级党委批准免缴")
    assert (w.status, w.owed_fen) == (DuesStatus.WAIVED, 0)
    with pytest.raises(DuesError, match="免缴"):
        record_payment(w, 100, date(2026, 3, 20))
    with pytest.raises(DuesError):
        waive(r, "  ")
    with pytest.raises(DuesError):
        record_payment(r, 0, date(2026, 3, 20))


def test_paid_amount_needs_a_date() -> None:
    with pytest.raises(ValidationError):
        DuesRecord(person_id="p", month=date(2026, 1, 1), base_fen=0, due_fen=0, paid_fen=100)


def test_back_payment_window_six_months() -> None:
    march = make_record("p1", date(2026, 3, 1), 450_000)
    assert record_payment(march, 4_500, date(2026, 9, 30)).status is DuesStatus.BACK_PAID
    with pytest.raises(DuesError) as e:
        record_payment(march, 4_500, date(2026, 10, 1))
    assert "逾期7个月" in str(e.value) and "最晚2026年9月" in str(e.value)
    check_back_payment(date(2025, 12, 1), date(2026, 6, 15))  # 6 months: allowed
    with pytest.raises(DuesError):
        check_back_payment(date(2025, 12, 1), date(2026, 7, 1))
    check_back_payment(date(2026, 6, 1), date(2026, 4, 1))  # paying ahead is fine


# ---------------------------------------------------------------- arrears


def year_of_records(paid_months: dict[int, date], months: range = range(1, 11)) -> list[DuesRecord]:
    out = []
    for m in months:
        r = make_record("p1", date(2026, m, 1), 450_000)
        if m in paid_months:
            r = record_payment(r, r.due_fen, paid_months[m])
        out.append(r)
    return out


def test_arrears_runs_and_alerts() -> None:
    recs = year_of_records({1: date(2026, 1, 10), 2: date(2026, 2, 10)})
    assert member_arrears(recs, date(2026, 4, 30)).consecutive_months == 2
    assert member_arrears(recs, date(2026, 4, 30)).alert is None

    may = member_arrears(recs, date(2026, 5, 31))
    assert may.consecutive_months == 3
    assert may.alert is not None and may.alert.level is ArrearsLevel.WARN

    aug = member_arrears(recs, date(2026, 8, 1))
    assert aug.consecutive_months == 6
    assert aug.unpaid_months == [date(2026, m, 1) for m in range(3, 9)]
    assert aug.owed_fen == 27_000
    assert aug.alert is not None and aug.alert.level is ArrearsLevel.LAPSE
    assert "自行脱党" in aug.alert.message and "党章第九条" in aug.alert.basis
    assert aug.too_old_months == []

    octo = member_arrears(recs, date(2026, 10, 1))
    assert octo.consecutive_months == 8
    assert octo.too_old_months == [date(2026, 3, 1)]  # 7 months back: past the 补交 window


def test_later_back_payment_is_ignored_as_of_earlier_month() -> None:
    recs = year_of_records({1: date(2026, 1, 10), 2: date(2026, 2, 10), 3: date(2026, 9, 5)})
    assert member_arrears(recs, date(2026, 8, 1)).consecutive_months == 6
    sep = member_arrears(recs, date(2026, 9, 1))
    assert sep.consecutive_months == 6  # Apr–Sep; March was paid in September
    assert sep.unpaid_months[0] == date(2026, 4, 1)


def test_waived_or_missing_month_breaks_the_run() -> None:
    recs = year_of_records({1: date(2026, 1, 10)})
    recs[4] = waive(recs[4], "批准免缴")  # May
    assert member_arrears(recs, date(2026, 8, 1)).consecutive_months == 3  # Jun–Aug
    gap = [r for r in year_of_records({}) if r.month != date(2026, 6, 1)]
    assert member_arrears(gap, date(2026, 8, 1)).consecutive_months == 2
    assert member_arrears([], date(2026, 8, 1)).consecutive_months == 0


def test_alert_thresholds_configurable() -> None:
    assert arrears_alert(2) is None
    assert arrears_alert(5).level is ArrearsLevel.WARN
    strict = DuesConfig(arrears_warn_months=2)
    assert arrears_alert(2, strict).level is ArrearsLevel.WARN


# ---------------------------------------------------------------- branch summary


def branch_march() -> list[DuesRecord]:
    m = date(2026, 3, 1)
    p1 = record_payment(make_record("p1", m, 450_000), 4_500, date(2026, 3, 20))
    p2 = record_payment(
        make_record("p2", m, 300_001), 1_000, date(2026, 3, 28)
    )  # due 3000, partial
    p3 = waive(make_record("p3", m, 450_000), "批准免缴")
    p4 = record_payment(
        make_record("p4", m, 300_000), 2_500, date(2026, 3, 25)
    )  # due 1500 + 10 元 extra
    p5 = record_payment(
        make_record("p5", m, 0, DuesKind.STUDENT), 20, date(2026, 5, 2)
    )  # back paid
    other_month = make_record("p1", date(2026, 4, 1), 450_000)
    return [p1, p2, p3, p4, p5, other_month]


def test_branch_month_summary() -> None:
    s = branch_month_summary(branch_march(), date(2026, 3, 17))
    assert (s.month, s.members, s.members_due, s.members_paid, s.members_waived) == (
        date(2026, 3, 1),
        5,
        4,
        3,
        1,
    )
    assert (s.due_fen, s.paid_fen, s.paid_toward_due_fen) == (9_020, 8_020, 7_020)
    assert s.member_rate == Fraction(3, 4)
    assert s.amount_rate == Fraction(7_020, 9_020)


def test_branch_month_summary_as_of_month_end() -> None:
    s = branch_month_summary(branch_march(), date(2026, 3, 1), as_of=date(2026, 3, 31))
    assert (s.members_paid, s.paid_fen, s.paid_toward_due_fen) == (2, 8_000, 7_000)
    assert s.member_rate == Fraction(1, 2)
    assert s.amount_rate == Fraction(7_000, 9_020)


def test_empty_month_has_no_rate() -> None:
    s = branch_month_summary([], date(2026, 3, 1))
    assert (s.members, s.member_rate, s.amount_rate) == (0, None, None)
