"""Ctrl+P command palette: every palette entry of the route registry."""

from __future__ import annotations

from functools import partial
from typing import cast

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from domain.search_keys import matches_syllables, normalise_query, text_syllables
from widgets.app_handle import ZhibuAppBase
from widgets.textual_cn import PALETTE_NO_MATCHES, PALETTE_PLACEHOLDER


class ZhibuCommandPalette(CommandPalette):
    """Textual's palette with Chinese placeholder and "no matches" line."""

    def __init__(self) -> None:
        super().__init__(placeholder=PALETTE_PLACEHOLDER, id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's version hard-codes "No matches found"; same timing here.
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(PALETTE_NO_MATCHES, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)


class ZhibuCommands(Provider):
    def _commands(self) -> list[tuple[str, str, partial[None]]]:
        from screens.registry import palette

        app = cast(ZhibuAppBase, self.app)
        return [
            (entry.title, entry.help, partial(app.go, place, *entry.args))
            for entry, place in palette()
        ]

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        q = normalise_query(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name + " " + help_text)
            if score <= 0 and q.isascii() and _pinyin_match(q, name):
                # Like the roster: "hmc", "huamingce", "huamc" find 花名册.
                score = 0.5
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)


def _pinyin_match(query: str, title: str) -> bool:
    return any(matches_syllables(query, text_syllables(word)) for word in title.split())
