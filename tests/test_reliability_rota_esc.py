"""R10: Esc in the rota wizard and the lecture review says 已保存 only when
the draft is really written.

Before: the wizard's Esc always said 「轮讲计划草稿已保存」, even when the
draft reached neither SQLite nor the spill (a really full disk), and even when
nothing had been entered (it then made a draft of the untouched wizard). The
lecture review said 「草稿已保存」 when the draft was only in memory. Every
message is checked against what the database holds.
"""

from __future__ import annotations

import errno
import random

import pytest

from screens.rota.lecture_review import LectureReviewScreen
from screens.rota.wizard import RotaWizardScreen
from services import draft_keeper
from storage import drafts, rota
from storage.db import FULL_MESSAGE
from storage.demo_rota import add_demo_rota
from storage.errors import DiskFullError
from tests.conftest import TODAY


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither SQLite nor the spill file can take a draft."""

    def save(*_a: object, **_k: object) -> None:
        raise DiskFullError(FULL_MESSAGE)

    def spill(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(draft_keeper.drafts, "save", save)
    monkeypatch.setattr(draft_keeper, "write_atomic", spill)


def _said(app) -> list[str]:
    return [n.message for n in app._notifications]  # noqa: SLF001


def _claims_saved(app) -> bool:
    return any("已保存" in m and "未能保存" not in m for m in _said(app))


def _rows(store, workflow: str) -> int:
    return int(store.scalar("SELECT count(*) FROM drafts WHERE workflow=?", (workflow,)) or 0)


def _one_lecture(store):
    with store.write() as c:
        add_demo_rota(store, c, today=TODAY, rng=random.Random(7))
    return rota.lectures_of_plan(store, rota.list_plans(store)[0].id)[11]


async def test_wizard_esc_with_nothing_entered_claims_nothing(make_demo_app, demo_store) -> None:
    app = make_demo_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        app.push_screen(RotaWizardScreen())
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RotaWizardScreen)
        assert _rows(demo_store, "rota") == 0  # nothing was entered, nothing stored …
        assert not _claims_saved(app)  # … and nothing claimed


async def test_wizard_esc_on_a_full_disk_does_not_claim_saved(
    make_demo_app, demo_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_demo_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        app.push_screen(RotaWizardScreen())
        await pilot.pause()
        with monkeypatch.context() as m:
            _disk_full(m)
            await pilot.press("ctrl+n")  # to step 2: there is something to keep now
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert _rows(demo_store, "rota") == 0
            assert not _claims_saved(app)
            assert any("草稿未能保存" in x for x in _said(app))
        assert app.drafts.dirty  # still in memory, and retried


async def test_wizard_esc_after_a_change_says_saved_and_it_is(make_demo_app, demo_store) -> None:
    app = make_demo_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        app.push_screen(RotaWizardScreen())
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert _claims_saved(app)
        assert drafts.load(demo_store, "rota", "new", app.drafts.session.id)["step"] == 1


async def test_lecture_review_esc_on_a_full_disk_does_not_claim_saved(
    make_demo_app, demo_store, monkeypatch: pytest.MonkeyPatch
) -> None:
    lecture = _one_lecture(demo_store)
    app = make_demo_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        app.push_screen(LectureReviewScreen(lecture.id))
        await pilot.pause()
        with monkeypatch.context() as m:
            _disk_full(m)
            await pilot.press(*"满盘题目")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert _rows(demo_store, "lecture") == 0
            assert not _claims_saved(app)
            assert any("草稿未能保存" in x for x in _said(app))


async def test_lecture_review_esc_says_saved_only_when_it_is(make_demo_app, demo_store) -> None:
    lecture = _one_lecture(demo_store)
    app = make_demo_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        app.push_screen(LectureReviewScreen(lecture.id))
        await pilot.pause()
        await pilot.press("escape")  # nothing typed
        await pilot.pause()
        assert _rows(demo_store, "lecture") == 0 and not _claims_saved(app)
        app.push_screen(LectureReviewScreen(lecture.id))
        await pilot.pause()
        await pilot.press(*"题目")
        await pilot.press("escape")
        await pilot.pause()
        assert _claims_saved(app)
        saved = drafts.load(demo_store, "lecture", lecture.id, app.drafts.session.id)
        assert saved["fields"]["topic"] == "题目"
