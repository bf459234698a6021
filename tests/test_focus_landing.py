"""Issue 16 item 4: each screen opens with focus where the next keystroke is
expected. Every test types right after the screen opens and asserts where
the keys landed."""

from __future__ import annotations

from textual.widgets import Input

from domain.navigation import Place
from screens.meetings.run import MeetingScreen
from screens.rota.lecture_review import LectureReviewScreen
from screens.rota.lecture_step import LectureStepScreen
from widgets.person_picker import PickPersonScreen


async def test_new_meeting_takes_typing_in_its_first_field(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("m")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press(*"支部大会")
        assert app.screen.query_one("#i-title", Input).value == "支部大会"
        # Esc steps back to the section list; it does not leave the meeting.
        await pilot.press("escape")
        assert isinstance(app.screen, MeetingScreen)
        assert app.screen.meeting.title == "支部大会"


async def test_enter_on_home_opens_the_first_due_item(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = app.screen
        first = home._due[0]
        opened: list[object] = []
        app.follow = opened.append  # type: ignore[method-assign]
        await pilot.press("enter")
        assert opened == [first.action]


async def test_tab_after_picking_the_actor_goes_to_the_comment(make_demo_app, demo_store) -> None:
    lecture_id = str(
        demo_store.query_one("SELECT id FROM lectures WHERE state='已提交' LIMIT 1")["id"]
    )
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.go(Place.LECTURE, lecture_id)
        await pilot.pause()
        assert isinstance(app.screen, LectureReviewScreen)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, LectureStepScreen)
        await pilot.press("enter")  # the highlighted step: on to 操作人
        await pilot.press("ctrl+u", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PickPersonScreen)
        await pilot.press(*"zhoujl", "enter")
        await pilot.pause()
        assert isinstance(app.screen, LectureStepScreen)
        actor = app.screen.query_one("#step-actor", Input).value
        await pilot.press("tab", *"同意")
        assert actor
        assert app.screen.query_one("#step-comment", Input).value == "同意"
