"""theme = "ascii": borders, scroll bars and tab underlines in ASCII.

SSH clients set to a CJK locale (Xshell, PuTTY, SecureCRT) often draw the
box-drawing and block characters (U+2500–U+259F, "ambiguous width") two
cells wide, which breaks every line a border is on. Textual draws all of
them from a few tables; this swaps those tables for ASCII ones for as long
as the app runs (they are process-wide, hence the restore function).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ASCII_BOX = (("+", "-", "+"), ("|", " ", "|"), ("+", "-", "+"))
ASCII_LOCATIONS = ((0, 0, 0), (0, 0, 0), (0, 0, 0))
# Border types that draw nothing visible stay as they are.
_KEEP = {"", "none", "hidden", "blank", "ascii"}


def use_ascii_borders() -> Callable[[], None]:
    """Swap Textual's border, scroll bar and underline characters for ASCII;
    returns the function that puts the originals back."""
    from textual import _border
    from textual.renderables.bar import Bar
    from textual.scrollbar import ScrollBarRender

    chars = dict(_border.BORDER_CHARS)
    locations = dict(_border.BORDER_LOCATIONS)
    saved: list[tuple[Any, str, Any]] = [
        (ScrollBarRender, name, getattr(ScrollBarRender, name))
        for name in ("VERTICAL_BARS", "HORIZONTAL_BARS")
    ] + [(Bar, name, getattr(Bar, name)) for name in ("HALF_BAR_LEFT", "BAR", "HALF_BAR_RIGHT")]
    for name in chars:
        if name not in _KEEP:
            _border.BORDER_CHARS[name] = ASCII_BOX
            _border.BORDER_LOCATIONS[name] = ASCII_LOCATIONS
    # The scroll bar thumb is its background colour; the eighths are only
    # for a smoother edge, so spaces lose nothing but that.
    ScrollBarRender.VERTICAL_BARS = [" "] * 8
    ScrollBarRender.HORIZONTAL_BARS = [" "] * 8
    Bar.HALF_BAR_LEFT, Bar.BAR, Bar.HALF_BAR_RIGHT = "-", "-", "-"
    _border.get_box.cache_clear()

    def restore() -> None:
        _border.BORDER_CHARS.update(chars)
        _border.BORDER_LOCATIONS.update(locations)
        for owner, name, value in saved:
            setattr(owner, name, value)
        _border.get_box.cache_clear()

    return restore
