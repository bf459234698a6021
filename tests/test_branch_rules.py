"""换届 term and branch size rules at and around each boundary."""

from __future__ import annotations

from datetime import date

import pytest

from domain.branch_rules import (
    BranchRuleConfig,
    Level,
    TermState,
    add_months,
    size_findings,
    term_status,
)

LAST = date(2023, 12, 2)  # due 2026-12-02 with 3 years; warned from 2026-06-02


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 6, 1), TermState.IN_TERM),
        (date(2026, 6, 2), TermState.DUE_SOON),  # exactly six months ahead
        (date(2026, 12, 1), TermState.DUE_SOON),
        (date(2026, 12, 2), TermState.EXPIRED),  # the day the term ends
        (date(2027, 3, 1), TermState.EXPIRED),
    ],
)
def test_three_year_term(today: date, state: TermState) -> None:
    s = term_status(LAST, today)
    assert s.state is state
    assert s.due_on == date(2026, 12, 2) and s.warn_from == date(2026, 6, 2)


def test_five_year_term_where_configured() -> None:
    s = term_status(LAST, date(2026, 12, 2), term_years=5)
    assert s.state is TermState.IN_TERM and s.due_on == date(2028, 12, 2)
    assert term_status(LAST, date(2028, 6, 2), term_years=5).state is TermState.DUE_SOON
    assert term_status(LAST, date(2028, 6, 1), term_years=5).state is TermState.IN_TERM
    cfg = BranchRuleConfig(term_years=5, warn_months=3)
    assert term_status(LAST, date(2028, 9, 1), config=cfg).state is TermState.IN_TERM
    assert term_status(LAST, date(2028, 9, 2), config=cfg).state is TermState.DUE_SOON


def test_unknown_last_election_and_messages() -> None:
    s = term_status(None, date(2026, 12, 2))
    assert s.state is TermState.UNKNOWN and "未记录" in s.message
    assert term_status(LAST, date(2026, 12, 2)).message == (
        "上次换届 2023-12-02，任期 3 年，已于 2026-12-02 届满，应按期换届（延期须报上级批准）"
    )
    assert "将于 2026-12-02 届满" in term_status(LAST, date(2026, 7, 1)).message


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 2, 29), 36) == date(2027, 2, 28)
    assert add_months(date(2026, 8, 31), -6) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 15), 12) == date(2027, 1, 15)


def levels(full: int, members: int, committee: int) -> list[tuple[Level, str]]:
    return [(f.level, f.text) for f in size_findings(full, members, committee)]


def test_at_least_three_full_members() -> None:
    assert levels(2, 2, 1)[0][0] is Level.PROBLEM and "联合党支部" in levels(2, 2, 1)[0][1]
    assert levels(2, 5, 1)[0][0] is Level.PROBLEM  # 预备党员 do not count
    assert levels(3, 3, 1) == [(Level.OK, "正式党员 3 名，党员 3 名，可只设书记（必要时设副书记）")]


def test_over_fifty_members_advises_splitting() -> None:
    assert all(lv is Level.OK for lv, _ in levels(45, 50, 5))
    found = levels(45, 51, 5)
    assert found == [(Level.ADVICE, "党员 51 名，超过 50 名，建议分设党支部")]


def test_committee_required_from_seven_full_members() -> None:
    assert levels(6, 6, 1)[0][0] is Level.OK
    seven = levels(7, 7, 1)
    assert seven[0][0] is Level.PROBLEM and "应设立支部委员会" in seven[0][1]
    assert levels(7, 7, 2)[0][0] is Level.PROBLEM
    assert levels(7, 7, 3) == [(Level.OK, "正式党员 7 名，党员 7 名，支委会 3 人")]


@pytest.mark.parametrize(
    ("committee", "level"),
    [(3, Level.OK), (5, Level.OK), (6, Level.ADVICE), (7, Level.ADVICE), (8, Level.PROBLEM)],
)
def test_committee_size(committee: int, level: Level) -> None:
    assert levels(20, 20, committee)[0][0] is level


def test_size_limits_are_configuration() -> None:
    cfg = BranchRuleConfig(max_members=40, committee_required_from=5)
    found = size_findings(5, 41, 1, cfg)
    assert [f.level for f in found] == [Level.ADVICE, Level.PROBLEM]
