"""n/p paging shared by the list screens (widgets.paging.PagedList)."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from screens.meetings.listing import MeetingsScreen
from storage import meetings
from widgets.paging import PagedList


class _Rows(PagedList):
    page_size = 10

    def __init__(self, total: int) -> None:
        self.total, self.shown = total, []

    def page_total(self) -> int:
        return self.total

    def reload(self) -> None:
        self.shown.append(self.page_offset)


def test_pages_stop_at_both_ends() -> None:
    rows = _Rows(25)
    for _ in range(4):
        rows.action_next_page()
    assert rows.shown == [10, 20]  # no page starts at or after the 25th row
    for _ in range(3):
        rows.action_prev_page()
    assert rows.shown == [10, 20, 10, 0]
    empty = _Rows(0)
    empty.action_next_page()
    empty.action_prev_page()
    assert empty.shown == []


async def test_meetings_list_pages_with_brackets(make_demo_app, demo_store) -> None:
    total = meetings.count_finished(demo_store)
    assert total > 200  # the demo has three pages
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, MeetingsScreen)
        status = app.screen.query_one("#meetings-status", Static)
        table = app.screen.query_one("#meetings-table", DataTable)
        first = str(table.coordinate_to_cell_key((0, 0)).row_key.value)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "第 101–200 次" in str(status.render())
        assert str(table.coordinate_to_cell_key((0, 0)).row_key.value) != first
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert f"第 201–{total} 次" in str(status.render())
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert "第 1–100 次" in str(status.render())
        assert str(table.coordinate_to_cell_key((0, 0)).row_key.value) == first
