"""The ledger export dialog, driven by keys: the 外发版 box starts ticked and
says so in text, the default file hides private cases, the 内部版 is the
书记's only and says so in every page header, the status names the full
path and Ctrl+Y copies it; the export folder is the user's own, 0700."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import docx
import pytest
from textual.widgets import Footer, Static

from domain.people import CommitteePost, PoliticalStatus
from exports import ledger
from screens.followups.export import LedgerExportScreen
from services import export_folder
from services.errors import CannotWrite
from storage import accounts
from tests import factories
from tests.factories import TODAY
from tui.app import ZhibuApp
from widgets.checkbox import TextCheckbox

SECRET = "配偶患癌住院，急需用钱"


@pytest.fixture
def cast(store):
    members = (*factories.DEFAULT_MEMBERS, (PoliticalStatus.MASSES, None))
    _top, (b1,) = factories.org_tree(store, ("采油一队党支部",), members=members)
    sec = b1.with_post(CommitteePost.SECRETARY)
    member = next(p for p in b1.with_status(PoliticalStatus.FULL) if p.post is None)
    worker = b1.with_status(PoliticalStatus.MASSES)[0]
    fu = factories.followup(
        store, b1, worker, responsible=member, found_on=TODAY - timedelta(days=3),
        private=True, description=SECRET,
    )  # fmt: skip
    return {"store": store, "branch": b1, "sec": sec, "member": member, "worker": worker, "fu": fu}


@pytest.fixture
def out_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home" / "zhibu-导出"
    monkeypatch.setenv(export_folder.ENV, str(folder))
    return folder


def _status(dialog: LedgerExportScreen) -> str:
    return str(dialog.query_one("#x-status", Static).render())


def _headers(path: Path) -> list[str]:
    return [s.header.paragraphs[0].text if s.header.paragraphs else ""
            for s in docx.Document(str(path)).sections]  # fmt: skip


def _doc_text(path: Path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


async def _export(app: ZhibuApp, pilot, *, untick: bool = False) -> LedgerExportScreen:
    app.push_screen(LedgerExportScreen())
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, LedgerExportScreen)
    if untick:
        dialog.query_one("#x-redact", TextCheckbox).focus()
        await pilot.press("space")
        await pilot.pause()
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await pilot.pause()
    return dialog


async def test_default_export_is_the_outward_copy_and_the_path_can_be_copied(
    cast, out_dir: Path
) -> None:
    store = cast["store"]
    factories.grant_secretary(store, store.actor, cast["sec"])  # even the granted 书记
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(LedgerExportScreen())
        await pilot.pause()
        box = app.screen.query_one("#x-redact", TextCheckbox)
        assert box.value and box.render().plain.startswith("[√] 外发版 隐去保密")
        assert app.screen.query_one("#x-dir").value == str(out_dir)
        app.pop_screen()
        await pilot.pause()
        assert not app.check_action("copy_export_path", ())  # nothing exported yet
        dialog = await _export(app, pilot)
        (path,) = out_dir.glob("*.docx")
        status = _status(dialog)
        assert str(path) in status and "Ctrl+Y 复制路径" in status
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert app.clipboard == str(path)
        dialog.dismiss(None)
        await pilot.pause()
        keys = [str(k.render()) for k in app.screen.query(Footer).first().query("FooterKey")]
        assert any("复制路径" in k for k in keys), keys
    text = _doc_text(path)
    assert SECRET not in text and cast["worker"].name not in text
    assert ledger.REDACTED_TEXT in text and "（保密）" in text
    assert ledger.INTERNAL_HEADER not in "".join(_headers(path))
    assert "内部版" not in path.name


async def test_the_secretary_unticks_for_the_internal_copy(cast, out_dir: Path) -> None:
    store = cast["store"]
    factories.grant_secretary(store, store.actor, cast["sec"])
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        dialog = await _export(app, pilot, untick=True)
        assert "内部版" in _status(dialog)
    (path,) = out_dir.glob("*_内部版.docx")
    headers = _headers(path)
    assert headers and all(h == "内部版 含保密内容" for h in headers)
    assert SECRET in _doc_text(path) and cast["worker"].name in _doc_text(path)


async def test_the_responsible_member_cannot_export_the_internal_copy(
    cast, out_dir: Path
) -> None:
    store = cast["store"]
    accounts.map_account(store, store.actor, cast["member"].id)
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        dialog = await _export(app, pilot, untick=True)
        assert "只能由本支部书记导出" in _status(dialog)
    assert not list(out_dir.glob("*.docx"))


# --- the export folder ---------------------------------------------------------


def test_export_folder_is_created_0700_and_absolute(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(export_folder.ENV, str(tmp_path / "a" / "导出"))
    old = os.umask(0o002)
    try:
        folder = export_folder.ensure_export_dir()
    finally:
        os.umask(old)
    assert folder == tmp_path / "a" / "导出" and folder.is_absolute()
    assert folder.stat().st_mode & 0o777 == 0o700
    folder.chmod(0o755)  # loosened by hand: the default folder is tightened again
    export_folder.ensure_export_dir()
    assert folder.stat().st_mode & 0o777 == 0o700
    monkeypatch.delenv(export_folder.ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    assert export_folder.default_export_dir() == tmp_path / "h" / "zhibu-导出"


def test_relative_folder_is_made_absolute(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(export_folder.ENV, "exports")
    assert export_folder.default_export_dir() == tmp_path / "exports"


def test_another_accounts_private_folder_is_refused(tmp_path: Path, monkeypatch) -> None:
    """The second-account repro: the first exporter's folder is 0700 and theirs."""
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o700)
    me = os.getuid()
    # Simulate a different owner: the folder reports another uid.
    real_stat = Path.stat

    def stat(self: Path, *a, **kw):
        st = real_stat(self, *a, **kw)
        if self == theirs:
            return os.stat_result((st.st_mode, *st[1:4], me + 4242, *st[5:]))
        return st

    monkeypatch.setattr(Path, "stat", stat)
    with pytest.raises(CannotWrite, match="私有导出文件夹"):
        export_folder.ensure_export_dir(theirs)
    assert list(theirs.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a folder to another uid")
def test_root_never_writes_into_a_real_second_accounts_folder(
    cast, tmp_path: Path, capsys
) -> None:
    """A real second owner (chown): root could write anywhere, the app does not."""
    from tui import cli

    theirs = tmp_path / "their-exports"
    theirs.mkdir(mode=0o700)
    os.chown(theirs, 54321, 54321)
    code = cli.main(["--db", str(cast["store"].path), "export", "ledger", "-o", str(theirs)])
    err = capsys.readouterr().err
    assert code == 74 and "uid54321 的私有导出文件夹" in err and "Traceback" not in err
    assert list(theirs.iterdir()) == []


def test_minutes_rota_ledger_and_report_share_the_folder() -> None:
    """No export writes to a relative exports/ beside the database any more."""
    root = Path(__file__).resolve().parent.parent
    for rel in ("screens/meetings/run.py", "screens/rota/plan.py", "services/meetings.py",
                "screens/followups/export.py", "screens/oversight/participation.py"):  # fmt: skip
        source = (root / rel).read_text(encoding="utf-8")
        assert '"exports"' not in source and "zhibu-导出" not in source, rel
        assert "export_folder" in source or "default_export_dir" in source, rel


async def test_ledger_dialog_and_its_path_message_fit_80x24(cast, out_dir: Path) -> None:
    from tests.clipping import clipped

    store = cast["store"]
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = await _export(app, pilot)
        assert "Ctrl+Y" in _status(dialog)
        assert clipped(dialog) == []
