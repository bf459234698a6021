"""What every .xlsx export shares (docs/DOCUMENTS.md#spreadsheets): a title
row, one header row frozen under it, column widths that fit CJK text, numbers
stored as numbers, and the atomic save of exports/atomic.py."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from exports.atomic import write_atomic
from exports.docx_common import xml_safe

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

Cell = str | int | float | None
MIN_WIDTH = 6
MAX_WIDTH = 60


def text_width(value: Cell) -> int:
    """Display width in Excel character units: a CJK character counts two."""
    if value is None:
        return 0
    s = value if isinstance(value, str) else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)


def new_workbook() -> Workbook:
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = "支部工作台"
    return wb


def write_table(
    ws: Worksheet,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
) -> None:
    """Title in row 1, *headers* in row 2 (frozen with the title above it, so
    they stay in view), then *rows*; ints and floats stay numbers. Widths fit
    the longest value of each column, within MIN_WIDTH..MAX_WIDTH."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    def clean(v: Cell) -> Cell:
        return xml_safe(v) if isinstance(v, str) else v

    ws.append([clean(title)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([clean(h) for h in headers])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([clean(v) for v in row])
    ws.freeze_panes = "A3"
    for i, header in enumerate(headers, 1):
        longest = max([text_width(header), *(text_width(r[i - 1]) for r in rows if len(r) >= i)])
        ws.column_dimensions[get_column_letter(i)].width = min(
            max(longest + 2, MIN_WIDTH), MAX_WIDTH
        )


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Atomic, like every other export: the old file or the complete new one."""

    def write(f: BinaryIO) -> None:
        wb.save(f)

    return write_atomic(path, write)
