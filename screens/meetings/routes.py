"""按程序开会 routes: new meeting, the list, one meeting, a decision item;
the meeting draft."""

from __future__ import annotations

from domain.navigation import Place
from screens.navigation import DraftKind, PaletteEntry, Route
from widgets.app_handle import ZhibuAppBase


def _new_meeting(app: ZhibuAppBase, kind: str = "", org_id: str = "") -> None:
    from domain.meeting_kinds import MeetingKind
    from domain.meetings import Meeting
    from screens.meetings.new_meeting import NewMeetingScreen

    def created(meeting: Meeting | None) -> None:
        if meeting is not None:
            app.open_meeting_screen(meeting, new=True)

    screen = NewMeetingScreen(
        kind=MeetingKind(kind) if kind else MeetingKind.MEMBER_ASSEMBLY, org_id=org_id or None
    )
    app.push_screen(screen, created)


def _meetings(app: ZhibuAppBase) -> None:
    from screens.meetings.listing import MeetingsScreen

    app.go(Place.HOME)
    app.push_screen(MeetingsScreen())


def _meeting(app: ZhibuAppBase, meeting_id: str) -> None:
    from services import meetings
    from services.errors import DomainError

    try:
        meeting = meetings.open_meeting(app.store, meeting_id)
    except DomainError as e:
        app.notify(str(e), markup=False)
        return
    app.open_meeting_screen(meeting)


def _action_item(app: ZhibuAppBase, item_id: str) -> None:
    from screens.meetings.action_item import ActionItemScreen

    app.push_screen(ActionItemScreen(item_id))


def _resume_meeting(app: ZhibuAppBase, key: str) -> None:
    from domain.meetings import Meeting

    data = app.drafts.load("meeting", key)
    if not data:
        app.notify("草稿已不存在", markup=False)
        return
    app.open_meeting_screen(Meeting.model_validate(data["meeting"]), raw=data.get("raw"))


ROUTES = (
    Route(Place.NEW_MEETING, _new_meeting, "开会", key="m", footer=True,
          palette=(PaletteEntry("新建会议", "按程序开会：签到、程序清单、表决、决议"),)),
    Route(Place.MEETINGS, _meetings, "会议记录", key="l",
          palette=(PaletteEntry("会议记录", "已完成的会议，导出会议记录"),)),
    Route(Place.MEETING, _meeting),
    Route(Place.ACTION_ITEM, _action_item),
)  # fmt: skip

DRAFTS = (DraftKind("meeting", "会议", _resume_meeting),)
