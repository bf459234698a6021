"""Issue 13 at 80×24 by keyboard: gates that gate, counts that add up, nothing
pre-filled as true, confirmations before locking, typed dialog text in the draft,
and 补学 recorded. Each test asserts on SQLite or on the screen."""

from __future__ import annotations

import datetime as dt
import json

from textual.widgets import Input, TextArea

from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.meetings import Meeting, StepState, mark_step_done, new_meeting, sign_in_all, step_state
from domain.navigation import Place
from screens.meetings.dialogs import ConfirmDialog, MakeUpDialog, VoteDialog
from screens.meetings.run import MeetingScreen
from screens.registry import DRAFT_KINDS
from storage import org, people

TODAY = dt.date(2026, 11, 22)


def _meeting(store, kind: MeetingKind, *, present: int | None = None) -> Meeting:
    branch = org.branches(store)[0]
    m = new_meeting(kind, branch.id, branch.name, TODAY, people=people.members_of(store, branch.id))
    if present is not None:
        att = [
            e.model_copy(update={"state": AttendanceState.PRESENT if i < present
                                 else AttendanceState.ABSENT})
            for i, e in enumerate(m.attendance)
        ]  # fmt: skip
        m = m.model_copy(update={"attendance": att})
    return m.model_copy(update={"topics": ["讨论通过年度工作总结"]})


async def _open(pilot, app, meeting: Meeting) -> MeetingScreen:
    await pilot.pause()
    app.open_meeting_screen(meeting)
    await pilot.pause()
    assert isinstance(app.screen, MeetingScreen)
    return app.screen


def _draft(store, mid: str) -> dict:
    row = store.query_one("SELECT data FROM drafts WHERE workflow='meeting' AND key=?", (mid,))
    return json.loads(row["data"])


def _notes(app) -> str:
    return "\n".join(n.message for n in app._notifications)


def _screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query("Static"))


def _ready(m: Meeting) -> Meeting:
    m = m.model_copy(update={"place": "活动室", "chair_name": "主持人", "recorder_name": "记录员",
                             "start_time": dt.time(9), "end_time": dt.time(10)})  # fmt: skip
    m, _ = sign_in_all(m)
    for step in m.procedure.steps:
        if not step.hard_gate:
            m = mark_step_done(m, step.key, dt.datetime.combine(m.date, dt.time(9)))
    return m


# -- sign-in ------------------------------------------------------------------------


async def test_sign_in_starts_unsigned_and_one_key_marks_the_rest(make_demo_app, demo_store):
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, _meeting(demo_store, MeetingKind.MEMBER_ASSEMBLY))
        n = len(screen.meeting.attendance)
        await pilot.press("2")
        await pilot.pause()
        summary = str(screen.query_one("#a-summary").render())
        assert f"未签到 {n} 人" in summary and "✓" not in summary
        await pilot.press("3", *"夜班", "enter")
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert f"{n - 1} 人" in _notes(app)
        assert "可以进行表决" in str(screen.query_one("#a-summary").render())
        app.drafts.flush()
        states = [e["state"] for e in _draft(demo_store, screen.meeting.id)["meeting"]["attendance"]]
    assert states.count("出席") == n - 1 and states.count("缺席") == 1


# -- gates --------------------------------------------------------------------------


async def test_failing_gate_cannot_be_ticked(make_demo_app, demo_store):
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, _meeting(demo_store, MeetingKind.COMMITTEE, present=2))
        await pilot.press("3")
        await pilot.pause()
        keys = [s.key for s in screen.meeting.procedure.steps]
        await pilot.press("down", "enter")  # ⚑ 确认半数以上委员到会
        await pilot.pause()
        assert step_state(screen.meeting, "quorum") is StepState.OPEN
        assert "未满足" in _notes(app)
        assert "✗" in str(screen.query_one("#s-guide").render())
        await pilot.press(*["down"] * (keys.index("decide") - 1), "d")  # ⚑ 表决, no vote
        await pilot.pause()
        assert step_state(screen.meeting, "decide") is StepState.OPEN
        assert "还没有记录表决" in _notes(app)
        await pilot.press("escape", "f")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert "确认半数以上委员到会" in _notes(app)
        app.drafts.flush()
        steps = _draft(demo_store, screen.meeting.id)["meeting"]["steps"]
    assert not any(s["done_at"] for s in steps if s["step_key"] in ("quorum", "decide"))


