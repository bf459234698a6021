"""Issue 19 (sittings) by keyboard at 80×24: the shift pattern set from the
roster, sittings planned from it, attendance per sitting, the refusal for a
voting kind, and a 交接班活动 filed from 今日 — asserting on SQLite."""

from __future__ import annotations

import datetime as dt
import json

from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.navigation import Place
from domain.org import ShiftPattern
from domain.people_codes import Shift
from domain.periods import parse_period
from domain.sittings import current_shift
from screens.meetings.handover import HandoverScreen
from screens.meetings.run import MeetingScreen, SectionNav
from screens.meetings.shift_pattern import ShiftPatternScreen
from screens.meetings.sittings import SittingDialog
from screens.roster.roster import RosterScreen
from services import meetings as meeting_service
from storage import org, people
from storage import participation as participation_store


def _notes(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(n.message for n in app._notifications)  # noqa: SLF001


def _branch(store, pattern: ShiftPattern):  # type: ignore[no-untyped-def]
    return next(b for b in org.branches(store) if b.shift_pattern is pattern)


async def _open(app, pilot, meeting) -> MeetingScreen:  # type: ignore[no-untyped-def]
    app.open_meeting_screen(meeting)
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, MeetingScreen)
    screen.query_one(SectionNav).focus()
    await pilot.press("8")
    await pilot.pause()
    return screen


def _draft(store, meeting_id: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    row = store.query_one(
        "SELECT data FROM drafts WHERE workflow='meeting' AND key=?", (meeting_id,)
    )
    assert row is not None
    return json.loads(row["data"])["meeting"]


async def test_sittings_planned_from_the_shift_pattern_and_attendance_per_sitting(
    make_demo_app, demo_store, today
) -> None:
    branch = _branch(demo_store, ShiftPattern.TWO_SHIFTS)
    members = people.members_of(demo_store, branch.id)
    by_shift = {s: [p.id for p in members if p.shift is s] for s in (Shift.DAY, Shift.NIGHT)}
    assert by_shift[Shift.DAY] and by_shift[Shift.NIGHT]
    meeting = meeting_service.start_meeting(demo_store, MeetingKind.THEME_DAY, branch, today)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, meeting)
        await pilot.press("p")  # 按班次生成
        await pilot.pause()
        sittings = screen.meeting.sittings
        assert [s.label for s in sittings] == ["白班场", "夜班场"]
        assert sittings[0].member_ids == [
            e.person_id for e in meeting.attendance if e.person_id in by_shift[Shift.DAY]
        ]
        assert set(sittings[1].member_ids) == set(by_shift[Shift.NIGHT])

        # 白班场: time, place, leader, then the first two present (Space).
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SittingDialog)
        await pilot.press(*"08:30", "tab", *"09:30", "tab", *"活动室", "tab", *"张书记")
        await pilot.press("tab", "space", "space", "ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        day = screen.meeting.sittings[0]
        assert day.present_ids == sittings[0].member_ids[:2]
        assert (day.start_time, day.end_time, day.place) == (dt.time(8, 30), dt.time(9, 30),
                                                             "活动室")  # fmt: skip
        # 夜班场: its first member, and one of the day shift who came at night.
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", "tab", "space", "a")
        await pilot.pause()
        await pilot.press("enter")  # the first expected person not on the night list
        await pilot.pause()
        await pilot.press("space", "ctrl+s")
        await pilot.pause()
        night = screen.meeting.sittings[1]
        twice = sittings[0].member_ids[0]
        assert night.present_ids == [sittings[1].member_ids[0], twice]

        # One activity: three people present once each; the rest still missing, on screen.
        present = [e.person_id for e in screen.meeting.attendance
                   if e.state is AttendanceState.PRESENT]  # fmt: skip
        assert sorted(present) == sorted({*day.present_ids, *night.present_ids})
        summary = str(screen.query_one("#s-summary").render())
        expected = len(screen.meeting.attendance)
        assert f"应参加 {expected} 人，已参加 3 人" in summary
        missing = [e.name for e in screen.meeting.attendance if e.person_id not in present]
        assert "未参加：" + "、".join(missing) in summary.replace("\n", "")
        assert f"2场 未到{expected - 3}人" in str(screen.query_one("#meeting-status").render())

        app.drafts.flush()
        saved = _draft(demo_store, meeting.id)
        assert [s["present_ids"] for s in saved["sittings"]] == [day.present_ids, night.present_ids]
        states = {a["person_id"]: a["state"] for a in saved["attendance"]}
        assert [pid for pid, st in states.items() if st == "出席"] == [
            pid for pid in states if pid in present
        ]


async def test_a_voting_kind_cannot_be_split_and_the_app_says_why(
    make_demo_app, demo_store, today
) -> None:
    branch = _branch(demo_store, ShiftPattern.TWO_SHIFTS)
    meeting = meeting_service.start_meeting(demo_store, MeetingKind.MEMBER_ASSEMBLY, branch, today)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, meeting)
        assert "不能分场" in str(screen.query_one("#s-summary").render())
        await pilot.press("p", "n")
        await pilot.pause()
        assert screen.meeting.sittings == []
        assert "表决" in _notes(app) and "不能分场" in _notes(app)
        assert not isinstance(app.screen, SittingDialog)


