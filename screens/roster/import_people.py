"""导入人员: preview with a per-row error report, then all or nothing."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from domain.org import OrgKind
from domain.people_import import ImportFileError, ImportPreview, build_preview, read_table
from services import import_people as import_svc
from services import org_lookup
from widgets.app_handle import BackgroundFailed, zapp
from widgets.limited_input import LimitedInput
from widgets.safe import content, text

PREVIEW_ROWS = 200


class ImportPeopleScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("ctrl+r", "preview", "预览检查", priority=True),
        Binding("ctrl+s", "commit", "导入", priority=True),
        Binding("escape", "cancel", "关闭"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.preview: ImportPreview | None = None

    def compose(self) -> ComposeResult:
        store = zapp(self).store
        self._branch_ids, self._group_ids = org_lookup.lookup_maps(store)
        branches = [u for u in org_lookup.all_units(store) if u.kind is OrgKind.BRANCH]
        with Vertical(id="import-box"):
            yield Static("导入人员（.csv / .xlsx；Ctrl+R 预览，Ctrl+S 导入）", id="import-title")
            yield Label("文件路径")
            yield LimitedInput(
                placeholder="/home/用户/人员名单.xlsx", id="import-path", max_length=500
            )
            yield Label("表中没有“支部”列时导入到")
            yield Select(
                [(text(b.name), b.id) for b in branches],
                id="import-branch",
                prompt="（按表中“支部”列）",
            )
            yield Static(id="import-summary")
            yield DataTable(id="import-preview", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()

    @on(Input.Submitted, "#import-path")
    def _submitted(self) -> None:
        self.action_preview()

    def action_preview(self) -> None:
        path = self.query_one("#import-path", Input).value.strip()
        if not path:
            self._summary("请先填写文件路径")
            return
        sel = self.query_one("#import-branch", Select)
        branch = None if sel.is_blank() else str(sel.value)
        self._summary("正在读取与检查…")
        self._run_preview(Path(path).expanduser(), branch)

    @work(thread=True, exclusive=True, group="import")
    def _run_preview(self, path: Path, branch: str | None) -> ImportPreview | ImportFileError:
        try:
            table = read_table(path)
            return build_preview(
                table,
                branch_ids=self._branch_ids,
                group_ids=self._group_ids,
                default_branch_id=branch,
            )
        except ImportFileError as e:
            # The file cannot be used (missing, wrong format): a result to show, not a fault.
            return e

    @work(thread=True, exclusive=True, group="import-commit")
    def _run_commit(self, preview: ImportPreview) -> int:
        return import_svc.commit(zapp(self).store, preview)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.state is not WorkerState.SUCCESS:
            return  # failures: the app reports them, _failed() recovers
        if worker.group == "import":
            if isinstance(worker.result, ImportFileError):
                self.preview = None
                self._summary(str(worker.result))
            elif isinstance(worker.result, ImportPreview):
                self._show(worker.result)
        elif worker.group == "import-commit":
            n = worker.result
            self.notify(f"已导入 {n} 人", markup=False)
            self.dismiss(n)

    @on(BackgroundFailed)
    def _failed(self, event: BackgroundFailed) -> None:
        if event.worker.group == "import":
            self.preview = None
            self._summary(event.text)
        elif event.worker.group == "import-commit":
            self._summary(f"导入失败，未写入任何数据：{event.text}")

    def _summary(self, msg: str) -> None:
        self.query_one("#import-summary", Static).update(content(msg, multiline=True))

    def _show(self, preview: ImportPreview) -> None:
        self.preview = preview
        table = self.query_one("#import-preview", DataTable)
        table.clear(columns=True)
        if preview.errors:
            table.add_columns("行", "问题")
            for err in preview.errors[:PREVIEW_ROWS]:
                table.add_row(text(err.row), text(err.message))
            self._summary(
                f"读取 {preview.rows_read} 行，{len(preview.errors)} 行有错误（见下表）。"
                "请修改文件后重新预览；有错误时不会导入任何数据。"
            )
            return
        table.add_columns("姓名", "政治面貌", "职务", "班组", "岗位", "电话")
        for p in preview.people[:PREVIEW_ROWS]:
            table.add_row(text(p.name), text(p.status.value), text(p.post.value if p.post else ""),
                          text(p.team), text(p.job), text(p.phone))  # fmt: skip
        self._summary(f"检查通过：{len(preview.people)} 人可以导入。按 Ctrl+S 导入（全部或全不）。")

    def action_commit(self) -> None:
        if self.preview is None or not self.preview.ok:
            self._summary("请先预览，且没有错误后才能导入")
            return
        self._summary("正在导入…")
        self._run_commit(self.preview)

    def action_cancel(self) -> None:
        self.dismiss(None)
