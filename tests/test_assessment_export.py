"""党员考核表 exports reopened: the .docx (python-docx) with every table
filled, the .xlsx (openpyxl) cell by cell with a frozen header, widths and
numbers as numbers; `zhibu export assessment` and its exit codes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import openpyxl
import pytest

from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.periods import Period
from services import assessment as svc
from services.export_assessment import export_for_command
from storage.db import Store
from tests import factories as f
from tui import exit_codes
from tui.cli import main

pytestmark = pytest.mark.both_engines

Q4 = Period.quarter(2026, 4)


def _setup(store: Store) -> f.Branch:
    _top, (b, _other) = f.org_tree(store)
    f.finished_meeting(store, b, MeetingKind.THEME_DAY, dt.date(2026, 10, 9),
                       absent={b.members[3].id: AttendanceState.ABSENT})  # fmt: skip
    f.dues(store, b, f.months(dt.date(2026, 10, 1), dt.date(2026, 10, 1)))
    svc.add_adjustment(store, b.id, b.members[1].id, Q4, "+4", "抢险表现突出", today=f.TODAY)
    return b


def _table_text(table: docx.table.Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_quarter_docx_has_every_table_filled(store: Store, today: dt.date, tmp_path: Path) -> None:
    b = _setup(store)
    files = export_for_command(store, tmp_path, period=Q4, today=today, fmt="docx",
                               branch_name=b.unit.name)  # fmt: skip
    assert [p.suffix for p in files] == [".docx"]
    d = docx.Document(str(files[0]))
    body = "\n".join(p.text for p in d.paragraphs)
    assert "一支部党员考核表" in body and "2026年第四季度" in body and "测试党总支" in body
    scores, adjustments, rules = (_table_text(t) for t in d.tables)
    assert scores[0][:2] == ["序号", "姓名"] and scores[0][-1] == "星级"
    assert len(scores) == 1 + 6  # the six members
    for table in (scores, adjustments, rules):
        for row in table:
            assert all(cell.strip() for cell in row), row
    bq = svc.branch_quarter(store, b.id, Q4, today)
    by_name = {r[1]: r for r in scores[1:]}
    for r in bq.rows:
        line = by_name[r.person.name]
        assert line[10] == str(r.score.final) and line[11] == r.score.star_label
    adjusted = by_name[b.members[1].name]
    assert adjusted[9] == "+4"
    assert adjustments[1][1:4] == [b.members[1].name, "+4", "抢险表现突出"]
    assert rules[1] == ["基础分", "60 分"]


def test_quarter_xlsx_cell_by_cell(store: Store, today: dt.date, tmp_path: Path) -> None:
    b = _setup(store)
    (path,) = export_for_command(store, tmp_path, period=Q4, today=today, fmt="xlsx",
                                 branch_name=b.unit.name)  # fmt: skip
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["考核得分", "人工调整", "考核细则"]
    ws = wb["考核得分"]
    assert ws.freeze_panes == "A3"
    assert ws["A1"].value == "一支部党员考核表（2026年第四季度）"
    headers = [c.value for c in ws[2]]
    assert headers[:3] == ["序号", "姓名", "基础分"] and headers[-1] == "星级"
    bq = svc.branch_quarter(store, b.id, Q4, today)
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(bq.rows) == 6
    for i, (r, m) in enumerate(zip(rows, bq.rows, strict=True), 1):
        s = m.score
        assert r == (i, m.person.name, s.base, s.attendance, s.dues, s.activities, s.pledge,
                     -s.deductions, s.computed, s.adjustment, s.final, s.star_label)  # fmt: skip
        assert all(isinstance(v, int) for v in r[2:11])  # numbers, not text
    for col in "ABCDEFGHIJKL":
        assert (ws.column_dimensions[col].width or 0) >= 6
    adj = wb["人工调整"]
    assert adj.freeze_panes == "A3"
    assert list(adj.iter_rows(min_row=3, values_only=True)) == [
        ("2026Q4", b.members[1].name, 4, "抢险表现突出", "tester")
    ]
    rules = list(wb["考核细则"].iter_rows(min_row=3, values_only=True))
    assert len(rules) == 8 and all(a and b_ for a, b_ in rules)


def test_year_export_has_each_quarter_and_the_mean(
    store: Store, today: dt.date, tmp_path: Path
) -> None:
    b = _setup(store)
    files = export_for_command(store, tmp_path, period=Period.year(2026), today=today,
                               branch_name=b.unit.name)  # fmt: skip
    assert sorted(p.suffix for p in files) == [".docx", ".xlsx"]
    xlsx = next(p for p in files if p.suffix == ".xlsx")
    ws = openpyxl.load_workbook(xlsx)["考核得分"]
    assert [c.value for c in ws[2]] == ["序号", "姓名", "一季度", "二季度", "三季度", "四季度",
                                        "年度得分", "星级"]  # fmt: skip
    year = svc.branch_year(store, b.id, 2026, today)
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == [p.name for p, _s in year.rows]
    top = rows[0]
    assert top[1] == b.members[1].name  # the adjusted member leads the year
    assert isinstance(top[6], int | float) and top[6] == round(float(year.rows[0][1].mean or 0), 1)
    d = docx.Document(str(next(p for p in files if p.suffix == ".docx")))
    for t in d.tables:
        for row in t.rows:
            assert all(c.text.strip() for c in row.cells)


def test_cli_exports_and_maps_exit_codes(store: Store, tmp_path: Path) -> None:
    _setup(store)
    db_path = str(store.target)
    out = tmp_path / "out"
    rc = main(["--db", str(db_path), "export", "assessment", "--quarter", "2026Q4",
               "-o", str(out), "--format", "xlsx", "--as-of", "2026-11-22"])  # fmt: skip
    assert rc == exit_codes.OK
    assert sorted(p.name for p in out.iterdir()) == [
        "党员考核表_一支部_2026年第四季度.xlsx", "党员考核表_二支部_2026年第四季度.xlsx",
    ]  # fmt: skip
    assert main(["--db", str(db_path), "export", "assessment", "--quarter", "2026-11",
                 "-o", str(out)]) == exit_codes.USAGE  # fmt: skip
    rc = main(["--db", str(db_path), "export", "assessment", "--quarter", "2026Q4",
               "-o", str(out), "--branch", "没有这个支部"])  # fmt: skip
    assert rc != exit_codes.OK


@pytest.mark.parametrize("bad", ["docx2", "pdf"])
def test_cli_refuses_an_unknown_format(db_path: Path, store: Store, bad: str) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--db", str(db_path), "export", "assessment", "--format", bad])
    assert e.value.code == exit_codes.USAGE


def test_cli_refuses_a_quarter_not_begun_and_names_only_valid_forms(
    store: Store, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _setup(store)
    out = tmp_path / "out"
    # A quarter still ahead would print every member at 60 分 二星: refused, no file.
    rc = main(["--db", str(db_path), "export", "assessment", "--quarter", "2027Q1",
               "-o", str(out), "--as-of", "2026-11-22"])  # fmt: skip
    assert rc == exit_codes.USAGE
    assert "尚未开始" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())
    # A bad period's message offers only what this command takes (no 2026-11).
    rc = main(["--db", str(db_path), "export", "assessment", "--quarter", "2026Q5",
               "-o", str(out)])  # fmt: skip
    assert rc == exit_codes.USAGE
    msg = capsys.readouterr().err
    assert "2026Q4" in msg and "2026-11" not in msg
