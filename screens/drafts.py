"""Unfinished drafts: the list on 今日 (recent ones) and the `d` screen (all).

Both are a DraftList: Enter continues a draft (asking before taking over a
running session's), Del asks 「放弃这份草稿？」 and discards it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from domain.drafts import draft_label
from screens.navigation import DraftKind
from services.draft_keeper import DraftInfo
from widgets.app_handle import zapp
from widgets.footer import KeyFooter
from widgets.safe import text

# The registry's draft kinds, handed in (screens.registry imports this module).
Kinds = dict[str, DraftKind]


def label_of(kinds: Kinds, info: DraftInfo, who: str) -> str:
    kind = kinds.get(info.workflow)
    return draft_label(kind.label if kind else info.workflow, info.title, info.updated_at, who)


class DraftList(OptionList):
    BINDINGS = [
        Binding("enter", "select", "继续草稿"),
        Binding("delete", "abandon", "放弃草稿"),
    ]

    class Changed(Message):
        """A draft was discarded: the owner may hide or refill the list."""

    def __init__(self, kinds: Kinds, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, markup=False)
        self.kinds = kinds
        self.drafts: list[DraftInfo] = []

    def show(self, items: list[DraftInfo]) -> None:
        keeper = zapp(self).drafts
        keep = self.highlighted
        self.drafts = items
        self.clear_options()
        self.add_options(Option(text(label_of(self.kinds, d, keeper.who(d)))) for d in items)
        if items and keep is not None:
            self.highlighted = min(keep, len(items) - 1)

    def _current(self) -> DraftInfo | None:
        n = self.highlighted
        return self.drafts[n] if n is not None and 0 <= n < len(self.drafts) else None

    def action_abandon(self) -> None:
        info = self._current()
        if info is None:
            return
        from screens.dialogs import YesNoPrompt

        def answer(choice: str | None) -> None:
            if choice != "yes":
                return
            zapp(self).drafts.abandon(info)
            self.notify("草稿已放弃", markup=False)
            self.post_message(self.Changed())

        question = f"放弃这份草稿？\n{label_of(self.kinds, info, zapp(self).drafts.who(info))}"
        self.app.push_screen(YesNoPrompt(question, yes="是，放弃", no="否，保留"), answer)

    @on(OptionList.OptionSelected)
    def _resume(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        info = self._current()
        if info is None:
            return
        kind = self.kinds.get(info.workflow)
        if kind is None:
            self.notify(f"无法恢复这类草稿（{info.workflow}）", markup=False)
            return
        app = zapp(self)
        workflow, key, session = info.workflow, info.key, info.session
        if session == app.drafts.session.id:
            kind.resume(app, key)
            return
        if not app.drafts.alive(session):
            # Its session has ended (crash, hang-up): nobody to overwrite.
            app.drafts.take_over(workflow, key, session)
            kind.resume(app, key)
            return
        # A running session's draft: continuing it takes it over, and that
        # session must not be overwritten silently, so ask.
        from screens.dialogs import ChoicePrompt

        def answer(choice: str | None) -> None:
            if choice != "take":
                return
            if not app.drafts.take_over(workflow, key, session):
                self.notify("这份草稿已不在（可能已被保存或放弃）", markup=False)
                self.post_message(self.Changed())
                return
            kind.resume(app, key)

        prompt = "这份草稿属于另一会话。接管后由本会话继续，另一会话不再保存它。"
        self.app.push_screen(
            ChoicePrompt(prompt, [("take", "接管并继续"), ("cancel", "取消")]), answer
        )


class DraftsScreen(Screen[None]):
    """Every draft of the account, old ones included."""

    BINDINGS = [Binding("escape", "app.pop_screen", "返回")]

    def __init__(self, kinds: Kinds) -> None:
        super().__init__()
        self.kinds = kinds

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("全部草稿（Enter 继续，Del 放弃）", classes="section-title")
        yield DraftList(self.kinds, id="all-drafts")
        yield Static(id="drafts-empty", classes="muted")
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        self._fill()

    def _fill(self) -> None:
        items = zapp(self).drafts.listing()
        lst = self.query_one(DraftList)
        lst.show(items)
        lst.display = bool(items)
        self.query_one("#drafts-empty", Static).update("" if items else "没有未完成的草稿。")
        if items:
            lst.focus()
            if lst.highlighted is None:
                lst.highlighted = 0

    @on(DraftList.Changed)
    def _changed(self) -> None:
        self._fill()
