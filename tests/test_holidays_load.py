"""Loading the State Council's 放假安排: stored, used by the planner, shown in the
党课计划表; `zhibu holidays load` words its errors."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import pytest

from domain.holidays import HolidaySource
from domain.rota import Cadence, Lecturer, PlanPeriod, RotaRequest, plan_rota
from services import holidays
from services.errors import InvalidInput
from storage.db import Store, open_store
from tests.test_holidays_rules import ARRANGEMENT_2027


def zhibu(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.both_engines
def test_loaded_arrangement_is_stored_and_replaces_that_year(store: Store) -> None:
    holidays.load_text(store, ARRANGEMENT_2027)
    row = store.query_one("SELECT * FROM holiday_arrangements WHERE year=2027")
    assert row is not None and "春节 2027-02-04~2027-02-12" in row["text"]
    cal = holidays.calendar(store)
    assert cal.source(2027) is HolidaySource.IMPORTED
    assert cal.is_working_day(date(2027, 2, 20))  # loaded 调休 Saturday
    holidays.load_text(store, "元旦 2027-01-01")
    assert store.scalar("SELECT count(*) FROM holiday_arrangements") == 1
    assert holidays.calendar(store).is_working_day(date(2027, 2, 20)) is False
    assert holidays.remove(store, 2027)
    assert holidays.calendar(store).source(2027) is HolidaySource.COMPUTED


@pytest.mark.both_engines
def test_bad_text_is_refused_and_nothing_stored(store: Store) -> None:
    with pytest.raises(InvalidInput, match="第 2 行"):
        holidays.load_text(store, "元旦 2027-01-01\n春节 2027-13-01")
    assert store.scalar("SELECT count(*) FROM holiday_arrangements") == 0


@pytest.mark.both_engines
def test_planner_uses_the_stored_workdays(store: Store) -> None:
    holidays.load_text(store, ARRANGEMENT_2027)
    req = RotaRequest(
        period=PlanPeriod(year=2027),
        cadence=Cadence.MONTHLY,
        lecturers=[Lecturer(id="a", name="甲"), Lecturer(id="b", name="乙")],
    )  # first Friday: 2027-02-05 is in the loaded 春节; next working day the 调休 Saturday
    feb = plan_rota(req, holidays.calendar(store)).slots[1]
    assert feb.date == date(2027, 2, 13) and feb.holiday_source == "已导入安排"


def test_cli_load_show_and_errors(tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    open_store(db, actor="tester").close()
    f = tmp_path / "2027.txt"
    f.write_text(ARRANGEMENT_2027, encoding="utf-8")
    r = zhibu("--db", str(db), "holidays", "load", str(f))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "已导入 2027 年放假安排：放假 19 天，调休上班 4 天"
    shown = zhibu("--db", str(db), "holidays", "show", "2027")
    assert shown.stdout.startswith("2027 年节假日取自已导入的放假安排")
    bad = tmp_path / "bad.txt"
    bad.write_text("春节 明天\n", encoding="utf-8")
    r = zhibu("--db", str(db), "holidays", "load", str(bad))
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "第 1 行：看不懂「明天」" in r.stderr
    r = zhibu("--db", str(db), "holidays", "load", str(tmp_path / "none.txt"))
    assert r.returncode != 0 and "找不到文件" in r.stderr and "Traceback" not in r.stderr


def test_rota_document_names_the_holiday_source(tmp_path: Path) -> None:
    from tests.test_cli_rota import rota_db

    db = rota_db(tmp_path)
    out = tmp_path / "导出"
    r = zhibu("--db", str(db), "export", "rota", "-o", str(out), "--year", "2026")
    assert r.returncode == 0, r.stderr
    path = out / "第一作业区党总支2026年度党课计划表.docx"
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "2026年节假日依据国务院放假安排（法定数据）。" in text


def test_cli_branch_term_and_status(tmp_path: Path) -> None:
    from tests import factories

    db = tmp_path / "z.db"
    store = open_store(db, actor="tester")
    factories.branch(store, "社区支部")
    store.close()
    r = zhibu("--db", str(db), "branch", "term", "社区支部", "--last", "2022-03-01", "--years", "5")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("社区支部：上次换届 2022-03-01，任期 5 年")
    again = open_store(db, actor="tester")
    assert again.scalar("SELECT term_years FROM branch_terms") == 5
    again.close()
    shown = zhibu("--db", str(db), "branch", "status")
    assert "符合：正式党员 5 名" in shown.stdout
    bad = zhibu("--db", str(db), "branch", "term", "社区支部", "--last", "2022-13-01")
    assert bad.returncode == 2 and "日期应写作 YYYY-MM-DD" in bad.stderr
    none = zhibu("--db", str(db), "branch", "term", "无此支部", "--years", "3")
    assert none.returncode != 0 and "没有名为「无此支部」的党支部" in none.stderr
    assert "Traceback" not in none.stderr + bad.stderr


async def test_holidays_screen_saves_typed_text_and_keeps_bad_text(store: Store) -> None:
    from textual.widgets import Static

    from domain.navigation import Place
    from screens.rota.holidays import HolidaysScreen
    from tests.factories import TODAY
    from tui.app import ZhibuApp
    from widgets.limited_input import LimitedTextArea

    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.go(Place.HOLIDAYS)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HolidaysScreen)
        assert "2027 年尚无国务院放假安排" in str(screen.query_one("#hol-sources", Static).render())
        area = screen.query_one("#hol-text", LimitedTextArea)
        area.load_text("春节 2027-02-30\n")
        await pilot.press("ctrl+s")
        await pilot.pause()
        status = str(screen.query_one("#hol-status", Static).render())
        assert "未保存：第 1 行：日期 2027-02-30 不存在" in status
        assert area.text == "春节 2027-02-30\n"  # typed input kept
        assert store.scalar("SELECT count(*) FROM holiday_arrangements") == 0
        area.load_text(ARRANGEMENT_2027)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "已保存 2027 年放假安排：放假 19 天，调休上班 4 天" in str(
            screen.query_one("#hol-status", Static).render()
        )
        assert store.scalar("SELECT count(*) FROM holiday_arrangements WHERE year=2027") == 1
        assert "2027 年节假日取自已导入的放假安排" in str(
            screen.query_one("#hol-sources", Static).render()
        )
        # An unsaved edit: the first Esc warns, the second leaves.
        area.load_text(ARRANGEMENT_2027 + "上班 2027-10-10\n")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen
