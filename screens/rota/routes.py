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
    """Open the 党课 meeting for a rota lecture: the one held, or a new one
    pre-filled from the lecture (services.meetings.start_lecture_meeting)."""
    from services import meetings
    from services.errors import DomainError

    try:
        found = meetings.start_lecture_meeting(
            app.store, lecture_id, rules=app.settings.rules.meetings
        )
    except DomainError as e:
        app.notify(str(e), markup=False)
        return
    if isinstance(found, str):
        app.go(Place.MEETING, found)
    else:
        app.open_meeting_screen(found)


def _holidays(app: ZhibuAppBase) -> None:
    from screens.rota.holidays import HolidaysScreen

    app.push_screen(HolidaysScreen())


ROUTES = (
    Route(Place.ROTA, _rota, "党课", key="k", footer=True,
          palette=(PaletteEntry("党课计划", "轮讲计划、课件审核状态，导出党课计划表"),)),
    Route(Place.NEW_ROTA, _new_rota,
          palette=(PaletteEntry("新建党课轮讲计划", "选周期与授课人，排出轮讲方案"),)),
    Route(Place.LECTURE, _lecture),
    Route(Place.LECTURE_MEETING, _lecture_meeting),
    Route(Place.HOLIDAYS, _holidays, "放假安排",
          palette=(PaletteEntry("放假安排", "录入国务院当年放假安排（放假日与调休上班日），排党课时使用"),)),
)  # fmt: skip

DRAFTS = (
    DraftKind("rota", "党课轮讲计划", lambda app, _key: _new_rota(app)),
    DraftKind("lecture", "课件审核", _lecture),
)
