"""Dialogs asked in turn from a meeting pane (speaker: who, gist, stance;
guest: who, role) record what was answered, and nothing when one is cancelled."""

from __future__ import annotations

from screens.dialogs import ChoicePrompt, LinePrompt
from screens.meetings.new_meeting import NewMeetingScreen
from screens.meetings.run import MeetingScreen
from storage import drafts, org, people
from widgets.person_picker import PickPersonScreen


async def _meeting(pilot, app) -> MeetingScreen:  # type: ignore[no-untyped-def]
    await pilot.press("m")
    await pilot.pause()
    assert isinstance(app.screen, NewMeetingScreen)
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, MeetingScreen)
    await pilot.press("escape")  # a new meeting opens in its title field: to the section list
    return app.screen


async def test_speaker_is_recorded_after_three_dialogs(make_demo_app, demo_store) -> None:
    branch = org.branches(demo_store)[0]
    who = people.list_branch(demo_store, branch.id)[1]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _meeting(pilot, app)
        await pilot.press("3", "enter")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PickPersonScreen)
        await pilot.press(*who.name, "enter")
        await pilot.pause()
        assert isinstance(app.screen, LinePrompt)
        await pilot.press(*"赞成总结", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ChoicePrompt)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is screen
        speakers = [sp for r in screen.meeting.steps for sp in r.speakers]
        assert [(sp.name, sp.remark, sp.dissent) for sp in speakers] == [
            (who.name, "赞成总结", True)
        ]
        # A cancelled stance records nothing more.
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*who.name, "enter")
        await pilot.pause()
        await pilot.press(*"第二次", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert sum(len(r.speakers) for r in screen.meeting.steps) == 1
        meeting_id = screen.meeting.id
    app.drafts.flush()
    saved = drafts.load(demo_store, "meeting", meeting_id)
    assert saved is not None
    steps = saved["meeting"]["steps"]
    assert [sp["remark"] for r in steps for sp in r["speakers"]] == ["赞成总结"]


async def test_guest_is_added_after_two_dialogs(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _meeting(pilot, app)
        before = len(screen.meeting.attendance)
        await pilot.press("2", "enter")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PickPersonScreen)
        await pilot.press(*"王来宾")
        await pilot.pause()
        await pilot.press("up", "enter")  # the "新增 …" option
        await pilot.pause()
        assert isinstance(app.screen, ChoicePrompt)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.screen is screen
        added = screen.meeting.attendance[before:]
        assert [(e.name, e.state.value) for e in added] == [("王来宾", "上级指导")]
