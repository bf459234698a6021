"""问题清单 and 党总支任务 by keyboard at 80×24: a problem filed in one
meeting is on the next meeting's agenda and on 今日 until its verifier
closes it; the 党总支 assigns a task and a branch reports it."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable, OptionList, Static

from domain.navigation import Place
from domain.roles import Role
from screens.loop.problems import ProblemForm, ProblemsScreen
from screens.loop.tasks import ReportForm, TaskForm, TasksScreen
from screens.meetings.new_meeting import NewMeetingScreen
from screens.meetings.run import MeetingScreen
from storage import roles
from storage.db import Store
from tests import factories
from tests.factories import TODAY
from widgets.person_picker import PickPersonScreen

D = dt.date


def _make_app(store: Store):
    from tui.app import make_app

    return make_app(store.path, store=store, today=TODAY)


def _home_lines(app) -> list[str]:
    lst = app.screen.query_one("#due-list", OptionList)
    return [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]


async def _pick(pilot, app, name: str) -> None:
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, PickPersonScreen)
    await pilot.press(*name)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_problem_filed_in_a_meeting_is_carried_until_its_verifier_closes_it(
    store: Store,
) -> None:
    _top, (b, _b2) = factories.org_tree(store)
    first = factories.finished_meeting(store, b, day=D(2026, 11, 3))
    owner, verifier = b.members[3], b.members[1]
    # The verifier is at the keyboard (granted, as an administrator would).
    roles.grant(store, "tester", Role.COMMITTEE, person_id=verifier.id, branch_id=b.id)
    app = _make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(Place.MEETING, first.id)
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("w")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ProblemForm)
        assert form.query_one("#f-source_text").value == "2026-11-03 支部委员会"
        await pilot.press(*"党员活动室灭火器过期", "tab")  # 问题 → 整改措施
        await pilot.press(*"更换灭火器并登记", "tab")  # → 责任人
        await _pick(pilot, app, owner.name)
        await pilot.press(*"2026-11-20", "tab")  # 整改时限 → 验证人
        await _pick(pilot, app, verifier.name)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        row = store.query_one(
            "SELECT id, meeting_id, state, deadline, json_extract(data, '$.verifier_id') AS v,"
            " json_extract(data, '$.owner_id') AS o FROM problems"
        )
        assert row is not None
        assert (row["meeting_id"], row["state"], row["deadline"]) == (first.id, "待整改", "2026-11-20")
        assert (row["o"], row["v"]) == (owner.id, verifier.id)
        # Not on its own meeting's agenda.
        await pilot.press("3")
        await pilot.pause()
        assert "灭火器" not in str(app.screen.query_one("#s-carried", Static).render())
        await pilot.press("escape", "escape")
        await pilot.pause()

        # The next meeting of the branch carries it as an agenda item, with its state.
        app.go(Place.NEW_MEETING, "支部委员会", b.id)
        await pilot.pause()
        assert isinstance(app.screen, NewMeetingScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        second = app.screen
        assert isinstance(second, MeetingScreen) and second.meeting.id != first.id
        await pilot.press("3")
        await pilot.pause()
        agenda = str(second.query_one("#s-carried", Static).render())
        assert "遗留问题整改情况" in agenda
        assert "【逾期】[待整改] 党员活动室灭火器过期" in agenda
        await pilot.press("escape", "escape")
        await pilot.pause()

        # On 今日 (late, so also under 党总支督办) until verified closed.
        app.go(Place.HOME)
        await pilot.pause()
        lines = _home_lines(app)
        assert any("待整改" in ln and "党员活动室灭火器过期" in ln for ln in lines)
        assert any("一支部 问题：党员活动室灭火器过期" in ln for ln in lines)

        # The list by key: submit for verification, the verifier closes it.
        await pilot.press("w")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        table = screen.query_one("#pb-table", DataTable)
        await pilot.press(*["down"] * table.get_row_index(row["id"]))
        await pilot.press("t")
        await pilot.pause()
        await pilot.press(*"已更换", "enter")
        await pilot.pause()
        assert store.scalar("SELECT state FROM problems") == "待验证"
        await pilot.press("y")
        await pilot.pause()
        await pilot.press(*"现场查看", "enter")
        await pilot.pause()
        assert store.scalar("SELECT state FROM problems") == "已验证关闭"
        assert store.scalar("SELECT json_extract(data, '$.verified_on') FROM problems") == (
            TODAY.isoformat()
        )
        assert "已验证关闭" in [str(c) for c in table.get_row(row["id"])][0]
        await pilot.press("escape")
        await pilot.pause()
        app.go(Place.HOME)
        await pilot.pause()
        assert not any("党员活动室灭火器过期" in ln for ln in _home_lines(app))
        app.go(Place.NEW_MEETING, "支部委员会", b.id)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("3")
        await pilot.pause()
        assert "灭火器" not in str(app.screen.query_one("#s-carried", Static).render())


async def test_general_branch_assigns_a_task_and_a_branch_reports_it(store: Store) -> None:
    top, (b, b2) = factories.org_tree(store)
    secretary = b.members[0]
    roles.grant(store, "tester", Role.GENERAL, person_id=secretary.id, branch_id=top.id)
    roles.grant(store, "tester", Role.SECRETARY, person_id=secretary.id, branch_id=b.id)
    app = _make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, TaskForm)
        await pilot.press(*"线上缴纳党费", "tab", *"季度末检查", "tab", *"2026-11-30", "tab")
        await pilot.press("enter", "down", "enter")  # 考核指标: 线上缴纳党费比例
        await pilot.pause()
        await pilot.press("tab", *"95", "tab")
        await pilot.press("tab", "space")  # untick the second branch
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TasksScreen)
        task = store.query_one(
            "SELECT id, due, json_extract(data, '$.measure') AS m,"
            " json_extract(data, '$.threshold_pct') AS t FROM tasks"
        )
        assert task is not None
        assert (task["due"], task["m"], task["t"]) == ("2026-11-30", "线上缴纳党费比例", 95)
        went = store.query("SELECT branch_id FROM task_branches WHERE task_id=?", (task["id"],))
        assert [r["branch_id"] for r in went] == [b.id]
        table = screen.query_one("#tk-table", DataTable)
        assert table.row_count == 1
        assert "未报告" in str(table.get_row_at(0)[3])
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReportForm)
        # Typed, then Esc: the text is kept as a draft and comes back.
        await pilot.press(*"主题党日")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TasksScreen)
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one("#r-progress").value == "主题党日"
        await pilot.press("end", *"推广线上缴纳", "tab", "space", "ctrl+s")
        await pilot.pause()
        rep = store.query_one(
            "SELECT branch_id, done, json_extract(data, '$.progress') AS p FROM task_reports"
        )
        assert rep == {"branch_id": b.id, "done": 1, "p": "主题党日推广线上缴纳"}
        assert "按时完成" in str(table.get_row_at(0)[3])
        await pilot.press("q")
        await pilot.pause()
        # Done on time (60 of 60); the measure has no dues records (0 of 40).
        assert "一支部 60分" in str(screen.query_one("#tk-detail", Static).render())
    assert b2.id not in {r["branch_id"] for r in store.query("SELECT branch_id FROM task_reports")}
    assert not store.scalar("SELECT count(*) FROM drafts WHERE workflow='task_report'")


async def test_dues_grid_records_the_online_channel(make_demo_app, demo_store: Store) -> None:
    import json

    from screens.oversight.dues_grid import DuesGridScreen
    from storage import org
    from tests.test_dues_storage import ensure_demo_dues

    ensure_demo_dues(demo_store)
    branch = org.branches(demo_store)[2]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DuesGridScreen(branch.id, month=D(2026, 12, 1)))
        await pilot.pause()
        grid = app.screen
        ids = [str(k.value) for k in grid.query_one("#dg-table", DataTable).rows]
        # Row 0 paid online (o, then the space bar); row 1 paid, left 线下 (the default);
        # row 2 set online, then back to 线下, then paid.
        await pilot.press("o", "space", "space", "o", "o", "space", "ctrl+s")
        await pilot.pause()
    rows = {
        r["person_id"]: json.loads(r["data"])
        for r in demo_store.query("SELECT person_id, data FROM dues WHERE month='2026-12-01'")
    }
    assert rows[ids[0]]["online"] is True and rows[ids[0]]["paid_fen"] > 0
    assert rows[ids[1]]["online"] is False and rows[ids[1]]["paid_fen"] > 0
    # The 缴纳方式 the quarterly report's 党费明细 prints says the same as the channel.
    assert [rows[i]["method"] for i in ids[:3]] == ["线上缴纳", "现金", "现金"]
    assert rows[ids[2]]["online"] is False and rows[ids[2]]["paid_fen"] > 0


async def test_a_target_typed_without_a_measure_is_refused_not_dropped(store: Store) -> None:
    """目标值 95 typed with 考核指标 left at 无: the form says so and saves
    nothing, instead of saving a task without the measure the user meant."""
    top, (b, _b2) = factories.org_tree(store)
    roles.grant(store, "tester", Role.GENERAL, person_id=b.members[0].id, branch_id=top.id)
    app = _make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, TaskForm)
        await pilot.press(*"线上缴纳党费", "tab", "tab", *"2026-12-20", "tab", "tab", *"95")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TaskForm)
        status = str(app.screen.query_one("#t-status", Static).render())
        assert "考核指标" in status and "目标值" in status
        assert store.scalar("SELECT count(*) FROM tasks") == 0
        assert app.screen.query_one("#t-threshold").value == "95"  # nothing typed is lost


async def test_someone_not_the_verifier_is_refused_before_typing_a_note(store: Store) -> None:
    """y by anyone but the named 验证人: refused at once, not after asking for
    a 验证意见 the person then loses."""
    from domain.problems import Problem, ProblemSource
    from screens.dialogs import LinePrompt
    from services import problems as ps

    _top, (b, _b2) = factories.org_tree(store)
    owner, verifier, someone = b.members[3], b.members[1], b.members[2]
    roles.grant(store, "tester", Role.COMMITTEE, person_id=someone.id, branch_id=b.id)
    p = ps.file_problem(store, Problem(
        branch_id=b.id, source=ProblemSource.INSPECTION, found_on=D(2026, 11, 1),
        text="学习笔记不全", measures="补齐", owner_id=owner.id, owner_name=owner.name,
        deadline=D(2026, 12, 20), verifier_id=verifier.id, verifier_name=verifier.name,
    ))  # fmt: skip
    ps.advance(store, p.id, "已补齐", submit=True)
    app = _make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        table = app.screen.query_one("#pb-table", DataTable)
        await pilot.press(*["down"] * table.get_row_index(p.id))
        for key in ("y", "n"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, LinePrompt), key
            said = [n.message for n in app._notifications]
            assert any(f"只有验证人{verifier.name}本人才能验证" in m for m in said), said
    assert store.scalar("SELECT state FROM problems") == "待验证"
