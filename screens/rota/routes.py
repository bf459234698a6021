"""党课轮讲 routes: the plan, the wizard, one lecture's review, the 党课
meeting of a lecture; the rota and lecture drafts."""

from __future__ import annotations

from domain.navigation import Place
from screens.navigation import DraftKind, PaletteEntry, Route
from widgets.app_handle import ZhibuAppBase


def _rota(app: ZhibuAppBase, plan_id: str = "") -> None:
    from screens.rota.plan import RotaPlanScreen

    app.push_screen(RotaPlanScreen(plan_id or None))


def _new_rota(app: ZhibuAppBase, org_id: str = "") -> None:
    from screens.rota.wizard import RotaWizardScreen

    app.push_screen(RotaWizardScreen(org_id or None))


def _lecture(app: ZhibuAppBase, lecture_id: str) -> None:
    from screens.rota.lecture_review import LectureReviewScreen

    app.push_screen(LectureReviewScreen(lecture_id))


def _lecture_meeting(app: ZhibuAppBase, lecture_id: str) -> None:
    """Open the 党课 meeting for a rota lecture, pre-filled."""
    from domain.meeting_kinds import MeetingKind
    from domain.meetings import new_meeting
    from storage import org, people, rota

    store = app.store
    lecture = rota.get_lecture(store, lecture_id)
    if lecture is None:
        app.notify("找不到这次党课", markup=False)
        return
    if lecture.meeting_id:
        app.go(Place.MEETING, lecture.meeting_id)
        return
    lecturer = people.get(store, lecture.lecturer_id) if lecture.lecturer_id else None
    branch = org.get(store, lecturer.branch_id) if lecturer and lecturer.branch_id else None
    if branch is None:
        app.notify("授课人不在任何支部，无法确定会议所属支部", markup=False)
        return
    meeting = new_meeting(
        MeetingKind.LECTURE, branch.id, branch.name, lecture.lecture_date,
        people=people.members_of(store, branch.id),
    )  # fmt: skip
    secretary = people.secretary_of(store, branch.id)
    meeting = meeting.model_copy(
        update={
            "topics": [lecture.topic or "党课"],
            "place": lecture.place,
            "lecturer_id": lecturer.id if lecturer else None,
            "lecturer_name": lecture.lecturer_name,
            "lecture_id": lecture.id,
            "title": f"党课：{lecture.topic}" if lecture.topic else "",
            "chair_id": secretary.id if secretary else None,
            "chair_name": secretary.name if secretary else "",
        }
    )
    app.open_meeting_screen(meeting)


ROUTES = (
    Route(Place.ROTA, _rota, "党课", key="k", footer=True,
          palette=(PaletteEntry("党课计划", "轮讲计划、课件审核状态，导出党课计划表"),)),
    Route(Place.NEW_ROTA, _new_rota,
          palette=(PaletteEntry("新建党课轮讲计划", "选周期与授课人，排出轮讲方案"),)),
    Route(Place.LECTURE, _lecture),
    Route(Place.LECTURE_MEETING, _lecture_meeting),
)  # fmt: skip

DRAFTS = (
    DraftKind("rota", "党课轮讲计划", lambda app, _key: _new_rota(app)),
    DraftKind("lecture", "课件审核", _lecture),
)
