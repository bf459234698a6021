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


def _handover(app: ZhibuAppBase, branch_id: str = "") -> None:
    from screens.meetings.handover import open_handover

    open_handover(app, branch_id)


def _shift_pattern(app: ZhibuAppBase, branch_id: str = "") -> None:
    from screens.dialogs import ChoicePrompt
    from screens.meetings.shift_pattern import ShiftPatternScreen
    from services import org_lookup, sittings
    from services.errors import DomainError

    def open_for(bid: str | None) -> None:
        if not bid:
            return
        try:
            setup = sittings.shift_setup(app.store, bid)
        except DomainError as e:
            app.notify(str(e), markup=False)
            return
        app.push_screen(ShiftPatternScreen(setup))

    if branch_id:
        open_for(branch_id)
        return
    branches = org_lookup.branches(app.store)
    app.push_screen(ChoicePrompt("设定哪个支部的班次？", [(b.id, b.name) for b in branches]),
                    open_for)  # fmt: skip


ROUTES = (
    Route(Place.NEW_MEETING, _new_meeting, "开会", key="m", footer=True,
          palette=(PaletteEntry("新建会议", "按程序开会：签到、程序清单、表决、决议"),)),
    Route(Place.MEETINGS, _meetings, "会议记录", key="l",
          palette=(PaletteEntry("会议记录", "已完成的会议，导出会议记录"),)),
    Route(Place.MEETING, _meeting),
    Route(Place.ACTION_ITEM, _action_item),
    Route(Place.HANDOVER, _handover, "交接班", key="j", footer=True,
          palette=(PaletteEntry("交接班活动", "三班倒支部：带班人在交接班时的简短支部活动"),)),
    Route(Place.SHIFT_PATTERN, _shift_pattern,
          palette=(PaletteEntry("班次与上站", "支部的班次制度、每人的班次和上站站点（分场依据）"),)),
)  # fmt: skip

DRAFTS = (
    DraftKind("meeting", "会议", _resume_meeting),
    DraftKind("handover", "交接班活动", _handover),
)
