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

from widgets.footer import APP_WIDE_KEYS


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


def _cell_text(value: object) -> str:
    return value.plain if hasattr(value, "plain") else str(value)


# A column may cut a long title with an ellipsis, but it must show at least this
# many cells of each value: a name (3 characters), 未通过, a date's start.
MIN_CELLS = 6


def _table_problems(name: str, w: DataTable) -> list[str]:
    problems: list[str] = []
    for col in w.columns.values():
        label = str(col.label)
        width = col.content_width if col.auto_width else col.width
        if width < cell_len(label):
            problems.append(f"{name}: column {label!r} is {width} wide")
            continue
        for value in w.get_column(col.key):
            need = min(cell_len(_cell_text(value).strip()), MIN_CELLS)
            if width < need:
                problems.append(f"{name}: column {label!r} is {width} wide, shows {value!s:.20}")
                break
    if w.virtual_size.width > w.scrollable_content_region.width and w.columns:
        # Columns wider than the table: the last ones show in part, and End
        # or a long cell scrolls the table sideways and halves the first ones.
        last = str(list(w.columns.values())[-1].label)
        problems.append(
            f"{name}: columns need {w.virtual_size.width}, has"
            f" {w.scrollable_content_region.width} ({last!r} cut off)"
        )
    return problems


def _footer_problems(screen: Screen, compositor_map: dict) -> list[str]:
    """Every key description in the footer is on screen, whole, and not under
    another key (the command-palette key is docked over the right end)."""
    problems: list[str] = []
    for w in screen.query("FooterKey"):
        if not w.display and w.key not in APP_WIDE_KEYS:  # type: ignore[attr-defined]
            problems.append(f"footer leaves out {w.description!r}")  # type: ignore[attr-defined]
    keys = [
        (w, compositor_map[w])
        for w in screen.query("FooterKey")
        if w.display and w in compositor_map
    ]
    visible = screen.region
    for i, (w, geo) in enumerate(keys):
        label = f"{w.key_display} {w.description}".strip()  # type: ignore[attr-defined]
        region = geo.region
        if not geo.clip.contains_region(region) or not visible.contains_region(region):
            problems.append(f"footer key {label!r} cut off at {tuple(region)}")
            continue
        for other, ogeo in keys[i + 1 :]:
            if region.overlaps(ogeo.region):
                problems.append(f"footer key {label!r} is under {other.description!r}")  # type: ignore[attr-defined]
    return problems


def clipped(screen: Screen) -> list[str]:
    problems: list[str] = []
    compositor_map = screen._compositor._full_map
    problems += _footer_problems(screen, compositor_map)
    if screen.max_scroll_y > 0 and any(
        t.display and t in compositor_map for t in screen.query(DataTable)
    ):
        # The screen scrolls as a whole around a table that scrolls itself:
        # the table takes every row and pushes status lines out of view.
        problems.append(f"{type(screen).__name__} scrolls by {screen.max_scroll_y} rows")
    for w in screen.query("*"):
        if not w.display or not w.visible or w not in compositor_map:
            continue
        geo = compositor_map[w]
        name = f"{type(w).__name__}#{w.id or ''}"
        if isinstance(w, DataTable):
            problems += _table_problems(name, w)
            continue
        if type(w).__name__ == "HeaderTitle":
            continue  # the database path in the title may be long; the title part shows
        if not isinstance(w, Static):
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
