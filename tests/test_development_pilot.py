"""发展党员 screens by keyboard at 80×24: the branch pipeline, a person's
record, recording a stage, and opening 转正 from the person."""

from __future__ import annotations

from datetime import date

from textual.widgets import DataTable, Static

from domain.development import Stage, StageEvent
from domain.navigation import Place
from domain.people import Person, PoliticalStatus
from screens.development.person import DevelopmentPersonScreen
from screens.development.pipeline import DevelopmentScreen
from screens.meetings.run import MeetingScreen
from storage import development as dev_store
from storage import org, people
from storage.db import Store

S = Stage


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


def _person(store: Store, branch_id: str, name: str) -> Person:
    return people.save(store, Person(name=name, status=PoliticalStatus.MASSES, branch_id=branch_id))


def _to(store: Store, pid: str, *events: StageEvent) -> None:
    for e in events:
        dev_store.record(store, pid, e)


def _probationer(store: Store, branch_id: str, admitted: date) -> Person:
    p = _person(store, branch_id, "测预备")
    _to(
        store, p.id,
        StageEvent(stage=S.APPLIED, on=date(2024, 1, 5)),
        StageEvent(stage=S.TALK, on=date(2024, 1, 20)),
        StageEvent(stage=S.ACTIVIST, on=date(2024, 3, 1), people=("甲", "乙")),
        StageEvent(stage=S.CANDIDATE, on=date(2025, 3, 1)),
        StageEvent(stage=S.VETTING, on=date(2025, 4, 1)),
        StageEvent(stage=S.TRAINING, on=date(2025, 4, 10), hours=24),
        StageEvent(stage=S.COMMITTEE_REVIEW, on=date(2025, 5, 1)),
        StageEvent(stage=S.PRE_REVIEW, on=date(2025, 5, 20)),
        StageEvent(stage=S.NOTICE, on=date(2025, 6, 1)),
        StageEvent(stage=S.ADMITTED, on=admitted, people=("丙", "丁")),
        StageEvent(stage=S.APPROVED, on=admitted.replace(month=admitted.month + 1)),
    )  # fmt: skip
    return p


def _cells(table: DataTable, key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


async def test_pipeline_view_shows_stage_next_and_late(make_demo_app, demo_store: Store) -> None:
    branch = org.branches(demo_store)[0]
    late_one = _person(demo_store, branch.id, "测迟交")
    _to(
        demo_store,
        late_one.id,
        StageEvent(stage=S.APPLIED, on=date(2026, 1, 5)),
        StageEvent(stage=S.TALK, on=date(2026, 1, 20)),
        StageEvent(stage=S.ACTIVIST, on=date(2026, 3, 1), people=("张伟", "王芳")),
    )  # fmt: skip — first 思想汇报 due 2026-06-01: late on 2026-11-22
    fresh = _person(demo_store, branch.id, "测新人")
    _to(demo_store, fresh.id, StageEvent(stage=S.APPLIED, on=date(2026, 11, 10)))
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go(Place.DEVELOPMENT, branch.id)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DevelopmentScreen)
        table = screen.query_one("#dv-table", DataTable)
        row = _cells(table, late_one.id)
        assert row[:2] == ["测迟交", "确定入党积极分子"]
        assert row[2] == "【逾期】思想汇报" and row[3] == "2026-06-01"
        assert row[4] == "【逾期】2 项"  # 思想汇报 due 06-01, 培养考察 09-01
        new_row = _cells(table, fresh.id)
        assert new_row[1:4] == ["递交入党申请书", "谈话", "2026-12-10"]
        assert new_row[4] == ""  # not late: no marker
        assert "人有逾期事项（标 【逾期】）" in str(screen.query_one("#dv-summary", Static).content)

        # Enter on the late person: their record.
        table.move_cursor(row=table.get_row_index(late_one.id))
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        person = app.screen
        assert isinstance(person, DevelopmentPersonScreen)
        assert "培养联系人：张伟、王芳" in str(person.query_one("#dp-people", Static).content)
        due = str(person.query_one("#dp-due", Static).content)
        assert "【逾期】思想汇报 2026-06-01" in due
        docs = str(person.query_one("#dp-docs", Static).content)
        assert docs == "已收材料：入党申请书、谈话记录、确定入党积极分子的支委会记录"
        assert person.query_one("#dp-timeline", DataTable).row_count == 3


