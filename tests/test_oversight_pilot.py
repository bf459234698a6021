"""Oversight screens by keyboard at 80×24: look a member up (participation
and dues), enter a branch's dues in the grid, the 三会一课 table.

Until the app wires the actions, the screens are pushed directly.
"""

from __future__ import annotations

import json
from datetime import date

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static

from domain.dues import ArrearsLevel, compute_due, format_yuan
from domain.navigation import Place
from domain.periods import Period
from screens.oversight.compliance_table import LEGEND, ComplianceTable
from screens.oversight.dues_grid import WORKFLOW, DuesGridScreen
from screens.oversight.member_record import MemberRecordScreen
from screens.oversight.participation import ParticipationScreen
from storage import compliance, dues_home, org, people
from storage import dues as dues_store
from storage.db import Store
from tests.factories import TODAY
from tests.test_compliance_storage import hand_participation
from tests.test_dues_storage import ensure_demo_dues
from widgets.person_picker import PickPersonScreen


def shown(widget: Static) -> str:
    return str(widget.content)


def cells(table: DataTable, key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


# -- member lookup ---------------------------------------------------------------------


async def test_look_up_a_members_participation_and_dues_by_keyboard(
    make_demo_app, demo_store: Store
) -> None:
    ensure_demo_dues(demo_store)
    branch = org.branches(demo_store)[1]
    lapse = next(
        a
        for a in dues_store.branch_arrears(demo_store, [branch.id], TODAY)
        if a.alert and a.alert.level is ArrearsLevel.LAPSE
    )
    member = people.get(demo_store, lapse.person_id)
    assert member is not None
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ParticipationScreen(branch.id))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ParticipationScreen)
        assert screen.period == Period.quarter(2026, 4)

        # / opens the pinyin search; type the name, Enter picks.
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, PickPersonScreen)
        await pilot.press(*member.name)
        await pilot.press("enter")
        await settle(pilot)
        table = screen.query_one("#pt-table", DataTable)
        assert app.screen is screen and table.has_focus
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert row_key == member.id
        hand = hand_participation(demo_store, branch.id, "2026-10-01", "2026-12-31")
        e, p, lv, ab, owed, done = hand.get(member.id, [0] * 6)
        row = cells(table, member.id)
        assert row[0] == member.name
        assert row[2:6] == [str(e), str(p), str(lv), str(ab)]
        assert row[7] == f"{done}/{owed}"

        # Enter: the member's record, meetings first.
        await pilot.press("enter")
        await settle(pilot)
        record = app.screen
        assert isinstance(record, MemberRecordScreen)
        part = shown(record.query_one("#mr-part", Static))
        assert f"应到 {e} · 出席 {p} · 请假 {lv} · 缺席 {ab}" in part
        meetings = record.query_one("#mr-meetings", DataTable)
        assert meetings.row_count == e  # a plain member: every meeting is expected
        states = sorted(cells(meetings, str(k.value))[3] for k in meetings.rows)
        assert states.count("出席") == p and states.count("缺席") == ab

        # 2: the year's dues, with the six-month alert.
        await pilot.press("2")
        await settle(pilot)
        dues = record.query_one("#mr-dues", DataTable)
        assert dues.has_focus
        rows = demo_store.query(
            "SELECT month, data FROM dues WHERE person_id=? AND month LIKE '2026-%' ORDER BY month",
            (member.id,),
        )
        assert dues.row_count == len(rows) == 11
        for r in rows:
            d = json.loads(r["data"])
            got = cells(dues, r["month"])
            assert got[3:5] == [format_yuan(d["due_fen"]), format_yuan(d["paid_fen"])]
            assert got[5] == ("未缴" if d["paid_fen"] < d["due_fen"] else "已缴")
        line = shown(record.query_one("#mr-dues-line", Static))
        assert "已连续6个月未交纳党费" in line

        # [ steps back a quarter; the numbers follow.
        await pilot.press("left_square_bracket")
        await settle(pilot)
        q3 = hand_participation(demo_store, branch.id, "2026-07-01", "2026-09-30")
        e3, p3 = q3.get(member.id, [0] * 6)[:2]
        assert shown(record.query_one("#mr-part", Static)).startswith(
            f"2026Q3  应到 {e3} · 出席 {p3}"
        )

        # Esc back to the list, still on the member.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_period_field_and_threshold(make_demo_app, demo_store: Store) -> None:
    branch = org.branches(demo_store)[0]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ParticipationScreen(branch.id))
        await settle(pilot)
        screen = app.screen
        await pilot.press("p", "end", "ctrl+u", *"2026年", "enter")
        await settle(pilot)
        assert screen.period == Period.year(2026)
        summary = shown(screen.query_one("#pt-summary", Static))
        hand = hand_participation(demo_store, branch.id, "2026-01-01", "2026-12-31")
        ids = {p.id for p in people.members_of(demo_store, branch.id)}
        assert f"应到 {sum(v[0] for k, v in hand.items() if k in ids)} 人次" in summary
        # A bad period is refused with a message; the period stays.
        await pilot.press("p", "end", "ctrl+u", *"2026Q9", "enter")
        await settle(pilot)
        assert "期间格式不对" in shown(screen.query_one("#pt-summary", Static))
        assert screen.period == Period.year(2026)
        # t: threshold 95 → stored, and the list follows.
        screen.query_one("#pt-table", DataTable).focus()
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("end", "ctrl+u", "9", "5", "enter")
        await settle(pilot)
        stored = demo_store.scalar("SELECT data FROM settings WHERE key='participation'")
        assert json.loads(str(stored))["threshold_percent"] == 95
        below = shown(screen.query_one("#pt-below", Static))
        assert below.startswith("出席率低于 95%")