async def test_manual_gate_says_what_to_confirm_and_asks(make_demo_app, demo_store):
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, _meeting(demo_store, MeetingKind.LECTURE))
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("enter")  # ⚑ 党课已列入计划，讲稿/课件审核通过
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "请确认：党课已列入计划" in _screen_text(app)
        await pilot.press("enter")  # Enter alone is the default: no
        await pilot.pause()
        assert step_state(screen.meeting, "approved") is StepState.OPEN
        await pilot.press("enter", "y")
        await pilot.pause()
        assert step_state(screen.meeting, "approved") is StepState.DONE


async def test_unskipping_a_step_asks(make_demo_app, demo_store):
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, _meeting(demo_store, MeetingKind.COMMITTEE, present=5))
        keys = [s.key for s in screen.meeting.procedure.steps]
        await pilot.press("3")
        await pilot.pause()
        await pilot.press(*["down"] * keys.index("discuss"), "s", *"无需讨论", "enter")
        await pilot.pause()
        assert step_state(screen.meeting, "discuss") is StepState.SKIPPED
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert step_state(screen.meeting, "discuss") is StepState.SKIPPED
        await pilot.press("enter", "y")
        await pilot.pause()
        assert step_state(screen.meeting, "discuss") is StepState.DONE


# -- counts -------------------------------------------------------------------------


async def test_impossible_vote_counts_do_not_save(make_demo_app, demo_store):
    app = make_demo_app()
    m = _meeting(demo_store, MeetingKind.MEMBER_ASSEMBLY)
    voters = [i for i, e in enumerate(m.attendance) if e.has_vote][:15]
    att = [e.model_copy(update={"state": AttendanceState.PRESENT if i in voters
                                else AttendanceState.LEAVE}) for i, e in enumerate(m.attendance)]  # fmt: skip
    m = m.model_copy(update={"attendance": att})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, m)
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, VoteDialog)
        await pilot.press("tab", "tab", *"14", "tab", "1", "tab", "1")
        await pilot.pause()
        result = str(app.screen.query_one("#v-result").render())
        assert "多于在场有表决权 15 人" in result and "不能保存" in result
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, VoteDialog)
        await pilot.press("backspace", "0", "ctrl+s")  # 弃权 0: 14 + 1 + 0 = 15
        await pilot.pause()
        assert app.screen is screen
        app.drafts.flush()
        votes = _draft(demo_store, screen.meeting.id)["meeting"]["votes"]
    assert [(v["yes"], v["no"], v["abstain"]) for v in votes] == [(14, 1, 0)]


async def test_impossible_election_counts_do_not_save(make_demo_app, demo_store):
    from screens.meetings.dialogs import ElectionDialog

    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, _meeting(demo_store, MeetingKind.MEMBER_ASSEMBLY))
        await pilot.press("A")  # nothing on the info pane takes A: the grid is not focused
        screen.apply(sign_in_all(screen.meeting)[0])
        await pilot.press("5")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ElectionDialog)
        # 应选 3, 发出 10, 收回 10, 有效 9, 无效 0 (9 + 0 ≠ 10)
        await pilot.press("tab", "home", "ctrl+k", "3", "tab", "home", "ctrl+k", *"10",
                          "tab", "home", "ctrl+k", *"10", "tab", "home", "ctrl+k", "9")  # fmt: skip
        await pilot.pause()
        result = str(app.screen.query_one("#e-result").render())
        assert "≠ 收回 10" in result
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ElectionDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert screen.meeting.elections == []


# -- finishing and corrections ask first ----------------------------------------------


async def test_finish_asks_and_enter_does_not_confirm(make_demo_app, demo_store):
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, _ready(_meeting(demo_store, MeetingKind.LECTURE)))
        m = screen.meeting
        for g in m.procedure.gates:
            m = mark_step_done(m, g.key, dt.datetime.combine(m.date, dt.time(9)))
        screen.apply(m)
        mid = m.id
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "锁定" in _screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert not screen.meeting.finished
        assert demo_store.query("SELECT 1 FROM meetings WHERE id=?", (mid,)) == []
        await pilot.press("f", "y")
        await pilot.pause()
        assert screen.meeting.finished
    assert demo_store.scalar("SELECT status FROM meetings WHERE id=?", (mid,)) == "已完成"


