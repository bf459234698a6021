"""审核办理: one courseware review step for a lecture (a modal).

Pick the step (only the moves domain.courseware allows from the current
state), who does it, the comment (required to return), and at 支部初审 the
six-item checklist. Ctrl+S saves it in a thread (approval hashes the
courseware file); a refused step keeps the modal open with the reason.
What is typed goes to the review screen's draft through ``on_change``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from domain.courseware import (
    RETURN_STATES,
    Lecture,
    ReviewCheck,
    ReviewState,
    allowed_next,
)
from domain.people import Person
from services import rota as rota_service
from services.errors import Refused
from widgets.app_handle import BackgroundFailed, zapp
from widgets.background_save import run_save
from widgets.limited_input import LimitedInput
from widgets.person_picker import NewPerson, PickPersonScreen
from widgets.safe import content, text

_S = ReviewState
AUTHOR_STEPS = (_S.TOPIC_FILED, _S.SUBMITTED)  # done by the lecturer


def step_label(current: ReviewState, to: ReviewState) -> str:
    if to is _S.TOPIC_FILED:
        return "报题（选题报备）"
    if to is _S.SUBMITTED:
        return "提交讲稿/课件" if current is _S.TOPIC_FILED else "修改后重新提交"
    if to is _S.BRANCH_RETURNED:
        return "初审退回（须填写意见）"
    if to is _S.AWAITING_HIGHER:
        return "初审通过，报上级审核"
    if to is _S.APPROVED:
        return (
            "初审通过，审核通过并锁定课件" if current is _S.SUBMITTED else "上级审核通过，锁定课件"
        )
    if to is _S.HIGHER_RETURNED:
        return "上级审核退回修改（须填写意见）"
    return "备案（报上级党组织）"


def step_options(lecture: Lecture) -> list[ReviewState]:
    """Forward moves first, returns last; no direct approval when a higher
    review is required (the domain would refuse it anyway)."""
    nxt = allowed_next(lecture)
    if lecture.state is _S.SUBMITTED and lecture.needs_higher_review:
        nxt = [s for s in nxt if s is not _S.APPROVED]
    return [s for s in nxt if s not in RETURN_STATES] + [s for s in nxt if s in RETURN_STATES]


def default_actor(lecture: Lecture, to: ReviewState) -> str:
    if to in AUTHOR_STEPS:
        return lecture.lecturer_name
    higher = to is _S.HIGHER_RETURNED or (to is _S.APPROVED and lecture.state is _S.AWAITING_HIGHER)
    for event in reversed(lecture.events):
        if event.to_state in AUTHOR_STEPS:
            continue
        was_higher = event.from_state is _S.AWAITING_HIGHER
        if was_higher == higher:
            return event.actor
    return ""


def event_time(today: date) -> datetime:
    """The app's today (fixed in tests and demos) at the current clock time."""
    return datetime.combine(today, datetime.now().time().replace(microsecond=0))


