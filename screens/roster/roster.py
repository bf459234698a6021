"""花名册: the organisation tree, the people of a branch, pinyin search."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static, Tree
from textual.widgets.tree import TreeNode

from domain.navigation import Place
from domain.org import OrgKind, OrgUnit
from domain.people import Person
from services import org_lookup
from services import roster as roster_svc
from widgets.app_handle import BackgroundFailed, zapp
from widgets.footer import KeyFooter
from widgets.limited_input import LimitedInput
from widgets.paging import PagedList
from widgets.safe import text
from widgets.tables import add_columns
from widgets.work_result import post_result

if TYPE_CHECKING:
    from textual.widget import Widget

    _MixinBase = Widget  # the mixin only ever sits on widgets
else:
    _MixinBase = object

PAGE = 200
SEARCH_LIMIT = 20  # a screenful at 80×24; more is one more keystroke away

Row = tuple[str, tuple[Text, ...]]  # person id, its cells


class TypeAheadToSearch(_MixinBase):
    """'/' starts a search from the tree or the table, and every printable key
    that arrives before the search box has focus goes into it.

    Over a slow link "/zhang" arrives in one packet; those keys are already
    queued for the table, so without this the 'a' would open the add form."""

    async def on_key(self, event: events.Key) -> None:
        screen = self.screen
        if not isinstance(screen, RosterScreen):
            return
        if event.character == "/":
            screen.begin_search()
        elif screen.search_pending and event.character and event.is_printable:
            screen.type_ahead(event.character)
        else:
            return
        event.stop()
        event.prevent_default()

    def on_focus(self) -> None:
        screen = self.screen
        if isinstance(screen, RosterScreen):
            screen.search_pending = False


class PeopleTable(TypeAheadToSearch, DataTable[Text]):
    pass


# Widths fit the table beside the tree at 80 columns (tests/test_no_clipping.py).
_COLUMNS = (
    ("姓名", "name", 8),
    ("政治面貌", "status", 8),
    ("职务", "post", 8),
    ("班组", "team", 8),
    ("岗位", "job", 6),
    ("班次", "shift", 4),
)
_BRANCH_COLUMN = ("支部", "branch", 16)


class OrgTree(TypeAheadToSearch, Tree[str]):  # node data: the unit id
    pass


class RosterScreen(PagedList, Screen[None]):
    page_size = PAGE

    BINDINGS = [
        Binding("slash", "focus_search", "搜索", key_display="/"),
        Binding("a", "add", "新增"),
        Binding("e", "edit", "编辑"),
        Binding("m", "move", "调动"),
        Binding("i", "app.go('import_people')", "导入"),
        Binding("b", "shifts", "班次"),
        Binding("n", "next_page", "下一页", show=False),
        Binding("p", "prev_page", "上一页", show=False),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, branch_id: str | None = None) -> None:
        super().__init__()
        self.branch_id = branch_id
        self.page_offset = 0
        self.searching = ""
        self.search_pending = False
        self._shown: list[tuple[str, tuple[str, ...]]] = []  # ids and cell texts on screen

    def compose(self) -> ComposeResult:
        yield Header()
        yield LimitedInput(
            placeholder="搜索人员：拼音首字母 zw、全拼 zhangwei、或汉字 张",
            id="roster-search",
            max_length=30,
        )
        with Horizontal():
            yield OrgTree(Text("组织"), id="org-tree")
            yield PeopleTable(id="people-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="roster-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        add_columns(table, _COLUMNS)
        self._build_tree()
        self.reload()
        (table if self.branch_id else self.query_one(Tree)).focus()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- tree --------------------------------------------------------------
    def _build_tree(self) -> None:
        units = org_lookup.all_units(zapp(self).store)
        self._units = {u.id: u for u in units}
        kids: dict[str | None, list[OrgUnit]] = {}
        for u in units:
            kids.setdefault(u.parent_id, []).append(u)
        tree = self.query_one(Tree)
        tree.clear()
        tree.show_root = False
        target = None

        def add(node: TreeNode[str], parent_id: str | None, depth: int) -> None:
            nonlocal target
            for u in kids.get(parent_id, []):
                if u.kind is OrgKind.GROUP:
                    continue  # groups show as a column, keeping the tree short
                if u.kind is OrgKind.BRANCH:
                    child = node.add_leaf(text(u.name), data=u.id)
                else:
                    child = node.add(text(u.name), data=u.id)
                if u.kind is OrgKind.BRANCH and self.branch_id is None:
                    self.branch_id = u.id  # open on the first branch
                if u.id == self.branch_id:
                    target = child
                add(child, u.id, depth + 1)
                if depth < 2:
                    child.expand()

        add(tree.root, None, 0)
        tree.root.expand()
        if target is not None:
            tree.move_cursor(target)

    @on(Tree.NodeHighlighted, "#org-tree")
    def _tree_moved(self, event: Tree.NodeHighlighted[str]) -> None:
        uid = event.node.data
        if uid and self._units[uid].kind is OrgKind.BRANCH and uid != self.branch_id:
            self.branch_id = uid
            self.page_offset = 0
            if not self.searching:
                self.reload()

    @on(Tree.NodeSelected, "#org-tree")
    def _tree_selected(self, event: Tree.NodeSelected[str]) -> None:
        uid = event.node.data
        if uid and self._units[uid].kind is OrgKind.BRANCH:
            self.query_one(DataTable).focus()

    # -- table -------------------------------------------------------------
    def reload(self) -> None:
        store = zapp(self).store
        if self.searching:
            self._run_search(self.searching)
            return
        if self.branch_id:
            rows = roster_svc.branch_page(
                store, self.branch_id, offset=self.page_offset, limit=PAGE
            )
            total = roster_svc.count_branch(store, self.branch_id)
            name = self._units[self.branch_id].name if self.branch_id in self._units else ""
            status = f"{name}：共 {total} 人"
            if total > PAGE:
                status += (
                    f"，第 {self.page_offset + 1}–{self.page_offset + len(rows)} 人（n/p 翻页）"
                )
        else:
            rows, status = [], "在左侧选择一个支部，或输入拼音搜索"
        self._fill(rows)
        self.query_one("#roster-status", Static).update(text(status))

    def _row(self, p: Person) -> Row:
        """One person's cells; made in the search worker too (it reads self._units only)."""
        branch = self._units.get(p.branch_id or "")
        group = self._units.get(p.group_id or "")
        cells: tuple[str, ...] = (
            p.name,
            p.status.value,
            p.post.value if p.post else "",
            p.team or (group.name if group else ""),
            p.job,
            p.shift.value if p.shift else "",
        )
        if self.searching:  # results come from every branch
            cells += (branch.name if branch else "",)
        return p.id, tuple(text(c) for c in cells)

    def _fill(self, rows: list[Person]) -> None:
        self._show_rows([self._row(p) for p in rows])

    def _show_rows(self, rows: list[Row]) -> None:
        # Typing on in a search often leaves the same people in the same order:
        # then the table stays as it is (no repaint, the cursor stays put).
        shown = [(pid, tuple(c.plain for c in cells)) for pid, cells in rows]
        if shown == self._shown:
            return
        table = self.query_one(DataTable)
        table.clear()
        wide = bool(rows) and len(rows[0][1]) > len(_COLUMNS)
        if rows and wide != (len(table.columns) > len(_COLUMNS)):
            # At 80×24 the tree and seven columns do not fit side by side:
            # search results (every branch) show 支部 instead of the tree.
            table.clear(columns=True)
            add_columns(table, (*_COLUMNS, _BRANCH_COLUMN) if wide else _COLUMNS)
            self.query_one("#org-tree").display = not wide
        for pid, cells in rows:
            table.add_row(*cells, key=pid)
        self._shown = shown

    def _current(self) -> Person | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return roster_svc.get_person(zapp(self).store, str(key))

    # -- search ------------------------------------------------------------
    @on(Input.Changed, "#roster-search")
    def _search(self, event: Input.Changed) -> None:
        self.searching = event.value.strip()
        if self.searching:
            self._run_search(self.searching)
        else:
            self.reload()

    class Found(Message):
        def __init__(self, query: str, rows: list[Row]) -> None:
            super().__init__()
            self.query = query
            self.rows = rows

    @work(thread=True, exclusive=True, group="roster-search")
    def _run_search(self, query: str) -> None:
        # Off the event loop, so typing echoes at once even at 50,000 people;
        # the rows' cell texts are made here too, the loop only swaps them in.
        found = roster_svc.find_people(zapp(self).store, query, limit=SEARCH_LIMIT)
        post_result(self, self.Found(query, [self._row(p) for p in found]))

    @on(Found)
    def _found(self, event: Found) -> None:
        if event.query == self.searching:  # a newer query may be on its way
            self._show_search(event.query, event.rows)

    @on(BackgroundFailed)
    def _search_failed(self, event: BackgroundFailed) -> None:
        # The app has reported it; the status line must not keep claiming a result.
        if event.worker.group == "roster-search":
            self.query_one("#roster-status", Static).update(text("搜索失败，请重试"))

    def _show_search(self, query: str, rows: list[Row]) -> None:
        self._show_rows(rows)
        more = f"（仅显示前 {SEARCH_LIMIT}，请多输入几个字）" if len(rows) == SEARCH_LIMIT else ""
        # One row high (app.tcss): a new status needs no layout pass.
        self.query_one("#roster-status", Static).update(
            text(f"搜索“{query}”：{len(rows)} 人{more}"), layout=False
        )

    def begin_search(self) -> None:
        self.search_pending = True
        self.query_one("#roster-search", Input).focus()

    def type_ahead(self, character: str) -> None:
        search = self.query_one("#roster-search", Input)
        search.insert_text_at_cursor(character)

    @on(Input.Submitted, "#roster-search")
    def _search_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_shifts(self) -> None:
        """班次与上站 of the branch on screen (docs/SITTINGS.md)."""
        zapp(self).go(Place.SHIFT_PATTERN, self.branch_id or "")

    def action_focus_search(self) -> None:
        self.begin_search()

    def action_back(self) -> None:
        search = self.query_one("#roster-search", Input)
        if search.value:
            search.value = ""
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()

    @on(DataTable.RowSelected, "#people-table")
    def _row_selected(self) -> None:
        self.action_edit()

    # -- actions -----------------------------------------------------------
    def action_add(self) -> None:
        from screens.roster.person_form import PersonForm

        self.app.push_screen(PersonForm(None, branch_id=self.branch_id), self._after_edit)

    def action_edit(self) -> None:
        from screens.roster.person_form import PersonForm

        person = self._current()
        if person is None:
            self.notify("没有选中的人员", markup=False)
            return
        self.app.push_screen(PersonForm(person), self._after_edit)

    def action_move(self) -> None:
        from screens.roster.move_person import MovePersonScreen

        person = self._current()
        if person is None:
            self.notify("没有选中的人员", markup=False)
            return
        self.app.push_screen(MovePersonScreen(person), self._after_edit)

    def _after_edit(self, result: Person | None) -> None:
        if result is not None:
            self.reload()
            table = self.query_one(DataTable)
            try:
                table.move_cursor(row=table.get_row_index(result.id))
            except Exception:  # noqa: BLE001 - the person moved out of this view
                pass

    def page_total(self) -> int:
        if not self.branch_id or self.searching:
            return 0  # search results are one screenful
        return roster_svc.count_branch(zapp(self).store, self.branch_id)