async def test_correction_asks_and_a_second_one_is_refused(make_demo_app, demo_store):
    from storage import meetings as meeting_store
    from storage.db import open_store

    mid = demo_store.scalar(
        "SELECT id FROM meetings WHERE kind='支部党员大会' AND superseded=0 LIMIT 1"
    )
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(Place.MEETING, mid)
        await pilot.pause()
        first = app.screen
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "锁定" in _screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is first
        assert demo_store.query("SELECT 1 FROM corrections WHERE supersedes_id=?", (mid,)) == []
        other = open_store(demo_store.path, actor="王五")
        try:
            meeting_store.start_correction(other, mid)
        finally:
            other.close()
        await pilot.press("c", "y")
        await pilot.pause()
        assert app.screen is first
        assert "王五" in _notes(app)
    rows = demo_store.query("SELECT started_by FROM corrections WHERE supersedes_id=?", (mid,))
    assert rows == [{"started_by": "王五"}]


async def test_correction_goes_through_storage(make_demo_app, demo_store):
    mid = demo_store.scalar(
        "SELECT id FROM meetings WHERE kind='支部党员大会' AND superseded=0 LIMIT 1"
    )
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(Place.MEETING, mid)
        await pilot.pause()
        await pilot.press("c", "y")
        await pilot.pause()
        corrected = app.screen
        assert isinstance(corrected, MeetingScreen) and corrected.meeting.supersedes_id == mid
        draft_id = corrected.meeting.id
        assert demo_store.query("SELECT draft_id FROM corrections WHERE supersedes_id=?", (mid,)) \
            == [{"draft_id": draft_id}]  # fmt: skip
        await pilot.press("c", "y")  # on the correction draft: abandon it
        await pilot.pause()
    assert demo_store.query("SELECT 1 FROM corrections WHERE supersedes_id=?", (mid,)) == []
    assert demo_store.query("SELECT 1 FROM drafts WHERE key=?", (draft_id,)) == []


# -- 转正 ---------------------------------------------------------------------------


async def test_confirmation_asks_probation_start_and_refuses_early_on_time(
    make_demo_app, demo_store
):
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, _meeting(demo_store, MeetingKind.CONFIRMATION))
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", "tab", "tab")
        assert app.focused.id == "i-probation"
        await pilot.press("home", "ctrl+k", *"2026-09-01", "tab", "enter")
        await pilot.pause()
        await pilot.press("enter")  # 按期转正, the first choice
        await pilot.pause()
        assert screen.meeting.probation_start == dt.date(2026, 9, 1)
        assert screen.meeting.confirmation_result is None
        assert "不能按期转正" in _notes(app)
        app.drafts.flush()
        data = _draft(demo_store, screen.meeting.id)["meeting"]
    assert data["probation_start"] == "2026-09-01" and data["confirmation_result"] is None


# -- typed dialog text is in the draft ----------------------------------------------


async def test_step_note_and_vote_text_survive_a_kill(make_demo_app, demo_store):
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, _meeting(demo_store, MeetingKind.MEMBER_ASSEMBLY))
        mid = screen.meeting.id
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"大家一致同意")
        await pilot.pause(0.8)  # past the debounce; nothing flushed by hand
        assert "大家一致同意" in json.dumps(_draft(demo_store, mid), ensure_ascii=False)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        DRAFT_KINDS["meeting"].resume(app, mid)
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == "大家一致同意"


async def test_vote_dialog_text_survives_a_kill(make_demo_app, demo_store):
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, _meeting(demo_store, MeetingKind.MEMBER_ASSEMBLY))
        mid = screen.meeting.id
        await pilot.press("4", "a")
        await pilot.pause()
        await pilot.press("home", "ctrl+k", *"通过工作总结", "tab", "tab", "7")
        await pilot.pause(0.8)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        DRAFT_KINDS["meeting"].resume(app, mid)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, VoteDialog)
        assert app.screen.query_one("#v-subject", Input).value == "通过工作总结"
        assert app.screen.query_one("#v-yes", Input).value == "7"


async def test_skip_reason_and_decision_text_survive_a_kill(make_demo_app, demo_store):
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot, app, _meeting(demo_store, MeetingKind.COMMITTEE))
        mid = screen.meeting.id
        await pilot.press("3", "s")
        await pilot.pause()
        await pilot.press(*"议题已撤回")
        await pilot.pause(0.8)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        DRAFT_KINDS["meeting"].resume(app, mid)
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one(Input).value == "议题已撤回"
        await pilot.press("escape")  # dropping the dialog drops it from the draft
        await pilot.pause()
        await pilot.press("6", "a")
        await pilot.pause()
        await pilot.press("home", "ctrl+k", *"下周完成档案整理")
        await pilot.pause(0.8)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        DRAFT_KINDS["meeting"].resume(app, mid)
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#d-text", Input).value == "下周完成档案整理"


