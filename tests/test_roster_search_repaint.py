"""Roster search: the table is repainted only when what it shows changes, and a
late answer for an older query never replaces a newer one."""

from __future__ import annotations

import threading

from textual.widgets import DataTable, Input, Static

from screens.roster.roster import SEARCH_LIMIT, RosterScreen
from storage import people


def _ids(store, q: str) -> list[str]:
    return [p.id for p in people.search(store, q, limit=SEARCH_LIMIT)]


def _steady_query(store) -> tuple[str, str]:
    """q and q + one letter with the same people, in the same order, at least two."""
    for row in store.query("SELECT key FROM person_keys WHERE rank = 1 ORDER BY key"):
        key = row["key"]
        for i in range(2, len(key)):
            a, b = key[:i], key[: i + 1]
            if len(_ids(store, a)) >= 2 and _ids(store, a) == _ids(store, b):
                return a, b
    raise AssertionError("the demo has no such query")


async def _search(app, pilot, value: str) -> None:
    app.screen.query_one("#roster-search", Input).value = value
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _status(app) -> str:
    return str(app.screen.query_one("#roster-status", Static).render())


async def _open_roster(app, pilot) -> DataTable:
    await pilot.press("r")
    await pilot.pause()
    assert isinstance(app.screen, RosterScreen)
    return app.screen.query_one("#people-table", DataTable)


def _table_ids(table: DataTable) -> list[str]:
    return [str(k.value) for k in table.rows]


async def test_same_people_keep_the_table_and_cursor(make_demo_app, demo_store) -> None:
    a, b = _steady_query(demo_store)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _open_roster(app, pilot)
        await _search(app, pilot, a)
        assert _table_ids(table) == _ids(demo_store, a)
        table.move_cursor(row=1)
        await _search(app, pilot, b)
        assert table.cursor_row == 1  # not cleared and refilled
        assert _table_ids(table) == _ids(demo_store, b)
        assert f"搜索“{b}”" in _status(app)  # the status line follows every key
        await _search(app, pilot, "")
        assert table.row_count and f"搜索“{b}”" not in _status(app)  # the branch list again


async def test_changed_cells_repaint_even_with_the_same_people(make_demo_app, demo_store) -> None:
    a, _b = _steady_query(demo_store)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = await _open_roster(app, pilot)
        await _search(app, pilot, a)
        first = people.get(demo_store, _table_ids(table)[0])
        people.save(demo_store, first.model_copy(update={"job": "[b]新岗位"}))
        await _search(app, pilot, a + " ")  # the same query again
        assert _table_ids(table) == _ids(demo_store, a)
        assert str(table.get_row_at(0)[4]) == "[b]新岗位"  # literally, not as markup


async def test_a_late_answer_for_an_older_query_is_dropped(
    make_demo_app, demo_store, monkeypatch
) -> None:
    release = threading.Event()
    search = people.search

    def slow_for_one_letter(store, text, **kw):
        if text == "l":
            release.wait(5)
        return search(store, text, **kw)

    monkeypatch.setattr(people, "search", slow_for_one_letter)
    app = make_demo_app()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            table = await _open_roster(app, pilot)
            box = app.screen.query_one("#roster-search", Input)
            want = _ids(demo_store, "li")
            assert want != _ids(demo_store, "l")
            box.value = "l"  # its worker now waits for `release`
            await pilot.pause()
            box.value = "li"
            for _ in range(100):  # the answer for "li" comes first
                await pilot.pause(0.02)
                if _table_ids(table) == want:
                    break
            assert _table_ids(table) == want
            release.set()  # the answer for "l" arrives last
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert _table_ids(table) == want
            assert "搜索“li”" in _status(app)
    finally:
        release.set()
