"""The export dialogs offer the file format by keyboard: Ctrl+T 格式 (in the
footer) cycles Word → Excel → both; the files written are the ones chosen,
and the .xlsx has its header row frozen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Input

from domain.people import PoliticalStatus
from screens.export_prompt import ExportPrompt
from screens.followups.export import LedgerExportScreen
from screens.oversight.participation import ParticipationScreen
from storage import org
from storage.db import Store
from tests import factories
from tests import xlsx_check as xc
from tests.factories import TODAY
from tests.test_dues_storage import ensure_demo_dues
from tui.app import ZhibuApp
from widgets.export_format import FormatSelect
from widgets.footer import shown_keys


def _footer(screen) -> list[str]:
    return [description for _key, description, _on, _tip in shown_keys(screen)]


async def test_ledger_dialog_ctrl_t_picks_excel_then_both(store: Store, tmp_path: Path) -> None:
    _top, (b1,) = factories.org_tree(store, ("采油一队党支部",))
    worker = b1.with_status(PoliticalStatus.MASSES)[0]
    factories.followup(store, b1, worker, found_on=TODAY - timedelta(days=3))
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for n, (expected, suffixes) in enumerate(
            [(("xlsx",), [".xlsx"]), (("docx", "xlsx"), [".docx", ".xlsx"])], 1
        ):
            app.push_screen(LedgerExportScreen())
            await pilot.pause()
            dialog = app.screen
            assert "格式" in _footer(dialog)
            folder = tmp_path / f"o{n}"
            dialog.query_one("#x-dir", Input).value = str(folder)
            await pilot.press(*["ctrl+t"] * n)  # from the branch field: focus stays
            await pilot.pause()
            assert dialog.query_one(FormatSelect).formats == expected
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert sorted(p.suffix for p in folder.iterdir()) == suffixes
            (book,) = folder.glob("*.xlsx")
            ws = xc.sheets(book)["一人一事台账"]
            xc.assert_frozen_header(ws, 2)
            assert xc.body(ws, 2)[0][1] == worker.name
            await pilot.press("escape")
            await pilot.pause()


async def test_participation_x_exports_the_report_tables_as_xlsx(
    demo_store: Store, tmp_path: Path
) -> None:
    ensure_demo_dues(demo_store)
    branch = org.branches(demo_store)[0]
    app = ZhibuApp(demo_store.path, demo_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ParticipationScreen(branch.id))
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportPrompt)
        assert "格式" in _footer(app.screen)
        folder = tmp_path / "报告"
        await pilot.press("ctrl+t")
        await pilot.press("end", "ctrl+u", *str(folder), "enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ParticipationScreen)
    assert [p.name for p in folder.iterdir()] == [f"季度报告_{branch.name}_2026Q4.xlsx"]
    book = xc.sheets(folder / f"季度报告_{branch.name}_2026Q4.xlsx")
    assert list(book)[:3] == ["三会一课", "组织生活", "党费"]
    for ws in book.values():
        xc.assert_frozen_header(ws, 2)


async def test_rota_plan_dialog_ctrl_t_writes_the_plan_as_xlsx(store: Store, tmp_path: Path) -> None:
    from domain.people import CommitteePost
    from screens.rota.export import ExportPlanScreen
    from storage import rota

    top, branches = factories.org_tree(store, ("采油一队党支部", "采油二队党支部"),
                                       general="第一作业区党总支")  # fmt: skip
    factories.rota(store, top, [b.with_post(CommitteePost.SECRETARY) for b in branches])
    (record,) = rota.list_plans(store, limit=5)
    app = ZhibuApp(store.path, store, today=TODAY)
    folder = tmp_path / "计划"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(ExportPlanScreen(record.id, record.title, folder))
        await pilot.pause()
        assert "格式" in _footer(app.screen)
        await pilot.press("ctrl+t", "ctrl+t")  # Excel, then both
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ExportPlanScreen)
    assert sorted(p.suffix for p in folder.iterdir()) == [".docx", ".xlsx"]
    (book,) = folder.glob("*.xlsx")
    ws = xc.sheets(book)["党课计划表"]
    xc.assert_frozen_header(ws, 2)
    assert xc.body(ws, 2)[0][0] == 1
