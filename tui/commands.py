"""Ctrl+P command palette: every palette entry of the route registry."""

from __future__ import annotations

from functools import partial
from typing import cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from widgets.app_handle import ZhibuAppBase


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
        for name, help_text, run in self._commands():
            score = matcher.match(name + " " + help_text)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