async def test_record_a_stage_from_the_person_view(make_demo_app, demo_store: Store) -> None:
    branch = org.branches(demo_store)[0]
    p = _person(demo_store, branch.id, "测记录")
    _to(demo_store, p.id, StageEvent(stage=S.APPLIED, on=date(2026, 10, 1)))
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go(Place.DEVELOPMENT_PERSON, p.id)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DevelopmentPersonScreen)
        # 确定入党积极分子 with one 培养联系人: refused, typed text kept.
        screen.query_one("#dp-stage").value = S.ACTIVIST.value
        await settle(pilot)
        screen.query_one("#dp-date").focus()
        await pilot.press(*"2026-11-01", "tab", *"张伟")
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = str(screen.query_one("#dp-error", Static).content)
        assert error == "未记录：确定入党积极分子须指定 2 名培养联系人，现有 1 名"
        assert screen.query_one("#dp-people-in").value == "张伟"
        assert (
            demo_store.scalar("SELECT count(*) FROM development_events WHERE person_id=?", (p.id,))
            == 1
        )
        await pilot.press("space", *"王芳")
        assert screen.query_one("#dp-people-in").value == "张伟 王芳"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert str(screen.query_one("#dp-error", Static).content) == ""
        row = demo_store.query_one(
            "SELECT stage, on_date, data FROM development_events WHERE person_id=? AND stage=?",
            (p.id, S.ACTIVIST.value),
        )
        assert row and row["on_date"] == "2026-11-01" and "王芳" in row["data"]
        assert "培养联系人：张伟、王芳" in str(screen.query_one("#dp-people", Static).content)
        saved = people.get(demo_store, p.id)
        assert saved and saved.status is PoliticalStatus.ACTIVIST


async def test_open_confirmation_from_person_and_early_confirmation_refused(
    make_demo_app, demo_store: Store
) -> None:
    branch = org.branches(demo_store)[0]
    p = _probationer(demo_store, branch.id, date(2026, 3, 1))  # probation ends 2027-03-01
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go(Place.DEVELOPMENT_PERSON, p.id)
        await settle(pilot)
        assert "预备期满 2027-03-01" in str(app.screen.query_one("#dp-head", Static).content)
        app.screen.query_one("#dp-timeline").focus()
        await pilot.press("z")
        await settle(pilot)
        meeting_screen = app.screen
        assert isinstance(meeting_screen, MeetingScreen)
        m = meeting_screen.meeting
        assert m.kind.value == "预备党员转正" and m.candidate_id == p.id
        assert m.probation_start == date(2026, 3, 1)  # the recorded admission date
        assert m.topics == ["讨论测预备同志预备党员转正"]
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", "tab", "tab")
        assert app.focused is not None and app.focused.id == "i-probation"
        await pilot.press("tab", "enter")
        await pilot.pause()
        await pilot.press("enter")  # 按期转正, the first choice
        await pilot.pause()
        assert meeting_screen.meeting.confirmation_result is None
        notes = "\n".join(n.message for n in app._notifications)
        assert "不能按期转正" in notes
    assert dev_store.get(demo_store, p.id).has(S.CONFIRMED) is False  # type: ignore[union-attr]


async def test_development_screens_clip_nothing_at_80x24(make_demo_app, demo_store: Store) -> None:
    from tests.clipping import clipped

    branch = org.branches(demo_store)[0]
    first = dev_store.for_branch(demo_store, branch.id)[0]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go(Place.DEVELOPMENT, branch.id)
        await settle(pilot)
        assert isinstance(app.screen, DevelopmentScreen)
        assert clipped(app.screen) == []
        app.go(Place.DEVELOPMENT_PERSON, first.person_id)
        await settle(pilot)
        assert isinstance(app.screen, DevelopmentPersonScreen)
        assert clipped(app.screen) == []


async def test_open_admission_from_person_fills_the_candidate(
    make_demo_app, demo_store: Store
) -> None:
    branch = org.branches(demo_store)[0]
    at_notice = next(
        r for r in dev_store.for_branch(demo_store, branch.id) if r.has(S.NOTICE)
        and not r.has(S.ADMITTED)
    )  # fmt: skip
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go(Place.DEVELOPMENT_PERSON, at_notice.person_id)
        await settle(pilot)
        app.screen.query_one("#dp-timeline").focus()
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, MeetingScreen)
        m = app.screen.meeting
        assert m.kind.value == "接收预备党员" and m.candidate_id == at_notice.person_id
        assert any(e.person_id == at_notice.person_id for e in m.attendance)
        assert m.topics == [f"讨论接收{at_notice.person_name}同志为中共预备党员"]


def _completed(m, secretary: Person):
    """The rest of the 转正 meeting filled in as a secretary would: everyone
    signed in, place and times, every step done, the vote passed."""
    import datetime as dt

    from domain.meetings import mark_step_done, new_vote, sign_in_all
    from domain.procedures import GateCheck

    m, _ = sign_in_all(m)
    m = m.model_copy(update={
        "place": "党员活动室", "start_time": dt.time(9), "end_time": dt.time(10),
        "chair_id": secretary.id, "chair_name": secretary.name,
        "recorder_id": secretary.id, "recorder_name": secretary.name,
    })  # fmt: skip
    at = dt.datetime.combine(m.date, dt.time(9))
    for step in m.procedure.steps:
        if step.gate_check is GateCheck.VOTE and not m.votes:
            voters = sum(1 for e in m.attendance if e.present and e.has_vote)
            m = m.model_copy(update={"votes": [new_vote(m, m.topics[0], yes=voters)]})
        m = mark_step_done(m, step.key, at, notes="按程序完成。")
    return m


