"""三会一课 at a glance: one row per branch, held/required this quarter so far.

Screen-agnostic: build it anywhere, fill it with the 三会一课 rows
(``table.show(services.home.compliance_table(store, today))``). Overdue cells carry a
✗ as well as red, so they read in 16 colours and with no colour at all;
``LEGEND`` explains the marks. Row keys are branch ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from domain.compliance import ComplianceStatus
from services.home import COLUMNS, ComplianceCell, ComplianceRow
from widgets.safe import text

LEGEND = "已开/应开：本季度至今（小组会按各党小组计）  ✗ 有逾期未开  - 无需开展"
NAME_WIDTH = 16


def cell_text(cell: ComplianceCell) -> Text:
    style = ""
    if cell.overdue:
        style = "bold red"
    elif cell.status is ComplianceStatus.DUE and cell.held < cell.required:
        style = "yellow"
    elif cell.status is ComplianceStatus.MET:
        style = "green"
    return Text(cell.text, style=style, justify="center")


def describe(row: ComplianceRow) -> str:
    """One line for the highlighted row: what is overdue or still to hold."""
    late = [f"{c.label}（{'、'.join(c.missed)}）" for c in row.cells if c.overdue]
    todo = [
        c.label
        for c in row.cells
        if not c.overdue and c.status is ComplianceStatus.DUE and c.held < c.required
    ]
    parts = []
    if late:
        parts.append("逾期未开：" + "；".join(late))
    if todo:
        parts.append("本期待开：" + "、".join(todo))
    notes = [c.note for c in row.cells if c.note]
    parts += notes
    return f"{row.branch_name}：" + ("；".join(parts) if parts else "本季度至今均已按要求开展")


class ComplianceTable(DataTable[Text]):
    """支部 | 支委会 | 小组会 | 主题党日 | 党员大会 | 党课 — e.g. "2/2", "✗1/2"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self.rows_shown: list[ComplianceRow] = []

    def on_mount(self) -> None:
        self._ensure_columns()

    def _ensure_columns(self) -> None:
        if not self.columns:
            self.add_column("支部", width=NAME_WIDTH, key="name")
            for key, label, _ in COLUMNS:
                self.add_column(label, width=max(6, 2 * len(label)), key=key)

    def show(self, rows: Sequence[ComplianceRow]) -> None:
        """Replace the rows (keeps the cursor on the same branch if it is still there)."""
        self._ensure_columns()
        current = self.current_branch_id()
        self.clear()
        self.rows_shown = list(rows)
        for r in rows:
            self.add_row(
                text(r.branch_name),
                *(cell_text(r.cell(key)) for key, _, _ in COLUMNS),
                key=r.branch_id,
            )
        if current:
            for i, r in enumerate(rows):
                if r.branch_id == current:
                    self.move_cursor(row=i)
                    break

    def current_branch_id(self) -> str | None:
        if not self.row_count:
            return None
        return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)

    def current_row(self) -> ComplianceRow | None:
        bid = self.current_branch_id()
        return next((r for r in self.rows_shown if r.branch_id == bid), None)
