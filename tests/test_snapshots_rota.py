"""Snapshots of the 党课轮讲 screens at 80×24 (demo data, today fixed)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from screens.rota.lecture_review import LectureReviewScreen
from screens.rota.plan import RotaPlanScreen
from screens.rota.wizard import RotaWizardScreen
from storage import rota
from storage.db import open_store
from storage.demo_rota import add_demo_rota
from tests.conftest import TODAY
from tests.demo_cache import demo_db


@pytest.fixture
def snap_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "snap.db"
    store = open_store(demo_db(path, actor="snap", today=TODAY), actor="snap")
    with store.write() as c:
        add_demo_rota(store, c, today=TODAY, rng=random.Random(7))
    from tui.app import make_app

    app = make_app(path, store=store, today=TODAY)
    app.sub_title = "demo.db"  # the tmp path differs per run
    return app


def lecture_id(app, state: str) -> str:
    """The first lecture of the plan in *state* (the demo has one of each)."""
    plan = rota.list_plans(app.store)[0]
    return next(x.id for x in rota.lectures_of_plan(app.store, plan.id) if x.state.value == state)


def test_rota_wizard_proposal(snap_compare, snap_app) -> None:
    async def run_before(pilot) -> None:
        pilot.app.push_screen(RotaWizardScreen())
        await pilot.pause()

    assert snap_compare(
        snap_app, run_before=run_before, press=["ctrl+n", "ctrl+n"], terminal_size=(80, 24)
    )


def test_rota_plan_view(snap_compare, snap_app) -> None:
    async def run_before(pilot) -> None:
        pilot.app.push_screen(RotaPlanScreen())
        await pilot.pause()

    assert snap_compare(snap_app, run_before=run_before, press=["down"], terminal_size=(80, 24))


def test_lecture_review_returned(snap_compare, snap_app) -> None:
    async def run_before(pilot) -> None:
        pilot.app.push_screen(LectureReviewScreen(lecture_id(pilot.app, "初审退回")))
        await pilot.pause()

    assert snap_compare(snap_app, run_before=run_before, terminal_size=(80, 24))


def test_lecture_step_first_review(snap_compare, snap_app) -> None:
    async def run_before(pilot) -> None:
        pilot.app.push_screen(LectureReviewScreen(lecture_id(pilot.app, "已提交")))
        await pilot.pause()

    assert snap_compare(snap_app, run_before=run_before, press=["ctrl+t"], terminal_size=(80, 24))
