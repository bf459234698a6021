"""A checkbox whose state is in the text: 「[√] 标签」 / 「[ ] 标签」.

Textual's Checkbox draws ▐X▌ either way and shows the state by colour only;
at 16 colours, TERM=linux or on a colour-blind reader's screen a ticked and
an unticked box looked the same (docs/ARCHITECTURE.md, toggles)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox

TICKED = "[√]"
UNTICKED = "[ ]"


class TextCheckbox(Checkbox):
    """Drop-in Checkbox (same messages, same Space/Enter toggling)."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble((TICKED if self.value else UNTICKED, style))

