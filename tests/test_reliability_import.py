"""V2: malformed imports, end to end through `zhibu import people` into SQLite.

Oracle: a per-row report; all rows or none (one BEGIN IMMEDIATE); formula
strings stored as the literal text; huge input refused with a message, not
a crash or a half import.
"""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from domain.people import Person
from domain.people_import import MAX_FIELD_CHARS, MAX_FILE_BYTES
from storage import people
from storage.db import open_store
from storage.errors import StorageError
from tests.reliability_helpers import demo_db, integrity, raw
from tui.cli import main

BRANCH = "采油一队党支部"
HEADER = "姓名,性别,政治面貌,支部,班组,电话,备注\n"
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A9)", '=HYPERLINK("http://x","点我")']


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "zhibu.db"
    demo_db(path)
    return path


def _count(db: Path) -> int:
    c = raw(db)
    try:
        return c.execute("SELECT count(*) FROM people").fetchone()[0]
    finally:
        c.close()


def _import(db: Path, file: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(["--db", str(db), "import", "people", str(file)])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_chinese_excel_encodings_import(db: Path, tmp_path: Path, encoding: str, capsys) -> None:
    f = tmp_path / "p.csv"
    f.write_bytes(
        (HEADER + f"新员工甲,男,群众,{BRANCH},注水班,13900001111,夜班\n").encode(encoding)
    )
    before = _count(db)
    rc, out, err = _import(db, f, capsys)
    assert rc == 0, err
    assert "已导入 1 人" in out
    assert _count(db) == before + 1
    c = raw(db)
    row = c.execute("SELECT team, note FROM people WHERE name='新员工甲'").fetchone()
    c.close()
    assert row == ("注水班", "夜班")


def test_ragged_and_bad_rows_are_reported_per_row_and_nothing_imported(
    db: Path,
    tmp_path: Path,
    capsys,
) -> None:
    f = tmp_path / "p.csv"
    f.write_text(
        HEADER
        + f"好人甲,男,群众,{BRANCH},注水班,,\n"  # row 2: fine
        + f"多列乙,男,群众,{BRANCH},注水班,,,多,余\n"  # row 3: more cells than the header
        + "短行丙\n"  # row 4: short row, but no branch
        + f"好人丁,男,群众,{BRANCH}\n"  # row 5: short row with what is needed: fine
        + f"状态戊,男,党外人士,{BRANCH},,,\n",  # row 6: unknown status
        encoding="utf-8",
    )
    before = _count(db)
    rc, out, err = _import(db, f, capsys)
    assert rc == 65
    reported = {
        int(line.split(" 行")[0].removeprefix("第 "))
        for line in err.splitlines()
        if line.startswith("第 ")
    }
    assert reported == {3, 4, 6}
    assert "未导入任何数据" in err
    assert _count(db) == before


def test_formula_strings_are_stored_as_literal_text(db: Path, tmp_path: Path, capsys) -> None:
    f = tmp_path / "p.csv"
    lines = [
        f'"{name.replace(chr(34), chr(34) * 2)}",男,群众,{BRANCH},"{name.replace(chr(34), chr(34) * 2)}",,"{name.replace(chr(34), chr(34) * 2)}"'
        for name in FORMULAS
    ]
    f.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    rc, _, err = _import(db, f, capsys)
    assert rc == 0, err
    c = raw(db)
    for formula in FORMULAS:
        row = c.execute(
            "SELECT name, team, note, typeof(note) FROM people WHERE name=?", (formula,)
        ).fetchone()
        assert row == (formula, formula, formula, "text")
    c.close()


def test_xlsx_formula_cells_are_stored_as_their_text(db: Path, tmp_path: Path, capsys) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "支部", "备注"])
    ws.append(["公式人", BRANCH, "=1+1"])  # openpyxl stores this as a formula cell
    f = tmp_path / "p.xlsx"
    wb.save(f)
    rc, _, err = _import(db, f, capsys)
    assert rc == 0, err
    c = raw(db)
    assert c.execute("SELECT note FROM people WHERE name='公式人'").fetchone() == ("=1+1",)
    c.close()


