"""党员考核 routes: a branch's scores, the 党总支's branch ranking, and the
责任区/先锋岗 list with its quarterly review."""

from __future__ import annotations

from domain.navigation import Place
from screens.navigation import DraftKind, PaletteEntry, Route
from widgets.app_handle import ZhibuAppBase


def _assessment(app: ZhibuAppBase, branch_id: str = "", **options: object) -> None:
    from domain.periods import Period
    from screens.assessment.view import AssessmentScreen

    period = options.get("period")
    app.push_screen(
        AssessmentScreen(branch_id or None, period if isinstance(period, Period) else None)
    )


def _ranking(app: ZhibuAppBase, general_id: str = "", **options: object) -> None:
    from domain.periods import Period
    from screens.assessment.ranking import RankingScreen

    period = options.get("period")
    app.push_screen(RankingScreen(general_id or None, period if isinstance(period, Period) else None))


def _pledges(app: ZhibuAppBase, branch_id: str = "", **options: object) -> None:
    from domain.periods import Period
    from screens.assessment.pledges import PledgesScreen

    period = options.get("period")
    app.push_screen(PledgesScreen(branch_id or None, period if isinstance(period, Period) else None))


ROUTES = (
    Route(Place.ASSESSMENT, _assessment, "党员考核", key="x", palette=(
        PaletteEntry("党员考核", "每名党员的季度、年度得分、人工调整和星级"),)),
    Route(Place.ASSESSMENT_RANKING, _ranking, palette=(
        PaletteEntry("支部星级排名", "党总支所属各支部按党员平均得分排名"),)),
    Route(Place.PLEDGES, _pledges, palette=(
        PaletteEntry("责任区 先锋岗", "党员先锋岗、责任区、公开承诺及季度评议"),)),
)  # fmt: skip

DRAFTS: tuple[DraftKind, ...] = ()
