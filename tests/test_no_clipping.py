"""Issue 16 item 3: at 80×24 no label, message, column header or footer
entry is cut off, on every screen the route registry opens."""

from __future__ import annotations

import pytest

from domain.navigation import Place
from tests.clipping import clipped
from tests.test_chinese_everywhere import MAIN_PLACES


@pytest.mark.parametrize("place", MAIN_PLACES, ids=lambda p: p.value)
async def test_nothing_clipped_at_80x24(make_demo_app, place: Place) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if place is not Place.HOME:
            app.go(place)
            await pilot.pause()
        await pilot.pause()
        assert clipped(app.screen) == []


async def test_roster_search_results_show_every_column(make_demo_app) -> None:
    from textual.widgets import DataTable

    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.go(Place.ROSTER)
        await pilot.pause()
        await pilot.press("slash", "z")
        for _ in range(20):
            await pilot.pause(0.05)
            table = app.screen.query_one("#people-table", DataTable)
            if len(table.columns) == 7 and table.row_count:
                break
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[-1] == "支部" and "岗位" in labels
        assert clipped(app.screen) == []
        await pilot.press("escape")
        await pilot.pause()
        assert len(table.columns) == 6
        assert clipped(app.screen) == []