# -- 补学 ---------------------------------------------------------------------------


async def test_make_up_is_recorded_from_its_item(make_demo_app, demo_store):
    item = demo_store.query_one(
        "SELECT id, meeting_id FROM action_items WHERE kind='补学' AND closed_at IS NULL LIMIT 1"
    )
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(Place.ACTION_ITEM, item["id"])
        await pilot.pause()
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, MakeUpDialog)
        # date (today by default), 方式, 检查人, 备注
        await pilot.press("tab", "tab", *"李组织", "tab", *"已学习会议精神", "ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, MakeUpDialog)
    row = demo_store.query_one("SELECT done_on, method, checked_by FROM make_ups WHERE action_id=?",
                               (item["id"],))  # fmt: skip
    assert row == {"done_on": TODAY.isoformat(), "method": "学习材料", "checked_by": "李组织"}
    closed = demo_store.scalar("SELECT closed_at FROM action_items WHERE id=?", (item["id"],))
    assert closed is not None


async def test_home_lists_make_ups_per_branch(make_demo_app, demo_store):
    from textual.widgets import OptionList

    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lst = app.screen.query_one("#due-list", OptionList)
        lines = [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]
        assert any("人次待补学" in line for line in lines), lines
        assert not any(line.lstrip("‼•· ").startswith("补学 ") for line in lines), lines
        index = next(i for i, line in enumerate(lines) if "人次待补学" in line)
        lst.focus()
        lst.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ != "HomeScreen"


async def test_minutes_count_make_ups_done_and_outstanding(make_demo_app, demo_store, export_dir):
    from docx import Document

    from domain.action_codes import MakeUpMethod
    from storage.make_ups import record_make_up

    mid = demo_store.scalar(
        "SELECT meeting_id FROM action_items WHERE kind='补学' AND closed_at IS NULL"
        " GROUP BY meeting_id HAVING count(*) >= 2 LIMIT 1"
    )
    owed = demo_store.query(
        "SELECT id, owner_name FROM action_items WHERE kind='补学' AND meeting_id=?", (mid,)
    )
    date = dt.date.fromisoformat(demo_store.scalar("SELECT date FROM meetings WHERE id=?", (mid,)))
    record_make_up(demo_store, owed[0]["id"], done_on=date, method=MakeUpMethod.ONLINE,
                   checked_by="李组织")  # fmt: skip
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(Place.MEETING, mid)
        await pilot.pause()
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
    [path] = list(export_dir.glob("*.docx"))  # the one export folder
    body = "\n".join(p.text for p in Document(path).paragraphs)
    assert f"已补学 1 人：{owed[0]['owner_name']}" in body and "线上，检查人李组织" in body
    assert f"待补学 {len(owed) - 1} 人" in body


def test_quarterly_report_counts_make_ups_done(demo_store) -> None:
    from domain.action_codes import MakeUpMethod
    from domain.periods import quarter_of
    from exports import quarterly_report as qr
    from storage.compliance_report import follow_through
    from storage.make_ups import record_make_up

    row = demo_store.query_one(
        "SELECT a.id, m.org_id, m.date FROM action_items a JOIN meetings m ON m.id=a.meeting_id"
        " JOIN org_units o ON o.id=m.org_id WHERE a.kind='补学' AND a.closed_at IS NULL"
        " AND o.kind='党支部' LIMIT 1"
    )
    period = quarter_of(TODAY)
    before = follow_through(demo_store, row["org_id"], period, TODAY)
    record_make_up(demo_store, row["id"], done_on=TODAY, method=MakeUpMethod.LESSON,
                   checked_by="李组织")  # fmt: skip
    after = follow_through(demo_store, row["org_id"], period, TODAY)
    assert (after.make_ups_done, after.make_ups_open) == (
        before.make_ups_done + 1, before.make_ups_open - 1,
    )  # fmt: skip
    work = qr.WorkCounts(
        decisions_new=0, decisions_open=0, decisions_overdue=0, make_ups_open=after.make_ups_open,
        followups_open=0, followups_new=0, make_ups_done=after.make_ups_done,
    )  # fmt: skip
    assert f"本期完成补学{after.make_ups_done}人次" in qr._work_text(work)
