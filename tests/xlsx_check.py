"""Reading an exported .xlsx back for a test: values as the app meant them
(a date cell comes back from openpyxl as a midnight datetime; here as a date)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook


def sheets(path: Path) -> dict[str, Any]:
    return {ws.title: ws for ws in load_workbook(path).worksheets}


def value(cell: Any) -> Any:
    v = cell.value
    if isinstance(v, datetime) and cell.is_date and v == datetime(v.year, v.month, v.day):
        return v.date()
    return v


def row(ws: Any, n: int) -> list[Any]:
    """Row *n* (1-based) up to the sheet's last column."""
    return [value(c) for c in ws[n]]


def body(ws: Any, header_row: int) -> list[list[Any]]:
    """Every row below the header."""
    return [row(ws, n) for n in range(header_row + 1, ws.max_row + 1)]


def assert_frozen_header(ws: Any, header_row: int) -> None:
    """The panes are frozen just below the header: it stays in view."""
    assert ws.freeze_panes == f"A{header_row + 1}"


def assert_typed(ws: Any, header_row: int) -> None:
    """No cell below the header is a number or a date written as text."""
    import re

    numeric = re.compile(r"^-?\d+(\.\d+)?%?$|^\d{4}-\d{2}-\d{2}$|^\d{4}年\d{1,2}月\d{1,2}日$")
    for r in ws.iter_rows(min_row=header_row + 1):
        for c in r:
            if isinstance(c.value, str):
                assert not numeric.match(c.value), f"{c.coordinate} {c.value!r} is text"


__all__ = ["assert_frozen_header", "assert_typed", "body", "date", "row", "sheets", "value"]
