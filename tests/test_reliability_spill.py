"""R3 (issue 14): a draft that cannot be written anywhere says so and stays in memory;
the spill is private to the user; a damaged or foreign spill never crashes the app.

Failed before: on a really full disk (SQLite and the spill both refused) nothing was
shown, Esc said 「草稿已保存」, and everything typed since was lost on quit; a spill
planted by another group member was loaded; a malformed one ended the app (exit 70).
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from textual.widgets import Input

from screens.roster.person_form import PersonForm
from services import draft_keeper
from services.draft_keeper import DraftKeeper, spill_dir, spill_path
from storage import drafts
from storage.db import FULL_MESSAGE, open_store
from storage.errors import DiskFullError
from tests.reliability_helpers import TODAY, demo_db, raw


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither SQLite nor the spill file can take a byte."""

    def save(*_a: object, **_k: object) -> None:
        raise DiskFullError(FULL_MESSAGE)

    def spill(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(draft_keeper.drafts, "save", save)
    monkeypatch.setattr(draft_keeper, "write_atomic", spill)


def test_sqlite_full_and_spill_full_keeps_the_text_says_so_and_retries(tmp_path: Path) -> None:
    db = tmp_path / "data" / "zhibu.db"
    demo_db(db)
    c = raw(db)
    c.execute("VACUUM")
    cap = c.execute("PRAGMA page_count").fetchone()[0]
    c.close()
    store = open_store(db, actor="tester")
    store.conn.execute(f"PRAGMA max_page_count={cap}")  # real SQLITE_FULL
    timers: list[object] = []
    keeper = DraftKeeper(store, lambda _d, fn: timers.append(fn))
    real_spill = draft_keeper.write_atomic
    try:
        draft_keeper.write_atomic = _enospc  # type: ignore[assignment]
        big = {"text": "会议记录。" * 3000}
        keeper.touch("meeting", "m1", "会议", big)
        timers.pop()()  # the debounce fires
        assert keeper.status == "草稿未能保存：磁盘已满"
        assert keeper.load("meeting", "m1") == big  # kept in memory
        assert not keeper.spill_path.exists()
        assert "已保存" not in (keeper.close_message("meeting", "m1") or "")
        assert timers, "a retry is scheduled"
        # Space again: the retry writes it and the status goes away.
        draft_keeper.write_atomic = real_spill  # type: ignore[assignment]
        store.conn.execute("PRAGMA max_page_count=1073741823")
        timers.pop()()
        assert keeper.status is None
        assert drafts.load(store, "meeting", "m1", keeper.session.id) == big
    finally:
        draft_keeper.write_atomic = real_spill  # type: ignore[assignment]
        store.close()


def _enospc(*_a: object, **_k: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


async def test_form_on_a_really_full_disk_shows_a_lasting_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.app import make_app

    db = tmp_path / "data" / "zhibu.db"
    demo_db(db)
    store = open_store(db, actor="tester")
    monkeypatch.setattr(draft_keeper, "RETRY_S", 0.2)
    app = make_app(db, store=store, today=TODAY)
    try:
        async with app.run_test(size=(100, 24), notifications=True) as pilot:
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, PersonForm)
            with monkeypatch.context() as m:
                _disk_full(m)
                await pilot.press(*"满盘")
                await pilot.pause(0.8)  # past the debounce
                assert "草稿未能保存：磁盘已满" in app.sub_title
                # The form covers the header: a lasting toast says it on the form.
                toasts = [str(t.render()) for t in app.screen.query("Toast")]
                assert any("草稿未能保存：磁盘已满" in t for t in toasts), toasts
                await pilot.press("escape")
                await pilot.pause()
                said = [n.message for n in app._notifications]  # noqa: SLF001
                assert not any("草稿已保存" in x for x in said)
                assert any("草稿未能保存：磁盘已满" in x for x in said)
                await pilot.pause(0.5)
                assert "草稿未能保存：磁盘已满" in app.sub_title  # stays until written
            await pilot.pause(0.6)  # space again: the retry writes it
            assert "草稿未能保存" not in app.sub_title
            saved = drafts.load(store, "person", "new", app.drafts.session.id)
            assert saved and saved["values"]["name"] == "满盘"
    finally:
        store.close()


def _plant(folder: Path, name: str, body: bytes, mode: int = 0o600) -> Path:
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / name
    path.write_bytes(body)
    os.chmod(path, mode)
    return path


def _entry(text: str) -> bytes:
    entry = {"workflow": "person", "key": "new", "title": text, "data": {"values": {"name": text}}}
    return json.dumps([entry], ensure_ascii=False).encode()


async def test_malformed_spill_is_set_aside_with_a_message(tmp_path: Path) -> None:
    from tui.app import make_app

    db = tmp_path / "data" / "zhibu.db"
    demo_db(db)
    store = open_store(db, actor="tester")
    folder = spill_dir(store)
    bad = [b"{not json", b'{"workflow": 1}', b'[{"workflow": "person"}]', b'[1, 2]',
           b'[{"workflow": "person", "key": "new", "title": "x", "data": "str"}]']  # fmt: skip
    for i, body in enumerate(bad):
        _plant(folder, f"bad{i}.json", body)
    try:
        app = make_app(db, store=store, today=TODAY)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            said = [n.message for n in app._notifications]  # noqa: SLF001
            assert sum("草稿暂存文件已损坏" in x for x in said) == len(bad)
            await pilot.press("a")
            await pilot.pause()
            assert app.screen.query_one("#f-name", Input).value == ""
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            f"bad{i}.json.damaged" for i in range(len(bad))
        )
    finally:
        store.close()


def test_spill_others_can_write_or_planted_next_to_the_db_is_not_loaded(tmp_path: Path) -> None:
    db = tmp_path / "data" / "zhibu.db"
    demo_db(db)
    store = open_store(db, actor="tester")
    try:
        # The old place, next to the database, is where a group member could plant one.
        planted = db.with_name(f"{db.name}.drafts-tester.json")
        planted.write_bytes(_entry("冒名"))
        os.chmod(planted, 0o600)
        _plant(spill_dir(store), "writable.json", _entry("他人可写"), mode=0o622)
        keeper = DraftKeeper(store, lambda _d, _fn: None)
        assert keeper.load("person", "new") is None
        assert any("他人可写" in n for n in keeper.notices)
        # A folder others can write is ignored as a whole.
        os.chmod(spill_dir(store), 0o777)
        os.chmod(spill_dir(store) / "writable.json", 0o600)
        keeper2 = DraftKeeper(store, lambda _d, _fn: None)
        assert keeper2.load("person", "new") is None
        assert any("不是您私有的" in n for n in keeper2.notices)
        # The owner's own private spill is restored.
        os.chmod(spill_dir(store), 0o700)
        keeper3 = DraftKeeper(store, lambda _d, _fn: None)
        assert keeper3.load("person", "new") == {"values": {"name": "他人可写"}}
        own = spill_path(store, keeper3.session)
        assert not own.exists() and not (spill_dir(store) / "writable.json").exists()
    finally:
        store.close()
