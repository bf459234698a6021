"""Oversight routes: participation, 党费, a member's record, the quarterly
report; the dues draft."""

from __future__ import annotations

from datetime import date

from domain.navigation import Place
from domain.periods import Period
from screens.navigation import DraftKind, PaletteEntry, Route
from widgets.app_handle import ZhibuAppBase


def _participation(app: ZhibuAppBase, branch_id: str = "") -> None:
    from screens.oversight.participation import ParticipationScreen

    app.push_screen(ParticipationScreen(branch_id or None))


def _dues(
    app: ZhibuAppBase,
    branch_id: str = "",
    *,
    month: date | None = None,
    focus_person: str | None = None,
) -> None:
    from screens.oversight.dues_grid import DuesGridScreen

    app.push_screen(DuesGridScreen(branch_id or None, month=month, focus_person=focus_person))


def _lookup(app: ZhibuAppBase) -> None:
    from screens.oversight.member_record import open_member_lookup

    open_member_lookup(app)


def _record(app: ZhibuAppBase, person_id: str, *, period: Period | None = None) -> None:
    from screens.oversight.member_record import MemberRecordScreen

    app.push_screen(MemberRecordScreen(person_id, period=period))


def _report(app: ZhibuAppBase) -> None:
    from screens.oversight.participation import ParticipationScreen

    screen = ParticipationScreen()
    app.push_screen(screen)
    app.call_after_refresh(screen.action_export)


def _resume_dues(app: ZhibuAppBase, key: str) -> None:
    from screens.oversight.dues_grid import DuesGridScreen

    app.push_screen(DuesGridScreen.from_draft_key(key))


ROUTES = (
    Route(Place.DUES, _dues, "党费", key="c", footer=True, palette=(
        PaletteEntry("党费录入", "整支部一屏录入：缴足、金额、基数、免缴，Ctrl+S 一次保存"),)),
    Route(Place.PARTICIPATION, _participation, "参加情况", key="p", palette=(
        PaletteEntry("组织生活参加情况", "各党员出席率、请假缺席、补学；低于阈值的列出"),)),
    Route(Place.MEMBER_LOOKUP, _lookup, "党员档案", key="u",
          palette=(PaletteEntry("党员档案", "按拼音查党员：参加会议情况和党费"),)),
    Route(Place.MEMBER_RECORD, _record),
    Route(Place.EXPORT_REPORT, _report,
          palette=(PaletteEntry("季度报告", "导出季度党建工作报告 .docx（支部、党总支汇总）"),)),
)  # fmt: skip

DRAFTS = (DraftKind("dues", "党费录入", _resume_dues),)
