"""Issue 16 item 6: importing matches people already on the roster (same name as
read, same 出生日期 or 电话): skip or update per row, never a second copy."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable, Input, Static

from domain.clean import identity_text
from domain.people import Person, PoliticalStatus
from screens.roster.import_people import ImportPeopleScreen
from services.import_people import import_people, preview_file
from storage import org, people
from storage.db import Store, open_store
from tests.factories import TODAY
from tests.test_import import _org, _write, _zhibu

pytestmark = pytest.mark.both_engines

HEAD = "姓名,出生日期,电话,支部,班组\n"
BRANCH = "采油一队党支部"


def _count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM people"))


def _roster(store: Store) -> tuple[Person, Person]:
    b = org.lookup_maps(store)[0][BRANCH]
    zhang = people.save(store, Person(name="欧阳明远", birth_date=dt.date(1980, 1, 2), branch_id=b,
                                      status=PoliticalStatus.FULL, team="注水班"))  # fmt: skip
    wang = people.save(store, Person(name="WangLi", phone="13900000001", branch_id=b))
    return zhang, wang


def test_importing_the_same_file_twice_adds_nobody_the_second_time(store, tmp_path) -> None:
    """Failed before: the second import added all three again."""
    _org(store)
    f = _write(tmp_path / "a.csv", HEAD + "甲一,1990-01-01,,采油一队党支部,\n"
               "乙二,,13800000002,采油一队党支部,\n丙三,1991-03-04,,采油一队党支部,\n", "utf-8")  # fmt: skip
    first = import_people(store, f)
    assert first.imported == 3
    before = _count(store)
    second = import_people(store, f)
    assert (second.imported, second.skipped, second.updated) == (0, 3, 0)
    assert _count(store) == before


def test_look_alike_names_are_the_same_person(store, tmp_path) -> None:
    """Zero-width and full-width variants of a name, with the same birth date or
    phone, match; the same name with neither matching is a different person."""
    _org(store)
    zhang, wang = _roster(store)
    f = _write(tmp_path / "b.csv", HEAD
               + "欧阳\u200b明远,1980-01-02,,采油一队党支部,\n"  # zero-width space
               + "Ｗａｎｇ　Ｌｉ,,13900000001,采油一队党支部,\n"  # full-width letters and space
               + "欧阳明远,1999-09-09,13700000000,采油一队党支部,\n", "utf-8")  # fmt: skip
    preview = preview_file(store, f)
    found = {d.existing.id: (d.row, d.by) for d in preview.duplicates}
    assert found == {zhang.id: (2, "出生日期"), wang.id: (3, "电话")}
    before = _count(store)
    result = import_people(store, f)
    assert (result.imported, result.skipped) == (1, 2)
    assert _count(store) == before + 1
    assert identity_text("Ｗａｎｇ　Ｌｉ") == "WangLi"


def test_a_person_listed_twice_in_one_file_is_refused_by_row(store, tmp_path) -> None:
    """Failed before: both rows were imported, two copies of one person."""
    _org(store)
    before = _count(store)
    f = _write(tmp_path / "twice.csv", HEAD
               + "甲一,1990-01-01,,采油一队党支部,\n"
               + "乙二,,13800000002,采油一队党支部,\n"
               + "甲\u200b一,1990-01-01,,采油一队党支部,\n"  # row 4: row 2 again, zero-width
               + "甲一,1985-05-05,,采油一队党支部,\n", "utf-8")  # fmt: skip
    preview = preview_file(store, f)
    assert [(e.row, e.message) for e in preview.errors] == [
        (4, "与第 2 行是同一人（姓名、出生日期相同），请删去一行")
    ]
    assert not preview.ok
    result = import_people(store, f)  # errors: nothing is written
    assert result.imported == 0 and result.preview.errors
    assert _count(store) == before


def test_update_overwrites_only_the_columns_the_file_has(store, tmp_path) -> None:
    _org(store)
    zhang, _ = _roster(store)
    f = _write(tmp_path / "c.csv", HEAD + "欧阳明远,1980-01-02,13612345678,采油一队党支部,集输班\n",
               "utf-8")  # fmt: skip
    result = import_people(store, f, on_duplicate="update")
    assert (result.imported, result.updated, result.skipped) == (0, 1, 0)
    row = store.query_one("SELECT * FROM people WHERE id=?", (zhang.id,))
    assert (row["phone"], row["team"]) == ("13612345678", "集输班")
    assert row["status"] == "正式党员"  # no 政治面貌 column: not reset to 群众
    assert row["version"] == zhang.version + 1


def test_cli_on_duplicate_and_counts(tmp_path) -> None:
    db = tmp_path / "z.db"
    s = _org(open_store(db, actor="t"))
    zhang, _ = _roster(s)
    s.close()
    f = _write(tmp_path / "d.csv", HEAD + "欧阳明远,1980-01-02,13611112222,采油一队党支部,\n"
               "新人,,,采油一队党支部,\n", "utf-8")  # fmt: skip
    r = _zhibu("import", "people", str(f), env_db=db)
    assert r.returncode == 0, r.stderr
    assert "已导入 1 人，更新 0 人，跳过重复 1 人" in r.stdout
    assert "第 2 行：欧阳明远 已在花名册中（出生日期相同）" in r.stderr
    f2 = _write(tmp_path / "e.csv", HEAD + "欧阳明远,1980-01-02,13611112222,采油一队党支部,\n",
                "utf-8")  # fmt: skip
    r = _zhibu("import", "people", str(f2), "--on-duplicate", "update", env_db=db)
    assert r.returncode == 0, r.stderr
    assert "已导入 0 人，更新 1 人，跳过重复 0 人" in r.stdout
    r = _zhibu("import", "people", str(f2), "--on-duplicate", "merge", env_db=db)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    s = open_store(db, actor="t")
    try:
        assert s.scalar("SELECT count(*) FROM people WHERE name='欧阳明远'") == 1
        assert s.scalar("SELECT phone FROM people WHERE id=?", (zhang.id,)) == "13611112222"
    finally:
        s.close()


async def test_the_import_screen_offers_skip_or_update_per_row(store, tmp_path) -> None:
    from tui.app import ZhibuApp

    _org(store)
    zhang, wang = _roster(store)
    f = _write(tmp_path / "f.csv", HEAD
               + "新来的,,,采油一队党支部,\n"
               + "欧阳明远,1980-01-02,13655556666,采油一队党支部,\n"
               + "WangLi,,13900000001,采油一队党支部,集输班\n", "utf-8")  # fmt: skip
    before = _count(store)
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(ImportPeopleScreen())
        await pilot.pause()
        screen = app.screen
        screen.query_one("#import-path", Input).value = str(f)
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one("#import-preview", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [(r[0], r[1]) for r in rows] == [("跳过", "欧阳明远"), ("跳过", "WangLi"), ("新增", "新来的")]
        summary = str(screen.query_one("#import-summary", Static).render())
        assert "2 人已在花名册中" in summary
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("u")  # 欧阳明远: update
        await pilot.pause()
        assert str(table.get_row_at(0)[0]) == "更新"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert _count(store) == before + 1
    assert store.scalar("SELECT phone FROM people WHERE id=?", (zhang.id,)) == "13655556666"
    assert store.scalar("SELECT team FROM people WHERE id=?", (wang.id,)) == ""  # skipped


def test_roster_search_reads_names_as_the_import_does(store) -> None:
    _org(store)
    b = org.lookup_maps(store)[0][BRANCH]
    people.save(store, Person(name="司马\u200b娜娜", branch_id=b))
    assert [p.name for p in people.search(store, "司马娜娜")] == ["司马\u200b娜娜"]
    assert [p.name for p in people.search(store, "司马\ufeff娜娜")] == ["司马\u200b娜娜"]
