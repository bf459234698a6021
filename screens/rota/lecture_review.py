"""课件审核: one lecture's plan fields, its review steps and their history.

The fields (topic, category, audience, place, format, hours, courseware
file) are saved with Ctrl+S or together with a review step (Ctrl+T). The
topic and the courseware file can only change while the lecturer holds the
courseware (not yet submitted, or returned); from 审核通过 the version is
locked. Typed values live in a draft until saved.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Header, Input, Label, Select, Static

from domain.courseware import (
    Lecture,
    LectureCategory,
    LectureFormat,
    ReviewEvent,
    ReviewState,
)
from domain.dates import format_date_cn
from domain.errors_cn import field_errors
from screens.rota.format import lateness, state_label
from screens.rota.lecture_step import LectureStepScreen, step_options
from services import rota as rota_service
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.checkbox import TextCheckbox
from widgets.footer import KeyFooter
from widgets.limited_input import LimitedInput
from widgets.safe import content, plain, text
from widgets.tables import add_columns

WORKFLOW = "lecture"
_S = ReviewState
# The lecturer holds the courseware in these states; otherwise it is under
# review or locked, and its topic and file stay as reviewed.
CONTENT_STATES = frozenset(
    {_S.NOT_SUBMITTED, _S.TOPIC_FILED, _S.BRANCH_RETURNED, _S.HIGHER_RETURNED}
)
FIELD_LABELS = {
    "topic": "题目",
    "category": "类别",
    "format": "形式",
    "hours": "学时",
    "audience": "对象",
    "place": "地点",
    "courseware_path": "课件文件",
    "needs_higher_review": "需上级审核",
}
INPUTS = {
    "topic": "#f-topic",
    "hours": "#f-hours",
    "audience": "#f-audience",
    "place": "#f-place",
    "courseware_path": "#f-courseware",
}
SELECTS = {"category": "#f-category", "format": "#f-format"}


def checklist_summary(event: ReviewEvent) -> str:
    if not event.checklist:
        return ""
    ok = [k.value for k, v in event.checklist.items() if v]
    bad = [k.value for k, v in event.checklist.items() if not v]
    if not bad:
        return f"清单{len(ok)}项全部通过"
    return "清单未通过：" + "、".join(bad)


class LectureReviewScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("ctrl+t", "step", "审核办理", priority=True),
        Binding("escape", "leave", "返回（留草稿）"),
    ]

    def __init__(self, lecture_id: str) -> None:
        super().__init__()
        self.lecture_id = lecture_id
        self.lecture: Lecture | None = None
        self._step_draft: dict[str, Any] | None = None
        self._loading = True
        self._saving = False  # a save waiting for the lock

    # -- layout ------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="lec-head")
        yield Static(id="lec-state")
        with Vertical(id="lec-form"):
            with Horizontal(classes="row"):
                yield Label("题目")
                yield LimitedInput(
                    id="f-topic", max_length=200, compact=True, placeholder="党课题目"
                )
            with Horizontal(classes="row"):
                yield Label("类别")
                yield Select(
                    [(c.value, c.value) for c in LectureCategory],
                    id="f-category",
                    allow_blank=False,
                    compact=True,
                )
                yield Label("形式", classes="label2")
                yield Select(
                    [(f.value, f.value) for f in LectureFormat],
                    id="f-format",
                    allow_blank=False,
                    compact=True,
                )
                yield Label("学时", classes="label2")
                yield LimitedInput(id="f-hours", type="number", max_length=4, compact=True)
            with Horizontal(classes="row"):
                yield Label("对象")
                yield LimitedInput(id="f-audience", max_length=100, compact=True)
                yield Label("地点", classes="label2")
                yield LimitedInput(id="f-place", max_length=100, compact=True)
            with Horizontal(classes="row"):
                yield Label("课件")
                yield LimitedInput(
                    id="f-courseware",
                    max_length=500,
                    compact=True,
                    placeholder="课件文件路径（审核通过时记录文件名与 sha256）",
                )
                yield TextCheckbox("需上级审核", id="f-higher", compact=True)
        yield Static(id="lec-status")
        yield Static("审核记录", classes="section-title")
        yield DataTable(id="lec-events", cursor_type="row", zebra_stripes=True)
        yield Static(id="lec-event-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#lec-events", DataTable)
        add_columns(
            table,
            (
                ("时间", "at", 16),
                ("办理", "step", 17),
                ("操作人", "who", 10),
                ("意见", "comment", 26),
            ),
        )
        self.lecture = rota_service.find_lecture(zapp(self).store, self.lecture_id)
        if self.lecture is None:
            self.notify("找不到这次党课（可能已被删除）", severity="error", markup=False)
            self.call_after_refresh(self.dismiss, None)
            return
        draft = zapp(self).drafts.load(WORKFLOW, self.lecture_id) or {}
        self._step_draft = draft.get("step")
        values = self._values_from(self.lecture)
        if draft.get("fields"):
            values.update(draft["fields"])
            if draft.get("base_version") != self.lecture.version:
                self.notify(
                    "这次党课在草稿之后被他人更新过；已恢复您的草稿，请核对后保存",
                    severity="warning",
                    markup=False,
                    timeout=8,
                )
            else:
                self.notify("已恢复上次未保存的草稿", markup=False)
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            self._apply(values)
        self._refresh_view()
        first = self.query_one("#f-topic", Input)
        (first if not first.disabled else table).focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    # -- values ------------------------------------------------------------
    @staticmethod
    def _values_from(lec: Lecture) -> dict[str, Any]:
        return {
            "topic": lec.topic,
            "category": lec.category.value,
            "format": lec.format.value,
            "hours": f"{lec.hours:g}",
            "audience": lec.audience,
            "place": lec.place,
            "courseware_path": lec.courseware_path,
            "needs_higher_review": lec.needs_higher_review,
        }

    def _apply(self, values: dict[str, Any]) -> None:
        for field, wid in INPUTS.items():
            self.query_one(wid, Input).value = str(values.get(field) or "")
        for field, wid in SELECTS.items():
            sel = self.query_one(wid, Select)
            if values.get(field) in sel._legal_values:  # noqa: SLF001 - pinned Textual
                sel.value = values[field]
        self.query_one("#f-higher", Checkbox).value = bool(values.get("needs_higher_review"))

    def _collect(self) -> dict[str, Any]:
        out: dict[str, Any] = {f: self.query_one(w, Input).value for f, w in INPUTS.items()}
        out.update({f: str(self.query_one(w, Select).value) for f, w in SELECTS.items()})
        out["needs_higher_review"] = self.query_one("#f-higher", Checkbox).value
        return out

    def _build(self) -> Lecture | None:
        """The lecture with the typed fields, or None after showing the errors."""
        assert self.lecture is not None
        values = self._collect()
        errors: dict[str, str] = {}
        path = values["courseware_path"].strip()
        values["courseware_path"] = os.path.expanduser(path) if path.startswith("~") else path
        try:
            values["hours"] = float(values["hours"] or 0)
        except ValueError:
            errors["hours"] = "应为数字，如 1 或 1.5"
        try:
            lec = Lecture.model_validate(
                {
                    **self.lecture.model_dump(),
                    **{k: v for k, v in values.items() if k not in errors},
                }
            )
        except ValidationError as e:
            errors.update(
                {k: v for k, v in field_errors(e, FIELD_LABELS).items() if k not in errors}
            )
            lec = None
        if errors:
            self._status("；".join(f"{FIELD_LABELS.get(k, k)}：{v}" for k, v in errors.items()))
            first = next(iter(errors))
            wid = INPUTS.get(first) or SELECTS.get(first)
            if wid:
                self.query_one(wid).focus()
            return None
        return lec

    # -- view --------------------------------------------------------------
    def _refresh_view(self) -> None:
        lec = self.lecture
        if lec is None:
            return
        today = zapp(self).today
        slot = f"第{lec.slot_index + 1}次  " if lec.slot_index is not None else ""
        who = f"{lec.lecturer_name}（{lec.branch_name}）" if lec.branch_name else lec.lecturer_name
        post = f" {lec.lecturer_post}" if lec.lecturer_post else ""
        self.query_one("#lec-head", Static).update(
            Text(plain(f"{slot}{format_date_cn(lec.lecture_date)}  {who}{post}"), style="bold")
        )
        state = Text("状态：")
        state.append(state_label(lec), style="bold green" if lec.given else "bold")
        if lec.needs_higher_review and lec.state not in (_S.APPROVED, _S.FILED):
            state.append(" · 需上级审核", style="dim")
        if lec.given:
            state.append(plain(f" · {lec.given_on or ''} {lec.attendance}"), style="green")
        else:
            for late in lateness(lec, today)[:1]:
                state.append(f" · {late}", style="bold red")
        if lec.locked is not None:
            state.append(
                plain(f" · 已锁定 {lec.locked.file_name} sha256 {lec.locked.sha256[:12]}…"),
                style="cyan",
            )
        if not step_options(lec):
            state.append(" · 审核流程已结束", style="dim")
        self.query_one("#lec-state", Static).update(state)
        content_open = lec.state in CONTENT_STATES and not lec.given
        for wid in ("#f-topic", "#f-courseware", "#f-category"):
            self.query_one(wid).disabled = not content_open
        self.query_one("#f-higher").disabled = lec.state in (_S.APPROVED, _S.FILED)
        self._fill_events()

    def _fill_events(self) -> None:
        assert self.lecture is not None
        table = self.query_one("#lec-events", DataTable)
        table.clear()
        for k, e in enumerate(reversed(self.lecture.events)):  # newest first
            note = e.comment or checklist_summary(e)
            table.add_row(
                text(e.at.strftime("%Y-%m-%d %H:%M")),
                text(f"{e.from_state}→{e.to_state}"),
                text(e.actor),
                text(note),
                key=str(k),
            )
        if not self.lecture.events:
            self.query_one("#lec-event-detail", Static).update(
                content("尚无审核记录。填写题目后按 Ctrl+T 报题。")
            )
        else:
            self._show_event()

    @on(DataTable.RowHighlighted, "#lec-events")
    def _show_event(self) -> None:
        if self.lecture is None or not self.lecture.events:
            return
        table = self.query_one("#lec-events", DataTable)
        events = list(reversed(self.lecture.events))
        e = events[min(table.cursor_row, len(events) - 1)]
        parts = [f"{e.actor}：{e.from_state}→{e.to_state}"]
        if e.comment:
            parts.append(e.comment)
        if e.checklist:
            parts.append(checklist_summary(e))
        self.query_one("#lec-event-detail", Static).update(content("  ".join(parts)))

    def _status(self, msg: str) -> None:
        self.query_one("#lec-status", Static).update(content(msg))

    # -- drafts ------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        if not self._loading:
            self._touch(self._collect())

    def _touch(self, fields: dict[str, Any] | None) -> None:
        lec = self.lecture
        if lec is None:
            return
        data = {"base_version": lec.version, "fields": fields, "step": self._step_draft}
        title = f"{lec.lecture_date.isoformat()} {lec.lecturer_name} 党课课件"
        zapp(self).drafts.touch(WORKFLOW, lec.id, title, data)

    def _step_typed(self, values: dict[str, Any]) -> None:
        self._step_draft = values
        self._touch(self._collect())

    # -- actions -----------------------------------------------------------
    def action_save(self) -> None:
        if self.lecture is None:
            return
        if self._saving:
            return  # a second Ctrl+S while the first waits saves nothing twice
        lec = self._build()
        if lec is None:
            return
        store, typed = zapp(self).store, self._collect()
        self._saving = True
        self._status("正在保存…")

        def refused(e: Exception) -> None:
            self._saving = False
            msg = zapp(self).drafts.refused_message(str(e))
            self._status(msg)
            self.notify(msg, severity="error", markup=False, timeout=8)

        def done(saved: Lecture) -> None:
            self._saving = False
            now = self._collect()
            if now == typed:
                self._saved(saved, "已保存", draft_gone=True)
                return
            # Typed while the save waited for the lock: keep it on screen and
            # in the draft, against the version just saved.
            self.lecture = saved
            self._touch(now)
            self._refresh_view()
            self._status("已保存；之后输入的修改尚未保存（Ctrl+S）")

        # Waiting for another process's lock happens off the UI thread
        # (docs/RELIABILITY.md, R7).
        ref = zapp(self).drafts.ref(WORKFLOW, lec.id)
        run_save(
            self, store, lambda: rota_service.save_lecture(store, lec, draft=ref), done, refused
        )

    def _saved(self, saved: Lecture, message: str, *, draft_gone: bool = False) -> None:
        self.lecture = saved
        # Ctrl+S removed the draft row in its own transaction; after a review
        # step the draft writer's thread removes it: never a write here.
        keeper = zapp(self).drafts
        if draft_gone:
            keeper.forget(WORKFLOW, saved.id)
        else:
            keeper.discard_soon(WORKFLOW, saved.id)
        if self._step_draft:
            self._touch(None)  # keep a half-typed review step
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            self._apply(self._values_from(saved))
        self._refresh_view()
        self._status(message)
        self.notify(message, markup=False)

    def action_step(self) -> None:
        if self.lecture is None or self._held_back():
            return
        if not step_options(self.lecture):
            self.notify(f"审核流程已结束（{self.lecture.state}）", markup=False)
            return
        lec = self._build()
        if lec is None:
            return

        def done(saved: Lecture | None) -> None:
            if saved is None:
                return
            self._step_draft = None
            self._saved(saved, f"已办理：{saved.state}")

        self.app.push_screen(
            LectureStepScreen(lec, draft=self._step_draft, on_change=self._step_typed), done
        )

    def _held_back(self) -> bool:
        if not self._saving:
            return False
        self.notify("正在保存（数据库忙时请稍候），完成后再操作", markup=False)
        return True

    def action_leave(self) -> None:
        if self._held_back():
            return  # leaving now would drop the outcome of the waiting save
        if self.lecture is not None:
            # 已保存 only when the draft is written (docs/RELIABILITY.md, R10).
            message = zapp(self).drafts.close_message(WORKFLOW, self.lecture.id)
            if message:
                self.notify(message, markup=False)
        self.dismiss(None)
