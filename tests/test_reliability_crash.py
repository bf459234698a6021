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
    db_at_version,
    integrity,
    kill_writer,
    migrate_in_steps,
    raw,
    runs,
    schema,
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


def _reference_schema(tmp_path: Path, version: int) -> list[tuple[str, str, str]]:
    ref = tmp_path / f"ref{version}" / "ref.db"
    if version == SCHEMA_VERSION:
        open_store(ref, actor="ref").close()
    else:
        db_at_version(ref, version)
    return schema(ref)


def _kill_while_migrating(
    db: Path, ack: Path, rng: random.Random, steps: range, between: bool
) -> None:
    """Kill -9 after one of *steps* (migration numbers) ran, or at a random moment."""
    pause = 0.02
    child = start(migrate_in_steps, str(db), str(ack), pause)
    try:
        if between:  # between migrations: where a per-migration COMMIT shows
            line = f"step{rng.choice(steps)}"
            deadline = time.monotonic() + 30
            while not (ack.exists() and line in ack.read_text().split("\n")):
                assert child.is_alive(), f"the migrating child exited ({child.exitcode})"
                assert time.monotonic() < deadline, f"the child never reached {line}"
                time.sleep(0.002)
            child.join(rng.uniform(0, pause))
        else:  # anywhere, start-up and the final COMMIT included
            child.join(rng.uniform(0, 0.4))
    finally:
        child.kill()  # SIGKILL: no ROLLBACK, no finally blocks
        child.join(10)


@pytest.mark.slow
@pytest.mark.parametrize("start_version", [0, 1])
def test_kill_9_while_migrating_is_old_schema_or_new_schema(
    tmp_path: Path, start_version: int
) -> None:
    """All pending migrations and the user_version bump are one transaction.

    After kill -9 at a random point the file is either at the old version with
    exactly the old schema (and its rows), or at SCHEMA_VERSION with exactly the
    schema a fresh database gets; never a version in between.
    """
    old_schema = _reference_schema(tmp_path, start_version) if start_version else []
    new_schema = _reference_schema(tmp_path, SCHEMA_VERSION)
    steps = range(start_version + 1, SCHEMA_VERSION + 1)  # the migrations that will run
    assert steps
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    seen: set[int] = set()
    for n in range(runs(4, 15)):
        db = tmp_path / f"m{n}" / "mig.db"
        ack = tmp_path / f"mack{n}"
        if start_version:
            db_at_version(db, start_version)
        between = n == 0 or rng.random() < 0.75
        _kill_while_migrating(db, ack, rng, steps, between)
        where = f"run {n}, seed {seed}"
        if not db.exists():
            assert start_version == 0, where
            continue
        assert integrity(db) == ["ok"], where
        c = raw(db)
        version = c.execute("PRAGMA user_version").fetchone()[0]
        c.close()
        assert version in (start_version, SCHEMA_VERSION), f"half-migrated to v{version} ({where})"
        assert schema(db) == (new_schema if version == SCHEMA_VERSION else old_schema), where
        seen.add(version)
        store = open_store(db, actor="t")  # finishes or redoes the migration
        assert store.scalar("PRAGMA user_version") == SCHEMA_VERSION
        if start_version:
            assert store.scalar("SELECT name FROM org_units WHERE id='keep'") == "老支部"
        store.close()
        assert schema(db) == new_schema, where
    # Kills between migrations must have found the old version at least once,
    # or the test never exercised the window it exists for.
    assert start_version in seen, f"no kill landed before the COMMIT (seed {seed})"
