"""导入人员: preview with a per-row error report, then all or nothing."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Select, Static

from domain.org import OrgKind
from domain.people_import import ImportPreview, OnDuplicate
from services import import_people as import_svc
from services import org_lookup
from services.errors import DomainError
from services.import_people import Written
from widgets.app_handle import BackgroundFailed, zapp
from widgets.job_progress import JobProgress
from widgets.limited_input import LimitedInput
from widgets.safe import content, text
from widgets.work_result import post_result

PREVIEW_ROWS = 200


class ImportPeopleScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("ctrl+r", "preview", "预览检查", priority=True),
        Binding("ctrl+s", "commit", "导入", priority=True),
        Binding("u", "toggle_duplicate", "跳过/更新"),
        Binding("escape", "cancel", "关闭"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.preview: ImportPreview | None = None
        # Per duplicate row (index into preview.people): skip unless the user says update.
        self.choices: dict[int, OnDuplicate] = {}

    def compose(self) -> ComposeResult:
        store = zapp(self).store
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
            yield JobProgress(id="import-progress")
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

    class Previewed(Message):
        """The file read and checked, or why it cannot be used."""

        def __init__(self, result: ImportPreview | DomainError) -> None:
            super().__init__()
            self.result = result

    class Imported(Message):
        def __init__(self, written: Written) -> None:
            super().__init__()
            self.written = written

    @work(thread=True, exclusive=True, group="import")
    def _run_preview(self, path: Path, branch: str | None) -> None:
        try:
            result: ImportPreview | DomainError = import_svc.preview_file(
                zapp(self).store, path, default_branch_id=branch
            )
        except DomainError as e:
            # The file cannot be used (missing, wrong format): a result to show, not a fault.
            result = e
        post_result(self, self.Previewed(result))

    @work(thread=True, exclusive=True, group="import-commit")
    def _run_commit(self, preview: ImportPreview, choices: dict[int, OnDuplicate]) -> None:
        bar = self.query_one(JobProgress)
        written = import_svc.commit(
            zapp(self).store,
            preview,
            OnDuplicate.SKIP,
            choices,
            step=lambda p: self.app.call_from_thread(bar.step, "导入人员", p),
        )
        post_result(self, self.Imported(written))

    @on(Previewed)
    def _previewed(self, event: Previewed) -> None:
        if isinstance(event.result, DomainError):
            self.preview = None
            self._summary(str(event.result))
        else:
            self._show(event.result)

    @on(Imported)
    def _imported(self, event: Imported) -> None:
        done = event.written
        self.notify(
            f"已导入 {done.imported} 人，更新 {done.updated} 人，跳过重复 {done.skipped} 人",
            markup=False,
        )
        self.dismiss(done.imported)

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
        self.choices = {d.index: OnDuplicate.SKIP for d in preview.duplicates}
        table.add_column("处理", key="what")
        table.add_columns("姓名", "政治面貌", "职务", "班组", "岗位", "电话")
        # Duplicates first: they are what needs a decision.
        dupes = [d.index for d in preview.duplicates]
        order = dupes + [i for i in range(len(preview.people)) if i not in self.choices]
        for i in order[:PREVIEW_ROWS]:
            p = preview.people[i]
            table.add_row(self._what(i), text(p.name), text(p.status.value),
                          text(p.post.value if p.post else ""), text(p.team), text(p.job),
                          text(p.phone), key=str(i))  # fmt: skip
        self._count()

    def _what(self, index: int) -> str:
        if index not in self.choices:
            return "新增"
        return "更新" if self.choices[index] is OnDuplicate.UPDATE else "跳过"

    def _count(self) -> None:
        assert self.preview is not None
        n = len(self.preview.people)
        dupes = len(self.choices)
        if not dupes:
            self._summary(f"检查通过：{n} 人可以导入。按 Ctrl+S 导入（全部或全不）。")
            return
        update = sum(1 for c in self.choices.values() if c is OnDuplicate.UPDATE)
        first = self.preview.duplicates[0]
        self._summary(
            f"检查通过：新增 {n - dupes} 人；{dupes} 人已在花名册中（如第 {first.row} 行"
            f" {first.existing.name}，{first.by}相同），跳过 {dupes - update}、更新 {update}。"
            "在重复的行上按 u 切换 跳过/更新；Ctrl+S 导入（全部或全不）。"
        )

    def action_toggle_duplicate(self) -> None:
        table = self.query_one("#import-preview", DataTable)
        if self.preview is None or self.preview.errors or not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        index = int(str(key.value))
        if index not in self.choices:
            self.notify("这一行是新增的人，不是重复", markup=False)
            return
        now = self.choices[index]
        self.choices[index] = OnDuplicate.SKIP if now is OnDuplicate.UPDATE else OnDuplicate.UPDATE
        table.update_cell(key, "what", self._what(index))
        self._count()

    def action_commit(self) -> None:
        if self.preview is None or not self.preview.ok:
            self._summary("请先预览，且没有错误后才能导入")
            return
        self._summary("正在导入…")
        self._run_commit(self.preview, dict(self.choices))

    def action_cancel(self) -> None:
        self.dismiss(None)
