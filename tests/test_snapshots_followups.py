"""Snapshots of the 一人一事 screens at 80×24 (pytest-textual-snapshot).

The account "snap" is not mapped to a person, so private cases show
redacted — which is also what these pictures check.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from domain.navigation import Place
from storage.db import open_store
from storage.demo_followups import add_demo_followups
from tests.demo_cache import demo_db
from tests.factories import TODAY
from tests.test_followups_pilot import wired_app


@pytest.fixture
def snap_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    store = open_store(demo_db(tmp_path / "snap.db", actor="snap", today=TODAY), actor="snap")
    if not store.scalar("SELECT count(*) FROM followups"):  # until build_demo adds them
        with store.write() as c:
            add_demo_followups(store, c, today=TODAY, rng=random.Random(7))
    app = wired_app(store)
    app.sub_title = "demo.db"  # the tmp path differs per run
    return app


def test_followup_quick_form(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app, press=["f"], terminal_size=(80, 24))


def test_followup_list(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app, press=["o", "3"], terminal_size=(80, 24))


def test_followup_timeline(snap_compare, snap_app) -> None:
    async def open_escalated(pilot) -> None:
        fu_id = pilot.app.store.scalar("SELECT id FROM followups WHERE status='转上级'")
        pilot.app.go(Place.FOLLOWUP, fu_id)
        await pilot.pause()

    assert snap_compare(snap_app, run_before=open_escalated, terminal_size=(80, 24))
