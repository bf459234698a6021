"""Pick a person by pinyin search (modal). Every person field uses this."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from domain.people import Person
from services import roster
from widgets.app_handle import zapp
from widgets.limited_input import LimitedInput
from widgets.safe import content, text

NEW_ID = "\x1fnew"


@dataclass(frozen=True)
class NewPerson:
    """The user chose to create a person with this name inline."""

    name: str


class PickPersonScreen(ModalScreen[Person | NewPerson | None]):
    """Type pinyin initials, full pinyin or characters; Enter picks.

    ``branch_id`` limits the search to one branch; ``members_only`` to party
    members; ``allow_new`` adds a “新增 …” option that returns NewPerson.
    """

    BINDINGS = [
        Binding("escape", "cancel", "取消"),
        Binding("down", "down", "下移", show=False),
        Binding("up", "up", "上移", show=False),
    ]

    def __init__(
        self,
        title: str = "选择人员",
        *,
        branch_id: str | None = None,
        members_only: bool = False,
        allow_new: bool = False,
        initial: str = "",
        on_query: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        # Told every change of the query: a name typed here but not yet
        # picked belongs in the calling form's draft.
        self._on_query = on_query
        self._title = title
        self._branch_id = branch_id
        self._members_only = members_only
        self._allow_new = allow_new
        self._initial = initial
        self._found: dict[str, Person] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box"):
            yield Static(
                content(f"{self._title}（拼音首字母/全拼/汉字，Enter 选定，Esc 取消）"),
                id="pick-title",
            )
            yield LimitedInput(
                value=self._initial,
                placeholder="如 zw、zhangwei、张",
                id="pick-query",
                max_length=30,
            )
            yield OptionList(id="pick-results", markup=False)
            yield Static(id="pick-hint")

    def on_mount(self) -> None:
        self._branches = roster.branch_names(zapp(self).store)
        self.query_one(Input).focus()
        self._search(self._initial)

    @on(Input.Changed, "#pick-query")
    def _changed(self, event: Input.Changed) -> None:
        if self._on_query is not None:
            self._on_query(event.value)
        self._search(event.value)

    def _search(self, query: str) -> None:
        results = roster.find_people(
            zapp(self).store, query, branch_id=self._branch_id, members_only=self._members_only
        )
        self._found = {p.id: p for p in results}
        lst = self.query_one(OptionList)
        lst.clear_options()
        for p in results:
            extra = " · ".join(
                x for x in (p.status.value, p.team, self._branches.get(p.branch_id or "", "")) if x
            )
            lst.add_option(Option(text(f"{p.name}  {extra}"), id=p.id))
        name = query.strip()
        if self._allow_new and name and not any(p.name == name for p in results):
            lst.add_option(Option(text(f"＋ 新增人员“{name}”"), id=NEW_ID))
        if lst.option_count:
            lst.highlighted = 0
        hint = "" if lst.option_count or not name else "没有找到，换个写法试试"
        self.query_one("#pick-hint", Static).update(content(hint))

    @on(Input.Submitted, "#pick-query")
    def _submit(self) -> None:
        lst = self.query_one(OptionList)
        if lst.highlighted is not None:
            self._choose(lst.get_option_at_index(lst.highlighted).id)

    @on(OptionList.OptionSelected, "#pick-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id == NEW_ID:
            self.dismiss(NewPerson(self.query_one(Input).value.strip()))
        elif option_id in self._found:
            self.dismiss(self._found[option_id])

    def action_down(self) -> None:
        lst = self.query_one(OptionList)
        if lst.option_count:
            lst.highlighted = min((lst.highlighted or 0) + 1, lst.option_count - 1)

    def action_up(self) -> None:
        lst = self.query_one(OptionList)
        if lst.option_count:
            lst.highlighted = max((lst.highlighted or 0) - 1, 0)

    def action_cancel(self) -> None:
        self.dismiss(None)
