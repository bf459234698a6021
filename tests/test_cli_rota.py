"""`zhibu export rota`: files written, progress lines, Chinese errors, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx

from domain.courseware import ReviewState
from domain.people import CommitteePost
from storage import rota
from storage.db import open_store
from tests import factories


def zhibu(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, timeout=120
    )


def rota_db(tmp_path: Path) -> Path:
    """第一作业区党总支's monthly 2026 rota of its four secretaries; July's lecture filed."""
    path = tmp_path / "z.db"
    store = open_store(path, actor="tester")
    top, branches = factories.org_tree(
        store, ("采油一队党支部", "采油二队党支部", "注水队党支部", "集输队党支部"),
        general="第一作业区党总支",
    )  # fmt: skip
    secretaries = [b.with_post(CommitteePost.SECRETARY) for b in branches]
    _plan, lectures = factories.rota(store, top, secretaries)
    july = lectures[6]
    rota.save_lecture(store, july.model_copy(update={"state": ReviewState.FILED, "topic": "七一"}))
    store.close()
    return path


def test_export_rota_writes_the_plan(tmp_path: Path) -> None:
    db = rota_db(tmp_path)
    out = tmp_path / "导出"
    r = zhibu("--db", str(db), "export", "rota", "-o", str(out), "--year", "2026")
    assert r.returncode == 0, r.stderr
    path = out / "第一作业区党总支2026年度党课计划表.docx"
    assert r.stdout.strip() == f"已导出：{path}（第一作业区党总支 2026年度，12 次党课）"
    rows = [[c.text for c in row.cells] for row in docx.Document(str(path)).tables[0].rows]
    assert len(rows) == 13
    assert rows[7][1] == "2026年7月3日\n（星期五）"
    assert rows[7][8] == "已备案"
    assert rows[12][3] == "四季度专题党课（结合组织生活会）（题目待定）"
    assert rows[12][8] == "未提交"
    # without --year every plan is written; --org filters by name
    again = zhibu("--db", str(db), "export", "rota", "-o", str(out), "--org", "第一作业区党总支")
    assert again.returncode == 0 and again.stdout.count("已导出") == 1


def test_export_rota_errors_are_chinese_without_tracebacks(tmp_path: Path) -> None:
    db = rota_db(tmp_path)
    out = tmp_path / "out"
    cases = [
        (["--year", "2030"], 65, "没有2030 年的党课计划"),
        (["--year", "99"], 2, "--year 应为 2000–2100"),
        (["--org", "不存在的党总支"], 2, "找不到组织“不存在的党总支”"),
    ]
    for extra, code, message in cases:
        r = zhibu("--db", str(db), "export", "rota", "-o", str(out), *extra)
        assert r.returncode == code, (extra, r.stderr)
        assert message in r.stderr and "Traceback" not in r.stderr
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = zhibu("--db", str(db), "export", "rota", "-o", str(blocker))
    assert r.returncode == 2 and "不是文件夹" in r.stderr
    r = zhibu("--db", str(tmp_path / "missing.db"), "export", "rota", "-o", str(out))
    assert r.returncode == 66 and "数据库不存在" in r.stderr
    assert not (tmp_path / "missing.db").exists()


def test_export_rota_folder_that_cannot_be_created(tmp_path: Path) -> None:
    db = rota_db(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = zhibu("--db", str(db), "export", "rota", "-o", str(blocker / "sub"))
    assert r.returncode == 74, r.stderr
    assert "写入" in r.stderr and "失败" in r.stderr and "Traceback" not in r.stderr


def test_export_rota_format_xlsx_matches_the_database(tmp_path: Path) -> None:
    from datetime import date

    from tests import xlsx_check as xc

    db = rota_db(tmp_path)
    out = tmp_path / "导出"
    r = zhibu("--db", str(db), "export", "rota", "-o", str(out), "--year", "2026",
              "--format", "xlsx")  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert [p.name for p in out.iterdir()] == ["第一作业区党总支2026年度党课计划表.xlsx"]
    ws = xc.sheets(out / "第一作业区党总支2026年度党课计划表.xlsx")["党课计划表"]
    xc.assert_frozen_header(ws, 2)
    xc.assert_typed(ws, 2)
    store = open_store(db, actor="tester")
    try:
        (record,) = rota.list_plans(store, year=2026, limit=10)
        lectures = {lec.slot_index: lec for lec in rota.lectures_of_plan(store, record.id)}
    finally:
        store.close()
    *rows, _blank, note = xc.body(ws, 2)
    assert len(rows) == len(record.plan.slots) == 12
    assert str(note[0]).startswith("说明：") and "国务院" in note[0]
    weekdays = "一二三四五六日"
    for slot, row in zip(record.plan.slots, rows, strict=True):
        lec = lectures.get(slot.index)
        day = lec.lecture_date if lec else slot.date
        assert row[0] == slot.index + 1 and isinstance(row[0], int)
        assert row[1] == day and isinstance(row[1], date)
        assert row[2] == f"星期{weekdays[day.weekday()]}"
        assert row[3] == (lec.lecturer_name if lec else slot.lecturer_name)
        assert row[10] == (lec.state.value if lec else ReviewState.NOT_SUBMITTED.value)
    assert rows[6][10] == "已备案" and rows[6][5] == "七一"
