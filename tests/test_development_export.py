"""`zhibu export development`: the ledger (.docx, .xlsx) and one 记实表 per person."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from domain.development import Stage, StageEvent
from domain.people import PoliticalStatus
from exports import development as dx
from storage import development as dev_store
from storage.db import Store
from tests import factories
from tests import xlsx_check as xc
from tui import cli

pytestmark = pytest.mark.both_engines


def _records(store: Store) -> factories.Branch:
    b = factories.branch(store, "采油一队党支部")
    pid = b.with_status(PoliticalStatus.MASSES)[0].id
    for e in (
        StageEvent(stage=Stage.APPLIED, on=date(2025, 9, 1)),
        StageEvent(stage=Stage.TALK, on=date(2025, 9, 20)),
        StageEvent(stage=Stage.ACTIVIST, on=date(2025, 11, 1), people=("张伟", "王芳")),
    ):
        dev_store.record(store, pid, e)
    return b


def test_export_development_writes_ledger_and_sheets(store: Store, tmp_path: Path) -> None:
    b = _records(store)
    name = b.with_status(PoliticalStatus.MASSES)[0].name  # now an 积极分子
    out = tmp_path / "out"
    code = cli.main(["--db", str(store.target), "export", "development", "-o", str(out),
                     "--branch", "采油一队党支部"])  # fmt: skip
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([
        "发展党员台账_采油一队党支部.docx", "发展党员台账_采油一队党支部.xlsx",
        f"发展党员工作记实表_采油一队党支部_{name}.docx",
    ])  # fmt: skip
    ledger = docx.Document(str(out / "发展党员台账_采油一队党支部.docx"))
    row = [c.text for c in ledger.tables[0].rows[1].cells]
    assert row[1:4] == [name, "2025年9月1日", "2025年11月1日"] and row[-1] == "确定入党积极分子"
    ws = load_workbook(out / "发展党员台账_采油一队党支部.xlsx").active
    xc.assert_frozen_header(ws, 2)  # title and header stay in view
    assert xc.row(ws, 2) == dx.LEDGER_HEADERS
    record = dev_store.for_branch(store, b.id)[0]
    assert xc.row(ws, 3) == [
        1, name, record.date_of(Stage.APPLIED), record.date_of(Stage.ACTIVIST),
        None, None, None, None, "确定入党积极分子",
    ]  # fmt: skip
    assert ws["C3"].is_date and ws["A3"].data_type == "n"  # a date, a number
    xc.assert_typed(ws, 2)
    assert ws.max_row == 3
    sheet = docx.Document(str(out / f"发展党员工作记实表_采油一队党支部_{name}.docx"))
    text = "\n".join(p.text for p in sheet.paragraphs)
    assert "培养联系人：张伟、王芳" in text
    stages = [r.cells[1].text for r in sheet.tables[1].rows[1:]]
    assert stages == ["递交入党申请书", "谈话", "确定入党积极分子"]


def test_export_development_unknown_branch_is_a_chinese_usage_error(
    store: Store, tmp_path: Path, capsys
) -> None:
    _records(store)
    code = cli.main(["--db", str(store.target), "export", "development", "-o", str(tmp_path / "o"),
                     "--branch", "没有这个支部"])  # fmt: skip
    assert code != 0
    assert "支部" in capsys.readouterr().err
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").iterdir())


def test_minutes_header_shows_the_probation_with_its_extension() -> None:
    """An extension meeting's minutes: the period it extends and by how much."""
    from domain.meeting_kinds import MeetingKind
    from domain.meetings import ConfirmationResult, new_meeting
    from exports.minutes import _header_rows

    m = new_meeting(MeetingKind.CONFIRMATION, "b1", "第一党支部", date(2026, 7, 1))
    m = m.model_copy(update={"probation_start": date(2025, 7, 1)})
    cells = [c for row in _header_rows(m) for c in row]
    assert "2025年7月1日至2026年7月1日" in cells
    extending = m.model_copy(
        update={"confirmation_result": ConfirmationResult.EXTENDED, "extension_months": 6}
    )
    cells = [c for row in _header_rows(extending) for c in row]
    assert "2025年7月1日至2026年7月1日，决议延长6个月至2027年1月1日" in cells
    again = m.model_copy(update={"probation_extended_months": 6, "date": date(2027, 1, 5)})
    cells = [c for row in _header_rows(again) for c in row]
    assert "2025年7月1日至2027年1月1日（已延长6个月）" in cells


def test_export_development_format_xlsx_writes_only_the_spreadsheet_ledger(
    store: Store, tmp_path: Path
) -> None:
    b = _records(store)
    name = b.with_status(PoliticalStatus.MASSES)[0].name
    out = tmp_path / "out"
    code = cli.main(["--db", str(store.target), "export", "development", "-o", str(out),
                     "--branch", "采油一队党支部", "--format", "xlsx"])  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([
        "发展党员台账_采油一队党支部.xlsx", f"发展党员工作记实表_采油一队党支部_{name}.docx",
    ])  # fmt: skip


def test_the_config_files_probation_months_reach_the_exported_ledger(
    store: Store, tmp_path: Path
) -> None:
    """`zhibu export development` prints 预备期满 by the file's
    [rules.development], as the person screen shows it."""
    from tests.test_development_pilot import _probationer

    b = factories.branch(store, "采油一队党支部")
    _probationer(store, b.unit.id, date(2026, 3, 1))
    conf = tmp_path / "xdg-config" / "zhibu" / "config.toml"  # conftest's XDG_CONFIG_HOME
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("[rules.development]\nprobation_months = 18\n", encoding="utf-8")
    out = tmp_path / "out"
    code = cli.main(["--db", str(store.target), "export", "development", "-o", str(out),
                     "--branch", "采油一队党支部", "--format", "xlsx"])  # fmt: skip
    assert code == 0
    sheet = load_workbook(out / "发展党员台账_采油一队党支部.xlsx").active
    ends = [c.value for row in sheet.iter_rows() for c in row if hasattr(c.value, "year")]
    assert date(2027, 9, 1) in [d.date() if hasattr(d, "date") else d for d in ends]
    record = next(out.glob("发展党员工作记实表_*测预备.docx"))
    text = "\n".join(c.text for t in docx.Document(str(record)).tables for r in t.rows
                     for c in r.cells)  # fmt: skip
    assert "2027年9月1日" in text