async def test_shift_pattern_set_from_the_roster_proposes_the_sittings(
    make_demo_app, demo_store, today
) -> None:
    branch = _branch(demo_store, ShiftPattern.DAY_ONLY)
    members = people.members_of(demo_store, branch.id)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(RosterScreen(branch.id))
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, ShiftPatternScreen)
        # 常白班 → 白夜两班; first member 夜班, second 白班; the third goes 上站 to a new station.
        await pilot.press("t", "2", "1", "s")
        await pilot.pause()
        await pilot.press("enter")  # 新站点…
        await pilot.pause()
        await pilot.press(*"计量站", "enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "已保存" in _notes(app)
        assert org.get(demo_store, branch.id).shift_pattern is ShiftPattern.TWO_SHIFTS
        shifts = {p.id: p.shift for p in people.members_of(demo_store, branch.id)}
        shown = app.screen.setup.members
        assert shifts[shown[0].id] is Shift.NIGHT and shifts[shown[1].id] is Shift.DAY
        row = demo_store.query_one("SELECT data FROM branch_stations WHERE id=?", (branch.id,))
        assert json.loads(row["data"])["stations"] == [
            {"name": "计量站", "person_ids": [shown[2].id]}
        ]
    meeting = meeting_service.start_meeting(demo_store, MeetingKind.LECTURE, branch, today)
    from services.sittings import propose_for_meeting

    planned = propose_for_meeting(demo_store, meeting).sittings
    assert [s.label for s in planned][-1] == "上站（计量站）"
    assert planned[-1].member_ids == [shown[2].id]
    assert sum(len(s.member_ids) for s in planned) == len(members)


async def test_handover_filed_from_home_in_a_few_keys_counts_in_participation(
    make_demo_app, demo_store, today
) -> None:
    three = [b for b in org.branches(demo_store) if b.shift_pattern is ShiftPattern.THREE_SHIFTS]
    branch = three[0]
    members = people.members_of(demo_store, branch.id)
    shift = current_shift(ShiftPattern.THREE_SHIFTS, dt.datetime.now().time())
    on_shift = [p for p in members if p.shift is shift]
    assert on_shift
    period = parse_period(f"{today.year}-{today.month:02d}")
    before = participation_store.member_participation(demo_store, on_shift[0], period)
    rows_before = demo_store.scalar("SELECT count(*) FROM handovers")
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        keys = ["j", *(["enter"] if len(three) > 1 else []), *"安全交底", "ctrl+s"]
        await pilot.press(keys[0])
        await pilot.pause()
        await pilot.press(*keys[1:])
        await pilot.pause()
        assert not isinstance(app.screen, HandoverScreen), _notes(app)
        assert "已记录交接班活动" in _notes(app)
    assert demo_store.scalar("SELECT count(*) FROM handovers") == rows_before + 1
    row = demo_store.query_one("SELECT * FROM handovers ORDER BY created_at DESC LIMIT 1")
    data = json.loads(row["data"])
    assert (row["branch_id"], row["date"], row["shift"]) == (branch.id, today.isoformat(),
                                                              shift.value)  # fmt: skip
    assert data["topic"] == "安全交底" and data["minutes"] == 10
    assert data["attendee_ids"] == [p.id for p in on_shift]
    after = participation_store.member_participation(demo_store, on_shift[0], period)
    assert (after.present, after.expected) == (before.present + 1, before.expected + 1)


async def test_handover_opens_on_the_secretarys_own_branch_without_asking(
    make_demo_app, demo_store
) -> None:
    """Two 三班倒 branches: a member of the second, signed in, gets its form at
    once (no branch prompt to swallow the topic typed right after j)."""
    from storage import accounts

    three = [b for b in org.branches(demo_store) if b.shift_pattern is ShiftPattern.THREE_SHIFTS]
    assert len(three) > 1
    mine = three[1]
    accounts.map_account(demo_store, "tester", people.members_of(demo_store, mine.id)[0].id)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", *"安全交底")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen), _notes(app)
        assert app.screen.form.branch.id == mine.id
        assert "安全交底" in app.screen.query_one("#ho-topic").value


async def test_handover_typing_is_kept_as_a_draft_and_the_shift_switch_reticks(
    make_demo_app, demo_store
) -> None:
    three = [b for b in org.branches(demo_store) if b.shift_pattern is ShiftPattern.THREE_SHIFTS]
    branch = three[0]
    members = people.members_of(demo_store, branch.id)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.go(Place.HANDOVER, branch.id)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HandoverScreen)
        first = screen.shift
        await pilot.press(*"防冻防凝", "ctrl+t")
        await pilot.pause()
        assert screen.shift is not first
        assert screen.ticked == [p.id for p in members if p.shift is screen.shift]
        app.drafts.flush()
        row = demo_store.query_one(
            "SELECT data FROM drafts WHERE workflow='handover' AND key=?", (branch.id,)
        )
        kept = json.loads(row["data"])
        assert kept["ho-topic"] == "防冻防凝" and kept["shift"] == screen.shift.value
        # Leaving by the screen's own way asks first; a hang-up would leave the draft.
        app.pop_screen()
        await pilot.pause()
        app.go(Place.HANDOVER, branch.id)
        await pilot.pause()
        again = app.screen
        assert isinstance(again, HandoverScreen)
        assert again.query_one("#ho-topic").value == "防冻防凝"
        assert again.shift is screen.shift


