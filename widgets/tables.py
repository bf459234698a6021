"""Small DataTable helpers shared by the screens."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widgets import DataTable


def add_columns(table: DataTable[Any], columns: Iterable[tuple[str, str, int]]) -> None:
    """(label, key, width) each; fixed widths keep layouts stable at 80×24.
    Labels are our own constants, never user text."""
    for label, key, width in columns:
        table.add_column(label, key=key, width=width)
