"""Route and draft-kind records: what each workflow registers once, and
what footer, palette, help and the home draft list are built from
(screens/registry.py gathers them; docs/ARCHITECTURE.md, routes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.navigation import Place
from widgets.app_handle import ZhibuAppBase

Opener = Callable[..., None]  # (app, *args: str) -> None; opens the place


@dataclass(frozen=True)
class PaletteEntry:
    title: str
    help: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    """One place of the app. *key*: its key on 今日 (footer when *footer*,
    otherwise listed in ? help only); *palette*: its Ctrl+P entries."""

    place: Place
    open: Opener
    label: str = ""
    key: str | None = None
    footer: bool = False
    palette: tuple[PaletteEntry, ...] = ()


@dataclass(frozen=True)
class DraftKind:
    """A drafts workflow: its label on 今日 and how to resume it."""

    workflow: str
    label: str
    resume: Callable[[ZhibuAppBase, str], None]  # (app, draft key)