async def test_cycling_the_pattern_back_keeps_each_members_shift(
    make_demo_app, demo_store
) -> None:
    # `t` is a cycle: a secretary who overshoots goes round once more. Coming
    # back to the branch's pattern must not reset every member to its first shift.
    branch = _branch(demo_store, ShiftPattern.THREE_SHIFTS)
    before = {p.id: p.shift for p in people.members_of(demo_store, branch.id)}
    assert len(set(before.values())) > 1
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(RosterScreen(branch.id))
        await pilot.pause()
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ShiftPatternScreen)
        await pilot.press("t", "t", "t")
        await pilot.pause()
        assert screen.pattern is ShiftPattern.THREE_SHIFTS
        assert screen.shifts == before
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert {p.id: p.shift for p in people.members_of(demo_store, branch.id)} == before


async def test_esc_in_a_sitting_asks_before_dropping_what_was_ticked(
    make_demo_app, demo_store, today
) -> None:
    branch = _branch(demo_store, ShiftPattern.TWO_SHIFTS)
    meeting = meeting_service.start_meeting(demo_store, MeetingKind.THEME_DAY, branch, today)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot, meeting)
        await pilot.press("p", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SittingDialog)
        await pilot.press("tab", "tab", *"活动室", "tab", "tab", "space", "space", "escape")
        await pilot.pause()
        # Not gone: a question, and n (or Esc) goes back to what was typed.
        assert app.screen is not screen and app.screen is not dialog
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one("#sd-place").value == "活动室"
        assert len(dialog.sitting.present_ids) == 2
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert len(screen.meeting.sittings[0].present_ids) == 2
        # Nothing changed: Esc closes at once.
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SittingDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
