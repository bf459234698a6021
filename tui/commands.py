"""Ctrl+P command palette: every screen and action, searchable."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ZhibuCommands(Provider):
    def _commands(self) -> list[tuple[str, str, str]]:
        app = self.app
        return [
            (name, help_text, action)
            for name, help_text, action in app.palette_commands()  # type: ignore[attr-defined]
        ]

    async def discover(self) -> Hits:
        for name, help_text, action in self._commands():
            yield DiscoveryHit(name, partial(self.app.do, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in self._commands():
            score = matcher.match(name + " " + help_text)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(name), partial(self.app.do, action), help=help_text
                )
