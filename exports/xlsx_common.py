"""What every .xlsx export shares (docs/DOCUMENTS.md#spreadsheets), so a table
opened in Excel / WPS reads the same whichever screen exported it:

- a title row, then one header row, frozen with the title above it so they
  stay in view while scrolling;
- cells keep their type: ``int``/``float``/``Decimal`` stay numbers (a sum or
  a filter works on them), ``date`` stays a date shown as 2026年4月25日;
  ``None`` or "" is an empty cell; only ``str`` is text;
- column widths fit the longest value, a CJK character counting two columns
  (Excel's unit is one Latin digit), within MIN_WIDTH..MAX_WIDTH; longer text
  wraps;
- text is cleaned with the documents' ``xml_safe()``, and text that begins
  with ``=`` stays text, never a formula (the values are typed by users);
- printed landscape on A4, one page wide, the title and header on every page;
- the save is atomic (exports/atomic.py), like every other export.

``write_table`` fills one given worksheet; ``add_table`` adds a sheet with
number formats and an empty-table line. The helpers know nothing of the
domain.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from exports.atomic import write_atomic
from exports.docx_common import xml_safe

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | Decimal | date | None
MIN_WIDTH = 6
MAX_WIDTH = 60
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
PERCENT_FORMAT = "0.0%"
YUAN_FORMAT = "0.00"
_SHEET_TITLE_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})


def text_width(value: Cell) -> int:
    """Display width in Excel character units: wide (CJK, full-width)
    characters count two; a date as 2026年12月28日; the longest line."""
    if value is None:
        return 0
    if isinstance(value, datetime | date):
        return 2 * 2 + 4 + 2 * 4  # 2026年12月28日
    s = f"{value:.2f}" if isinstance(value, float | Decimal) else str(value)
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        for line in s.splitlines() or [""]
    )


def sheet_title(name: str) -> str:
    """A legal worksheet title: at most 31 characters, none of []:*?/\\."""
    return (name.translate(_SHEET_TITLE_BAD).strip("'") or "Sheet")[:31]


def new_workbook() -> Workbook:
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = "支部工作台"
    return wb


def _put(ws: Worksheet, row: int, column: int, value: Cell) -> Any:
    if isinstance(value, bool):  # a bool is an int; the app never means 1/0
        value = "是" if value else "否"
    if value == "":
        value = None  # an empty cell, as a spreadsheet reads it back anyway
    if isinstance(value, str):
        value = xml_safe(value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # user text, not a formula
    return cell


def write_table(
    ws: Worksheet,
    title: str | None,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    number_formats: dict[int, str] | None = None,
    empty_text: str | None = None,
) -> Worksheet:
    """*title* in row 1 (None: no title row), *headers* below it, frozen with
    everything above, then *rows*. ``number_formats`` maps a 0-based column
    to a number format (e.g. PERCENT_FORMAT); dates get DATE_FORMAT.
    ``empty_text`` fills the first row when *rows* is empty, so an empty
    sheet says why."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    widths = [text_width(h) for h in headers]
    top = 1
    if title:
        _put(ws, 1, 1, title).font = Font(bold=True, size=14)
        top = 2
    for c, h in enumerate(headers, 1):
        cell = _put(ws, top, c, h)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    formats = number_formats or {}
    wrap = Alignment(wrap_text=True, vertical="top")
    r = top
    for r, row in enumerate(rows, top + 1):
        for c, value in enumerate(row, 1):
            cell = _put(ws, r, c, value)
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
            elif (c - 1) in formats:
                cell.number_format = formats[c - 1]
            if c <= len(widths):
                w = text_width(value)
                widths[c - 1] = max(widths[c - 1], w)
                if isinstance(value, str) and (w > MAX_WIDTH or "\n" in value):
                    cell.alignment = wrap
    if r == top and empty_text:
        _put(ws, top + 1, 1, empty_text)
    for c, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = min(max(w + 2, MIN_WIDTH), MAX_WIDTH)
    # Freeze everything above the first data row: the header (and title) stay.
    ws.freeze_panes = ws.cell(row=top + 1, column=1).coordinate
    # Printed: landscape, every column on the page (scaled down, any number of
    # pages tall), the title and header repeated on each page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"1:{top}"
    return ws


def add_table(
    wb: Workbook,
    name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    title: str | None = None,
    number_formats: dict[int, str] | None = None,
    empty_text: str | None = None,
) -> Worksheet:
    """A worksheet *name* holding one table (see ``write_table``); the new
    workbook's empty first sheet is used for the first table."""
    first = wb.worksheets[0] if len(wb.worksheets) == 1 else None
    if first is not None and first.max_row == 1 and first["A1"].value is None:
        ws = first
        ws.title = sheet_title(name)
    else:
        ws = wb.create_sheet(sheet_title(name))
    return write_table(ws, title, headers, rows, number_formats=number_formats,
                       empty_text=empty_text)  # fmt: skip


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Atomic, like every other export: the old file or the complete new one."""

    def write(f: BinaryIO) -> None:
        wb.save(f)

    return write_atomic(path, write)


save_atomic = save_workbook
