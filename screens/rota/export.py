"""Export one rota plan as 党课计划表: ask for the folder and the format
(Word, Excel or both; Ctrl+T changes it), write in a thread."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from widgets.app_handle import BackgroundFailed, zapp
from widgets.export_format import KEY as FORMAT_KEY
from widgets.export_format import KEY_LABEL as FORMAT_KEY_LABEL
from widgets.export_format import FormatSelect
from widgets.limited_input import LimitedInput
from widgets.safe import content
from widgets.work_result import post_result


class ExportPlanScreen(ModalScreen[Path | None]):
    BINDINGS = [
        Binding("ctrl+s", "export", "导出", priority=True),
        Binding(FORMAT_KEY, "cycle_format", "格式", priority=True),
        Binding("escape", "cancel", "取消"),
    ]

    def __init__(self, plan_id: str, title: str, default_dir: Path) -> None:
        super().__init__()
        self._plan_id = plan_id
        self._title = title
        self._default_dir = default_dir

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(content(f"导出 {self._title}"), id="export-title")
            yield Static(
                content(f"保存到文件夹（Enter 或 Ctrl+S 导出，{FORMAT_KEY_LABEL} 格式，Esc 取消）"),
                classes="muted",
            )
            yield LimitedInput(id="export-dir", max_length=500)
            yield FormatSelect(id="export-format")
            yield Static(id="export-status")

    def on_mount(self) -> None:
        box = self.query_one("#export-dir", Input)
        box.value = str(self._default_dir)
        box.focus()

    @on(Input.Submitted, "#export-dir")
    def _submitted(self) -> None:
        self.action_export()

    def action_export(self) -> None:
        raw = self.query_one("#export-dir", Input).value.strip()
        if not raw:
            self._status("请填写文件夹")
            return
        self._status("正在导出…")
        self._write(Path(raw).expanduser(), self.query_one(FormatSelect).formats)

    def action_cycle_format(self) -> None:
        self.query_one(FormatSelect).cycle()

    class Written(Message):
        def __init__(self, paths: list[Path]) -> None:
            super().__init__()
            self.paths = paths

    @work(thread=True, exclusive=True, group="rota-export")
    def _write(self, folder: Path, formats: tuple[str, ...] = ("docx",)) -> None:
        from services.export_rota import write_plan_docx

        store = zapp(self).store
        paths = [write_plan_docx(store, self._plan_id, folder, fmt) for fmt in formats]
        post_result(self, self.Written(paths))

    @on(Written)
    def _written(self, event: Written) -> None:
        first, *more = event.paths
        # The copy key copies the first file; its hint stays next to that path.
        shown = "、".join([*map(str, more), zapp(self).exported(first)])
        self.notify(f"已导出：{shown}", markup=False, timeout=15)
        self.dismiss(first)

    @on(BackgroundFailed)
    def _failed(self, event: BackgroundFailed) -> None:
        # The app has notified; the dialog stays open with the folder typed.
        self._status(event.text)

    def _status(self, msg: str) -> None:
        self.query_one("#export-status", Static).update(content(msg))

    def action_cancel(self) -> None:
        self.dismiss(None)
