"""问题清单: one list of the problems filed from meetings, inspections and
隐患排查 and of the meetings' 决议, until verified closed.

Keys: a 登记问题, s 开始整改, t 提交验证, y 验证通过, n 验证未通过,
Enter details (a 决议 opens its own screen), x 导出整改台账, Esc back.
Late entries carry the text 逾期 (never colour alone).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Label, Select, Static, TextArea

from domain.dates import DateParseError, format_date, parse_optional_date
from domain.navigation import Place
from domain.people import Person
from domain.problems import FILED_SOURCES, Entry, Problem, ProblemSource, ProblemState
from services import org_lookup
from services import problems as problem_service
from services.errors import DomainError
from widgets.app_handle import zapp
from widgets.date_input import DateInput
from widgets.footer import KeyFooter
from widgets.limited_input import LimitedInput, LimitedTextArea
from widgets.person_picker import PickPersonScreen
from widgets.safe import content, text
from widgets.tables import add_columns

LATE = "【逾期】"
ALL = "__all__"
WORKFLOW = "problem"


def entry_line(e: Entry, today: date) -> str:
    """One entry as an agenda or home line: state, text, who, when."""
    late = e.days_overdue(today)
    when = f"逾期{late}天" if late else (f"{format_date(e.deadline)} 前" if e.deadline else "无时限")
    who = e.owner_name or "未定责任人"
    return f"{LATE if late else ''}[{e.state}] {e.text}（{who}，{when}）"


CARRIED_SHOWN = 4


def carried_lines(store: Any, meeting: Any, today: date) -> list[str]:
    """The 遗留问题 agenda item of *meeting*: a heading and one line per entry
    (the first few; the count of the rest)."""
    try:
        rows = problem_service.carried_for(store, meeting, today)
    except DomainError:
        return []
    if not rows:
        return []
    out = [f"议程：上次以来遗留问题整改情况（{len(rows)} 项，w 登记新问题）"]
    out += [entry_line(e, today) for e in rows[:CARRIED_SHOWN]]
    if len(rows) > CARRIED_SHOWN:
        out.append(f"……另 {len(rows) - CARRIED_SHOWN} 项（今日 w 问题清单）")
    return out


class ProblemsScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "add", "登记问题"),
        Binding("s", "start", "开始整改"),
        Binding("t", "submit", "提交验证"),
        Binding("y", "verify(True)", "验证通过"),
        Binding("n", "verify(False)", "未通过"),
        Binding("x", "export", "导出"),
        Binding("enter", "open", "详情", show=False),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, branch_id: str | None = None, *, focus: str | None = None) -> None:
        super().__init__()
        self._branch_arg = branch_id
        self._focus = focus
        self._rows: dict[str, Entry] = {}

    def compose(self) -> ComposeResult:
        self._branches = org_lookup.branches(zapp(self).store)
        yield Header()
        yield Select(
            [("全部支部", ALL), *((text(b.name), b.id) for b in self._branches)],
            id="pb-branch", allow_blank=False, value=ALL, compact=True,
        )  # fmt: skip
        yield Static(id="pb-summary")
        yield DataTable(id="pb-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="pb-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "问题清单"
        add_columns(
            self.query_one("#pb-table", DataTable),
            (
                ("状态", "state", 12),
                ("问题", "text", 24),
                ("责任人", "owner", 6),
                ("时限", "deadline", 10),
                ("验证人", "verifier", 6),
                ("支部", "branch", 8),
            ),
        )
        if self._branch_arg and any(b.id == self._branch_arg for b in self._branches):
            with self.prevent(Select.Changed):
                self.query_one("#pb-branch", Select).value = self._branch_arg
        self.reload()
        self.query_one("#pb-table", DataTable).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    @property
    def branch_id(self) -> str | None:
        value = self.query_one("#pb-branch", Select).value
        return None if value in (ALL, Select.NULL) else str(value)

    @on(Select.Changed, "#pb-branch")
    def _branch_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        app = zapp(self)
        table = self.query_one("#pb-table", DataTable)
        keep = self._focus or self._current_id()
        self._focus = None
        table.clear()
        try:
            rows = problem_service.entries(app.store, app.today, self.branch_id)
        except DomainError as err:
            self.notify(str(err), severity="error", markup=False)
            rows = []
        self._rows = {e.id: e for e in rows}
        for e in rows:
            late = e.days_overdue(app.today)
            state = f"逾期·{e.state}" if late else str(e.state)
            table.add_row(
                text(state, style="bold" if late else ""),
                text(("决议：" if e.is_decision else "") + e.text),
                text(e.owner_name or "—"),
                text(format_date(e.deadline) if e.deadline else "无时限"),
                text(e.verifier_name or ("书记" if e.is_decision else "—")),
                text(e.branch_name),
                key=e.id,
            )
        open_ = [e for e in rows if e.is_open]
        late_n = sum(1 for e in open_ if e.days_overdue(app.today))
        line = f"共 {len(rows)} 项，未关闭 {len(open_)} 项"
        line += f"，其中 {late_n} 项逾期（标“逾期”，已报党总支）" if late_n else ""
        self.query_one("#pb-summary", Static).update(content(line + "。"))
        if keep and keep in self._rows:
            table.move_cursor(row=table.get_row_index(keep))
        self._detail()

    def _current_id(self) -> str | None:
        table = self.query_one("#pb-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(key) if key else None

    def _current(self) -> Entry | None:
        key = self._current_id()
        return self._rows.get(key) if key else None

    @on(DataTable.RowHighlighted, "#pb-table")
    def _moved(self) -> None:
        self._detail()

    def _detail(self) -> None:
        e = self._current()
        box = self.query_one("#pb-detail", Static)
        if e is None:
            box.update(content("尚无问题。按 a 登记问题（会议、检查、隐患排查发现的）。"))
            return
        src = f"{e.source}" + (f"（{e.source_text}）" if e.source_text else "")
        lines = [f"来源：{src}  发现：{format_date(e.found_on) if e.found_on else '—'}"]
        if e.measures:
            lines.append(f"整改措施：{e.measures[:70]}")
        if e.progress:
            lines.append(f"整改情况：{e.progress[:70]}")
        box.update(content("\n".join(lines), multiline=True))

    @on(DataTable.RowSelected, "#pb-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def _filed(self) -> Entry | None:
        e = self._current()
        if e is None:
            return None
        if e.is_decision:
            self.notify("会议决议在其详情中销号（Enter）", markup=False)
            return None
        return e

    def action_open(self) -> None:
        e = self._current()
        if e is None:
            return
        if e.is_decision:
            zapp(self).go(Place.ACTION_ITEM, e.id)
            return
        self._edit(e.id)

    @work
    async def _edit(self, problem_id: str) -> None:
        try:
            p = problem_service.get(zapp(self).store, problem_id)
        except DomainError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        if p.state is ProblemState.CLOSED:
            self.notify(f"已于 {format_date(p.verified_on)} 验证关闭", markup=False)
            return
        await self.app.push_screen_wait(ProblemForm(p.branch_id, problem=p))
        self.reload()

    def action_add(self) -> None:
        branch = self.branch_id
        if branch is None:
            self.notify("请先在上方选择支部", severity="warning", markup=False)
            self.query_one("#pb-branch", Select).focus()
            return
        self.app.push_screen(ProblemForm(branch), lambda _saved: self.reload())

    def _run(self, fn: Any) -> None:
        try:
            saved = fn()
        except DomainError as e:
            self.notify(str(e), severity="warning", markup=False)
            return
        self.notify(f"已改为“{saved.state}”", markup=False)
        self._focus = saved.id
        self.reload()

    def action_start(self) -> None:
        e = self._filed()
        if e is not None:
            store = zapp(self).store
            self._run(lambda: problem_service.advance(store, e.id, submit=False))

    def action_submit(self) -> None:
        from screens.dialogs import LinePrompt

        e = self._filed()
        if e is None:
            return
        store = zapp(self).store

        def done(value: str | None) -> None:
            if value:
                self._run(lambda: problem_service.advance(store, e.id, value, submit=True))

        self.app.push_screen(
            LinePrompt("整改情况（提交验证人验证）", value=e.progress, max_length=400), done
        )

    def action_verify(self, passed: bool) -> None:
        from screens.dialogs import LinePrompt

        e = self._filed()
        if e is None:
            return
        app = zapp(self)
        try:
            problem_service.check_may_verify(app.store, e.id)
        except DomainError as err:
            self.notify(str(err), severity="warning", markup=False)
            return

        def done(value: str | None) -> None:
            if value is not None:
                self._run(lambda: problem_service.verify(app.store, e.id, app.today,
                                                         passed=passed, note=value))  # fmt: skip

        title = "验证意见（可空）" if passed else "验证未通过的原因"
        self.app.push_screen(LinePrompt(title, required=not passed, max_length=200), done)

    @work(thread=True, exclusive=True, group="export")
    def action_export(self) -> None:
        from services.export_problems import export_problems
        from services.meetings import default_export_dir

        app = zapp(self)
        try:
            files = export_problems(
                app.store, default_export_dir(), app.today, branch_id=self.branch_id
            )
        except (DomainError, OSError) as e:
            self.app.call_from_thread(self.notify, str(e), severity="error", markup=False)
            return
        where = str(Path(files[0]).parent) if files else ""
        self.app.call_from_thread(
            self.notify, f"已导出整改台账（.docx、.xlsx）到 {where}", markup=False
        )

    def action_back(self) -> None:
        self.app.pop_screen()


def _row(label: str, widget: Any) -> ComposeResult:
    with Horizontal(classes="pb-row"):
        yield Label(label, classes="pb-label")
        yield widget


class ProblemForm(ModalScreen[Problem | None]):
    """File (or edit) one problem: all of 问题, 整改措施, 责任人, 时限, 验证人.

    Typed text is kept as a draft as it is typed (Esc keeps it, Ctrl+D drops it).
    责任人 and 验证人: type a name (pinyin works), Enter picks from the roster.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("escape", "close", "关闭（留草稿）"),
        Binding("ctrl+d", "discard", "放弃"),
    ]
    FIELDS = ("source", "source_text", "found_on", "text", "measures", "owner", "deadline",
              "verifier")  # fmt: skip

    def __init__(
        self, branch_id: str, *, problem: Problem | None = None, meeting_id: str | None = None,
        source_text: str = "", found_on: date | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.branch_id = branch_id
        self.problem = problem
        self.meeting_id = problem.meeting_id if problem else meeting_id
        self._source_text = source_text
        self._found_on = found_on
        self.people: dict[str, tuple[str, str] | None] = {"owner": None, "verifier": None}
        self._loading = True
        self.draft_key = problem.id if problem else f"new:{branch_id}:{meeting_id or ''}"

    def compose(self) -> ComposeResult:
        p = self.problem
        source = p.source if p else (
            ProblemSource.MEETING if self.meeting_id else ProblemSource.INSPECTION
        )  # fmt: skip
        with VerticalScroll(id="pb-form"):
            yield Static(content("登记问题（Ctrl+S 保存，Esc 关闭并保留草稿）"), id="pb-form-title")
            yield from _row("来源", Select(
                [(s.value, s.value) for s in FILED_SOURCES], id="f-source", allow_blank=False,
                value=source.value, compact=True,
            ))  # fmt: skip
            yield from _row("来源说明", LimitedInput(
                p.source_text if p else self._source_text, id="f-source_text", max_length=200,
                placeholder="如 2026-03-15 支委会 / 季度安全检查", compact=True,
            ))  # fmt: skip
            yield from _row("发现日期", DateInput(
                p.found_on if p else self._found_on, id="f-found_on", compact=True
            ))  # fmt: skip
            yield from _row("问题", LimitedInput(
                p.text if p else "", id="f-text", max_length=2000, compact=True
            ))  # fmt: skip
            yield from _row("整改措施", LimitedTextArea(
                p.measures if p else "", id="f-measures", max_length=4000, compact=True
            ))  # fmt: skip
            yield from _row("责任人", LimitedInput(
                p.owner_name if p else "", id="f-owner", max_length=40,
                placeholder="键入姓名或拼音，Enter 选人", compact=True,
            ))  # fmt: skip
            yield from _row("整改时限", DateInput(
                p.deadline if p else None, id="f-deadline", compact=True
            ))  # fmt: skip
            yield from _row("验证人", LimitedInput(
                p.verifier_name if p else "", id="f-verifier", max_length=40,
                placeholder="键入姓名或拼音，Enter 选人", compact=True,
            ))  # fmt: skip
            yield Static(id="pb-form-status")

    def on_mount(self) -> None:
        p = self.problem
        if p is not None:
            self.people["owner"] = (p.owner_id or "", p.owner_name) if p.owner_name else None
            self.people["verifier"] = (p.verifier_id or "", p.verifier_name) if p.verifier_id else None
        if self._found_on is None and p is None:
            self.query_one("#f-found_on", Input).value = zapp(self).today.isoformat()
        draft = zapp(self).drafts.load(WORKFLOW, self.draft_key)
        if draft:
            self._restore(draft.get("values", {}))
            self.notify("已恢复上次未保存的草稿", markup=False)
        self.query_one("#f-text", Input).focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def _restore(self, values: dict[str, Any]) -> None:
        with self.prevent(Input.Changed, TextArea.Changed, Select.Changed):
            for f in ("source_text", "found_on", "text", "owner", "deadline", "verifier"):
                if isinstance(values.get(f), str):
                    self.query_one(f"#f-{f}", Input).value = values[f]
            if isinstance(values.get("measures"), str):
                self.query_one("#f-measures", TextArea).text = values["measures"]
            if values.get("source") in {s.value for s in FILED_SOURCES}:
                self.query_one("#f-source", Select).value = values["source"]
            for f in ("owner", "verifier"):
                picked = values.get(f"{f}_picked")
                if isinstance(picked, list) and len(picked) == 2:
                    self.people[f] = (str(picked[0]), str(picked[1]))

    def _values(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            f: self.query_one(f"#f-{f}", Input).value
            for f in ("source_text", "found_on", "text", "owner", "deadline", "verifier")
        }
        out["measures"] = self.query_one("#f-measures", TextArea).text
        out["source"] = str(self.query_one("#f-source", Select).value)
        for f in ("owner", "verifier"):
            picked = self.people[f]
            out[f"{f}_picked"] = list(picked) if picked else None
        return out

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    def _changed(self, event: object) -> None:
        if self._loading:
            return
        widget = getattr(event, "input", None)
        if isinstance(widget, Input) and widget.id in ("f-owner", "f-verifier"):
            field = widget.id.removeprefix("f-")
            chosen = self.people[field]
            if chosen and widget.value.strip() != chosen[1]:
                self.people[field] = None  # typed over the pick: pick again
        zapp(self).drafts.touch(WORKFLOW, self.draft_key, "问题清单", {"values": self._values()})

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        field = (event.input.id or "").removeprefix("f-")
        if field in ("owner", "verifier"):
            self._pick(field, event.value.strip())
        else:
            self.focus_next()

    def _pick(self, field: str, initial: str) -> None:
        def done(result: object) -> None:
            if isinstance(result, Person):
                self.people[field] = (result.id, result.name)
                with self.prevent(Input.Changed):
                    self.query_one(f"#f-{field}", Input).value = result.name
                zapp(self).drafts.touch(WORKFLOW, self.draft_key, "问题清单",
                                        {"values": self._values()})  # fmt: skip
                self.focus_next()

        title = "选择责任人" if field == "owner" else "选择验证人"
        self.app.push_screen(PickPersonScreen(title, branch_id=self.branch_id, initial=initial),
                             done)  # fmt: skip

    def _status(self, message: str) -> None:
        self.query_one("#pb-form-status", Static).update(content(message))

    def _date(self, field: str, label: str) -> date | None:
        try:
            return parse_optional_date(
                self.query_one(f"#f-{field}", Input).value, today=zapp(self).today
            )
        except DateParseError as e:
            raise ValueError(f"{label}：{e}") from e

    def action_save(self) -> None:
        app = zapp(self)
        try:
            found = self._date("found_on", "发现日期") or app.today
            deadline = self._date("deadline", "整改时限")
        except ValueError as e:
            self._status(str(e))
            return
        owner, verifier = self.people["owner"], self.people["verifier"]
        owner_typed = self.query_one("#f-owner", Input).value.strip()
        if self.query_one("#f-verifier", Input).value.strip() and verifier is None:
            self._status("验证人须从花名册选定（在验证人栏按 Enter）")
            return
        fields: dict[str, Any] = {
            "branch_id": self.branch_id,
            "source": ProblemSource(str(self.query_one("#f-source", Select).value)),
            "source_text": self.query_one("#f-source_text", Input).value,
            "meeting_id": self.meeting_id,
            "found_on": found,
            "text": self.query_one("#f-text", Input).value,
            "measures": self.query_one("#f-measures", TextArea).text,
            "owner_id": owner[0] if owner else None,
            "owner_name": owner[1] if owner else owner_typed,
            "deadline": deadline,
            "verifier_id": verifier[0] if verifier else None,
            "verifier_name": verifier[1] if verifier else "",
        }
        try:
            p = (self.problem.model_copy(update=fields) if self.problem
                 else Problem.model_validate(fields))  # fmt: skip
        except ValueError as e:
            self._status(_first_error(e))
            return
        try:
            saved = problem_service.file_problem(app.store, p)
        except DomainError as e:
            self._status(str(e))
            return
        app.drafts.discard(WORKFLOW, self.draft_key)
        self.notify("已登记到问题清单", markup=False)
        self.dismiss(saved)

    def action_close(self) -> None:
        zapp(self).drafts.flush()
        self.dismiss(None)

    def action_discard(self) -> None:
        zapp(self).drafts.discard(WORKFLOW, self.draft_key)
        self.dismiss(None)


def _first_error(e: ValueError) -> str:
    from pydantic import ValidationError

    if isinstance(e, ValidationError):
        err = e.errors()[0]
        where = {"text": "问题", "measures": "整改措施"}.get(str(err["loc"][0]) if err["loc"] else "", "")
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        return f"{where}：{msg}" if where else msg
    return str(e)
