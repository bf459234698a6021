"""Cost grows with the work, not the history: the screens about this period
read the same rows whether the database holds one year or several.

Asserted on what SQLite does (EXPLAIN QUERY PLAN of the statements each
reader runs, and the number of virtual-machine instructions it executes),
never on wall time."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from domain.periods import Period
from services import home, participation
from services import meetings as meeting_service
from services.export_report import branch_report
from storage import compliance, compliance_report, counters, dues_home, org
from storage.db import Store, open_store
from storage.demo import build_demo
from tests.factories import TODAY

pytestmark = pytest.mark.both_engines

QUARTER = Period.quarter(TODAY.year, (TODAY.month - 1) // 3 + 1)
STEP = 100


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Store]]:
    out = {}
    for years in (1, 4):
        store = open_store(tmp_path_factory.mktemp(f"y{years}") / "d.db", actor="tester")
        build_demo(store, today=TODAY, years=years, branches=6)
        out[years] = store
    yield out
    for s in out.values():
        s.close()


def _run(store: Store, fn: Callable[[], object]) -> tuple[int, list[tuple[str, list[str]]]]:
    """(VM steps, [(statement, plan lines)]) of one call."""
    conn: sqlite3.Connection = store.conn
    fn()  # warm: caches that fill on first use are not the reader's cost
    steps = [0]
    statements: list[str] = []

    def tick() -> int:
        steps[0] += STEP
        return 0

    conn.set_progress_handler(tick, STEP)
    conn.set_trace_callback(statements.append)
    try:
        fn()
    finally:
        conn.set_progress_handler(None, 0)
        conn.set_trace_callback(None)
    plans = []
    for sql in dict.fromkeys(statements):
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            plan = [str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql)]
            plans.append((" ".join(sql.split()), plan))
    return steps[0], plans


def _readers(store: Store) -> dict[str, Callable[[], object]]:
    branch = org.branches(store)[0]
    return {
        "home": lambda: home.due_items(
            store, TODAY, compliance_rows=home.compliance_table(store, TODAY)
        ),
        "compliance": lambda: home.compliance_table(store, TODAY),
        "meetings_page": lambda: (
            meeting_service.finished_page(store, offset=0, limit=100),
            meeting_service.count_finished(store),
        ),
        "participation": lambda: participation.branch_participation(store, branch.id, QUARTER),
        "quarterly_report": lambda: branch_report(store, branch, QUARTER, TODAY),
    }


@pytest.mark.parametrize(
    "reader", ["home", "compliance", "meetings_page", "participation", "quarterly_report"]
)
def test_a_screen_reads_the_same_rows_with_four_years_as_with_one(
    dbs: dict[int, Store], reader: str
) -> None:
    # Before migration 16 every one of these walked all finished meetings or
    # all closed action items of every year: 4 years cost ×2.5–×4 the steps.
    one, _ = _run(dbs[1], _readers(dbs[1])[reader])
    four, plans = _run(dbs[4], _readers(dbs[4])[reader])
    assert four <= one * 1.1 + 1000, (one, four, plans)


def test_there_are_more_meetings_in_four_years(dbs: dict[int, Store]) -> None:
    # The test above means something only if the history is there.
    n = {y: int(s.scalar("SELECT count(*) FROM meetings") or 0) for y, s in dbs.items()}
    assert n[4] > 3 * n[1]


def _plan_of(store: Store, fn: Callable[[], object], needle: str) -> list[str]:
    _, plans = _run(store, fn)
    found = [p for sql, p in plans if needle in sql]
    assert found, [sql for sql, _ in plans]
    return [line for p in found for line in p]


def test_first_meeting_of_each_branch_is_one_index_seek(dbs: dict[int, Store]) -> None:
    store = dbs[4]
    ids = [b.id for b in org.branches(store)]
    plan = _plan_of(store, lambda: compliance.branch_facts(store, ids), "min(m.date)")
    assert any("meetings_org_status_date" in line for line in plan), plan
    assert not any("meetings_status_date" in line for line in plan), plan


def test_make_ups_done_are_looked_up_by_meeting(dbs: dict[int, Store]) -> None:
    store = dbs[4]
    branch = org.branches(store)[0]
    plan = _plan_of(
        store,
        lambda: participation.branch_participation(store, branch.id, QUARTER),
        "closed_at IS NOT NULL AND meeting_id IN",
    )
    assert any("USING INDEX action_items_meeting" in line for line in plan), plan


def test_decisions_of_the_quarter_start_from_its_meetings(dbs: dict[int, Store]) -> None:
    store = dbs[4]
    branch = org.branches(store)[0]
    plan = _plan_of(
        store,
        lambda: compliance_report.follow_through(store, branch.id, QUARTER, TODAY),
        "+a.kind",
    )
    assert "SEARCH m" in plan[0] and "date>? AND date<?" in plan[0], plan
    assert any("action_items_meeting" in line for line in plan), plan


def test_arrears_on_home_read_only_unpaid_dues(dbs: dict[int, Store]) -> None:
    store = dbs[4]
    plan = _plan_of(store, lambda: dues_home.home_items(store, TODAY), "person_id, month FROM")
    assert any("USING INDEX dues_unpaid" in line for line in plan), plan


def test_finished_meetings_count_is_kept_by_triggers(dbs: dict[int, Store], tmp_path: Path) -> None:
    import shutil

    src = dbs[1]
    path = tmp_path / "copy.db"
    src.conn.execute("PRAGMA wal_checkpoint(FULL)")
    shutil.copyfile(src.path, path)
    store = open_store(path, actor="tester")
    try:

        def real() -> int:
            return int(store.scalar(
                "SELECT count(*) FROM meetings WHERE status='已完成' AND superseded=0") or 0)  # fmt: skip

        # The list's count reads no meetings row at all.
        _, plans = _run(store, lambda: meeting_service.count_finished(store))
        assert not [sql for sql, _ in plans if "FROM meetings" in sql], plans
        start = real()
        assert counters.count(store, "finished_meetings") == start > 0
        mid = str(store.scalar("SELECT id FROM meetings WHERE status='已完成' LIMIT 1"))
        with store.write() as c:
            c.execute("UPDATE meetings SET superseded=1 WHERE id=?", (mid,))
        assert meeting_service.count_finished(store) == real() == start - 1
        with store.write() as c:
            c.execute("UPDATE meetings SET superseded=0 WHERE id=?", (mid,))
            c.execute(
                "INSERT INTO meetings (id, kind, org_id, date, status, data, created_at,"
                " updated_at, updated_by) SELECT 'copy', kind, org_id, date, status, data,"
                " created_at, updated_at, updated_by FROM meetings WHERE id=?",
                (mid,),
            )
        assert meeting_service.count_finished(store) == real() == start + 1
        with store.write() as c:
            c.execute("DELETE FROM meetings WHERE id='copy'")
        assert meeting_service.count_finished(store) == real() == start
    finally:
        store.close()


def test_branch_sizes_on_home_read_only_an_index(dbs: dict[int, Store]) -> None:
    """换届 and size rules on 今日 count each branch's members: from the
    covering index, not the people rows (at 50,000 people that read took half
    the home screen's data time)."""
    from storage import branch_home

    store = dbs[1]
    plan = _plan_of(store, lambda: branch_home.facts(store), "GROUP BY branch_id")
    assert any("COVERING INDEX people_branch_status_post" in line for line in plan), plan
