"""The quarterly report's tables as .xlsx (三会一课 compliance, participation,
dues, follow-through, lectures): reopened with openpyxl and checked cell by
cell against SQLite, types included, header rows frozen."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from domain.org import OrgKind
from exports import report_xlsx as rx
from services.export_report import export_reports
from storage import org, people
from storage.db import Store
from tests import xlsx_check as xc
from tests.factories import TODAY
from tests.test_compliance_storage import count, groups_of, hand_participation
from tests.test_quarterly_report import Q3, _report_db, sql_dues
from tui import cli

pytestmark = pytest.mark.both_engines

SHEETS = ["三会一课", "组织生活", "党费", "党费明细", "欠缴", "决议待办", "党课"]


@pytest.fixture
def exported(store: Store, tmp_path: Path) -> tuple[Store, dict[str, Path]]:
    _report_db(store)
    files = export_reports(store, tmp_path / "out", period=Q3, today=TODAY, formats=("xlsx",))
    assert len(files) == 3 and all(f.path.suffix == ".xlsx" for f in files)
    assert not list((tmp_path / "out").glob("*.docx"))
    return store, {f.org_name: f.path for f in files}


def test_branch_workbook_matches_the_database(exported) -> None:
    store, paths = exported
    branch = org.branches(store)[1]
    path = paths[branch.name]
    assert path.name == f"季度报告_{branch.name}_2026Q3.xlsx"
    book = xc.sheets(path)
    assert list(book) == SHEETS
    for ws in book.values():
        xc.assert_frozen_header(ws, 2)
        xc.assert_typed(ws, 2)
        assert branch.name in ws["A1"].value

    comp = {r[0]: r for r in xc.body(book["三会一课"], 2)}
    assert xc.row(book["三会一课"], 2) == ["活动", "要求", "应开（次）", "已开（次）", "完成情况",
                                            "逾期未开"]  # fmt: skip
    assert comp["支部委员会"] == ["支部委员会", "每月", 3, 2, "已逾期", "7月"]
    groups = groups_of(store, branch.id)
    met = sum(count(store, g, ("党小组会",), "2026-07-01", "2026-09-30") for g in groups)
    assert comp[f"党小组会（{len(groups)}个党小组）"][2:5] == [3 * len(groups), met, "已完成"]
    held = count(store, branch.id, ("主题党日",), "2026-07-01", "2026-09-30")
    assert comp["主题党日"][2:4] == [3, held]

    hand = hand_participation(store, branch.id, "2026-07-01", "2026-09-30")
    roster = people.members_of(store, branch.id)
    names = {p.id: p.name for p in roster}
    rows = xc.body(book["组织生活"], 2)
    assert len(rows) == len(roster)
    by_name = {r[1]: r for r in rows}
    for p in roster:
        e, pr, lv, ab, owed, done = hand.get(p.id, [0] * 6)
        r = by_name[p.name]
        assert r[3:7] == [e, pr, lv, ab]
        assert r[7] == (pytest.approx(pr / e) if e else None)
        assert r[8:10] == [owed, done]
        assert r[10] == ("是" if e and pr * 100 < 80 * e else None)
    assert book["组织生活"]["H3"].number_format == "0.0%"

    dues = {r[0]: r for r in xc.body(book["党费"], 2)}
    for m in (7, 8, 9):
        n_due, n_paid, n_waived, due, paid = sql_dues(store, branch.id, f"2026-{m:02d}-01")
        row = dues[date(2026, m, 1)]
        assert row[1:6] == [n_due, n_paid, n_waived, Decimal(due) / 100, Decimal(paid) / 100]
        assert row[6] == pytest.approx(n_paid / n_due)
    assert book["党费"]["A3"].is_date and book["党费"]["A3"].number_format == rx.MONTH_FORMAT
    # 党费明细: every record of the quarter, straight from the dues table.
    stored = sorted(
        (json.loads(r["data"]) for r in store.query(
            "SELECT data FROM dues WHERE branch_id=? AND month BETWEEN '2026-07-01' AND"
            " '2026-09-01'", (branch.id,))),
        key=lambda d: (d["month"], names[d["person_id"]]),
    )  # fmt: skip
    detail = xc.body(book["党费明细"], 2)
    assert len(detail) == len(stored) > 0
    for d, row in zip(stored, detail, strict=True):
        assert row[0] == date.fromisoformat(d["month"])
        assert row[1] == names[d["person_id"]]
        assert row[3] == Decimal(d["base_fen"]) / 100
        assert row[4] == (
            pytest.approx(d["rate_bp"] / 10000) if d.get("rate_bp") is not None else None
        )
        assert row[5:7] == [Decimal(d["due_fen"]) / 100, Decimal(d["paid_fen"]) / 100]
        paid_on = d.get("paid_on")
        assert row[7] == (date.fromisoformat(paid_on) if paid_on else None)
        assert row[9] == ("是" if d["waived"] else None)
    assert book["党费明细"]["D3"].number_format == "0.00"
    arrears = xc.body(book["欠缴"], 2)
    assert sorted(r[1] for r in arrears) == [3, 6] and any(r[3] == "是" for r in arrears)

    lecture = store.query_one(
        "SELECT date, json_extract(data, '$.lecturer_name') AS who,"
        " json_extract(data, '$.topics[0]') AS topic FROM meetings WHERE org_id=? AND kind='党课'"
        " AND date BETWEEN '2026-07-01' AND '2026-09-30'",
        (branch.id,),
    )
    assert lecture is not None
    assert xc.body(book["党课"], 2) == [
        [date.fromisoformat(lecture["date"]), branch.name, lecture["topic"], lecture["who"]]
    ]


def test_general_workbook_one_row_per_branch(exported) -> None:
    store, paths = exported
    general = next(u for u in org.all_units(store) if u.kind is OrgKind.GENERAL_BRANCH)
    book = xc.sheets(paths[general.name])
    assert list(book) == SHEETS[:3] + SHEETS[5:]  # no per-member sheets in the summary
    branches = [b for b in org.branches(store) if b.parent_id == general.id]
    for ws in book.values():
        xc.assert_frozen_header(ws, 2)
        xc.assert_typed(ws, 2)
    comp = xc.body(book["三会一课"], 2)
    committee = [r for r in comp if r[1] == "支部委员会"]
    assert [r[0] for r in committee] == [b.name for b in branches]
    assert all(r[3:7] == [3, 2, "已逾期", "7月"] for r in committee)
    dues = xc.body(book["党费"], 2)
    assert [r[0] for r in dues] == [b.name for b in branches]
    for row, b in zip(dues, branches, strict=True):
        n_due = n_paid = due = paid = 0
        for m in (7, 8, 9):
            a, p, _w, d, pd = sql_dues(store, b.id, f"2026-{m:02d}-01")
            n_due, n_paid, due, paid = n_due + a, n_paid + p, due + d, paid + pd
        assert row[1:3] == [n_due, n_paid]
        assert row[4:6] == [Decimal(due) / 100, Decimal(paid) / 100]
        assert row[6] == pytest.approx(n_paid / n_due)
        assert row[7:] == [2, 1]
    lectures = xc.body(book["党课"], 2)
    assert len(lectures) == sum(
        count(store, b.id, ("党课",), "2026-07-01", "2026-09-30") for b in branches
    )
    assert all(isinstance(r[0], date) for r in lectures)


def test_cli_format_xlsx_and_both(store: Store, tmp_path: Path, capsys) -> None:
    _report_db(store)
    name = org.branches(store)[0].name
    args = ["--db", str(store.target), "export", "report", "--quarter", "2026Q3", "--org", name,
            "--as-of", "2026-11-22"]  # fmt: skip
    assert cli.main([*args, "-o", str(tmp_path / "x"), "--format", "xlsx"]) == 0
    assert [p.name for p in (tmp_path / "x").iterdir()] == [f"季度报告_{name}_2026Q3.xlsx"]
    assert cli.main([*args, "-o", str(tmp_path / "b"), "--format", "docx", "--format", "xlsx"]) == 0
    assert sorted(p.suffix for p in (tmp_path / "b").iterdir()) == [".docx", ".xlsx"]
    assert "共导出 2 个文件。" in capsys.readouterr().out
