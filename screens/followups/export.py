"""导出一人一事台账 from the list: branch, period, folder; the .docx are
written in a thread worker (services.export_ledger.export_ledgers, the same code as
`zhibu export ledger`), with progress on the dialog and a notice at the end.
格式 picks Word, Excel or both (Ctrl+T changes it from any field).

「外发版 隐去保密」 starts ticked: the file that can leave the committee is
the default; unticking asks for the 内部版, which only a 书记 may export
(services.private_details). The folder starts as the export folder
(services.export_folder); the status names every file in full and Ctrl+Y
copies the path.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from domain.dates import DateParseError, format_date, parse_date
from services import org_lookup
from services.export_folder import default_export_dir
from widgets.app_handle import BackgroundFailed, zapp
from widgets.checkbox import TextCheckbox
from widgets.date_input import DateInput
from widgets.export_format import KEY as FORMAT_KEY
from widgets.export_format import KEY_LABEL as FORMAT_KEY_LABEL
from widgets.export_format import FormatSelect
from widgets.limited_input import LimitedInput
from widgets.safe import content, text
from widgets.work_result import post_result

if TYPE_CHECKING:
    from services.export_ledger import LedgerFile

ALL = "*"
REDACT_LABEL = "外发版 隐去保密"


class LedgerExportScreen(ModalScreen["list[LedgerFile] | None"]):
    BINDINGS = [
        Binding("ctrl+s", "export", "导出", priority=True),
        Binding(FORMAT_KEY, "cycle_format", "格式", priority=True),
        Binding("escape", "cancel", "关闭"),
    ]

    def __init__(self, branch_id: str | None = None) -> None:
        super().__init__()
        self._branch_id = branch_id
        self.results: list[LedgerFile] | None = None

    def compose(self) -> ComposeResult:
        branches = org_lookup.branches(zapp(self).store)
        today: date = zapp(self).today
        value = self._branch_id if self._branch_id in {b.id for b in branches} else ALL
        with Vertical(classes="fu-form", id="fu-export"):
            yield Static(
                f"导出一人一事台账（Ctrl+S 导出，{FORMAT_KEY_LABEL} 格式，Esc 关闭）",
                classes="fu-form-title",
            )
            with Horizontal(classes="fu-row"):
                yield Label("支部")
                yield Select(
                    [("期间内有记录的所有支部", ALL), *[(text(b.name), b.id) for b in branches]],
                    id="x-branch",
                    value=value,
                    allow_blank=False,
                    compact=True,
                )
            with Horizontal(classes="fu-row"):
                yield Label("从")
                yield DateInput(date(today.year, 1, 1), id="x-from", compact=True)
            with Horizontal(classes="fu-row"):
                yield Label("到")
                yield DateInput(today, id="x-to", compact=True)
            with Horizontal(classes="fu-row"):
                yield Label("保存到")
                yield LimitedInput(
                    str(default_export_dir()), id="x-dir", max_length=500, compact=True
                )
            with Horizontal(classes="fu-row"):
                yield Label("版本")
                yield TextCheckbox(REDACT_LABEL, True, id="x-redact", compact=True)
            with Horizontal(classes="fu-row"):
                yield Label("格式")
                yield FormatSelect(id="x-format")
            yield Static(id="x-status", classes="fu-form-status")

    def on_mount(self) -> None:
        self.query_one("#x-branch", Select).focus()

    def action_cycle_format(self) -> None:
        self.query_one(FormatSelect).cycle()

    def _status(self, message: str) -> None:
        self.query_one("#x-status", Static).update(content(message, multiline=True))

    def action_export(self) -> None:
        today: date = zapp(self).today
        try:
            start = parse_date(self.query_one("#x-from", Input).value, today=today)
            end = parse_date(self.query_one("#x-to", Input).value, today=today)
        except DateParseError as e:
            self._status(str(e))
            return
        if start > end:
            self._status(f"开始日期 {format_date(start)} 晚于结束日期 {format_date(end)}")
            return
        folder = self.query_one("#x-dir", Input).value.strip()
        if not folder:
            self._status("请填写保存的文件夹")
            return
        branch = self.query_one("#x-branch", Select).value
        branch_ids = None if branch == ALL else [str(branch)]
        redact = self.query_one("#x-redact", Checkbox).value
        formats = self.query_one(FormatSelect).formats
        self._status("正在导出…")
        self._run(Path(folder), start, end, branch_ids, redact, formats)

    class LedgersWritten(Message):
        def __init__(self, files: list[LedgerFile]) -> None:
            super().__init__()
            self.files = files

    @work(thread=True, exclusive=True, group="ledger")
    def _run(
        self,
        folder: Path,
        start: date,
        end: date,
        branch_ids: list[str] | None,
        redact: bool,
        formats: tuple[str, ...] = ("docx",),
    ) -> None:
        from services.export_ledger import export_ledgers

        store = zapp(self).store
        files = export_ledgers(
            store,
            folder,
            start=start,
            end=end,
            branch_ids=branch_ids,
            internal=not redact,
            progress=lambda m: self.app.call_from_thread(self._status, m),
            formats=formats,
        )
        post_result(self, self.LedgersWritten(files))

    @on(LedgersWritten)
    def _ledgers_written(self, event: LedgersWritten) -> None:
        files = self.results = event.files
        if not files:
            self._status("该期间没有一人一事记录，未生成文件。")
            return
        lines = [
            f"已导出 {f.branch_name}（{f.cases} 件）：{'、'.join(map(str, f.paths or [f.path]))}"
            for f in files
        ]
        hidden = sum(f.redacted for f in files)
        if hidden:
            lines.append(f"其中 {hidden} 件保密事项已隐去详情（外发版）。")
        written = [p for f in files for p in (f.paths or (f.path,))]
        path = written[0] if len(written) == 1 else written[0].parent
        lines.append(f"{'文件' if len(written) == 1 else '文件夹'}：{zapp(self).exported(path)}")
        self._status("\n".join(lines))
        self.notify(f"台账已导出 {len(written)} 个文件：{path}", markup=False, timeout=10)

    @on(BackgroundFailed)
    def _failed(self, event: BackgroundFailed) -> None:
        # The app has notified; the form stays as typed, the status says why.
        self._status(event.text)

    def action_cancel(self) -> None:
        self.dismiss(self.results)
