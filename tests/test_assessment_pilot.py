"""党员考核 screens by keyboard at 80×24: the branch view reached from 今日
with one key, a member's score on screen, an adjustment saved with its
reason (and refused without one, keeping what was typed), the year view,
the branch ranking, a pledge reviewed, and the scores from a 民主评议 meeting."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Input, Static

from domain.meeting_kinds import MeetingKind
from domain.meetings import new_meeting
from domain.navigation import Place
from domain.periods import Period
from screens.assessment.dialogs import AdjustDialog, ReviewDialog
from screens.assessment.pledges import PledgesScreen
from screens.assessment.ranking import RankingScreen
from screens.assessment.view import AssessmentScreen
from services import assessment as svc
from storage import org
from storage.db import Store


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


def _cells(table: DataTable, key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


def _static(screen, sel: str) -> str:
    return str(screen.query_one(sel, Static).render())


async def _open_view(pilot, app) -> AssessmentScreen:
    await settle(pilot)
    await pilot.press("x")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, AssessmentScreen)
    return screen


async def test_home_key_opens_the_view_with_each_members_score(
    make_demo_app, demo_store: Store, today: date
) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_view(pilot, app)
        assert screen.period.label == "2026Q4"
        branch = screen.branch_id
        assert branch is not None
        data = svc.branch_quarter(demo_store, branch, Period.quarter(2026, 4), today)
        table = screen.query_one("#as-table", DataTable)
        assert table.row_count == len(data.rows) > 0
        for r in data.rows:
            row = _cells(table, r.person.id)
            assert row[0] == r.person.name
            assert row[6] == str(r.score.computed) and row[8] == str(r.score.final)
            assert row[9] == r.score.star_label
        first = data.rows[0]
        detail = _static(screen, "#as-detail")
        assert f"{first.person.name}：计算 {first.score.computed} 分" in detail
        assert "参加组织生活" in detail


async def test_adjustment_saved_with_its_reason(
    make_demo_app, demo_store: Store, today: date
) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_view(pilot, app)
        table = screen.query_one("#as-table", DataTable)
        await pilot.press("down", "down")
        await settle(pilot)
        pid = screen.current_person_id()
        assert pid is not None
        before = screen.current_row()
        assert before is not None
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AdjustDialog)
        await pilot.press("+", "3", "enter")
        # Saving without a reason is refused in the dialog; the points stay typed.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert "请写明调整理由" in _static(dialog, ".prompt-error")
        assert dialog.query_one("#adj-points", Input).value == "+3"
        assert demo_store.scalar(
            "SELECT count(*) FROM assessment_adjustments WHERE person_id=?", (pid,)
        ) == 0
        await pilot.press(*"帮扶困难职工成效突出")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        rows = demo_store.query(
            "SELECT points, reason, quarter FROM assessment_adjustments WHERE person_id=?", (pid,)
        )
        assert rows == [{"points": 3, "reason": "帮扶困难职工成效突出", "quarter": "2026Q4"}]
        cells = _cells(table, pid)
        assert cells[7] == f"{before.score.adjustment + 3:+d}"
        assert cells[8] == str(min(before.score.final + 3, 100))
        assert "帮扶困难职工成效突出" in _static(screen, "#as-detail")


async def test_bad_points_are_refused_and_nothing_is_saved(make_demo_app, demo_store: Store) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_view(pilot, app)
        n = demo_store.scalar("SELECT count(*) FROM assessment_adjustments")
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        await pilot.press("9", "9", "enter", *"理由", "enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "±50" in _static(dialog, ".prompt-error")
        assert dialog.query_one("#adj-reason", Input).value == "理由"
        assert demo_store.scalar("SELECT count(*) FROM assessment_adjustments") == n
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AssessmentScreen)


async def test_year_view_and_ranking(make_demo_app, demo_store: Store, today: date) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_view(pilot, app)
        await pilot.press("y")
        await settle(pilot)
        assert screen.period.label == "2026年"
        table = screen.query_one("#as-table", DataTable)
        assert [str(c.label) for c in table.columns.values()][1:6] == [
            "一季度", "二季度", "三季度", "四季度", "年度",
        ]  # fmt: skip
        year = svc.branch_year(demo_store, screen.branch_id or "", 2026, today)
        top_person, top = year.rows[0]
        assert str(table.get_row_at(0)[5]) == top.mean_label
        assert str(table.get_row_at(0)[0]) == top_person.name
        await pilot.press("b")
        await settle(pilot)
        ranking = app.screen
        assert isinstance(ranking, RankingScreen)
        rt = ranking.query_one("#rk-table", DataTable)
        expected = svc.ranking(demo_store, ranking.general_id, ranking.period, today)
        assert rt.row_count == len(expected) == 4
        assert [str(rt.get_row_at(i)[1]) for i in range(4)] == [b.name for b in expected]
        assert str(rt.get_row_at(0)[0]) == "1"


async def test_pledge_reviewed_from_the_list(make_demo_app, demo_store: Store) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_view(pilot, app)
        await pilot.press("z")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PledgesScreen)
        # The demo leaves every seventh pledge unreviewed: go to the first.
        target = next(r for r in screen.rows if r.pledge and r.review is None)
        table = screen.query_one("#pl-table", DataTable)
        table.move_cursor(row=table.get_row_index(target.person.id))
        await settle(pilot)
        assert str(table.get_row(target.person.id)[4]) == "未评"
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReviewDialog)
        await pilot.press("space", "tab", *"未完成巡检", "enter")
        await settle(pilot)
        assert app.screen is screen
        rows = demo_store.query(
            "SELECT quarter, data FROM assessment_reviews WHERE person_id=?", (target.person.id,)
        )
        assert len(rows) == 1 and rows[0]["quarter"] == "2026Q4"
        assert '"kept": false' in rows[0]["data"] and "未完成巡检" in rows[0]["data"]
        assert str(table.get_row(target.person.id)[4]) == "未兑现"


async def test_enter_on_the_review_box_saves_as_the_hint_says(
    make_demo_app, demo_store: Store
) -> None:
    # 「Enter 或 Ctrl+S 保存」: Enter on the ticked box saves 已兑现; it used to
    # untick it instead, and a second Enter ticked it again, never saving.
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_view(pilot, app)
        await pilot.press("z")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PledgesScreen)
        target = next(r for r in screen.rows if r.pledge and r.review is None)
        table = screen.query_one("#pl-table", DataTable)
        table.move_cursor(row=table.get_row_index(target.person.id))
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReviewDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        rows = demo_store.query(
            "SELECT data FROM assessment_reviews WHERE person_id=?", (target.person.id,)
        )
        assert len(rows) == 1 and '"kept": true' in rows[0]["data"]


async def test_appraisal_meeting_offers_the_years_scores(make_demo_app, demo_store: Store) -> None:
    branch = org.branches(demo_store)[1]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        m = new_meeting(MeetingKind.APPRAISAL, branch.id, branch.name, date(2026, 11, 20))
        app.open_meeting_screen(m, new=True)
        await settle(pilot)
        await pilot.press("escape")  # out of the first field, to the section list
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssessmentScreen)
        assert screen.branch_id == branch.id and screen.period.label == "2026年"
        assert "供民主评议党员参考" in _static(screen, "#as-summary")


async def test_export_from_the_view(make_demo_app, tmp_path) -> None:
    app = make_demo_app()
    out = tmp_path / "考核导出"
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_view(pilot, app)
        await pilot.press("x")
        await settle(pilot)
        prompt = app.screen.query_one(Input)
        prompt.value = str(out)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await settle(pilot)
        names = sorted(p.name for p in out.iterdir())
        assert names == [
            "党员考核表_采油一队党支部_2026年第四季度.docx",
            "党员考核表_采油一队党支部_2026年第四季度.xlsx",
        ]
        assert "已导出" in _static(screen, "#as-summary")
        assert app.last_export_path == str(out)


async def test_pledge_set_by_keyboard_and_refused_without_text(
    make_demo_app, demo_store: Store
) -> None:
    from domain.people import Person, PoliticalStatus
    from storage import people

    branch = org.branches(demo_store)[0]
    newcomer = people.save(
        demo_store,
        Person(name="测新岗", status=PoliticalStatus.FULL, branch_id=branch.id,
               joined_party=date(2020, 7, 1), confirmed_on=date(2021, 7, 1)),
    )  # fmt: skip
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go(Place.PLEDGES, branch.id)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PledgesScreen)
        table = screen.query_one("#pl-table", DataTable)
        table.move_cursor(row=table.get_row_index(newcomer.id))
        await settle(pilot)
        assert str(table.get_row(newcomer.id)[1]) == "（未设）"
        await pilot.press("e")
        await settle(pilot)
        dialog = app.screen
        await pilot.press(*"联合站外输泵房", "enter", "ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # no 承诺 yet
        assert "请填写公开承诺" in _static(dialog, ".prompt-error")
        assert dialog.query_one("#pl-area", Input).value == "联合站外输泵房"
        await pilot.press(*"泵房无跑冒滴漏", "ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        row = demo_store.query_one(
            "SELECT data FROM assessment_pledges WHERE person_id=?", (newcomer.id,)
        )
        assert row is not None
        assert "安全岗" in row["data"] and "联合站外输泵房" in row["data"]
        assert "泵房无跑冒滴漏" in row["data"]
        assert [str(c) for c in table.get_row(newcomer.id)[1:3]] == ["安全岗", "联合站外输泵房"]


async def test_the_view_stops_at_the_running_quarter(make_demo_app, demo_store: Store) -> None:
    # `]` past 2026Q4 used to show 2027Q1 with everyone at 60 分 二星, and take
    # adjustments and exports for it.
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_view(pilot, app)
        assert screen.period.label == "2026Q4"
        await pilot.press("]")
        await settle(pilot)
        assert screen.period.label == "2026Q4"
        assert "尚未开始" in "\n".join(n.message for n in app._notifications)  # noqa: SLF001
        await pilot.press("[")
        await settle(pilot)
        assert screen.period.label == "2026Q3"
        await pilot.press("y", "]")
        await settle(pilot)
        assert screen.period.label == "2026年"
        await pilot.press("z")
        await settle(pilot)
        pledges = app.screen
        assert isinstance(pledges, PledgesScreen) and pledges.period.label == "2026Q4"
        await pilot.press("]")
        await settle(pilot)
        assert pledges.period.label == "2026Q4"
