"""The meeting workflow by keyboard at 80×24, asserting on SQLite and the .docx."""

from __future__ import annotations

import json

from textual.widgets import Input, TextArea

from domain.navigation import Place
from domain.search_keys import person_keys
from screens.meetings.dialogs import DecisionDialog, VoteDialog
from screens.meetings.new_meeting import NewMeetingScreen
from screens.meetings.run import MeetingScreen
from screens.registry import DRAFT_KINDS
from storage import org, people
from widgets.person_picker import PickPersonScreen


def _initials(name: str) -> str:
    return next(k for k, r in person_keys(name) if r == 2)


async def _new_assembly(pilot, app) -> MeetingScreen:
    await pilot.press("m")
    await pilot.pause()
    assert isinstance(app.screen, NewMeetingScreen)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, MeetingScreen)
    return app.screen


async def test_assembly_from_new_to_exported_minutes(
    make_demo_app, demo_store, tmp_path, export_dir
) -> None:
    branch = org.branches(demo_store)[0]
    roster = people.list_branch(demo_store, branch.id)
    recorder = next(p for p in roster if p.post and p.post.value == "组织委员")
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _new_assembly(pilot, app)
        meeting_id = screen.meeting.id
        # 1 基本信息: a new meeting opens with the typing in its first field
        assert app.focused.id == "i-title"
        await pilot.press(
            *"第四季度党员大会", "tab", *"党员活动室", "tab", "tab", *"9:00", "tab", *"10:30"
        )
        await pilot.press(
            "tab", "tab", "enter"
        )  # chair is the secretary already; pick the recorder
        await pilot.pause()
        assert isinstance(app.screen, PickPersonScreen)
        await pilot.press(*recorder.name, "enter")
        await pilot.pause()
        await pilot.press("tab", *"讨论通过年度工作总结")
        await pilot.press("escape")
        # 2 签到 starts 未签到: first two present, third absent with a reason, the rest present
        await pilot.press("2")
        await pilot.pause()
        assert "未签到" in str(app.screen.query_one("#a-summary").render())
        await pilot.press("1", "1", "3")
        await pilot.pause()
        await pilot.press(*"夜班", "enter")
        await pilot.pause()
        await pilot.press(*["1"] * (len(app.screen.meeting.attendance) - 3))
        await pilot.pause()
        summary = str(app.screen.query_one("#a-summary").render())
        assert "可以进行表决" in summary
        # 4 表决 first: the ⚑ 表决 step cannot be ticked before a vote is recorded
        await pilot.press("escape", "4")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, VoteDialog)
        voters = app.screen.meeting.attendance
        present_voting = sum(1 for e in voters if e.present and e.has_vote)
        await pilot.press("tab", "tab", *str(present_voting - 1), "tab", "1")
        await pilot.pause()
        assert "通过" in str(app.screen.query_one("#v-result").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape", "3")
        await pilot.pause()
        steps = len(app.screen.meeting.procedure.steps)
        await pilot.press(*["d"] * steps)
        await pilot.pause()
        # 6 决议 with an owner picked by pinyin initials
        await pilot.press("escape", "6")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, DecisionDialog)
        app.screen.query_one("#d-text", Input).value = "年底前完成党员档案整理"
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press(*_initials(recorder.name))
        await pilot.pause()
        lst = app.screen.query_one("#pick-results")
        ids = [lst.get_option_at_index(i).id for i in range(lst.option_count)]
        for _ in range(ids.index(recorder.id)):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("tab", "tab", *"2026-12-31", "ctrl+s")
        await pilot.pause()
        # the draft holds everything typed so far
        app.drafts.flush()
        draft = json.loads(
            demo_store.query_one(
                "SELECT data FROM drafts WHERE workflow='meeting' AND key=?", (meeting_id,)
            )["data"]
        )
        assert draft["meeting"]["place"] == "党员活动室"
        # 7 完成: f asks first, y confirms
        await pilot.press("escape", "f", "y")
        await pilot.pause()
        assert app.screen.meeting.finished, app.screen.query_one("#f-problems").render()
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await pilot.pause()
    row = demo_store.query_one("SELECT status, data FROM meetings WHERE id=?", (meeting_id,))
    assert row["status"] == "已完成"
    data = json.loads(row["data"])
    assert (
        data["votes"][0]["outcome"]["quorum"]["ok"] and data["votes"][0]["outcome"]["result"]["ok"]
    )
    assert data["recorder_name"] == recorder.name and data["start_time"] == "09:00:00"
    items = demo_store.query(
        "SELECT kind, owner_name, deadline FROM action_items WHERE meeting_id=?", (meeting_id,)
    )
    assert {"kind": "决议", "owner_name": recorder.name, "deadline": "2026-12-31"} in items
    assert any(i["kind"] == "补学" for i in items)
    assert demo_store.query("SELECT 1 FROM drafts WHERE key=?", (meeting_id,)) == []
    files = list(export_dir.glob("*.docx"))  # the one export folder, not exports/ by the db
    assert len(files) == 1
    from docx import Document

    doc = Document(files[0])
    cells = [c.text for r in doc.tables[0].rows for c in r.cells]
    assert any("党员活动室" in c for c in cells) and any(recorder.name in c for c in cells)
    assert any("9时00分至10时30分" in c for c in cells)
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "年底前完成党员档案整理" in body


