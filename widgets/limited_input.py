"""Inputs that never drop text silently.

Textual's Input with max_length rejects an over-long paste as a whole (just a
bell: the field stays empty) and keeps only the first line of a multi-line
paste; TextArea has no length limit at all, and a 120k-character note makes
every keystroke slow (docs/ARCHITECTURE.md#text-and-terminal). These truncate to the
limit and say so.
"""

from __future__ import annotations

import sys
from typing import Any

from textual import events
from textual.document._document import EditResult, Location
from textual.widgets import Input, TextArea


def truncated_message(pasted: int, limit: int, result: int, dropped: int) -> str:
    """Say how much was cut, so the user knows to look for the missing tail."""
    return (
        f"粘贴的内容有 {pasted} 字，本栏最多 {limit} 字，已截去 {dropped} 字，已截断为 {result} 字"
    )


def full_message(limit: int) -> str:
    return f"本栏最多 {limit} 字，已满"


class LimitedInput(Input):
    """A one-line Input whose max_length truncates a paste instead of dropping it.

    A multi-line paste is joined with spaces (one-line fields keep every line).
    A longer value set in code (a restored draft) is cut to the limit, also
    with a notice.
    """

    def __init__(self, value: str | None = None, *, max_length: int, **kwargs: Any) -> None:
        if max_length <= 0:
            raise ValueError("max_length must be positive")
        self._notice: str | None = None
        self._full_warned = False
        super().__init__(value, max_length=max_length, **kwargs)

    def validate_value(self, value: str) -> str:
        if self.max_length and len(value) > self.max_length:
            self._tell(
                truncated_message(
                    len(value), self.max_length, self.max_length, len(value) - self.max_length
                )
            )
            return value[: self.max_length]
        return value

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        if self.max_length and len(value) < self.max_length:
            self._full_warned = False

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # Input's own handler would keep only the first line
        event.stop()
        if not event.text:
            return
        text = " ".join(event.text.splitlines())
        start, end = sorted(self.selection)
        limit = self.max_length or sys.maxsize  # __init__ sets one; None means no limit
        room = limit - (len(self.value) - (end - start))
        kept = text[: max(room, 0)]
        if kept:
            self.replace(kept, start, end)
        if len(kept) < len(text):
            self.app.bell()
            self._tell(
                truncated_message(len(text), limit, len(self.value), len(text) - len(kept))
            )

    def restricted(self) -> None:
        super().restricted()
        if self.max_length and len(self.value) >= self.max_length and not self._full_warned:
            self._full_warned = True
            self._tell(full_message(self.max_length))

    def _tell(self, message: str) -> None:
        if self.is_attached:
            self.notify(message, severity="warning", markup=False)
        else:
            self._notice = message  # set before mounting: say it once we are on screen

    def _on_mount(self, event: events.Mount) -> None:
        if self._notice:
            self.notify(self._notice, severity="warning", markup=False)
            self._notice = None


class LimitedTextArea(TextArea):
    """A TextArea for notes with a hard limit and a visible count ("123/2000 字").

    Typing at the limit is refused with a bell and one notice; a paste is
    truncated to the room left, with a notice saying so.
    """

    DEFAULT_CSS = """
    LimitedTextArea.-full { border-subtitle-color: $warning; }
    """
    # No blink timer repainting an idle SSH session (docs/ARCHITECTURE.md#text-and-terminal).
    cursor_blink = False

    def __init__(self, text: str = "", *, max_length: int, **kwargs: Any) -> None:
        if max_length <= 0:
            raise ValueError("max_length must be positive")
        self.max_length = max_length
        self._full_warned = False
        self._notice: str | None = None
        if len(text) > max_length:
            self._notice = truncated_message(
                len(text), max_length, max_length, len(text) - max_length
            )
            text = text[:max_length]
        super().__init__(text, **kwargs)
        self._show_count()

    @property
    def length(self) -> int:
        return len(self.text)

    def load_text(self, text: str) -> None:
        if len(text) > self.max_length:
            self._tell(
                truncated_message(
                    len(text), self.max_length, self.max_length, len(text) - self.max_length
                )
            )
            text = text[: self.max_length]
        super().load_text(text)
        self._show_count()

    def _replace_via_keyboard(
        self, insert: str, start: Location, end: Location
    ) -> EditResult | None:
        if self.read_only:
            return None
        replaced = len(self.get_text_range(*sorted((start, end))))
        room = self.max_length - (self.length - replaced)
        if len(insert) > room:
            kept = insert[: max(room, 0)]
            self.app.bell()
            if len(insert) > 1:  # a paste (or a multi-character IME commit)
                self._tell(
                    truncated_message(
                        len(insert),
                        self.max_length,
                        self.length - replaced + len(kept),
                        len(insert) - len(kept),
                    )
                )
            elif not self._full_warned:
                self._full_warned = True
                self._tell(full_message(self.max_length))
            if not kept and not replaced:
                return None
            insert = kept
        return super()._replace_via_keyboard(insert, start, end)

    def _on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._show_count()

    def _show_count(self) -> None:
        n = self.length
        self.border_subtitle = f"{n}/{self.max_length} 字"
        self.set_class(n >= self.max_length, "-full")
        if n < self.max_length:
            self._full_warned = False

    def _tell(self, message: str) -> None:
        if self.is_attached:
            self.notify(message, severity="warning", markup=False)
        else:
            self._notice = message

    def _on_mount(self, event: events.Mount) -> None:
        if self._notice:
            self.notify(self._notice, severity="warning", markup=False)
            self._notice = None
