"""U1: an unhandled exception in a handler or a worker.

A handler's error ends the app (Textual always exits on one), but what was
typed is restored on the next start; a worker's error is reported and the app
stays up. The crash log (0600) holds no field values: only types, files and
line numbers.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.widgets import Input

from screens.roster.person_form import PersonForm
from storage import drafts
from storage.db import open_store
from tests.reliability_helpers import TODAY, demo_db, raw
from tui.crash import crash_log_path

SECRET = "困难帮扶甲乙"  # typed into the form; must never reach the log


async def _type_into_new_person_form(pilot) -> PersonForm:
    await pilot.press("a")
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, PersonForm)
    await pilot.press(*SECRET)
    await pilot.pause()
    assert form.query_one("#f-name", Input).value == SECRET
    return form


def _assert_private_log_without_values(db: Path, expected_type: str) -> None:
    log = crash_log_path(db)
    assert log.exists()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text(encoding="utf-8")
    assert expected_type in text
    assert SECRET not in text
    assert "13800001111" not in text  # nor any other value from the screen
    assert "person_form.py" in text or "test_reliability_exceptions.py" in text  # frames kept


async def _restored_on_next_start(db: Path, actor: str) -> str:
    from tui.app import make_app

    store = open_store(db, actor=actor)
    try:
        app = make_app(db, store=store, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("a")
            await pilot.pause()
            return app.screen.query_one("#f-name", Input).value
    finally:
        store.close()


async def test_exception_in_a_handler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.app import make_app

    db = tmp_path / "data" / "zhibu.db"
    demo_db(db)

    def buggy_save(self: PersonForm) -> None:
        values = self._collect()  # noqa: SLF001
        raise ValueError(f"bug while saving {values}")  # quotes the input, as real bugs do

    monkeypatch.setattr(PersonForm, "action_save", buggy_save)
    store = open_store(db, actor="tester")
    app = make_app(db, store=store, today=TODAY)
    try:
        with pytest.raises(ValueError):
            async with app.run_test(size=(80, 24)) as pilot:
                form = await _type_into_new_person_form(pilot)
                form.query_one("#f-phone", Input).value = "13800001111"
                await pilot.press("ctrl+s")
                await pilot.pause()
        assert app.return_code == 70
    finally:
        store.close()
    _assert_private_log_without_values(db, "ValueError")
    monkeypatch.undo()
    store = open_store(db, actor="tester")
    saved = drafts.load(store, "person", "new")
    store.close()
    assert saved is not None and saved["values"]["name"] == SECRET
    assert await _restored_on_next_start(db, "tester") == SECRET


async def test_exception_in_a_worker(tmp_path: Path) -> None:
    """A worker's error does not end the app (tui.app.ZhibuApp._worker_failed):
    the form and what was typed stay, the log holds no values."""
    from tui.app import make_app

    db = tmp_path / "data" / "zhibu.db"
    demo_db(db)
    store = open_store(db, actor="tester")
    app = make_app(db, store=store, today=TODAY)

    def export_that_fails() -> None:
        raise OSError(f"cannot write {SECRET}.docx")

    try:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            form = await _type_into_new_person_form(pilot)
            # A thread worker with Textual's default exit_on_error=True.
            form.run_worker(export_that_fails, thread=True)
            await pilot.pause(0.2)
            await pilot.pause()
            assert app.is_running and app.screen is form
            assert form.query_one("#f-name", Input).value == SECRET
            assert any("OSError" in n.message for n in app._notifications)  # noqa: SLF001
            assert not any(SECRET in n.message for n in app._notifications)  # noqa: SLF001
        assert app.return_code != 70
    finally:
        store.close()
    _assert_private_log_without_values(db, "OSError")


async def test_a_stored_row_that_breaks_todays_rules_does_not_end_the_app(tmp_path: Path) -> None:
    """Written with sqlite3 or by an older version: too long, unknown status."""
    from textual.widgets import DataTable

    from tui.app import make_app

    db = tmp_path / "data" / "zhibu.db"
    demo_db(db)
    c = raw(db)
    branch = c.execute("SELECT id FROM org_units WHERE name='采油一队党支部'").fetchone()[0]
    c.execute(
        "INSERT INTO people(id, name, status, branch_id, team, sort_key, created_at, updated_at,"
        " updated_by, version) VALUES ('odd', '旧数据', '外星人', ?, ?, '', 't', 't', 'x', 1)",
        (branch, "班" * 100),
    )
    c.close()
    store = open_store(db, actor="tester")
    app = make_app(db, store=store, today=TODAY)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("r")
            await pilot.pause()
            table = app.screen.query_one("#people-table", DataTable)
            names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
            assert "旧数据" in names
        assert app.return_code in (None, 0)
    finally:
        store.close()
