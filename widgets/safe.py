"""Rendering user text literally: never as markup, never with control chars.

Stored text is cleaned on the way in (domain.clean), and cleaned again here so
text that reached SQLite some other way cannot restyle the screen, inject a
clickable action, or send escape sequences to the terminal.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content

from domain.clean import clean_text


def plain(value: object, *, multiline: bool = False) -> str:
    return "" if value is None else clean_text(str(value), multiline=multiline)


def text(value: object, style: str = "") -> Text:
    """For DataTable cells, Tree labels, Select and OptionList prompts."""
    return Text(plain(value), style=style, no_wrap=True, overflow="ellipsis")


def content(value: object, *, multiline: bool = False) -> Content:
    """For Static/Label: Content() never parses markup."""
    return Content(plain(value, multiline=multiline))
