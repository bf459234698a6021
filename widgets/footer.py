"""The key footer every full screen shows, rebuilt only when its keys change.

Textual's Footer rebuilds all its key widgets (and restyles each) whenever the
screen's bindings are re-announced, which happens on every focus move. Over a
slow SSH link on a busy site server that is most of the cost of a Tab; here
the rebuild happens only when what the footer shows (key, label, enabled,
tooltip) is different.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

Shown = tuple[tuple[str, str, bool, str], ...]


def shown_keys(screen: Screen[object]) -> Shown:
    """What the footer would draw for *screen*'s active bindings."""
    return tuple(
        (binding.key, binding.description, enabled, tooltip or "")
        for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
        if binding.show
    )


class KeyFooter(Footer):
    """Footer that skips rebuilding when the keys it shows are unchanged."""

    _shown: Shown | None = None
    rebuilds = 0  # how many times the keys were rebuilt (tests read it)

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if not (self.is_attached and screen is self.screen):
            return
        shown = shown_keys(screen)
        if shown == self._shown:
            return
        self._shown = shown
        self.rebuilds += 1
        self.call_after_refresh(self.recompose)