# -- dues grid ----------------------------------------------------------------------------


async def test_enter_a_branchs_dues_in_the_grid(make_demo_app, demo_store: Store) -> None:
    ensure_demo_dues(demo_store)
    branch = org.branches(demo_store)[2]
    december = date(2026, 12, 1)
    members = people.members_of(demo_store, branch.id)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(DuesGridScreen(branch.id, month=december))
        await settle(pilot)
        grid = app.screen
        assert isinstance(grid, DuesGridScreen)
        table = grid.query_one("#dg-table", DataTable)
        assert table.row_count == len(members)
        assert "2026年12月" in shown(grid.query_one("#dg-month", Static))
        ids = [str(k.value) for k in table.rows]
        nov = {pid: dues_store.get(demo_store, pid, date(2026, 11, 1)) for pid in ids}

        # Rows 0–2: paid in full with the space bar (the cursor walks down).
        await pilot.press("space", "space", "space")
        await settle(pilot)
        # Row 3: 12.50 yuan paid (a partial payment).
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("end", "ctrl+u", *"12.5", "enter")
        await settle(pilot)
        # Row 4: a new base of 12000 yuan (band >10000 2%), then paid in full.
        await pilot.press("down", "b")
        await settle(pilot)
        await pilot.press("end", "ctrl+u", *"12000", "enter")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        # Row 5: waived, with the approval note.
        await pilot.press("w")
        await settle(pilot)
        await pilot.press(*"经党委批准困难免交", "enter")
        await settle(pilot)
        summary = shown(grid.query_one("#dg-summary", Static))
        assert "未保存 6 处" in summary

        # Typed entries are a draft before any save.
        app.drafts.flush()
        draft = demo_store.query_one(
            "SELECT data FROM drafts WHERE workflow=? AND key=?",
            (WORKFLOW, f"{branch.id}:2026-12"),
        )
        assert draft is not None and len(json.loads(draft["data"])["records"]) == 6
        assert not demo_store.scalar("SELECT count(*) FROM dues WHERE month='2026-12-01'")

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"已保存 {len(members)} 条" in shown(grid.query_one("#dg-summary", Static))

    saved = {
        r["person_id"]: (r["branch_id"], json.loads(r["data"]), r["version"])
        for r in demo_store.query("SELECT * FROM dues WHERE month='2026-12-01'")
    }
    assert set(saved) == set(ids)  # every member's December, in one save
    assert all(b == branch.id and v == 1 for b, _, v in saved.values())
    for pid in ids[:3]:
        d = saved[pid][1]
        assert d["paid_fen"] == d["due_fen"] == nov[pid].due_fen
        assert d["paid_on"] == TODAY.isoformat()
    assert saved[ids[3]][1]["paid_fen"] == 1250
    big = saved[ids[4]][1]
    assert big["base_fen"] == 1_200_000 and big["rate_bp"] == 200
    assert big["due_fen"] == compute_due(1_200_000).amount_fen == big["paid_fen"] == 24_000
    assert saved[ids[5]][1]["waived"] is True
    assert saved[ids[5]][1]["waiver_note"] == "经党委批准困难免交"
    for pid in ids[6:]:
        assert saved[pid][1]["paid_fen"] == 0
        assert saved[pid][1]["base_fen"] == nov[pid].base_fen
    # The draft is gone; every record was audited.
    assert not demo_store.scalar("SELECT count(*) FROM drafts WHERE workflow=?", (WORKFLOW,))
    audited = demo_store.scalar(
        "SELECT count(*) FROM audit WHERE table_name='dues' AND action='create'"
    )
    assert audited == len(ids)


