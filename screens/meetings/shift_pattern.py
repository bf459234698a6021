"""班次与上站: a branch's shift pattern (常白班 / 白夜两班 / 三班倒), which
shift each member works and the stations a 支委 visits; the pattern proposes
the sittings of a split activity (docs/SITTINGS.md). Keyboard only."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static

from domain.org import ShiftPattern
from domain.people_codes import Shift
from domain.sittings import Station, pattern_shifts
from services import sittings as sitting_service
from services.errors import DomainError
from widgets.app_handle import zapp
from widgets.footer import KeyFooter
from widgets.row_action_table import RowActionTable
from widgets.safe import content, text
from widgets.tables import add_columns

PATTERNS: tuple[ShiftPattern, ...] = tuple(ShiftPattern)
NO_STATION = "__none__"
NEW_STATION = "__new__"


class ShiftTable(RowActionTable):
    BINDINGS = [
        Binding("1", "row('shift', '1')", "班次1", show=False),
        Binding("2", "row('shift', '2')", "班次2", show=False),
        Binding("3", "row('shift', '3')", "班次3", show=False),
        Binding("0", "row('shift', '0')", "倒休", show=False),
        Binding("s", "row('station')", "上站"),
    ]


class ShiftPatternScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("t", "next_pattern", "班次制度"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, setup: sitting_service.ShiftSetup) -> None:
        super().__init__()
        self.setup = setup
        self.pattern: ShiftPattern | None = setup.pattern
        self.shifts: dict[str, Shift | None] = {p.id: p.shift for p in setup.members}
        # Every shift a member has had on this screen, latest last: cycling
        # the pattern round and back restores them instead of resetting all.
        self._held: dict[str, list[Shift]] = {p.id: [p.shift] if p.shift else []
                                               for p in setup.members}  # fmt: skip
        self.stations: list[Station] = [s.model_copy(deep=True) for s in setup.stations.stations]
        self.dirty = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(content(f"{self.setup.branch.name} 班次与上站（Ctrl+S 保存，Esc 返回）"),
                     id="sp-title")  # fmt: skip
        yield Static(id="sp-pattern")
        yield ShiftTable(id="sp-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="sp-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        add_columns(self.query_one(ShiftTable), (("姓名", "name", 10), ("身份", "status", 8),
                                                 ("班次", "shift", 6), ("上站", "station", 14)))  # fmt: skip
        self._fill()
        self.query_one(ShiftTable).focus()

    def _station_of(self, pid: str) -> str:
        return next((s.name for s in self.stations if pid in s.person_ids), "")

    def _fill(self) -> None:
        t = self.query_one(ShiftTable)
        row = t.cursor_row
        t.clear()
        for p in self.setup.members:
            shift = self.shifts.get(p.id)
            t.add_row(text(p.name), text(p.status.value), text(shift.value if shift else "—"),
                      text(self._station_of(p.id) or "—"), key=p.id)  # fmt: skip
        if t.row_count:
            t.move_cursor(row=min(row, t.row_count - 1))
        shifts = pattern_shifts(self.pattern)
        keys = "  ".join(f"{i} {s.value}" for i, s in enumerate(shifts, 1))
        self.query_one("#sp-pattern", Static).update(
            Text.assemble(
                "班次制度：",
                (str(self.pattern or "未设定（按常白班）"), "bold"),
                ("  t 切换" + ("  · 未保存" if self.dirty else ""), "dim"),
            )  # fmt: skip
        )
        self.query_one("#sp-hint", Static).update(
            content(f"{keys}  0 倒休  s 设定上站站点", multiline=False)
        )

    def _set_shift(self, pid: str, shift: Shift) -> None:
        self.shifts[pid] = shift
        held = self._held.setdefault(pid, [])
        if shift in held:
            held.remove(shift)
        held.append(shift)

    @on(RowActionTable.RowAction, "#sp-table")
    def _row_action(self, event: RowActionTable.RowAction) -> None:
        event.stop()
        members = self.setup.members
        if not 0 <= event.row < len(members):
            return
        pid = members[event.row].id
        if event.name == "shift":
            shifts = pattern_shifts(self.pattern)
            n = int(event.arg)
            if n == 0:
                self._set_shift(pid, Shift.REST)
            elif n <= len(shifts):
                self._set_shift(pid, shifts[n - 1])
            else:
                self.notify(f"{self.pattern or '常白班'}只有 {len(shifts)} 个班次", markup=False)
                return
            self.dirty = True
            self._fill()
            t = self.query_one(ShiftTable)
            if event.row + 1 < t.row_count:
                t.move_cursor(row=event.row + 1)
        elif event.name == "station":
            self._pick_station(pid)

    def _pick_station(self, pid: str) -> None:
        from screens.dialogs import ChoicePrompt, LinePrompt

        name = next(p.name for p in self.setup.members if p.id == pid)
        choices = [(s.name, s.name) for s in self.stations]
        choices += [(NEW_STATION, "新站点…"), (NO_STATION, "不上站（随班次参加）")]

        def put(station: str | None) -> None:
            if not station:
                return
            for s in self.stations:
                if pid in s.person_ids:
                    s.person_ids.remove(pid)
            if station != NO_STATION:
                found = next((s for s in self.stations if s.name == station), None)
                if found is None:
                    found = Station(name=station)
                    self.stations.append(found)
                found.person_ids.append(pid)
            self.stations = [s for s in self.stations if s.person_ids]
            self.dirty = True
            self._fill()

        def chosen(value: str | None) -> None:
            if value == NEW_STATION:
                self.app.push_screen(LinePrompt(f"{name} 上站的站点名称"), put)
            else:
                put(value)

        self.app.push_screen(ChoicePrompt(f"{name} 上站", choices), chosen)

    def action_next_pattern(self) -> None:
        current = PATTERNS.index(self.pattern) if self.pattern in PATTERNS else -1
        self.pattern = PATTERNS[(current + 1) % len(PATTERNS)]
        allowed = set(pattern_shifts(self.pattern)) | {Shift.REST}
        first = pattern_shifts(self.pattern)[0]
        # A shift the new pattern does not have goes back to the member's last
        # shift that it has, else to its first shift, to be set again.
        for pid, s in self.shifts.items():
            if s is not None and s not in allowed:
                held = [h for h in self._held.get(pid, []) if h in allowed]
                self.shifts[pid] = held[-1] if held else first
        self.dirty = True
        self._fill()

    def action_save(self) -> None:
        try:
            self.setup = sitting_service.save_shift_setup(
                zapp(self).store, self.setup, self.pattern, self.shifts, self.stations
            )
        except DomainError as e:
            self.notify(str(e), severity="error", markup=False, timeout=10)
            return
        self.dirty = False
        self.shifts = {p.id: p.shift for p in self.setup.members}
        self._held = {p.id: [p.shift] if p.shift else [] for p in self.setup.members}
        self._fill()
        self.notify(f"已保存：{self.setup.branch.name} {self.pattern or '常白班'}", markup=False)

    def _leave_if(self, yes: bool | None) -> None:
        if yes:
            self.app.pop_screen()

    def action_back(self) -> None:
        if not self.dirty:
            self.app.pop_screen()
            return
        from screens.meetings.dialogs import ConfirmDialog

        self.app.push_screen(
            ConfirmDialog("放弃未保存的班次设置？", "按 Ctrl+S 可先保存。"),
            self._leave_if,
        )
