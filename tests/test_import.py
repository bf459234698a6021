from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from domain.org import OrgKind, OrgUnit
from domain.people_import import build_preview, read_table
from storage import org, people
from storage.db import Store, open_store
from tests import factories

HEADER = "姓名,性别,政治面貌,支部,党小组,职务,班组,岗位,电话,入党时间\n"


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _org(store: Store) -> Store:
    """The branches and group the files below name (as a user's import file would)."""
    one = factories.branch(store, "采油一队党支部").unit
    org.save(store, OrgUnit(name="注水班党小组", kind=OrgKind.GROUP, parent_id=one.id))
    factories.branch(store, "采油二队党支部", first_name=8)
    factories.branch(store, "集输大队党支部", first_name=16)
    return store


@pytest.fixture
def org_store(store: Store) -> Store:
    return _org(store)


def _preview(store, path: Path, branch: str | None = None):
    branch_ids, group_ids = org.lookup_maps(store)
    return build_preview(
        read_table(path), branch_ids=branch_ids, group_ids=group_ids,
        default_branch_id=branch_ids.get(branch) if branch else None,
    )  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(org_store, tmp_path, encoding) -> None:
    body = (
        HEADER
        + "新员工,男,群众,采油一队党支部,注水班党小组,,注水班,注水工,１３９００００１１１１,\n"
    )
    prev = _preview(org_store, _write(tmp_path / "p.csv", body, encoding))
    assert prev.errors == []
    assert [(p.name, p.phone, p.team) for p in prev.people] == [("新员工", "13900001111", "注水班")]


def test_per_row_errors_and_nothing_imported(org_store, tmp_path) -> None:
    body = HEADER + (
        "甲,男,正式党员,采油一队党支部,,,,,,2020-07-01\n"
        "乙,未知,群众,采油一队党支部,,,,,,\n"
        "丙,男,群众,不存在的支部,,,,,,\n"
        "丁,男,群众,采油一队党支部,,,,,,2020-02-30\n"
        ",男,群众,采油一队党支部,,,,,,\n"
        "戊,男,群众,采油一队党支部,,,,,,,多余,列\n"
    )
    prev = _preview(org_store, _write(tmp_path / "p.csv", body, "utf-8"))
    rows = {e.row: e.message for e in prev.errors}
    assert set(rows) == {3, 4, 5, 6, 7}
    assert "不是有效值" in rows[3]
    assert "找不到支部" in rows[4]
    assert "没有这一天" in rows[5]
    assert "姓名" in rows[6]
    assert "列" in rows[7]
    before = people.count_all(org_store)
    assert not prev.ok
    assert people.count_all(org_store) == before


def test_formula_strings_stored_as_text(org_store, tmp_path) -> None:
    body = "姓名,备注\n=cmd|' /C calc'!A0,=1+1\n"
    prev = _preview(org_store, _write(tmp_path / "f.csv", body, "utf-8"), branch="采油二队党支部")
    assert prev.ok
    people.import_people(org_store, prev.people)
    row = org_store.query_one("SELECT name, note FROM people WHERE note='=1+1'")
    assert row == {"name": "=cmd|' /C calc'!A0", "note": "=1+1"}


def test_xlsx_import(org_store, tmp_path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "政治面貌", "电话", "入党时间"])
    ws.append(["表格人", "预备党员", 13800000000, "2026/05/04"])
    path = tmp_path / "p.xlsx"
    wb.save(path)
    prev = _preview(org_store, path, branch="集输大队党支部")
    assert prev.ok, prev.errors
    n = people.import_people(org_store, prev.people)
    assert n == 1
    row = org_store.query_one("SELECT status, phone, joined_party FROM people WHERE name='表格人'")
    assert row == {"status": "预备党员", "phone": "13800000000", "joined_party": "2026-05-04"}
    assert [p.name for p in people.search(org_store, "bgr")] == ["表格人"]


def _zhibu(*args: str, env_db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(env_db), *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_cli_import_all_or_nothing(tmp_path) -> None:
    db = tmp_path / "z.db"
    _org(open_store(db, actor="t")).close()
    bad = _write(tmp_path / "bad.csv", "姓名,政治面貌\n好人,群众\n坏人,外星人\n", "gb18030")
    r = _zhibu("import", "people", str(bad), "--branch", "采油一队党支部", env_db=db)
    assert r.returncode != 0
    assert "第 3 行" in r.stderr and "Traceback" not in r.stderr
    good = _write(tmp_path / "good.csv", "姓名,政治面貌\n好人,群众\n", "gb18030")
    r = _zhibu("import", "people", str(good), "--branch", "采油一队党支部", env_db=db)
    assert r.returncode == 0, r.stderr
    import sqlite3

    c = sqlite3.connect(db)
    assert c.execute("SELECT count(*) FROM people WHERE name IN ('好人','坏人')").fetchone()[0] == 1
    c.close()