async def test_grid_draft_is_restored_and_errors_keep_the_entry(
    make_demo_app, demo_store: Store
) -> None:
    ensure_demo_dues(demo_store)
    branch = org.branches(demo_store)[0]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(DuesGridScreen(branch.id, month=date(2026, 12, 1)))
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        first = app.screen.order[0]
        # Esc keeps the entry as a draft; reopening restores it.
        await pilot.press("escape")
        await settle(pilot)
        app.push_screen(DuesGridScreen(branch.id, month=date(2026, 12, 1)))
        await settle(pilot)
        grid = app.screen
        assert grid.changed == {first}
        assert cells(grid.query_one("#dg-table", DataTable), first)[0] == "*"
        # A 补交 more than six months late is refused with the rule's message:
        # in April, clear someone's payment and try to pay it today.
        for _ in range(8):
            await pilot.press("left_square_bracket")
        await settle(pilot)
        assert grid.month == date(2026, 4, 1)
        await pilot.press("x", "space")
        await settle(pilot)
        status = shown(grid.query_one("#dg-status", Static))
        assert "超过补交期限" in status and "请报支部研究处理" in status
        # Back to December: its draft is still there.
        for _ in range(8):
            await pilot.press("right_square_bracket")
        await settle(pilot)
        assert grid.month == date(2026, 12, 1)
        assert grid.changed == {first}
    # Nothing reached the dues table: only drafts.
    assert not demo_store.scalar("SELECT count(*) FROM dues WHERE month='2026-12-01'")
    april = dues_store.get(demo_store, first, date(2026, 4, 1))
    assert april is not None and april.paid_fen == april.due_fen


async def test_back_payment_limit_in_the_grid(make_demo_app, demo_store: Store) -> None:
    ensure_demo_dues(demo_store)
    branch = org.branches(demo_store)[1]
    lapse = next(
        a
        for a in dues_store.branch_arrears(demo_store, [branch.id], TODAY)
        if a.alert and a.alert.level is ArrearsLevel.LAPSE
    )
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # May was owed; paying it on 11-22 is six months late: still allowed.
        app.push_screen(
            DuesGridScreen(branch.id, month=date(2026, 5, 1), focus_person=lapse.person_id)
        )
        await settle(pilot)
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
    rec = dues_store.get(demo_store, lapse.person_id, date(2026, 5, 1))
    assert rec is not None and rec.paid_fen == rec.due_fen and rec.paid_on == TODAY
    assert rec.status.value == "补缴"
    now = dues_store.arrears_of(demo_store, [lapse.person_id], TODAY)[lapse.person_id]
    assert now.consecutive_months == 5  # June–October still owed


# -- 三会一课 table --------------------------------------------------------------------


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ComplianceTable(id="ct")
        yield Static(LEGEND, id="legend")