async def test_extension_recorded_from_the_person_and_a_second_one_refused(
    make_demo_app, demo_store: Store
) -> None:
    """延长预备期 end to end: decided at a 转正 meeting opened from the person,
    its months typed on the meeting, stored, shown on the timeline, and the
    probation end (and so the 转正 gate) moved; a second extension refused."""
    branch = org.branches(demo_store)[0]
    p = _probationer(demo_store, branch.id, date(2025, 10, 1))  # year ends 2026-10-01
    secretary = people.secretary_of(demo_store, branch.id)
    assert secretary is not None
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go(Place.DEVELOPMENT_PERSON, p.id)
        await settle(pilot)
        person = app.screen
        assert "预备期满 2026-10-01" in str(person.query_one("#dp-head", Static).content)
        person.query_one("#dp-timeline").focus()
        await pilot.press("z")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press(*["tab"] * 6)
        assert app.focused is not None and app.focused.id == "i-result"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("down", "enter")  # 延长预备期, the second choice
        await pilot.pause()
        await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "i-extension"
        await pilot.press(*"6")
        await pilot.pause()
        m = screen.meeting
        assert m.confirmation_result is not None and m.confirmation_result.value == "延长预备期"
        assert m.extension_months == 6
        screen.meeting = _completed(m, secretary)
        await pilot.press("escape", "f", "y")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert screen.meeting.finished, screen.query_one("#f-problems").render()
        row = demo_store.query_one(
            "SELECT on_date, meeting_id, data FROM development_events"
            " WHERE person_id=? AND stage='延长预备期'", (p.id,)
        )  # fmt: skip
        assert row and row["meeting_id"] == screen.meeting.id and '"months": 6' in row["data"]
        assert row["on_date"] == "2026-11-22"

        app.pop_screen()  # back to the person: the timeline shows the decision
        await settle(pilot)
        assert app.screen is person
        head = str(person.query_one("#dp-head", Static).content)
        assert "预备期满 2027-04-01" in head
        table = person.query_one("#dp-timeline", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert ["2026-11-22", "延长预备期", "延长 6 个月"] in rows
        due = str(person.query_one("#dp-due", Static).content)
        assert "预备期 2027-04-01 期满" in due

        # A second 转正 meeting knows of the extension: 延长 again is refused.
        person.query_one("#dp-timeline").focus()
        await pilot.press("z")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, MeetingScreen) and again is not screen
        assert again.meeting.probation_extended_months == 6
        await pilot.press("1")
        await pilot.pause()
        await pilot.press(*["tab"] * 6, "enter")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert again.meeting.confirmation_result is None
        assert "预备期只能延长一次，已延长 6 个月" in "\n".join(
            n.message for n in app._notifications
        )
    rec = dev_store.get(demo_store, p.id)
    assert rec is not None and [e.months for e in rec.events if e.stage is S.EXTENDED] == [6]


async def test_esc_with_a_stage_half_typed_asks_before_dropping_it(
    make_demo_app, demo_store: Store
) -> None:
    from screens.meetings.dialogs import ConfirmDialog

    branch = org.branches(demo_store)[0]
    p = _person(demo_store, branch.id, "测返回")
    _to(demo_store, p.id, StageEvent(stage=S.APPLIED, on=date(2026, 10, 1)))
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go(Place.DEVELOPMENT_PERSON, p.id)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DevelopmentPersonScreen)
        screen.query_one("#dp-people-in").focus()
        await pilot.press(*"张伟", "space", *"王芳", "escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one("#dp-people-in").value == "张伟 王芳"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is not screen and not isinstance(app.screen, ConfirmDialog)


async def test_a_meeting_opened_from_the_person_takes_typing_at_once(
    make_demo_app, demo_store: Store
) -> None:
    # As a meeting started with m: the first field has the cursor. The section
    # list had it, so the first words typed (the meeting's name) went nowhere.
    branch = org.branches(demo_store)[0]
    p = _probationer(demo_store, branch.id, date(2025, 10, 1))
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go(Place.DEVELOPMENT_PERSON, p.id)
        await settle(pilot)
        app.screen.query_one("#dp-timeline").focus()
        await pilot.press("z")
        await settle(pilot)
        meeting_screen = app.screen
        assert isinstance(meeting_screen, MeetingScreen)
        await pilot.press(*"转正大会")
        await settle(pilot)
        assert meeting_screen.query_one("#i-title").value == "转正大会"
        await pilot.press("escape")  # out of the field to the section list, not away
        await settle(pilot)
        assert app.screen is meeting_screen