class LectureStepScreen(ModalScreen[Lecture | None]):
    BINDINGS = [
        Binding("ctrl+s", "confirm", "确认办理", priority=True),
        Binding("escape", "cancel", "取消"),
    ]

    def __init__(
        self,
        lecture: Lecture,
        *,
        draft: dict[str, Any] | None = None,
        on_change: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        super().__init__()
        self.lecture = lecture
        self.options = step_options(lecture)
        self._draft = draft or {}
        self._on_change = on_change
        self.to: ReviewState = self.options[0]
        self._loading = True
        self._saving = False

    def compose(self) -> ComposeResult:
        lec = self.lecture
        slot = f"第{lec.slot_index + 1}次 " if lec.slot_index is not None else ""
        with Vertical(id="step-box"):
            yield Static(
                content(
                    f"审核办理：{slot}{lec.lecturer_name} {lec.lecture_date.isoformat()}"
                    f"（当前：{lec.state}）  Ctrl+S 确认，Esc 取消"
                ),
                id="step-title",
            )
            yield OptionList(
                *[Option(text(step_label(lec.state, s)), id=s.value) for s in self.options],
                id="step-actions",
                markup=False,
            )
            with Horizontal(classes="row"):
                yield Label("操作人")
                yield LimitedInput(
                    id="step-actor",
                    max_length=40,
                    placeholder="姓名；Enter 从花名册选",
                    compact=True,
                )
            with Horizontal(classes="row"):
                yield Label("意见", id="step-comment-label")
                yield LimitedInput(id="step-comment", max_length=2000, compact=True)
            yield Static(
                content("初审清单（空格勾选；六项全部通过方可通过初审）"), id="step-check-title"
            )
            yield SelectionList[str](
                *[(item.value, item.value) for item in ReviewCheck], id="step-checks", compact=True
            )
            yield Static(id="step-lock")
            yield Static(id="step-status")

    def on_mount(self) -> None:
        actions = self.query_one("#step-actions", OptionList)
        wanted = self._draft.get("to")
        index = next((k for k, s in enumerate(self.options) if s.value == wanted), 0)
        self.to = self.options[index]
        with self.prevent(Input.Changed, SelectionList.SelectedChanged):
            actions.highlighted = index
            actor = self._draft.get("actor") if wanted == self.to.value else None
            self.query_one("#step-actor", Input).value = actor or default_actor(
                self.lecture, self.to
            )
            self.query_one("#step-comment", Input).value = self._draft.get("comment", "")
            checks = self.query_one("#step-checks", SelectionList)
            for item in self._draft.get("checks", []):
                checks.select(item)
        self._sync()
        actions.focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    # -- what the chosen step needs ---------------------------------------
    def _checklist_shown(self) -> bool:
        return self.lecture.state is _S.SUBMITTED

    def _sync(self) -> None:
        shown = self._checklist_shown()
        self.query_one("#step-check-title").display = shown
        self.query_one("#step-checks").display = shown
        required = self.to in RETURN_STATES
        self.query_one("#step-comment-label", Label).update("意见*" if required else "意见")
        lock = ""
        if self.to is _S.APPROVED:
            path = self.lecture.courseware_path
            lock = (
                f"将锁定课件：{Path(path).name}（记录文件名与 sha256）"
                if path
                else "未填写课件文件，审核通过时不锁定文件版本"
            )
        self.query_one("#step-lock", Static).update(content(lock))

    def _values(self) -> dict[str, Any]:
        return {
            "to": self.to.value,
            "actor": self.query_one("#step-actor", Input).value,
            "comment": self.query_one("#step-comment", Input).value,
            "checks": list(self.query_one("#step-checks", SelectionList).selected),
        }

    def _changed(self) -> None:
        if not self._loading and self._on_change is not None:
            self._on_change(self._values())

    @on(OptionList.OptionHighlighted, "#step-actions")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is None:  # every option here is built with a state id
            return
        new = ReviewState(event.option.id)
        if new is self.to:
            return
        actor = self.query_one("#step-actor", Input)
        if not self._loading and actor.value in ("", default_actor(self.lecture, self.to)):
            with self.prevent(Input.Changed):
                actor.value = default_actor(self.lecture, new)
        self.to = new
        self._sync()
        self._changed()

    @on(OptionList.OptionSelected, "#step-actions")
    def _selected(self) -> None:
        self.query_one("#step-actor", Input).focus()

    @on(Input.Changed)
    @on(SelectionList.SelectedChanged)
    def _typed(self) -> None:
        self._changed()

    @on(Input.Submitted, "#step-actor")
    def _pick_actor(self, event: Input.Submitted) -> None:
        def picked(result: Person | NewPerson | None) -> None:
            if result is not None:  # a roster person, or a name typed as new (上级审核人)
                self.query_one("#step-actor", Input).value = result.name
            # Back where Enter was pressed: the habitual Tab then lands in 意见.
            # (Focusing 意见 here sent that Tab on to the checklist, and the
            # comment typed after it was lost.)
            self.query_one("#step-actor", Input).focus()

        self.app.push_screen(
            PickPersonScreen("选择操作人", initial=event.value.strip(), allow_new=True), picked
        )

    # -- confirm -----------------------------------------------------------
    def action_confirm(self) -> None:
        if self._saving:
            return  # a second Ctrl+S while the first waits saves nothing twice
        v = self._values()
        checklist: list[str] | None = None
        if self._checklist_shown():
            passing = self.to in (_S.AWAITING_HIGHER, _S.APPROVED)
            # A return records the checklist only if the reviewer used it.
            checklist = v["checks"] if passing or v["checks"] else None
        self._saving = True
        self._status("正在保存…")
        store, lecture, to, at = (
            zapp(self).store,
            self.lecture,
            self.to,
            event_time(zapp(self).today),
        )

        def save() -> Lecture:
            return rota_service.move_lecture(
                store, lecture, to, actor=v["actor"], at=at, comment=v["comment"],
                checklist=checklist,
            )  # fmt: skip

        def refused(e: Exception) -> None:
            # A refusal the reviewer can fix here: the modal stays with everything typed.
            self._saving = False
            msg = str(e) if isinstance(e, Refused) else f"{e} 您的输入已保留。"
            self._status(msg)
            self.notify(msg, severity="error", markup=False, timeout=8)

        def done(saved: Lecture) -> None:
            self._saving = False
            self.dismiss(saved)

        # In a thread from the start (approval hashes the courseware file), and
        # waiting for another process's lock there (docs/RELIABILITY.md, R7).
        run_save(self, store, save, done, refused, try_here=False)

    @on(BackgroundFailed)
    def _failed(self, event: BackgroundFailed) -> None:
        # The app has notified; the modal stays open with everything typed.
        self._saving = False
        self._status(f"{event.text} 您的输入已保留。")

    def _status(self, msg: str) -> None:
        self.query_one("#step-status", Static).update(content(msg))

    def action_cancel(self) -> None:
        if self._saving:
            self.notify("正在保存（数据库忙时请稍候），完成后再关闭", markup=False)
            return
        self.dismiss(None)