def test_a_50_mb_csv_field_is_refused_by_the_file_cap(db: Path, tmp_path: Path, capsys) -> None:
    f = tmp_path / "huge.csv"
    with open(f, "w", encoding="utf-8") as out:
        out.write(HEADER + f"大字段,男,群众,{BRANCH},,,")
        out.write("长" * (50 * 1024 * 1024 // 3))
        out.write("\n")
    assert f.stat().st_size > MAX_FILE_BYTES
    before = _count(db)
    rc, _, err = _import(db, f, capsys)
    assert rc == 65 and "20 MB" in err
    assert _count(db) == before


def test_a_field_over_the_field_cap_is_a_row_error(db: Path, tmp_path: Path, capsys) -> None:
    f = tmp_path / "long.csv"
    f.write_text(
        HEADER
        + f"正常,男,群众,{BRANCH},,,\n"
        + f"超长,男,群众,{BRANCH},,,"
        + "长" * 3_000_000
        + "\n",
        encoding="utf-8",
    )
    assert f.stat().st_size < MAX_FILE_BYTES
    before = _count(db)
    rc, _, err = _import(db, f, capsys)
    assert rc == 65
    assert f"第 3 行：字段过长（超过 {MAX_FIELD_CHARS} 字）" in err
    assert _count(db) == before


def _xlsx_with_cell(tmp_path: Path, cell: bytes, repeat: int = 1) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "支部", "备注"])
    ws.append(["大单元格", BRANCH, "PLACEHOLDER"])
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    out = tmp_path / "crafted.xlsx"
    with (
        zipfile.ZipFile(plain) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout,
    ):
        for item in zin.infolist():
            data = zin.read(item.filename)
            if b"PLACEHOLDER" not in data:
                zout.writestr(item, data)
                continue
            head, tail = data.split(b"PLACEHOLDER")
            with zout.open(item.filename, "w", force_zip64=True) as member:
                member.write(head)
                for _ in range(repeat):  # streamed: the test itself never holds it all
                    member.write(cell)
                member.write(tail)
    return out


def test_a_50_mb_xlsx_cell_is_a_row_error(db: Path, tmp_path: Path, capsys) -> None:
    """Compressed, 50 MB of cell text is a 60 KB file: under the 20 MB cap, so
    the field cap has to catch it."""
    f = _xlsx_with_cell(tmp_path, ("长" * (50 * 1024 * 1024 // 3)).encode())
    assert f.stat().st_size < 1024 * 1024
    before = _count(db)
    rc, _, err = _import(db, f, capsys)
    assert rc == 65
    assert "字段过长" in err
    assert _count(db) == before


def test_an_xlsx_zip_bomb_is_refused_before_parsing(
    db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
) -> None:
    import openpyxl

    f = _xlsx_with_cell(
        tmp_path, b"0" * (1024 * 1024), repeat=200
    )  # 200 MB inflated, ~200 KB on disk

    parsed: list[Path] = []

    def parse(path, *args, **kwargs):
        parsed.append(path)  # never parse it for real: 200 MB of XML in memory
        raise ValueError("stand-in parser")

    monkeypatch.setattr(openpyxl, "load_workbook", parse)
    rc, _, err = _import(db, f, capsys)
    assert rc == 65
    assert parsed == [], "the bomb reached the XML parser"


def test_a_failure_midway_through_the_import_leaves_nothing(db: Path) -> None:
    """All or none: the 50th row collides (duplicate id) and the 49 before it go too."""
    store = open_store(db, actor="tester")
    try:
        branch = store.scalar("SELECT id FROM org_units WHERE name=?", (BRANCH,))
        batch = [Person(name=f"批量{i}", branch_id=str(branch)) for i in range(60)]
        batch[49] = batch[49].model_copy(update={"id": batch[10].id})
        before = people.count_all(store)
        audits = store.scalar("SELECT count(*) FROM audit")
        with pytest.raises((StorageError, sqlite3.IntegrityError)):
            people.import_people(store, batch)
        assert people.count_all(store) == before
        assert store.scalar("SELECT count(*) FROM audit") == audits
        assert (
            store.scalar("SELECT count(*) FROM person_keys WHERE person_id=?", (batch[0].id,)) == 0
        )
    finally:
        store.close()
    assert integrity(db) == ["ok"]
