"""发展党员 routes: the branch pipeline and one person's record."""

from __future__ import annotations

from domain.navigation import Place
from screens.navigation import DraftKind, PaletteEntry, Route
from widgets.app_handle import ZhibuAppBase


def _pipeline(app: ZhibuAppBase, branch_id: str = "") -> None:
    from screens.development.pipeline import DevelopmentScreen

    app.push_screen(DevelopmentScreen(branch_id or None))


def _person(app: ZhibuAppBase, person_id: str) -> None:
    from screens.development.person import DevelopmentPersonScreen

    app.push_screen(DevelopmentPersonScreen(person_id))


ROUTES = (
    Route(Place.DEVELOPMENT, _pipeline, "发展党员", key="g", palette=(
        PaletteEntry("发展党员", "各支部发展党员进度：所处阶段、下一步、逾期事项"),)),
    Route(Place.DEVELOPMENT_PERSON, _person),
)  # fmt: skip

DRAFTS: tuple[DraftKind, ...] = ()
