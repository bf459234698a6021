"""`zhibu export report`: files, progress lines, Chinese errors, no tracebacks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest

from storage.db import Store
from tests import factories
from tui.cli import main

BRANCHES = ("采油一队党支部", "采油二队党支部", "注水队党支部", "机关维修党支部")


@pytest.fixture
def db(store: Store) -> Path:
    """第一作业区党总支 over four branches, one meeting and a quarter of dues each."""
    _top, branches = factories.org_tree(store, BRANCHES, general="第一作业区党总支")
    for b in branches:
        factories.finished_meeting(store, b, day=date(2026, 8, 7))
        factories.dues(store, b, factories.months(date(2026, 7, 1), date(2026, 9, 1)))
    path = store.path
    store.close()
    return path


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_exports_every_branch_and_the_general_branch(db: Path, tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "报告"
    code, out, err = run(capsys, "--db", str(db), "export", "report", "--quarter", "2026Q3",
                         "-o", str(out_dir), "--as-of", "2026-11-22")  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.strip().splitlines()
    assert lines[0] == "季度党建工作报告：2026Q3（数据截至 2026-11-22）"
    assert sum(1 for x in lines if x.startswith("已导出 ")) == 5
    assert lines[-1] == "共导出 5 个文件。"
    files = sorted(p.name for p in out_dir.iterdir())
    assert len(files) == 5 and all(
        f.startswith("季度报告_") and f.endswith("_2026Q3.docx") for f in files
    )
    doc = docx.Document(str(out_dir / "季度报告_第一作业区党总支_2026Q3.docx"))
    # Too long for one line: the break comes after the organisation's name.
    assert doc.paragraphs[0].text == "第一作业区党总支\n2026年第三季度党建工作报告"


def test_one_branch_by_name_and_chinese_quarter(db: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "--db", str(db), "export", "report", "--quarter", "2026年第三季度",
                       "--org", "采油二队党支部", "-o", str(tmp_path), "--as-of", "2026-11-22")  # fmt: skip
    assert code == 0
    assert [p.name for p in tmp_path.glob("*.docx")] == ["季度报告_采油二队党支部_2026Q3.docx"]
    assert "共导出 1 个文件。" in out


def test_default_quarter_is_the_current_one(db: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "--db", str(db), "export", "report", "-o", str(tmp_path),
                       "--as-of", "2026-11-22", "--org", "机关维修党支部")  # fmt: skip
    assert code == 0 and "2026Q4" in out
    assert (tmp_path / "季度报告_机关维修党支部_2026Q4.docx").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--quarter", "2026Q5"], 2, "季度有误"),
        (["--quarter", "2026-11"], 2, "不是季度"),
        (["--quarter", "2027Q2"], 2, "还没有开始"),
        (["--org", "不存在党支部"], 2, "找不到支部或党总支“不存在党支部”"),
        (["--as-of", "昨天的后天"], 2, "截至日期有误"),
    ],
)
def test_errors_are_chinese_without_tracebacks(
    db: Path, tmp_path: Path, capsys, args: list[str], code: int, message: str
) -> None:
    got, out, err = run(capsys, "--db", str(db), "export", "report", "-o", str(tmp_path),
                        "--as-of", "2026-11-22", *args)  # fmt: skip
    assert got == code
    assert message in err and err.startswith("zhibu: ")
    assert "Traceback" not in err + out
    assert not list(tmp_path.glob("*.docx"))


def test_missing_database_and_output_that_is_a_file(tmp_path: Path, db: Path, capsys) -> None:
    code, _, err = run(capsys, "--db", str(tmp_path / "none.db"), "export", "report",
                       "-o", str(tmp_path / "x"))  # fmt: skip
    assert code == 66 and "数据库不存在" in err
    assert not (tmp_path / "none.db").exists()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    code, _, err = run(capsys, "--db", str(db), "export", "report", "-o", str(a_file))
    assert code == 2 and "不是文件夹" in err


def test_unwritable_folder_is_reported(db: Path, tmp_path: Path, capsys) -> None:
    # A folder under a plain file cannot be created (and root cannot either).
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    code, out, err = run(capsys, "--db", str(db), "export", "report", "-o", str(a_file / "sub"),
                         "--as-of", "2026-11-22", "--org", "采油一队党支部")  # fmt: skip
    assert code == 74 and "无法写入" in err
    assert "Traceback" not in err + out
