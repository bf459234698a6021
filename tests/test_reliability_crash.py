"""D1: kill -9 at random points while a process saves.

Oracle (SQLite's own crash-test pattern, docs/ARCHITECTURE.md#tests):
every transaction is all or nothing, every save the writer acknowledged after
COMMIT returned is still there, the audit chain is intact and
PRAGMA integrity_check is ok, on the same file killed again and again.
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

import pytest

from domain.search_keys import person_keys
from storage.audit import verify_chain
from storage.db import open_store
from storage.migrations import SCHEMA_VERSION
from tests.reliability_helpers import (
    BATCH,
    integrity,
    kill_writer,
    migrate_only,
    raw,
    runs,
    seed_db,
    start,
    wait_for_line,
)

KILL_RUNS = runs(20, 100)  # >= 40 with ZHIBU_SLOW=1


def wait_for_acks(ack: Path, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(_acked(ack)) < n:
        assert time.monotonic() < deadline, "the writer stopped committing"
        time.sleep(0.001)


def _acked(ack: Path) -> list[str]:
    lines = ack.read_text().split("\n")
    return [t for t in lines[:-1] if t and t != "ready"]  # the last line may be torn


def _check_run(c: sqlite3.Connection, run: int, acked: list[str]) -> int:
    """Assert all-or-nothing for every transaction of *run*; returns how many committed."""
    actor = f"run{run}"
    mine = f"r{run}s[0-9]*"
    rows = c.execute(
        "SELECT team, job, count(*) FROM people WHERE team GLOB ? GROUP BY team, job", (mine,)
    ).fetchall()
    committed: set[str] = set()
    for team, job, n in rows:
        step = int(team.split("s")[1])
        if step % 2:  # a batch: all BATCH people or none
            assert n == BATCH, f"batch {team} is partial: {n} of {BATCH}"
            committed.add(team)
        else:
            assert n == 1, f"single save {team} stored {n} times"
            committed.add(team)
            if job:
                assert job == team
                committed.add(team + "u")
    # The search index is written in the same transaction as the person.
    for pid, name in c.execute("SELECT id, name FROM people WHERE team GLOB ?", (mine,)):
        keys = {k for k, _ in person_keys(name)}
        stored = {k for (k,) in c.execute("SELECT key FROM person_keys WHERE person_id=?", (pid,))}
        assert stored == keys, f"search keys of {name} are partial"
    # One audit row per committed transaction, none for rolled-back ones.
    audits = c.execute("SELECT count(*) FROM audit WHERE actor=?", (actor,)).fetchone()[0]
    assert audits == len(committed), f"{audits} audit rows for {len(committed)} transactions"
    # Acknowledged => durable; at most one transaction committed but not yet acknowledged.
    missing = set(acked) - committed
    assert not missing, f"acknowledged saves lost: {sorted(missing)}"
    assert len(committed - set(acked)) <= 1
    return len(committed)


@pytest.mark.slow
def test_kill_9_mid_save_is_all_or_nothing(tmp_path: Path) -> None:
    db = tmp_path / "data" / "kill.db"
    branch = seed_db(db)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    total = 0
    for run in range(KILL_RUNS):
        ack = tmp_path / f"ack{run}"
        child = start(kill_writer, str(db), branch, run, str(ack))
        try:
            wait_for_line(ack, "ready")
            # Anywhere from before the first COMMIT to deep into a stream of
            # commits; counted in acknowledged saves so a slow machine still
            # gets kills between and inside later transactions.
            after = 2 if run == 0 else rng.choice((0, 0, 1, 3, 8))
            if after:
                wait_for_acks(ack, after)
            child.join(rng.uniform(0, 0.03))
            assert child.is_alive(), f"writer died on its own (seed {seed})"
        finally:
            child.kill()  # SIGKILL: no finally blocks, no atexit, no ROLLBACK
            child.join(10)
        assert integrity(db) == ["ok"], f"run {run}, seed {seed}"
        c = raw(db)
        try:
            total += _check_run(c, run, _acked(ack))
            assert verify_chain(c) == [], f"audit chain broken after run {run} (seed {seed})"
            assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            c.close()
    assert total > 0, "no run committed anything: the kills all landed before the first save"
    # The app opens the survivor normally (quick_check and migrations included).
    store = open_store(db, actor="after")
    assert store.scalar("PRAGMA user_version") == SCHEMA_VERSION
    store.close()


@pytest.mark.slow
def test_kill_9_during_first_migration_leaves_a_usable_file(tmp_path: Path) -> None:
    """Creating the schema is one transaction: a kill leaves no half-made schema."""
    for n in range(runs(3, 15)):
        db = tmp_path / f"m{n}" / "new.db"
        ack = tmp_path / f"mack{n}"
        child = start(migrate_only, str(db), str(ack))
        child.join(random.uniform(0, 0.25))
        child.kill()
        child.join(10)
        if not db.exists():
            continue
        assert integrity(db) == ["ok"]
        c = raw(db)
        version = c.execute("PRAGMA user_version").fetchone()[0]
        tables = c.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        c.close()
        assert (version, bool(tables)) in ((0, False), (SCHEMA_VERSION, True))
        store = open_store(db, actor="t")  # finishes or redoes the migration
        assert store.scalar("PRAGMA user_version") == SCHEMA_VERSION
        store.close()
