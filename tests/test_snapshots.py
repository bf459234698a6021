"""Snapshots of the main screens at 80×24 (pytest-textual-snapshot)."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import open_store
from tests.demo_cache import demo_db
from tests.factories import TODAY


@pytest.fixture
def snap_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    path = demo_db(tmp_path / "snap.db", actor="snap", today=TODAY)
    store = open_store(path, actor="snap")
    from tui.app import make_app

    app = make_app(path, store=store, today=TODAY)
    app.sub_title = "demo.db"  # the tmp path differs per run
    return app


def test_home(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app, terminal_size=(80, 24))


def test_roster(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app, press=["r"], terminal_size=(80, 24))


def test_person_form(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app, press=["r", "a", *"王小明"], terminal_size=(80, 24))
