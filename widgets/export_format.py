"""The file-format choice every export dialog offers: Word (.docx), Excel
(.xlsx) or both. A Select, so it works by keyboard like the other fields,
plus ``cycle()`` for the dialogs' Ctrl+T 格式 key, which changes it from any
field without moving focus (typed input stays where it is)."""

from __future__ import annotations

from textual.widgets import Select

BOTH = "docx+xlsx"
CHOICES: list[tuple[str, str]] = [
    ("Word 文档（.docx）", "docx"),
    ("Excel 表格（.xlsx）", "xlsx"),
    ("Word 和 Excel 都导出", BOTH),
]
KEY = "ctrl+t"
KEY_LABEL = "Ctrl+T"


class FormatSelect(Select[str]):
    def __init__(self, value: str = "docx", *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(CHOICES, value=value, allow_blank=False, compact=True, id=id)

    @property
    def formats(self) -> tuple[str, ...]:
        """What the services take: ("docx",), ("xlsx",) or ("docx", "xlsx")."""
        return tuple(str(self.value).split("+"))

    def cycle(self) -> None:
        values = [v for _label, v in CHOICES]
        self.value = values[(values.index(str(self.value)) + 1) % len(values)]