async def test_compliance_table_fits_80_columns_and_marks_overdue(demo_store: Store) -> None:
    # The first branch skipped October's 支委会 (the demo holds every month's).
    first = org.branches(demo_store)[0]
    with demo_store.write() as c:
        c.execute(
            "UPDATE meetings SET superseded=1 WHERE kind='支部委员会' AND org_id=?"
            " AND date LIKE '2026-10-%'",
            (first.id,),
        )
    rows = compliance.home_table(demo_store, TODAY)
    lectured = {
        r["org_id"]
        for r in demo_store.query(
            "SELECT org_id FROM meetings WHERE kind='党课' AND status='已完成' AND superseded=0"
            " AND date BETWEEN '2026-10-01' AND '2026-11-30'"
        )
    }
    assert lectured and len(lectured) < 4  # two rota branches lectured this quarter
    app = _TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ComplianceTable)
        table.show(rows)
        await settle(pilot)
        assert table.row_count == len(rows) == 4
        assert table.virtual_size.width <= 80
        labels = [str(c.label) for c in table.columns.values()]
        assert labels == ["支部", "支委会", "小组会", "主题党日", "党员大会", "党课"]
        for r in rows:
            got = cells(table, r.branch_id)
            assert got[0] == r.branch_name
            # readable without colour
            assert got[1] == ("✗1/2" if r.branch_id == first.id else "2/2")
            # 党课: the rota's lectures held this quarter (October, November) count.
            assert got[2:] == ["6/6", "2/2", "0/1", "1/1" if r.branch_id in lectured else "0/1"]
        # Overdue cells are red as well as marked.
        assert rows[0].branch_id == first.id
        overdue = table.get_row(rows[0].branch_id)[1]
        assert "red" in str(overdue.style)
        # Refilling keeps the cursor on the same branch.
        table.move_cursor(row=2)
        table.show(compliance.home_table(demo_store, TODAY))
        assert table.current_branch_id() == rows[2].branch_id
        screen_text = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "✗1/2" in screen_text and "主题党日" in screen_text


# -- wired through the app actions -------------------------------------------------------


def _wired(store: Store):
    from tui.app import ZhibuApp

    return ZhibuApp(store.path, store, today=TODAY)


async def test_app_actions_member_lookup_home_item_and_report(demo_store: Store, tmp_path) -> None:
    ensure_demo_dues(demo_store)
    branch = org.branches(demo_store)[0]
    someone = people.members_of(demo_store, branch.id)[3]
    app = _wired(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # Anywhere: member lookup by pinyin, then the record.
        app.go(Place.MEMBER_LOOKUP)
        await settle(pilot)
        assert isinstance(app.screen, PickPersonScreen)
        await pilot.press(*someone.name, "enter")
        await settle(pilot)
        assert isinstance(app.screen, MemberRecordScreen)
        assert app.screen.person_id == someone.id
        assert shown(app.screen.query_one("#mr-head", Static)).startswith(someone.name)
        await pilot.press("escape")
        await settle(pilot)
        # The home screen's 党费 line opens the member's record.
        item = dues_home.home_items(demo_store, TODAY)[0]
        assert item.action is not None
        app.follow(item.action)
        await settle(pilot)
        assert isinstance(app.screen, MemberRecordScreen)
        assert "已连续6个月未交纳党费" in shown(app.screen.query_one("#mr-dues-line", Static))
        await pilot.press("escape")
        await settle(pilot)
        # 季度报告: the participation screen asks for the folder, exports in a worker.
        app.go(Place.EXPORT_REPORT)
        await settle(pilot)
        folder = tmp_path / "报告"
        await pilot.press("end", "ctrl+u", *str(folder), "enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(app.screen, ParticipationScreen)
        assert [p.name for p in folder.iterdir()] == [f"季度报告_{branch.name}_2026Q4.docx"]
        assert "已导出" in shown(app.screen.query_one("#pt-summary", Static))


async def test_grid_save_conflict_keeps_entries_and_explains(
    make_demo_app, demo_store: Store
) -> None:
    ensure_demo_dues(demo_store)
    branch = org.branches(demo_store)[3]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(DuesGridScreen(branch.id, month=date(2026, 12, 1)))
        await settle(pilot)
        grid = app.screen
        await pilot.press("space", "space")
        await settle(pilot)
        # Meanwhile another secretary saves the second member's December.
        second = grid.order[1]
        other = dues_store.month_grid(demo_store, branch.id, date(2026, 12, 1), TODAY)[1]
        dues_store.save(demo_store, other.record, branch.id)
        await pilot.press("ctrl+s")
        await settle(pilot)
        status = shown(grid.query_one("#dg-status", Static))
        assert "Ctrl+D" in status and "冲突" in status
        assert grid.changed
        rows = demo_store.query("SELECT person_id FROM dues WHERE month='2026-12-01'")
        assert [r["person_id"] for r in rows] == [second]  # nothing of ours was written
        # Ctrl+D reloads; the first entry is redone and saved.
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert not grid.changed
        table = grid.query_one("#dg-table", DataTable)
        table.move_cursor(row=0)
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
    n = demo_store.scalar("SELECT count(*) FROM dues WHERE month='2026-12-01'")
    assert n == len(people.members_of(demo_store, branch.id))
