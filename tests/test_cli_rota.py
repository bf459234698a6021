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
