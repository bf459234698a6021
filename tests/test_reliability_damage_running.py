"""R5 (issue 14): the verified stamp only after a passed check; damage found while
running stops the app with 65, not a crash (70).

Failed before: bytes of a page overwritten while the app was open were stamped
verified on the clean exit, so the next start skipped the check and crashed (70)
instead of refusing the file (65).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from domain.people import Person
from storage import db as dbmod
from storage import people
from storage.db import open_store
from storage.errors import NotADatabaseError
from tests.reliability_helpers import TODAY, demo_db


def _overwrite_people_root(db: Path) -> None:
    c = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    root = c.execute("SELECT rootpage FROM sqlite_master WHERE name='people'").fetchone()[0]
    ps = c.execute("PRAGMA page_size").fetchone()[0]
    c.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * ps + 8)
        f.write(os.urandom(ps - 8))


def test_clean_exit_does_not_stamp_a_file_damaged_while_open(tmp_path: Path) -> None:
    db = tmp_path / "data" / "z.db"
    branch = demo_db(db)
    store = open_store(db, actor="tester")
    people.save(store, Person(name="运行中", branch_id=branch))
    store.close()
    _overwrite_people_root(db)  # while "open": nothing has checked it since
    dbmod.mark_verified(db)  # what the clean exit does
    assert not dbmod.verified_marker(db).exists()
    with pytest.raises(NotADatabaseError, match="已损坏"):
        open_store(db, actor="tester")  # the next start refuses it (65)


def test_a_stamp_is_cleared_when_damage_is_found(tmp_path: Path) -> None:
    db = tmp_path / "data" / "z.db"
    demo_db(db)
    dbmod.mark_verified(db)
    assert dbmod.verified_marker(db).exists()
    _overwrite_people_root(db)
    dbmod.mark_verified(db)
    assert not dbmod.verified_marker(db).exists()


def _real_corrupt_error(tmp_path: Path) -> sqlite3.DatabaseError:
    bad = tmp_path / "garbage.db"
    bad.write_bytes(b"x" * 4096)
    try:
        sqlite3.connect(bad).execute("SELECT * FROM sqlite_master").fetchall()
    except sqlite3.DatabaseError as e:
        return e
    raise AssertionError("garbage opened")


async def test_damage_found_while_running_exits_65_not_70(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screens.roster.roster import RosterScreen
    from tui.app import make_app

    db = tmp_path / "data" / "z.db"
    demo_db(db)
    store = open_store(db, actor="tester")
    dbmod.mark_verified(db)
    error = _real_corrupt_error(tmp_path)

    def broken(self: RosterScreen) -> None:
        raise error

    monkeypatch.setattr(RosterScreen, "on_mount", broken)
    app = make_app(db, store=store, today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("r")
            await pilot.pause()
    except sqlite3.DatabaseError:
        pass  # Pilot re-raises the app's exception; the return code is what counts
    finally:
        store.close()
    assert app.return_code == 65
    assert not dbmod.verified_marker(db).exists()
    assert not list(db.parent.glob("*crash*"))
