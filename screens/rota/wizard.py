"""党课轮讲计划 wizard: ① period → ② lecturers and the dates they cannot
lecture → ③ the proposed plan (swap two rows, pin, re-plan keeping pins) →
confirm, which stores the plan and creates one lecture per slot.

The planner is domain.rota; this screen only collects the request, shows the
plan with what it breaks, and keeps everything in a draft as it changes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Checkbox,
    ContentSwitcher,
    DataTable,
    Header,
    Input,
    Label,
    Select,
    Static,
)

from domain.courseware import Lecture
from domain.dates import WEEKDAYS
from domain.errors_cn import describe_validation_error
from domain.holidays import HolidayCalendar, HolidaySource
from domain.navigation import Place
from domain.org import OrgKind
from domain.rota import (
    Cadence,
    DayRule,
    DayRuleKind,
    Lecturer,
    PeriodScope,
    Pin,
    PlanPeriod,
    RotaPlan,
    RotaRequest,
    pin,
    plan_rota,
    replan,
    slot_months,
    swap,
    unpin,
)
from screens.rota.format import short_date
from screens.rota.unavailable import UnavailableDatesScreen, format_dates
from services import holidays as holidays_service
from services import rota as rota_service
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.checkbox import TextCheckbox
from widgets.footer import KeyFooter
from widgets.limited_input import LimitedInput
from widgets.person_picker import PickPersonScreen
from widgets.safe import content, plain, text
from widgets.tables import add_columns

WORKFLOW = "rota"
DRAFT_KEY = "new"
STEPS = ("step-period", "step-lecturers", "step-plan")
STEP_NAMES = ("① 周期", "② 授课人与不可用日期", "③ 方案")
NTH_OPTIONS = [
    ("第一个", "1"),
    ("第二个", "2"),
    ("第三个", "3"),
    ("第四个", "4"),
    ("最后一个", "-1"),
    ("固定日期", "day"),
]
WEEKDAY_OPTIONS = [(f"星期{w}", str(i)) for i, w in enumerate(WEEKDAYS)]
# Which step each step-specific key belongs to (hidden elsewhere).
STEP_OF_ACTION = {
    "add_lecturer": 1,
    "remove_lecturer": 1,
    "unavailable": 1,
    "swap": 2,
    "pin": 2,
    "replan": 2,
    "confirm": 2,
}


class WizardInputError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def slot_note(plan: RotaPlan, index: int) -> str:
    s = plan.slots[index]
    parts = [s.theme] if s.theme else []
    if s.moved_from is not None:
        reason = s.move_reason.split("是", 1)[-1].split("，", 1)[0] if s.move_reason else ""
        parts.append(f"{s.moved_from.month}-{s.moved_from.day}{reason}顺延")
    return "；".join(parts)


class RotaWizardScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+n", "next", "下一步", priority=True),
        Binding("ctrl+b", "prev", "上一步", priority=True),
        Binding("a", "add_lecturer", "添加"),
        Binding("x,delete", "remove_lecturer", "移除", key_display="x"),
        Binding("u", "unavailable", "不可用日期"),
        Binding("s", "swap", "交换"),
        Binding("f", "pin", "固定/取消"),
        Binding("r", "replan", "重排"),
        Binding("ctrl+s", "confirm", "确认", priority=True),
        Binding("escape", "leave", "返回"),
    ]

    def __init__(self, org_id: str | None = None) -> None:
        super().__init__()
        self._org_arg = org_id
        self.step = 0
        self.lecturers: list[Lecturer] = []
        self.unavailable: dict[str, list[date]] = {}
        self.pending_unavailable: dict[str, str] = {}  # typed in the modal, not yet confirmed
        self.lecturers_org: str | None = None
        self.plan: RotaPlan | None = None
        self.mark: int | None = None  # first row picked for a swap
        self._armed = False  # Ctrl+S pressed once on a plan with problems
        self._saving = False  # the confirm waits for the lock: the plan holds still
        self._loading = True
        self._untouched: dict[str, Any] | None = None  # the state as opened

    # -- layout ------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self._units = rota_service.planning_units(zapp(self).store)
        # The user's loaded 放假安排 over the package data and the rules.
        app = zapp(self)
        self._holidays: HolidayCalendar = holidays_service.calendar(
            app.store, app.settings.rules.holidays
        )
        yield Header()
        yield Static(id="wiz-steps")
        with ContentSwitcher(initial=STEPS[0], id="wiz-switcher"):
            with VerticalScroll(id="step-period"):
                with Horizontal(classes="row"):
                    yield Label("组织")
                    yield Select(
                        [
                            (
                                text(
                                    u.name
                                    if u.kind is OrgKind.GENERAL_BRANCH
                                    else f"{u.name}（本支部）"
                                ),
                                u.id,
                            )
                            for u in self._units
                        ],
                        id="w-org",
                        prompt="（选择党总支）",
                        compact=True,
                    )
                with Horizontal(classes="row"):
                    yield Label("年度")
                    yield LimitedInput(id="w-year", type="integer", max_length=4, compact=True)
                    yield Label("范围", classes="label2")
                    yield Select(
                        [(s.value, s.value) for s in PeriodScope],
                        id="w-scope",
                        allow_blank=False,
                        compact=True,
                    )
                with Horizontal(classes="row"):
                    yield Label("频次")
                    yield Select(
                        [(c.value, c.value) for c in Cadence],
                        id="w-cadence",
                        allow_blank=False,
                        value=Cadence.QUARTERLY.value,
                        compact=True,
                    )
                with Horizontal(classes="row"):
                    yield Label("日期")
                    yield Select(NTH_OPTIONS, id="w-nth", allow_blank=False, compact=True)
                    yield Select(
                        WEEKDAY_OPTIONS, id="w-weekday", allow_blank=False, value="4", compact=True
                    )
                    yield LimitedInput(
                        id="w-day", type="integer", max_length=2, placeholder="日", compact=True
                    )
                yield TextCheckbox(
                    "遇周末顺延到工作日（倒班支部可关，只避开法定节假日）",
                    value=True,
                    id="w-weekends",
                    compact=True,
                )
                yield TextCheckbox(
                    "书记党课报上级审核（课件审核多一级）", value=True, id="w-higher", compact=True
                )
                yield Static(id="w-period-help")
            with Vertical(id="step-lecturers"):
                yield DataTable(id="w-lecturers", cursor_type="row", zebra_stripes=True)
                yield Static(id="w-lect-info")
            with Vertical(id="step-plan"):
                yield DataTable(id="w-slots", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="w-plan-scroll"):
                    yield Static(id="w-plan-info")
        yield Static(id="wiz-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        lect = self.query_one("#w-lecturers", DataTable)
        add_columns(
            lect,
            (
                ("姓名", "name", 8),
                ("支部", "branch", 16),
                ("职务", "post", 6),
                ("不可用日期", "off", 36),
            ),
        )
        slots = self.query_one("#w-slots", DataTable)
        add_columns(
            slots,
            (
                ("序号", "n", 4),
                ("日期", "date", 13),
                ("授课人", "who", 8),
                ("支部", "branch", 14),
                ("固定", "pin", 6),
                ("说明", "note", 18),
            ),
        )
        draft = zapp(self).drafts.load(WORKFLOW, DRAFT_KEY)
        with self.prevent(Input.Changed, Select.Changed, Checkbox.Changed):
            self._apply_period(self._default_period())
            if draft:
                self._restore(draft)
        self._show_step(self.step if draft else 0)
        if draft:
            self.notify("已恢复上次未完成的轮讲计划草稿", markup=False)
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False
        # The state as opened: Esc with nothing changed leaves no draft.
        self._untouched = self._draft_data()

    # -- step 1: period ----------------------------------------------------
    def _default_period(self) -> dict[str, Any]:
        today: date = zapp(self).today
        org_id = self._org_arg or (self._units[0].id if self._units else None)
        return {
            "org_id": org_id,
            # From October on, the plan being made is next year's.
            "year": str(today.year + 1 if today.month >= 10 else today.year),
            "scope": PeriodScope.YEAR.value,
            "cadence": Cadence.QUARTERLY.value,
            "nth": "1",
            "weekday": "4",
            "day": "",
            "weekends": True,
            "higher": True,
        }

    def _apply_period(self, values: dict[str, Any]) -> None:
        for field, wid in (("org_id", "#w-org"), ("scope", "#w-scope"), ("cadence", "#w-cadence"),
                           ("nth", "#w-nth"), ("weekday", "#w-weekday")):  # fmt: skip
            sel = self.query_one(wid, Select)
            v = values.get(field)
            if v is not None and v in sel._legal_values:  # noqa: SLF001 - pinned Textual
                sel.value = v
        self.query_one("#w-year", Input).value = str(values.get("year") or "")
        self.query_one("#w-day", Input).value = str(values.get("day") or "")
        self.query_one("#w-weekends", Checkbox).value = bool(values.get("weekends", True))
        self.query_one("#w-higher", Checkbox).value = bool(values.get("higher", True))
        self._sync_rule_fields()
        self._update_period_help()

    def _period_values(self) -> dict[str, Any]:
        def sel(wid: str) -> str | None:
            s = self.query_one(wid, Select)
            return None if s.is_blank() else str(s.value)

        return {
            "org_id": sel("#w-org"),
            "year": self.query_one("#w-year", Input).value,
            "scope": sel("#w-scope"),
            "cadence": sel("#w-cadence"),
            "nth": sel("#w-nth"),
            "weekday": sel("#w-weekday"),
            "day": self.query_one("#w-day", Input).value,
            "weekends": self.query_one("#w-weekends", Checkbox).value,
            "higher": self.query_one("#w-higher", Checkbox).value,
        }

    def _update_period_help(self) -> None:
        help_text = Text(
            "季度党课默认排在季末月，第三季度排在七月"
            "（七一专题）；四季度为结合组织生活会的专题党课。",
            style="dim",
        )
        try:
            year = int(self.query_one("#w-year", Input).value)
        except ValueError:
            year = None
        if year is not None and 2000 <= year <= 2100:
            computed = self._holidays.source(year) is HolidaySource.COMPUTED
            help_text.append(
                ("\n⚠ " if computed else "\n") + self._holidays.statement(year),
                style="yellow" if computed else "dim",
            )
        self.query_one("#w-period-help", Static).update(help_text)

    def _sync_rule_fields(self) -> None:
        fixed = self.query_one("#w-nth", Select).value == "day"
        self.query_one("#w-weekday", Select).display = not fixed
        self.query_one("#w-day", Input).display = fixed

    def _parsed_period(self) -> tuple[str, PlanPeriod, Cadence, DayRule, bool]:
        v = self._period_values()
        if not v["org_id"]:
            raise WizardInputError("请选择党总支", "#w-org")
        try:
            period = PlanPeriod(year=int(v["year"] or 0), scope=PeriodScope(v["scope"]))
        except (ValueError, ValidationError):
            raise WizardInputError("年度应为 2000–2100 之间的四位数", "#w-year") from None
        if v["nth"] == "day":
            try:
                rule = DayRule(kind=DayRuleKind.DAY_OF_MONTH, day=int(v["day"] or 0))
            except (ValueError, ValidationError):
                raise WizardInputError("固定日期应为 1–31", "#w-day") from None
        else:
            rule = DayRule(n=int(v["nth"] or 1), weekday=int(v["weekday"] or 4))
        return v["org_id"], period, Cadence(v["cadence"]), rule, bool(v["weekends"])

    @on(Select.Changed)
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _period_changed(self, event: Select.Changed | Input.Changed | Checkbox.Changed) -> None:
        changed = getattr(event.control, "id", "")
        if changed == "w-nth":
            self._sync_rule_fields()
        elif changed == "w-year":
            self._update_period_help()
        if self._loading:
            return
        self._armed = False
        self._touch()

    # -- request and plan --------------------------------------------------
    def _request(self, pins: dict[int, Pin] | None = None) -> RotaRequest:
        org_id, period, cadence, rule, weekends = self._parsed_period()
        ids = {lec.id for lec in self.lecturers}
        return RotaRequest(
            period=period,
            cadence=cadence,
            rule=rule,
            lecturers=self.lecturers,
            unavailable={k: v for k, v in self.unavailable.items() if k in ids and v},
            previous=rota_service.previous_lecturer_ids(zapp(self).store, org_id, period),
            pins=pins or {},
            avoid_weekends=weekends,
        )

    def _fresh_plan(self) -> RotaPlan:
        """Plan from the current inputs; the old plan is kept when nothing it
        depends on changed, and its pins carry over when something did."""
        base = self._request()
        old = self.plan
        if old is not None and old.request.model_dump(exclude={"pins"}) == base.model_dump(
            exclude={"pins"}
        ):
            return old
        pins = {}
        if old is not None:
            ids = {lec.id for lec in self.lecturers}
            n = len(slot_months(base))
            pins = {
                i: p
                for i, p in old.request.pins.items()
                if i < n and (p.lecturer_id is None or p.lecturer_id in ids)
            }
        return plan_rota(base.model_copy(update={"pins": pins}), self._holidays)

    # -- navigation --------------------------------------------------------
    def _show_step(self, step: int) -> None:
        self.step = step
        self.mark = None
        self.query_one(ContentSwitcher).current = STEPS[step]
        names = Text()
        for i, name in enumerate(STEP_NAMES):
            if i:
                names.append("  ›  ", style="dim")
            names.append(name, style="bold reverse" if i == step else "dim")
        self.query_one("#wiz-steps", Static).update(names)
        self._status("")
        if step == 0:
            self.query_one("#w-org", Select).focus()
        elif step == 1:
            self._fill_lecturers()
            self.query_one("#w-lecturers", DataTable).focus()
        else:
            self._fill_plan()
            self.query_one("#w-slots", DataTable).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in STEP_OF_ACTION:
            return self.step == STEP_OF_ACTION[action]
        if action == "next":
            return self.step < 2
        if action == "prev":
            return self.step > 0
        return True

    def action_next(self) -> None:
        if self._held_back():
            return
        try:
            if self.step == 0:
                self._leave_period_step()
            elif self.step == 1:
                if not self.lecturers:
                    raise WizardInputError("请至少添加一位授课人（按 a）", "#w-lecturers")
                self.plan = self._fresh_plan()
                self._armed = False
            else:
                return
        except WizardInputError as e:
            self._status(str(e))
            self.query_one(e.field).focus()
            return
        except ValidationError as e:
            self._status(describe_validation_error(e))
            return
        self._show_step(self.step + 1)
        self._touch()

    def _leave_period_step(self) -> None:
        org_id, period, *_ = self._parsed_period()
        store = zapp(self).store
        existing = rota_service.overlapping_plan(store, org_id, period)
        if existing is not None:
            raise WizardInputError(
                f"{existing.org_name}已有{existing.period.label}的党课计划，可在党课计划中查看",
                "#w-year",
            )
        if org_id != self.lecturers_org:
            self.lecturers = rota_service.default_lecturers(store, org_id)
            self.lecturers_org = org_id
            self.plan = None

    def action_prev(self) -> None:
        if self._held_back():
            return
        if self.step > 0:
            self._show_step(self.step - 1)
            self._touch()

    def action_leave(self) -> None:
        if self._held_back():
            return
        if self.mark is not None:
            self.mark = None
            self._fill_plan()
            self._status("已取消交换")
            return
        keeper = zapp(self).drafts
        changed = self._untouched is not None and self._draft_data() != self._untouched
        if changed or keeper.load(WORKFLOW, DRAFT_KEY):
            self._touch()
        # Said only when the draft is written (SQLite or the spill), and not
        # at all when nothing was entered (docs/RELIABILITY.md, R10).
        message = keeper.close_message(WORKFLOW, DRAFT_KEY)
        if message:
            self.notify(message.replace("草稿已保存", "轮讲计划草稿已保存"), markup=False)
        self.dismiss(None)

    # -- step 2: lecturers -------------------------------------------------
    def _fill_lecturers(self) -> None:
        table = self.query_one("#w-lecturers", DataTable)
        row = table.cursor_row
        year = self._year_or_today()
        table.clear()
        for lec in self.lecturers:
            days = self.unavailable.get(lec.id, [])
            off = format_dates(days, year) if days else ""
            if lec.id in self.pending_unavailable:
                off = (off + " " if off else "") + "（输入未确认）"
            table.add_row(text(lec.name), text(lec.branch), text(lec.post), text(off), key=lec.id)
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        info = [
            f"共 {len(self.lecturers)} 位授课人。Enter 或 u 设置不可用日期，a 添加，x 移除；Ctrl+N 生成方案。"
        ]
        try:
            org_id, period, *_ = self._parsed_period()
            prev = rota_service.previous_lecturer_ids(zapp(self).store, org_id, period)
        except WizardInputError:
            prev = []
        if prev:
            names = {lec.id: lec.name for lec in self.lecturers}
            last = names.get(prev[-1])
            if last:
                info.append(f"上期最后一次由{last}讲授，本期从下一位开始轮换。")
        self.query_one("#w-lect-info", Static).update(content("\n".join(info), multiline=True))

    def _year_or_today(self) -> int:
        try:
            return int(self.query_one("#w-year", Input).value)
        except ValueError:
            return zapp(self).today.year

    def _current_lecturer(self) -> Lecturer | None:
        table = self.query_one("#w-lecturers", DataTable)
        if not table.row_count:
            return None
        return self.lecturers[min(table.cursor_row, len(self.lecturers) - 1)]

    def action_add_lecturer(self) -> None:
        if self._held_back():
            return

        def picked(result: object) -> None:
            from domain.people import Person

            if not isinstance(result, Person):
                return
            if any(lec.id == result.id for lec in self.lecturers):
                self._status(f"{result.name} 已在授课人名单中")
                return
            self.lecturers.append(rota_service.lecturer_for(zapp(self).store, result))
            self._fill_lecturers()
            self.query_one("#w-lecturers", DataTable).move_cursor(row=len(self.lecturers) - 1)
            self._touch()

        self.app.push_screen(PickPersonScreen("添加授课人", members_only=True), picked)

    def action_remove_lecturer(self) -> None:
        if self._held_back():
            return
        lec = self._current_lecturer()
        if lec is None:
            return
        self.lecturers = [x for x in self.lecturers if x.id != lec.id]
        self.unavailable.pop(lec.id, None)
        self.pending_unavailable.pop(lec.id, None)
        self._fill_lecturers()
        self._status(f"已移除 {lec.name}")
        self._touch()

    @on(DataTable.RowSelected, "#w-lecturers")
    def _lecturer_selected(self) -> None:
        self.action_unavailable()

    def action_unavailable(self) -> None:
        if self._held_back():
            return
        lec = self._current_lecturer()
        if lec is None:
            return
        year = self._year_or_today()
        raw = self.pending_unavailable.get(lec.id)
        if raw is None:
            raw = format_dates(self.unavailable.get(lec.id, []), year)
        try:
            slot_dates = [s.date for s in plan_rota(self._request(), self._holidays).slots]
        except (WizardInputError, ValidationError):
            slot_dates = []

        def typed(value: str) -> None:
            self.pending_unavailable[lec.id] = value
            self._touch()

        def done(days: list[date] | None) -> None:
            if days is None:
                self._fill_lecturers()
                return
            self.pending_unavailable.pop(lec.id, None)
            self.unavailable[lec.id] = days
            self._fill_lecturers()
            self._touch()

        self.app.push_screen(
            UnavailableDatesScreen(lec.name, year, raw, slot_dates=slot_dates, on_change=typed),
            done,
        )

    # -- step 3: plan ------------------------------------------------------
    def _fill_plan(self) -> None:
        table = self.query_one("#w-slots", DataTable)
        plan = self.plan
        row = table.cursor_row
        table.clear()
        if plan is None:
            return
        for s in plan.slots:
            flags = "待交换" if self.mark == s.index else ""
            if not flags:
                flags = "固定" if s.pinned_lecturer else ("定日" if s.pinned_date else "")
            table.add_row(
                Text(str(s.index + 1), justify="right"),
                text(short_date(s.date)),
                text(s.lecturer_name or "（空）", style="" if s.lecturer_id else "red"),
                text(s.lecturer_branch),
                text(flags, style="bold" if flags else ""),
                text(slot_note(plan, s.index)),
                key=str(s.index),
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self._fill_plan_info()

    def _fill_plan_info(self) -> None:
        plan = self.plan
        if plan is None:
            return
        out = Text()
        counts = plan.counts()
        names = {lec.id: lec.name for lec in plan.request.lecturers}
        out.append(plain("次数：" + "、".join(f"{names[k]} {n}" for k, n in counts.items())))
        out.append("\n")
        if plan.problems:
            for p in plan.problems:
                out.append(plain(f"✗ {p}") + "\n", style="bold red")
        else:
            out.append("✓ 方案符合轮讲规则（次数相差不超过 1 次，无人连续授课）\n", style="green")
        for w in plan.warnings:
            out.append(plain(f"⚠ {w}") + "\n", style="yellow")
        for statement in plan.holiday_statements:
            if statement not in plan.warnings:  # a computed year is already a warning
                out.append(plain(statement) + "\n", style="dim")
        out.append("s 选两行交换 · f 固定/取消固定 · r 重排（保留固定） · Ctrl+S 确认", style="dim")
        self.query_one("#w-plan-info", Static).update(out)

    def _cursor_slot(self) -> int | None:
        table = self.query_one("#w-slots", DataTable)
        if self.plan is None or not table.row_count:
            return None
        return table.cursor_row

    def _set_plan(self, plan: RotaPlan, message: str) -> None:
        self.plan = plan
        self._armed = False
        self._fill_plan()
        self._status(message)
        self._touch()

    def action_swap(self) -> None:
        if self._held_back():
            return
        i = self._cursor_slot()
        if i is None or self.plan is None:
            return
        if self.mark is None:
            self.mark = i
            self._fill_plan()
            self._status(f"已选第{i + 1}次，移到另一行再按 s 交换（Esc 取消）")
            return
        first, self.mark = self.mark, None
        if first == i:
            self._fill_plan()
            self._status("已取消交换")
            return
        self._set_plan(
            swap(self.plan, first, i), f"已交换第{first + 1}次和第{i + 1}次的授课人（两次均已固定）"
        )

    def action_pin(self) -> None:
        if self._held_back():
            return
        i = self._cursor_slot()
        if i is None or self.plan is None:
            return
        slot = self.plan.slots[i]
        if slot.pinned:
            self._set_plan(unpin(self.plan, i), f"第{i + 1}次已取消固定")
        elif slot.lecturer_id is None:
            self._status(f"第{i + 1}次尚无授课人，无法固定")
        else:
            self._set_plan(
                pin(self.plan, i), f"第{i + 1}次已固定为{slot.lecturer_name}，重排时保留"
            )

    def action_replan(self) -> None:
        if self._held_back():
            return
        if self.plan is None:
            return
        self._set_plan(
            replan(self.plan, self._holidays),
            f"已重排，保留 {len(self.plan.request.pins)} 处固定安排",
        )

    def action_confirm(self) -> None:
        if self._held_back():
            return  # a second Ctrl+S while the first waits confirms nothing twice
        plan = self.plan
        if plan is None or self.step != 2:
            return
        if plan.problems and not self._armed:
            self._armed = True
            self._status(f"方案有 {len(plan.problems)} 处不符合规则（见下），再按 Ctrl+S 仍然确认")
            return
        org_id = self._period_values()["org_id"]
        higher = self.query_one("#w-higher", Checkbox).value
        store = zapp(self).store
        self._saving = True
        self._status("正在保存…")

        def refused(e: Exception) -> None:
            self._saving = False
            msg = zapp(self).drafts.refused_message(str(e))
            self._status(msg)
            self.notify(msg, severity="error", markup=False, timeout=8)

        def done(result: tuple[rota_service.RotaPlanRecord, list[Lecture]]) -> None:
            self._saving = False
            record, lectures = result
            zapp(self).drafts.forget(WORKFLOW, DRAFT_KEY)  # discarded by the save
            self.notify(
                f"已确认{record.org_name}{record.period.label}党课计划，生成 {len(lectures)} 次党课",
                markup=False,
            )
            self.app.pop_screen()
            zapp(self).go(Place.ROTA, record.id)

        ref = zapp(self).drafts.ref(WORKFLOW, DRAFT_KEY)

        def save() -> tuple[rota_service.RotaPlanRecord, list[Lecture]]:
            return rota_service.confirm_plan(
                store, org_id, plan, needs_higher_review=higher, draft=ref
            )

        # Waiting for another process's lock happens off the UI thread
        # (docs/RELIABILITY.md, R7).
        run_save(self, store, save, done, refused)

    def _held_back(self) -> bool:
        """While the confirm waits for the lock the plan it stores must not
        change under it (the tables' cursors still move)."""
        if not self._saving:
            return False
        self.notify("正在保存（数据库忙时请稍候），完成后再修改", markup=False)
        return True

    # -- drafts ------------------------------------------------------------
    def _touch(self) -> None:
        if self._loading:
            return
        zapp(self).drafts.touch(WORKFLOW, DRAFT_KEY, self._draft_title(), self._draft_data())

    def _draft_title(self) -> str:
        values = self._period_values()
        unit = next((u for u in self._units if u.id == values["org_id"]), None)
        return f"{unit.name if unit else ''} {values['year']}年".strip()  # kind added by the list

    def _draft_data(self) -> dict[str, Any]:
        values = self._period_values()
        return {
            "step": self.step,
            "period": values,
            "lecturers_org": self.lecturers_org,
            "lecturers": [lec.model_dump(mode="json") for lec in self.lecturers],
            "unavailable": {k: [d.isoformat() for d in v] for k, v in self.unavailable.items()},
            "pending_unavailable": dict(self.pending_unavailable),
            "plan": self.plan.model_dump(mode="json") if self.plan else None,
        }

    def _restore(self, data: dict[str, Any]) -> None:
        try:
            self._apply_period({**self._default_period(), **data.get("period", {})})
            self.lecturers = [Lecturer.model_validate(x) for x in data.get("lecturers", [])]
            self.lecturers_org = data.get("lecturers_org")
            self.unavailable = {
                k: [date.fromisoformat(d) for d in v]
                for k, v in data.get("unavailable", {}).items()
            }
            self.pending_unavailable = dict(data.get("pending_unavailable", {}))
            self.plan = RotaPlan.model_validate(data["plan"]) if data.get("plan") else None
            step = int(data.get("step", 0))
            self.step = step if step in (0, 1, 2) and (step < 2 or self.plan) else 0
        except (ValueError, ValidationError, KeyError, TypeError):
            # A draft from an older version of this screen: start over, keep nothing broken.
            self.step, self.plan = 0, None

    # -- misc --------------------------------------------------------------
    def _status(self, msg: str) -> None:
        self.query_one("#wiz-status", Static).update(content(msg))
