"""`zhibu demo --years N --branches N`: the history has each year's meetings,
dues and follow-ups for every branch, and reads back through storage."""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from pathlib import Path

import pytest

from domain.meeting_kinds import MeetingKind
from domain.org import OrgKind
from domain.people import PoliticalStatus
from storage.db import Store, open_store
from storage.demo import build_demo
from storage.meetings import get
from tests.factories import TODAY

pytestmark = pytest.mark.both_engines

LAST_YEAR = str(TODAY.year - 1)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = open_store(tmp_path_factory.mktemp("hist") / "d.db", actor="tester")
    build_demo(store, today=TODAY, years=2, branches=3)
    return store


def _branches(store: Store) -> list[str]:
    rows = store.query("SELECT id FROM org_units WHERE kind=?", (OrgKind.BRANCH.value,))
    assert len(rows) == 3
    return [r["id"] for r in rows]


def test_three_branches_each_with_a_full_past_year_of_meetings(history: Store) -> None:
    for b in _branches(history):
        rows = history.query(
            "SELECT m.kind, m.org_id FROM meetings m JOIN org_units u ON u.id = m.org_id"
            " WHERE (u.id=? OR u.parent_id=?) AND substr(m.date, 1, 4)=?",
            (b, b, LAST_YEAR),
        )
        kinds = Counter(r["kind"] for r in rows)
        groups = {r["org_id"] for r in rows if r["kind"] == MeetingKind.GROUP.value}
        assert kinds[MeetingKind.THEME_DAY.value] == 12
        assert kinds[MeetingKind.COMMITTEE.value] == 12
        assert kinds[MeetingKind.MEMBER_ASSEMBLY.value] == 4
        assert kinds[MeetingKind.LECTURE.value] == 4
        assert len(groups) == 3 and kinds[MeetingKind.GROUP.value] == 12 * 3
        # This year (the seed modules' demo) has meetings too.
        this_year = history.query_one(
            "SELECT count(*) n FROM meetings m JOIN org_units u ON u.id = m.org_id"
            " WHERE (u.id=? OR u.parent_id=?) AND substr(m.date, 1, 4)=?",
            (b, b, str(TODAY.year)),
        )
        assert this_year is not None and this_year["n"] > 40


def test_a_history_meeting_reads_back_on_its_own_date(history: Store) -> None:
    row = history.query_one(
        "SELECT id, date FROM meetings WHERE substr(date, 1, 4)=? ORDER BY date DESC LIMIT 1",
        (LAST_YEAR,),
    )
    assert row is not None
    m = get(history, row["id"])
    assert m is not None and m.date.isoformat() == row["date"]
    assert all(s.done_at is None or s.done_at.date() == m.date for s in m.steps)
    assert m.status.value == "已完成"


def test_past_year_dues_and_followups_per_branch(history: Store) -> None:
    for b in _branches(history):
        fus = history.query(
            "SELECT status FROM followups WHERE branch_id=? AND substr(found_on, 1, 4)=?",
            (b, LAST_YEAR),
        )
        # Ten history cases a year, plus the seed demo's case filed last year.
        assert 10 <= len(fus) <= 11 and {r["status"] for r in fus} == {"销号"}
        full = history.query(
            "SELECT id FROM people WHERE branch_id=? AND status=?",
            (b, PoliticalStatus.FULL.value),
        )
        assert full
        for p in full:
            months = history.query_one(
                "SELECT count(*) n FROM dues WHERE person_id=? AND substr(month, 1, 4)=?",
                (p["id"], LAST_YEAR),
            )
            assert months is not None and months["n"] == 12
    # Old decisions were dealt with: nothing from last year is still open.
    still_open = history.query_one(
        "SELECT count(*) n FROM action_items WHERE closed_at IS NULL AND deadline < ?",
        (f"{TODAY.year}-01-01",),
    )
    assert still_open is not None and still_open["n"] == 0


def test_past_year_rota_is_all_given_and_joiners_have_their_main_line(history: Store) -> None:
    from domain.courseware import ReviewState
    from domain.development import Stage

    plans = history.query("SELECT id FROM rota_plans WHERE period LIKE ?", (f"{LAST_YEAR}年%",))
    assert len(plans) == 1
    states = [
        r["state"]
        for r in history.query("SELECT state FROM lectures WHERE plan_id=?", (plans[0]["id"],))
    ]
    assert len(states) == 12 and set(states) == {ReviewState.FILED.value}
    joiners = history.query(
        "SELECT id, joined_party FROM people WHERE status=? AND post IS NULL"
        " AND substr(joined_party, 1, 4)=?",
        (PoliticalStatus.FULL.value, LAST_YEAR),
    )
    assert joiners
    for p in joiners:
        admitted = history.query_one(
            "SELECT on_date FROM development_events WHERE person_id=? AND stage=?",
            (p["id"], Stage.ADMITTED.value),
        )
        assert admitted is not None and admitted["on_date"] == p["joined_party"], p


def test_demo_command_takes_years_and_branches(tmp_path: Path) -> None:
    from tui.cli import main

    db = tmp_path / "demo.db"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(db), "demo", "--years", "2", "--branches", "3"]) == 0
    assert "3 个支部" in out.getvalue() and "次往年会议" in out.getvalue()
    store = open_store(db, actor="tester")
    try:
        years = {r["y"] for r in store.query("SELECT substr(date, 1, 4) y FROM meetings")}
        assert len(years) == 2
    finally:
        store.close()


def test_without_years_or_branches_the_demo_is_as_before(tmp_path: Path) -> None:
    # --branches must not change the sizes the bench builds with --people alone.
    store = open_store(tmp_path / "d.db", actor="tester")
    try:
        counts = build_demo(store, people_count=1000, today=TODAY)
    finally:
        store.close()
    assert counts["people"] == 1000 and counts["branches"] == 34
    assert counts["history_meetings"] == counts["history_followups"] == 0
    assert counts["history_dues"] == 0
