"""Dialogs of the meeting workflow: a vote, an election, a decision, a
yes/no question before something is locked, and a 补学 record.

Dialogs that take typed text report it through ``on_typing`` as it is typed,
so the meeting screen keeps it in the draft (a hang-up loses nothing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from domain.action_codes import MakeUpMethod
from domain.dates import DateParseError, format_date
from domain.errors_cn import describe_validation_error
from domain.meeting_kinds import VoteMethod
from domain.meetings import (
    Candidate,
    Decision,
    Election,
    Meeting,
    Vote,
    election_count_problems,
    election_result,
    vote_count_problems,
    vote_outcome,
)
from domain.people import Person
from domain.text import LONG_MAX, NAME_MAX, SHORT_MAX
from screens.dialogs import LinePrompt, NotePrompt
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.date_input import DateInput
from widgets.limited_input import LimitedInput, LimitedTextArea
from widgets.safe import content, text

Typing = Callable[[dict[str, Any]], None]  # receives what is typed, as raw strings


def _noop(_raw: dict[str, Any]) -> None:
    pass


INT_FIELDS = (("yes", "赞成"), ("no", "反对"), ("abstain", "弃权"), ("written_yes", "书面赞成"))


def _int(value: str) -> int:
    import unicodedata

    v = unicodedata.normalize("NFKC", value).strip()
    if not v:
        return 0
    if not v.isdigit():
        raise ValueError("应为整数")
    return int(v)


class VoteDialog(ModalScreen[Vote | None]):
    """Record a vote; the result and its arithmetic update as numbers are typed."""

    BINDINGS = [Binding("ctrl+s", "ok", "确定", priority=True), Binding("escape", "cancel", "取消")]

    def __init__(
        self,
        meeting: Meeting,
        vote: Vote,
        *,
        raw: dict[str, str] | None = None,
        on_typing: Typing = _noop,
    ) -> None:
        super().__init__(classes="dialog")
        self.meeting, self.vote = meeting, vote
        self._restore, self._on_typing = raw or {}, on_typing
        self.problems: list[str] = []

    def raw_values(self) -> dict[str, str]:
        """Every field as typed, for the draft."""
        out = {f: self.query_one(f"#v-{f}", Input).value
               for f in ("subject", *(f for f, _ in INT_FIELDS), "present")}  # fmt: skip
        out["method"] = str(self.query_one("#v-method", Select).value)
        return out

    def compose(self) -> ComposeResult:
        v = self.vote
        with VerticalScroll(classes="dialog-box"):
            yield Static(
                content(f"表决（{v.rule}；Ctrl+S 确定，Esc 取消）"), classes="dialog-title"
            )
            with Horizontal(classes="row"):
                yield Label("表决事项")
                yield LimitedInput(v.subject, id="v-subject", max_length=200, compact=True)
            with Horizontal(classes="row"):
                yield Label("方式")
                yield Select([(m.value, m.value) for m in VoteMethod], value=v.method.value,
                             allow_blank=False, id="v-method", compact=True)  # fmt: skip
            for field, label in INT_FIELDS:
                with Horizontal(classes="row"):
                    yield Label(label)
                    yield LimitedInput(str(getattr(v, field) or ""), id=f"v-{field}", max_length=5,
                                       restrict=r"[0-9０-９]*", compact=True)  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("在场表决")
                yield LimitedInput("" if v.present_voting is None else str(v.present_voting),
                                   id="v-present", placeholder="默认按签到；有人中途离场时填写",
                                   max_length=5, restrict=r"[0-9０-９]*", compact=True)  # fmt: skip
            yield Static(id="v-result", classes="dialog-result")

    def on_mount(self) -> None:
        for f, value in self._restore.items():
            if f == "method":
                if value in {m.value for m in VoteMethod}:
                    self.query_one("#v-method", Select).value = value
            elif self.query(f"#v-{f}"):
                self.query_one(f"#v-{f}", Input).value = value
        self.query_one("#v-subject", Input).focus()
        self._recompute()

    def _build(self) -> Vote:
        values: dict[str, object] = {
            "subject": self.query_one("#v-subject", Input).value,
            "method": VoteMethod(str(self.query_one("#v-method", Select).value)),  # never blank
        }
        for field, label in INT_FIELDS:
            try:
                values[field] = _int(self.query_one(f"#v-{field}", Input).value)
            except ValueError:
                raise ValueError(f"{label}应为整数") from None
        present = self.query_one("#v-present", Input).value.strip()
        values["present_voting"] = _int(present) if present else None
        return self.vote.model_copy(update=values)

    @on(Input.Changed)
    @on(Select.Changed)
    def _recompute(self) -> None:
        box = self.query_one("#v-result", Static)
        self._on_typing(self.raw_values())
        try:
            vote = Vote.model_validate(self._build().model_dump())
        except (ValueError, ValidationError) as e:
            box.update(
                content(describe_validation_error(e) if isinstance(e, ValidationError) else str(e))
            )
            return
        self.problems = vote_count_problems(self.meeting, vote)
        if self.problems:
            # Counts that cannot be true: say each, and that they cannot be saved.
            lines = ["✗ 计数不可能成立，不能保存：", *(f"·{p}" for p in self.problems)]
            box.update(content("\n".join(lines), multiline=True))
            return
        out = vote_outcome(self.meeting, vote)
        verdict = "通过" if out.passed else "未通过"
        box.update(
            content(
                f"结果：{verdict}\n{out.quorum.explanation}\n{out.result.explanation}",
                multiline=True,
            )
        )

    def action_ok(self) -> None:
        try:
            vote = Vote.model_validate(self._build().model_dump())
        except ValidationError as e:
            self.query_one("#v-result", Static).update(content(describe_validation_error(e)))
            return
        except ValueError as e:
            self.query_one("#v-result", Static).update(content(str(e)))
            return
        if vote_count_problems(self.meeting, vote):
            self._recompute()
            self.notify("计数不可能成立，未保存；请按提示改正", severity="warning", markup=False)
            return
        self.dismiss(vote)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DecisionDialog(ModalScreen[Decision | None]):
    """A decision with its owner (picked by pinyin) and deadline."""

    BINDINGS = [
        Binding("ctrl+s", "ok", "确定", priority=True),
        Binding("ctrl+o", "pick_owner", "选责任人", priority=True),
        Binding("escape", "cancel", "取消"),
    ]

    def __init__(
        self,
        decision: Decision,
        *,
        branch_id: str | None = None,
        raw: dict[str, str] | None = None,
        on_typing: Typing = _noop,
    ) -> None:
        super().__init__(classes="dialog")
        self.decision, self.branch_id = decision, branch_id
        self._restore, self._on_typing = raw or {}, on_typing

    def raw_values(self) -> dict[str, str]:
        return {
            "text": self.query_one("#d-text", Input).value,
            "deadline": self.query_one("#d-deadline", Input).value,
            "owner_id": self.decision.owner_id or "",
            "owner_name": self.decision.owner_name,
        }

    @on(Input.Changed)
    def _typed(self) -> None:
        self._on_typing(self.raw_values())

    def compose(self) -> ComposeResult:
        d = self.decision
        with Vertical(classes="dialog-box"):
            yield Static(
                "决定事项（Ctrl+O 选责任人，Ctrl+S 确定，Esc 取消）", classes="dialog-title"
            )
            with Horizontal(classes="row"):
                yield Label("事项")
                yield LimitedInput(d.text, id="d-text", max_length=2000, compact=True)
            with Horizontal(classes="row"):
                yield Label("责任人")
                yield Button(text(d.owner_name or "（Enter 选择）"), id="d-owner", compact=True)
            with Horizontal(classes="row"):
                yield Label("完成时限")
                yield DateInput(d.deadline, id="d-deadline", compact=True)
            yield Static(id="d-error", classes="dialog-result")

    def on_mount(self) -> None:
        r = self._restore
        if r.get("owner_name"):
            self.decision = self.decision.model_copy(
                update={"owner_id": r.get("owner_id") or None, "owner_name": r["owner_name"]}
            )
            self.query_one("#d-owner", Button).label = text(r["owner_name"])
        for f in ("text", "deadline"):
            if f in r:
                self.query_one(f"#d-{f}", Input).value = r[f]
        self.query_one("#d-text", Input).focus()

    @on(Button.Pressed, "#d-owner")
    def action_pick_owner(self) -> None:
        from widgets.person_picker import PickPersonScreen

        def chosen(p: object) -> None:
            if isinstance(p, Person):
                self.decision = self.decision.model_copy(
                    update={"owner_id": p.id, "owner_name": p.name}
                )
                self.query_one("#d-owner", Button).label = text(p.name)
                self._on_typing(self.raw_values())

        self.app.push_screen(PickPersonScreen("选择责任人", branch_id=self.branch_id), chosen)

    def action_ok(self) -> None:
        err = self.query_one("#d-error", Static)
        try:
            deadline = self.query_one("#d-deadline", DateInput).date_value
        except DateParseError as e:
            err.update(content(str(e)))
            return
        try:
            d = Decision.model_validate(
                {
                    **self.decision.model_dump(),
                    "text": self.query_one("#d-text", Input).value,
                    "deadline": deadline,
                }
            )
        except ValidationError as e:
            err.update(content(describe_validation_error(e, {"text": "事项"})))
            return
        self.dismiss(d)

    def action_cancel(self) -> None:
        self.dismiss(None)


def parse_candidates(raw: str) -> list[Candidate]:
    """One candidate per line: "张三 18" (name, then votes)."""
    out: list[Candidate] = []
    for n, line in enumerate(raw.splitlines(), 1):
        parts = line.replace("：", " ").replace(":", " ").split()
        if not parts:
            continue
        votes = 0
        if len(parts) > 1:
            try:
                votes = _int(parts[-1])
                parts = parts[:-1]
            except ValueError:
                raise ValueError(f"第 {n} 行：票数应为整数（格式：姓名 票数）") from None
        out.append(Candidate(name=" ".join(parts), votes=votes))
    return out


ELECTION_INTS = (("seats", "应选人数"), ("ballots_issued", "发出选票"), ("ballots_returned", "收回选票"),
                 ("ballots_valid", "有效票"), ("ballots_invalid", "无效票"))  # fmt: skip


class ElectionDialog(ModalScreen[Election | None]):
    BINDINGS = [Binding("ctrl+s", "ok", "确定", priority=True), Binding("escape", "cancel", "取消")]

    def __init__(
        self,
        meeting: Meeting,
        election: Election,
        *,
        raw: dict[str, str] | None = None,
        on_typing: Typing = _noop,
    ) -> None:
        super().__init__(classes="dialog")
        self.meeting, self.election = meeting, election
        self._restore, self._on_typing = raw or {}, on_typing
        self.problems: list[str] = []

    def raw_values(self) -> dict[str, str]:
        fields = ("subject", *(f for f, _ in ELECTION_INTS), "scrutineers", "counters")
        out = {f: self.query_one(f"#e-{f}", Input).value for f in fields}
        out["candidates"] = self.query_one("#e-candidates", TextArea).text
        return out

    def compose(self) -> ComposeResult:
        e = self.election
        with VerticalScroll(classes="dialog-box"):
            yield Static("选举计票（Ctrl+S 确定，Esc 取消）", classes="dialog-title")
            with Horizontal(classes="row"):
                yield Label("选举事项")
                yield LimitedInput(e.subject, id="e-subject", max_length=200, compact=True)
            for field, label in ELECTION_INTS:
                with Horizontal(classes="row"):
                    yield Label(label)
                    yield LimitedInput(str(getattr(e, field)), id=f"e-{field}", max_length=5,
                                       restrict=r"[0-9０-９]*", compact=True)  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("监票人")
                yield LimitedInput(
                    "、".join(e.scrutineers),
                    id="e-scrutineers",
                    placeholder="用顿号分隔",
                    max_length=SHORT_MAX,
                    compact=True,
                )
            with Horizontal(classes="row"):
                yield Label("计票人")
                yield LimitedInput(
                    "、".join(e.counters),
                    id="e-counters",
                    placeholder="用顿号分隔",
                    max_length=SHORT_MAX,
                    compact=True,
                )
            yield Label("候选人及得票（每行：姓名 票数）")
            yield LimitedTextArea(
                "\n".join(f"{c.name} {c.votes}" for c in e.candidates),
                id="e-candidates",
                max_length=LONG_MAX,
            )
            yield Static(id="e-result", classes="dialog-result")

    def on_mount(self) -> None:
        for f, value in self._restore.items():
            if f == "candidates":
                self.query_one("#e-candidates", TextArea).text = value
            elif self.query(f"#e-{f}"):
                self.query_one(f"#e-{f}", Input).value = value
        self.query_one("#e-subject", Input).focus()
        self._recompute()

    def _build(self) -> Election:
        values: dict[str, object] = {"subject": self.query_one("#e-subject", Input).value}
        for field, label in ELECTION_INTS:
            try:
                values[field] = _int(self.query_one(f"#e-{field}", Input).value)
            except ValueError:
                raise ValueError(f"{label}应为整数") from None
        for field in ("scrutineers", "counters"):
            raw = self.query_one(f"#e-{field}", Input).value
            values[field] = [
                x for x in raw.replace(",", "、").replace("，", "、").split("、") if x.strip()
            ]
        values["candidates"] = parse_candidates(self.query_one("#e-candidates", TextArea).text)
        return Election.model_validate({**self.election.model_dump(), **values})

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _recompute(self) -> None:
        box = self.query_one("#e-result", Static)
        self._on_typing(self.raw_values())
        try:
            e = self._build()
        except ValidationError as err:
            box.update(content(describe_validation_error(err)))
            return
        except ValueError as err:
            box.update(content(str(err)))
            return
        self.problems = election_count_problems(self.meeting, e)
        if self.problems:
            lines = ["✗ 计数不可能成立，不能保存：", *(f"·{p}" for p in self.problems)]
            box.update(content("\n".join(lines), multiline=True))
            return
        box.update(content(election_result(self.meeting, e).explanation, multiline=True))

    def action_ok(self) -> None:
        try:
            e = self._build()
        except (ValueError, ValidationError) as err:
            msg = describe_validation_error(err) if isinstance(err, ValidationError) else str(err)
            self.query_one("#e-result", Static).update(content(msg))
            return
        if election_count_problems(self.meeting, e):
            self._recompute()
            self.notify("计数不可能成立，未保存；请按提示改正", severity="warning", markup=False)
            return
        self.dismiss(e)

    def action_cancel(self) -> None:
        self.dismiss(None)


def deadline_text(d: dt.date | None) -> str:
    return format_date(d) or "—"


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question before something is locked or undone: y confirms;
    n, Esc and Enter alone answer no (the default), so a stray Enter is safe."""

    BINDINGS = [
        Binding("y", "answer(True)", "确定"),
        Binding("n", "answer(False)", "取消"),
        Binding("enter", "answer(False)", "取消", show=False),
        Binding("escape", "answer(False)", "取消", show=False),
    ]

    def __init__(self, title: str, body: str) -> None:
        super().__init__(classes="dialog")
        self._title, self._body = title, body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(content(self._title), classes="dialog-title")
            yield Static(content(self._body, multiline=True), id="confirm-body")
            yield Static("y 确定    n 取消（默认；Enter、Esc 同 n）", classes="dialog-result")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class DraftedLinePrompt(LinePrompt):
    """LinePrompt whose typed line goes to the draft as it is typed."""

    def __init__(self, title: str, *, on_typing: Typing = _noop, **kwargs: Any) -> None:
        super().__init__(title, **kwargs)
        self._on_typing = on_typing

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self._on_typing({"text": event.value})


