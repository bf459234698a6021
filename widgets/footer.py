"""The key footer every full screen shows, rebuilt only when its keys change.

Textual's Footer rebuilds all its key widgets (and restyles each) whenever the
screen's bindings are re-announced, which happens on every focus move. Over a
slow SSH link on a busy site server that is most of the cost of a Tab; here
the rebuild happens only when what the footer shows (key, label, enabled,
tooltip) is different.

Its keys also always show whole. Textual's footer lets keys run past the
right edge, under the docked command-palette key, so at 80 columns a screen
with many keys showed 「esc 返」 or 「^p   令」. When the keys do not fit, this
footer leaves out the app-wide keys first (^q 退出, then ? 帮助: both are in
? help and the Ctrl+P palette; then ^y 复制路径, which the export's message
names), then draws the rest compact. A screen whose
own keys still do not fit must show fewer (show=False keeps them in ? help);
the clipping walk in the tests fails otherwise.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from widgets.textual_cn import binding_description

# Left out first when the footer is crowded, in this order. The copy-path key
# (shown after an export) goes last: the export's message names it too.
APP_WIDE_KEYS = ("ctrl+q", "question_mark", "ctrl+y")

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

    def compose(self) -> ComposeResult:
        # Textual's own widgets bring English descriptions (a drop-down's
        # "Dismiss menu"); the footer shows them in Chinese, as ? help does.
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = binding_description(widget.description)
            yield widget

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit)

    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self._fit)

    def on_resize(self, _event: events.Resize) -> None:
        self.call_after_refresh(self._fit)

    @staticmethod
    def _key_width(key: FooterKey, compact: bool) -> int:
        # Textual's footer CSS: " key " + "desc " normally; "key" + " desc" + margin compact.
        return cell_len(key.key_display) + cell_len(key.description) + (2 if compact else 3)

    def _fit(self) -> None:
        if not self.is_attached or not self.size.width:
            return
        keys = [k for k in self.query(FooterKey) if not k.has_class("-command-palette")]
        palette = [k for k in self.query(FooterKey) if k.has_class("-command-palette")]
        room = self.size.width - sum(k.outer_size.width for k in palette)
        for k in keys:
            k.display = True
        shown = list(keys)

        def need(compact: bool) -> int:
            return sum(self._key_width(k, compact) for k in shown)

        for app_key in APP_WIDE_KEYS:
            if need(False) <= room:
                break
            for k in shown:
                if k.key == app_key:
                    k.display = False
                    shown.remove(k)
                    break
        self.compact = need(False) > room
