"""Find text the user cannot fully see at the current terminal size.

A widget's text is clipped when its content needs more rows or columns
than its content region has and nothing can scroll it into view, or when
the widget itself sticks out of a container that does not scroll. Data
table column headers are clipped when a column is narrower than its label.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Static


def _scrolls(w: Widget) -> bool:
    """Some ancestor (or w) can scroll to show what is out of view."""
    node: object = w
    while isinstance(node, Widget) and not isinstance(node, Screen):
        if node.is_scrollable and (node.max_scroll_y > 0 or node.max_scroll_x > 0):
            return True
        node = node.parent
    return isinstance(node, Screen) and node.max_scroll_y > 0


def _text(w: Widget) -> str:
    try:
        return str(w.render())
    except Exception:  # noqa: BLE001 - a widget that cannot say its text is skipped
        return ""


def clipped(screen: Screen) -> list[str]:
    problems: list[str] = []
    compositor_map = screen._compositor._full_map
    for w in screen.query("*"):
        if not w.display or not w.visible or w not in compositor_map:
            continue
        geo = compositor_map[w]
        name = f"{type(w).__name__}#{w.id or ''}"
        if isinstance(w, DataTable):
            for col in w.columns.values():
                if not col.auto_width and col.width < cell_len(str(col.label)):
                    problems.append(f"{name}: column {str(col.label)!r} is {col.width} wide")
            if w.virtual_size.width > w.scrollable_content_region.width and w.columns:
                # Columns wider than the table: the last ones show in part.
                last = str(list(w.columns.values())[-1].label)
                problems.append(
                    f"{name}: columns need {w.virtual_size.width}, has"
                    f" {w.scrollable_content_region.width} ({last!r} cut off)"
                )
            continue
        if type(w).__name__ == "HeaderTitle":
            continue  # the database path in the title may be long; the title part shows
        if not isinstance(w, Static) and type(w).__name__ != "FooterKey":
            continue
        text = _text(w).strip()
        if not text or _scrolls(w):
            continue
        region = geo.region
        if region.area and not geo.clip.contains_region(region):
            problems.append(f"{name} {text[:30]!r}: outside its container {tuple(region)}")
            continue
        box = w.content_region.size
        if box.width <= 0 or box.height <= 0:
            problems.append(f"{name} {text[:30]!r}: no room")
            continue
        container, viewport = w.parent.size if w.parent else box, screen.size  # type: ignore[union-attr]
        need_h = w.get_content_height(container, viewport, box.width)
        wraps = w.styles.text_wrap != "nowrap"
        need_w = w.get_content_width(container, viewport)
        if need_h > box.height or (not wraps and need_w > box.width):
            problems.append(f"{name} {text[:30]!r}: needs {need_w}×{need_h}, has {box.width}×{box.height}")
    return problems
