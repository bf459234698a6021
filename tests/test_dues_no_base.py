"""Issue 16 item 7: a member with no dues base reads 「未设基数」 (not 「已缴 0.00」)
in the grid and the member record, and is listed as a problem on 今日 and in the
quarterly report's dues section."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from textual.widgets import DataTable, OptionList, Static

from domain.dues import make_record
from domain.periods import Period
from screens.oversight.dues_grid import DuesGridScreen
from screens.oversight.member_record import MemberRecordScreen
from services.export_report import export_reports
from storage import dues as dues_store
from tests import factories as f
from tests.factories import TODAY

NOV = dt.date(2026, 11, 1)


def _branch_with_one_unset(store):  # type: ignore[no-untyped-def]
    """Every member has a base from January but one, who has none at all."""
    b = f.branch(store, "一支部")
    f.dues(store, b, f.months(dt.date(2026, 1, 1), dt.date(2026, 10, 1)))
    unset = b.members[3]
    with store.write() as c:
        c.execute("DELETE FROM dues WHERE person_id=?", (unset.id,))
    return b, unset


def _row(table: DataTable, key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


async def test_the_grid_says_no_base_instead_of_paid_zero(store) -> None:
    """Failed before: the row read 未设 … 0.00 0.00 已缴."""
    from tui.app import ZhibuApp

    b, unset = _branch_with_one_unset(store)
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(DuesGridScreen(b.id, month=NOV))
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#dg-table", DataTable)
        row = _row(table, unset.id)
        assert row[2] == "未设基数"
        assert "已缴" not in row and "0.00" not in row
        other = next(p for p in b.members if p.is_member and p.id != unset.id)
        assert _row(table, other.id)[6] == "未缴"  # November not entered yet
        summary = str(app.screen.query_one("#dg-summary", Static).render())
        assert "未设基数 1 人" in summary


async def test_the_member_record_says_no_base(store) -> None:
    from tui.app import ZhibuApp

    b, unset = _branch_with_one_unset(store)
    # A saved month with a base of 0 (a rated kind): nothing can be due or paid.
    dues_store.save_month(store, b.id, [make_record(unset.id, dt.date(2026, 10, 1), 0)])
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(MemberRecordScreen(unset.id))
        await pilot.pause()
        await pilot.pause()
        line = str(app.screen.query_one("#mr-dues-line", Static).render())
        assert "未设基数" in line
        assert "已缴 0.00" not in line
        table = app.screen.query_one("#mr-dues", DataTable)
        october = _row(table, "2026-10-01")
        assert october[1] == "未设基数" and "已缴" not in october


async def test_home_lists_members_without_a_base(store) -> None:
    from tui.app import ZhibuApp

    b, unset = _branch_with_one_unset(store)
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lst = app.screen.query_one("#due-list", OptionList)
        lines = [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]
        mine = [x for x in lines if unset.name in x]
        assert len(mine) == 1 and "未设基数" in mine[0]
        others = [p for p in b.members if p.is_member and p.id != unset.id]
        assert not any(p.name in x and "未设基数" in x for p in others for x in lines)


@pytest.mark.both_engines
def test_the_quarterly_report_lists_members_without_a_base(store, tmp_path: Path) -> None:
    b, unset = _branch_with_one_unset(store)
    q3 = Period.quarter(2026, 3)
    path = export_reports(store, tmp_path, period=q3, today=TODAY, org_ids=[b.id])[0].path
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    start = paragraphs.index("三、党费收缴情况")
    end = paragraphs.index("四、决议和待办落实情况")
    section = "\n".join(paragraphs[start:end])
    assert f"未设基数的党员1人：{unset.name}" in section


@pytest.mark.both_engines
def test_the_general_report_counts_them_per_branch(store, tmp_path: Path) -> None:
    top = f.general_branch(store)
    b = f.branch(store, "一支部", parent=top)
    f.dues(store, b, f.months(dt.date(2026, 1, 1), dt.date(2026, 10, 1)))
    with store.write() as c:
        c.execute("DELETE FROM dues WHERE person_id=?", (b.members[3].id,))
    files = export_reports(store, tmp_path, period=Period.quarter(2026, 3), today=TODAY,
                           org_ids=[top.id])  # fmt: skip
    general = next(x for x in files if x.kind == "党总支")
    text = "\n".join(p.text for p in docx.Document(str(general.path)).paragraphs)
    assert "未设基数（党费无法计算）的党员：一支部1人。" in text
