"""? / F1: every key of the screen underneath, in one list."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from widgets.textual_cn import binding_description

_KEY_NAMES = {
    "question_mark": "?", "escape": "Esc", "enter": "Enter", "slash": "/", "delete": "Del",
    "space": "空格", "tab": "Tab", "up": "↑", "down": "↓", "left": "←", "right": "→",
}  # fmt: skip


def key_label(key: str) -> str:
    parts = [_KEY_NAMES.get(k, k) for k in key.split("+")]
    return "+".join(
        p.capitalize() if len(p) > 1 and p.isascii() and p.islower() else p for p in parts
    )


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "关闭")]

    def __init__(self, target: Screen[Any]) -> None:
        super().__init__()
        self._target = target

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static("按键帮助（Esc 关闭）", id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("按键", "功能", "范围")
        seen: set[tuple[str, str]] = set()
        for key, active in self._target.active_bindings.items():
            b = active.binding
            if not b.description:
                continue
            # Textual's own widgets describe their keys in English.
            label = (key_label(b.key_display or key), binding_description(b.description))
            if label in seen:
                continue
            seen.add(label)
            scope = "全局" if active.node is self.app else "本屏"
            table.add_row(Text(label[0]), Text(label[1]), Text(scope))
        for k, d in (
            ("Ctrl+P", "命令面板：搜索所有屏幕和操作"),
            ("Tab / Shift+Tab", "在字段间移动"),
        ):
            table.add_row(Text(k), Text(d), Text("全局"))
        table.focus()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
