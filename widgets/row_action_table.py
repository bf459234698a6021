"""A DataTable whose key bindings post one message the owner handles.

Tables used to call methods on their parent by name; a message keeps the
table ignorant of who owns it (docs/ARCHITECTURE.md, messages up)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widgets import DataTable


class RowActionTable(DataTable[object]):
    """Bind keys to ``row('name')`` or ``row('name', 'arg')``; the owner gets
    a :class:`RowActionTable.RowAction` with the cursor row at the key press."""

    @dataclass
    class RowAction(Message):
        table: RowActionTable
        name: str
        row: int
        arg: str = ""

        @property
        def control(self) -> RowActionTable:
            return self.table

    def action_row(self, name: str, arg: str = "") -> None:
        self.post_message(self.RowAction(self, name, self.cursor_row, arg))