class DraftedNotePrompt(NotePrompt):
    """NotePrompt whose text goes to the draft as it is typed."""

    def __init__(self, title: str, *, on_typing: Typing = _noop, value: str = "") -> None:
        super().__init__(title, value=value)
        self._on_typing = on_typing

    @on(TextArea.Changed)
    def _typed(self, event: TextArea.Changed) -> None:
        self._on_typing({"text": event.text_area.text})


class MakeUpDialog(ModalScreen[bool]):
    """补学：when, how (学习材料 / 补课 / 线上), who checked it, a note.

    ``save`` records the form; a refusal it raises (a DomainError, worded for
    the user) is shown and the dialog stays open with what was typed. It runs
    through widgets.background_save: waiting for another process's lock never
    freezes the screen."""

    BINDINGS = [Binding("ctrl+s", "ok", "确定", priority=True), Binding("escape", "cancel", "取消")]

    def __init__(self, title: str, today: dt.date, save: Callable[[MakeUpForm], object]) -> None:
        super().__init__(classes="dialog")
        self._title, self._today, self._save = title, today, save
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(content(f"{self._title}（Ctrl+S 确定，Esc 取消）"), classes="dialog-title")
            with Horizontal(classes="row"):
                yield Label("补学日期")
                yield DateInput(self._today, id="mu-date", compact=True)
            with Horizontal(classes="row"):
                yield Label("方式")
                yield Select([(m.value, m.value) for m in MakeUpMethod],
                             value=MakeUpMethod.MATERIALS.value, allow_blank=False, id="mu-method",
                             compact=True)  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("检查人")
                yield LimitedInput(id="mu-checked", max_length=NAME_MAX, compact=True)
            with Horizontal(classes="row"):
                yield Label("备注")
                yield LimitedInput(id="mu-note", max_length=SHORT_MAX, compact=True)
            yield Static(id="mu-error", classes="dialog-result")

    def on_mount(self) -> None:
        self.query_one("#mu-date", Input).focus()

    def action_ok(self) -> None:
        if self._saving:
            return  # a second Ctrl+S while the first waits records nothing twice
        err = self.query_one("#mu-error", Static)
        try:
            done_on = self.query_one("#mu-date", DateInput).date_value
        except DateParseError as e:
            err.update(content(f"补学日期：{e}"))
            return
        if done_on is None:
            err.update(content("请填写补学日期"))
            return
        checked = self.query_one("#mu-checked", Input).value.strip()
        if not checked:
            err.update(content("请填写检查人"))
            return
        form = MakeUpForm(
            done_on=done_on,
            method=MakeUpMethod(str(self.query_one("#mu-method", Select).value)),
            checked_by=checked,
            note=self.query_one("#mu-note", Input).value.strip(),
        )
        self._saving = True
        err.update(content("正在保存…"))

        def refused(e: Exception) -> None:
            self._saving = False
            err.update(content(str(e)))

        def done(_result: object) -> None:
            self._saving = False
            self.dismiss(True)

        run_save(self, zapp(self).store, lambda: self._save(form), done, refused)

    def action_cancel(self) -> None:
        if self._saving:
            self.notify("正在保存（数据库忙时请稍候），完成后再关闭", markup=False)
            return
        self.dismiss(False)


@dataclass(frozen=True)
class MakeUpForm:
    done_on: dt.date
    method: MakeUpMethod
    checked_by: str
    note: str
