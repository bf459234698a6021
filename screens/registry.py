"""Every workflow's routes and draft kinds in one place; footer, palette,
help and the home draft list are built from these (docs/ARCHITECTURE.md).

The workflow route modules import their screens lazily, inside the openers,
so importing the registry at start-up costs nothing."""

from __future__ import annotations

from domain.navigation import Place
from screens.assessment import routes as assessment
from screens.development import routes as development
from screens.followups import routes as followups
from screens.loop import routes as loop
from screens.meetings import routes as meetings
from screens.navigation import DraftKind, PaletteEntry, Route
from screens.oversight import routes as oversight
from screens.roster import routes as roster
from screens.rota import routes as rota
from widgets.app_handle import ZhibuAppBase


def _home(app: ZhibuAppBase) -> None:
    # The stack is [default, home, …]: pop back to home.
    while len(app.screen_stack) > 2:
        app.pop_screen()


def _help(app: ZhibuAppBase) -> None:
    app.action_help()


def _drafts(app: ZhibuAppBase) -> None:
    from screens.drafts import DraftsScreen

    app.push_screen(DraftsScreen(DRAFT_KINDS))


def _quit(app: ZhibuAppBase) -> None:
    app.call_later(app.action_quit)


SHARED = (
    Route(Place.HOME, _home, palette=(PaletteEntry("今日 首页", "回到首页：待办、各支部、草稿"),)),
    Route(Place.DRAFTS, _drafts, palette=(PaletteEntry("草稿", "全部未完成的草稿：继续或放弃"),)),
    Route(Place.HELP, _help, palette=(PaletteEntry("帮助", "本屏所有按键"),)),
    Route(Place.QUIT, _quit, palette=(PaletteEntry("退出", "保存草稿并退出"),)),
)

# Order here is the palette's order (daily work first).
WORKFLOW_ROUTES: tuple[Route, ...] = (
    *rota.ROUTES, *meetings.ROUTES, *roster.ROUTES, *followups.ROUTES, *oversight.ROUTES,
    *development.ROUTES, *assessment.ROUTES, *loop.ROUTES,
)  # fmt: skip
ROUTES: tuple[Route, ...] = (SHARED[0], *WORKFLOW_ROUTES, *SHARED[1:])
BY_PLACE: dict[Place, Route] = {r.place: r for r in ROUTES}

DRAFT_KINDS: dict[str, DraftKind] = {
    d.workflow: d
    for d in (*roster.DRAFTS, *meetings.DRAFTS, *rota.DRAFTS, *followups.DRAFTS,
              *oversight.DRAFTS, *loop.DRAFTS)
}  # fmt: skip


# The order keys appear on 今日 (footer, then ? help): daily work first.
HOME_KEY_ORDER = "mjkfcrlopuaigxwt"


def home_keys() -> list[Route]:
    """Routes with a key on 今日, in HOME_KEY_ORDER."""
    keyed = [r for r in WORKFLOW_ROUTES if r.key]
    return sorted(keyed, key=lambda r: HOME_KEY_ORDER.find(r.key or ""))


def palette() -> list[tuple[PaletteEntry, Place]]:
    return [(entry, r.place) for r in ROUTES for entry in r.palette]