async def test_quorum_failure_blocks_finish(make_demo_app, demo_store) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _new_assembly(pilot, app)
        meeting_id = screen.meeting.id
        await pilot.press("escape", "2")  # from the title field to the section list, then 签到
        await pilot.pause()
        # mark people absent from the top until half or fewer of the voters are present
        voters = [e.has_vote for e in screen.meeting.attendance]
        need = sum(voters) - sum(voters) // 2
        marked = rows = 0
        while marked < need:
            await pilot.press("3", *"出差", "enter")
            await pilot.pause()
            marked += voters[rows]
            rows += 1
        await pilot.press(*["1"] * (len(voters) - rows))  # the rest sign in
        await pilot.pause()
        summary = str(app.screen.query_one("#a-summary").render())
        assert f"实到 {len(voters) - rows} 人" in summary
        assert "不足法定人数" in summary
        await pilot.press("escape", "f")
        await pilot.pause()
        problems = str(app.screen.query_one("#f-problems").render())
        assert "到会" in problems or "法定" in problems or "过半" in problems
        assert not app.screen.meeting.finished
    assert demo_store.query("SELECT 1 FROM meetings WHERE id=?", (meeting_id,)) == []
    assert demo_store.query("SELECT 1 FROM drafts WHERE key=?", (meeting_id,)) != []


async def test_finished_meeting_is_read_only_and_correction_keeps_old(
    make_demo_app, demo_store
) -> None:
    mid = demo_store.scalar("SELECT id FROM meetings WHERE kind='支部党员大会' LIMIT 1")
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(Place.MEETING, mid)
        await pilot.pause()
        screen = app.screen
        assert screen.meeting.finished
        await pilot.press("1")
        await pilot.pause()
        before = screen.meeting.place
        await pilot.press("tab", *"改")
        await pilot.pause()
        assert screen.meeting.place == before
        await pilot.press("escape", "c", "y")
        await pilot.pause()
        corrected = app.screen
        assert corrected.meeting.supersedes_id == mid and not corrected.meeting.finished
    assert demo_store.scalar("SELECT status FROM meetings WHERE id=?", (mid,)) == "已完成"


async def test_topics_textarea_drafts_and_resume(make_demo_app, demo_store) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _new_assembly(pilot, app)
        mid = screen.meeting.id
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one("#i-topics", TextArea).text = "议题一\n议题二"
        await pilot.pause(0.8)
        await pilot.press("escape", "escape")
        await pilot.pause()
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        DRAFT_KINDS["meeting"].resume(app, mid)
        await pilot.pause()
        assert app.screen.meeting.topics == ["议题一", "议题二"]


async def test_rota_lecture_opens_as_prefilled_lecture_meeting(make_demo_app, demo_store) -> None:
    import datetime as dt

    from domain.meetings import mark_step_done, sign_in_all
    from storage import rota

    row = demo_store.query_one(
        "SELECT id FROM lectures WHERE date < '2026-11-01'"
        " AND json_extract(data, '$.meeting_id') IS NULL ORDER BY date DESC LIMIT 1"
    )  # the demo's held lectures have their 党课 already: take one put off
    lecture = rota.get_lecture(demo_store, row["id"])
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(Place.LECTURE_MEETING, lecture.id)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        m = screen.meeting
        assert m.kind.value == "党课" and m.lecture_id == lecture.id
        assert m.lecturer_name == lecture.lecturer_name and m.date == lecture.lecture_date
        m = m.model_copy(update={"place": "活动室", "recorder_name": "记录员", "topics": m.topics or ["党课"],
                                 "start_time": dt.time(9), "end_time": dt.time(10)})  # fmt: skip
        m, _ = sign_in_all(m)
        for step in m.procedure.steps:
            m = mark_step_done(m, step.key, dt.datetime.combine(m.date, dt.time(9)))
        screen.apply(m)
        await pilot.press("f", "y")
        await pilot.pause()
        assert screen.meeting.finished, str(screen.query_one("#f-problems").render())
    given = rota.get_lecture(demo_store, lecture.id)
    assert given.meeting_id == screen.meeting.id
    assert given.attendance.startswith("应到")
