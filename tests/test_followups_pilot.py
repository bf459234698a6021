"""一人一事 by keyboard at 80×24: file from the home screen, then log
contacts, escalate, resolve, return-visit, close and reopen — every step
asserted on SQLite. Also privacy on screen, drafts, errors, export, triggers.

The app's home keys (f, o) come from the route registry (screens/registry.py).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import docx
from textual.widgets import DataTable, Input, Static

from domain import followups as fx
from domain.followups import Actor, FollowUpConfig, QuickForm
from domain.people import Person, PoliticalStatus
from screens.followups.contact import ContactForm
from screens.followups.export import LedgerExportScreen
from screens.followups.listing import FollowupListScreen
from screens.followups.quick import QuickFileScreen
from screens.followups.step import StepForm
from screens.followups.timeline import PRIVATE_NOTE, FollowupTimelineScreen
from screens.followups.triggers import TriggerCatalogueScreen
from screens.home import HomeScreen
from screens.registry import DRAFT_KINDS
from storage import accounts, drafts, org, people
from storage import followups as fu_store
from tests.factories import TODAY, grant_secretary
from tests.reliability_helpers import until
from tui.app import ZhibuApp

MAX_KEYS_TO_FILE = 40


def wired_app(store) -> ZhibuApp:
    return ZhibuApp(store.path, store, today=TODAY)


class Keys:
    """Counts the keys a user presses (typed text counted apart)."""

    def __init__(self, pilot) -> None:
        self.pilot = pilot
        self.pressed = 0
        self.typed = 0

    async def press(self, *keys: str) -> None:
        for k in keys:
            self.pressed += 1
            await self.pilot.press(k)
            await self.pilot.pause()

    async def type(self, value: str) -> None:
        self.typed += len(value)
        await self.pilot.press(*value)
        await self.pilot.pause()


def _cast(store):
    branch = org.branches(store)[0]
    roster = people.list_branch(store, branch.id)
    sec = people.secretary_of(store, branch.id)
    members = [p for p in roster if p.is_member and p.id != sec.id]
    workers = [p for p in roster if p.status is PoliticalStatus.MASSES]
    names = [p.name for p in roster]
    # Names typed in full must find exactly the one person.
    worker = next(w for w in workers if names.count(w.name) == 1)
    member = next(m for m in members if names.count(m.name) == 1)
    other = next(m for m in members if m.id != member.id)
    return branch, sec, worker, member, other


def _data(store, fu_id: str) -> dict:
    row = store.query_one("SELECT * FROM followups WHERE id=?", (fu_id,))
    return {**row, "body": json.loads(row["data"])}


def _table_text(table: DataTable) -> str:
    return "\n".join(
        " ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)
    )


async def test_file_and_work_a_case_by_keyboard(demo_store) -> None:
    branch, sec, worker, member, _ = _cast(demo_store)
    accounts.map_account(demo_store, "tester", sec.id)
    before = {r["id"] for r in demo_store.query("SELECT id FROM followups")}
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        k = Keys(pilot)
        # -- quick file from the home screen ------------------------------
        await k.press("f")
        assert isinstance(app.screen, QuickFileScreen)
        await k.type(worker.name)
        await k.press("enter")  # picker opens with the name
        await k.press("enter")  # pick the first hit
        await k.press("enter")  # open the trigger list
        await k.type("t2")
        await k.press("enter")  # 违章违纪; focus moves to 简要情况
        await k.type("班中睡岗被查")
        await k.press("enter")  # → 责任人 (preset to me; typing replaces it)
        await k.type(member.name)
        await k.press("enter", "enter")
        await k.press("ctrl+s")
        assert isinstance(app.screen, HomeScreen)
        assert k.pressed <= MAX_KEYS_TO_FILE, k.pressed
        assert k.pressed == 9  # f, 5×enter, 2×enter in pickers… counted above
        new = [
            r["id"] for r in demo_store.query("SELECT id FROM followups") if r["id"] not in before
        ]
        assert len(new) == 1
        fu_id = new[0]
        row = _data(demo_store, fu_id)
        assert (row["branch_id"], row["person_id"], row["responsible_id"]) == (
            branch.id,
            worker.id,
            member.id,
        )
        assert (row["status"], row["level"], row["next_contact"]) == ("待办", "一般", "2026-11-25")
        assert row["body"]["trigger_code"] == "T2"
        assert row["body"]["trigger_text"] == "必谈：违章违纪"
        assert row["body"]["description"] == "班中睡岗被查"
        assert drafts.load(demo_store, "followup", "new") is None

        # -- find it in the branch list and open its timeline -------------
        await k.press("o")
        assert isinstance(app.screen, FollowupListScreen)
        await k.press("2")
        table = app.screen.query_one("#fl-table", DataTable)
        keys = [str(r.value) for r in table.rows]
        await k.press(*["down"] * keys.index(fu_id), "enter")
        assert isinstance(app.screen, FollowupTimelineScreen)
        timeline = app.screen

        # -- two talks: the first moves the due date to talk + 7 days ---------
        assert _data(demo_store, fu_id)["next_contact"] == "2026-11-25"
        await k.press("c")
        assert isinstance(app.screen, ContactForm)
        await k.type("谈心承认错误")
        await k.press("ctrl+s")
        assert app.screen is timeline
        row = _data(demo_store, fu_id)
        assert (row["status"], row["next_contact"]) == ("跟进中", "2026-11-29")
        assert row["body"]["contacts"][0]["content"] == "谈心承认错误"
        assert row["body"]["contacts"][0]["by_id"] == sec.id  # the mapped viewer talked
        await k.press("c")
        await k.type("家访了解到家中老人生病")
        await k.press("shift+tab", "shift+tab", "shift+tab", "shift+tab")  # → 日期
        await k.type("11-20")  # before the case was found: refused, form stays
        await k.press("ctrl+s")
        form = app.screen
        assert isinstance(form, ContactForm)
        assert "不能早于发现日期" in str(form.query_one("#e-on", Static).render())
        assert len(_data(demo_store, fu_id)["body"]["contacts"]) == 1
        await k.type("今天")  # the error focused the date field, selected
        await k.press("ctrl+s")
        assert app.screen is timeline
        row = _data(demo_store, fu_id)
        assert [c["method"] for c in row["body"]["contacts"]] == ["谈心", "谈心"]
        assert row["next_contact"] == "2026-11-29"

        # -- escalate ------------------------------------------------------
        await k.press("u")
        assert isinstance(app.screen, StepForm)
        await k.type("基层党委")
        await k.press("enter")
        await k.type("反复睡岗")
        await k.press("ctrl+s")
        row = _data(demo_store, fu_id)
        assert row["status"] == "转上级"
        assert row["body"]["escalations"][0]["to_whom"] == "基层党委"
        assert row["body"]["escalations"][0]["reason"] == "反复睡岗"

        # -- resolve ------------------------------------------------------
        await k.press("s")
        await k.type("已调整到白班")
        await k.press("ctrl+s")
        row = _data(demo_store, fu_id)
        assert (row["status"], row["next_contact"]) == ("已解决", "2026-12-22")
        assert row["body"]["outcome"] == "已调整到白班"

        # -- return visit ---------------------------------------------------
        await k.press("v")
        await k.type("工作安心")
        await k.press("ctrl+s")
        row = _data(demo_store, fu_id)
        assert (row["status"], row["next_contact"]) == ("已回访", None)
        visit = row["body"]["contacts"][-1]
        assert visit["return_visit"] is True and visit["content"] == "工作安心"
        assert visit["by_id"] == member.id  # the 包保党员 by default

        # -- close (销号) -----------------------------------------------------
        await k.press("k")
        await k.press("ctrl+s")
        row = _data(demo_store, fu_id)
        assert row["status"] == "销号"
        assert [c["to_status"] for c in row["body"]["status_changes"]] == [
            "跟进中",
            "转上级",
            "已解决",
            "已回访",
            "销号",
        ]
        # The closed case offers reopen only.
        assert not timeline.check_action("contact", ())
        assert timeline.check_action("reopen", ())

        # -- reopen -----------------------------------------------------------
        await k.press("o")
        await k.type("本人又有情绪")
        await k.press("ctrl+s")
        row = _data(demo_store, fu_id)
        assert (row["status"], row["next_contact"]) == ("跟进中", "2026-11-29")
        table = timeline.query_one("#tl-table", DataTable)
        text = _table_text(table)
        for entry in (
            "发现",
            "上报基层党委：反复睡岗",
            "回访",
            "已回访 → 销号",
            "重新打开：本人又有情绪",
        ):
            assert entry in text
        assert app.screen is timeline
    assert drafts.list_mine(demo_store) == [] or all(
        not d.workflow.startswith("followup") for d in drafts.list_mine(demo_store)
    )


def _private_case(store, branch, worker: Person, member: Person):
    cat = fu_store.catalogue(store, branch.id)
    form = QuickForm(
        person_id=worker.id,
        person_name=worker.name,
        trigger_code="V1",
        summary="配偶患癌住院，急需用钱",
        responsible_id=member.id,
        responsible_name=member.name,
        found_on=TODAY - timedelta(days=1),
        private=True,
    )
    fu = fx.quick_file(form, cat, today=TODAY, config=FollowUpConfig())
    fu = fx.log_contact(
        fu,
        fx.make_contact(TODAY, Actor(member.id, member.name), content="医院探望"),
        FollowUpConfig(),
    )
    return fu_store.save(store, fu)


async def test_private_case_hidden_from_other_members_on_screen(demo_store) -> None:
    branch, sec, worker, member, other = _cast(demo_store)
    fu = _private_case(demo_store, branch, worker, member)
    accounts.map_account(demo_store, "tester", other.id)  # neither secretary nor responsible
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupListScreen("本支部"))
        await pilot.pause()
        table = app.screen.query_one("#fl-table", DataTable)
        keys = [str(r.value) for r in table.rows]
        cells = " ".join(str(c) for c in table.get_row_at(keys.index(fu.id)))
        assert "（保密）" in cells and member.name in cells and "2026-11-29" in cells
        listing = _table_text(table)
        for leak in (worker.name, "配偶", "住院", "医院"):
            assert leak not in listing
        table.move_cursor(row=keys.index(fu.id))
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FollowupTimelineScreen)
        head = str(screen.query_one("#tl-head", Static).render())
        assert PRIVATE_NOTE in head and "2026-11-29" in head
        assert worker.name not in head and "配偶" not in head
        assert screen.query_one("#tl-table", DataTable).row_count == 0
        for action in ("contact", "escalate", "resolve", "long_term"):
            assert not screen.check_action(action, ())
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is screen  # no form for a case you may not see
    assert not demo_store.query("SELECT 1 FROM audit WHERE record_id=? AND action='view'", (fu.id,))

    # The responsible member sees it all, and the read is audited.
    accounts.map_account(demo_store, "tester", member.id)
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupTimelineScreen(fu.id))
        await pilot.pause()
        head = str(app.screen.query_one("#tl-head", Static).render())
        assert worker.name in head and "配偶患癌住院" in head
        assert "医院探望" in _table_text(app.screen.query_one("#tl-table", DataTable))
    assert demo_store.query(
        "SELECT actor FROM audit WHERE record_id=? AND action='view'", (fu.id,)
    ) == [{"actor": "tester"}]


async def test_mine_without_mapping_explains_and_shows_nothing(demo_store) -> None:
    branch, _, worker, member, _ = _cast(demo_store)
    _private_case(demo_store, branch, worker, member)
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupListScreen("我的"))
        await pilot.pause()
        assert app.screen.query_one("#fl-table", DataTable).row_count == 0
        line = str(app.screen.query_one("#fl-status-line", Static).render())
        assert "tester" in line and "按 w" in line
        # w → pick yourself → a request, awaiting approval: still nobody.
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*member.name, "enter")
        await pilot.pause()
        assert accounts.lookup(demo_store, "tester") is None
        line = str(app.screen.query_one("#fl-status-line", Static).render())
        assert "待批准" in line and member.name in line
        assert app.screen.query_one("#fl-table", DataTable).row_count == 0


async def test_quick_form_errors_draft_and_new_person(demo_store) -> None:
    branch, *_ = _cast(demo_store)
    count = int(demo_store.scalar("SELECT count(*) FROM followups"))
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        form = app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        errors = {w.id: str(w.render()) for w in form.query(".field-error.-shown")}
        assert set(errors) == {"e-person", "e-trigger", "e-summary", "e-responsible"}
        assert "请选择对象" in errors["e-person"]
        assert int(demo_store.scalar("SELECT count(*) FROM followups")) == count
        # Typed text reaches the drafts table within the debounce.
        form.query_one("#f-summary", Input).focus()
        await pilot.press(*"夜班后情绪差")
        await pilot.pause(0.8)
        saved = drafts.load(demo_store, "followup", "new")
        assert saved["values"]["summary"] == "夜班后情绪差"
        # A new worker typed in: "＋ 新增" creates a 群众 in the branch on save.
        form.query_one("#f-person", Input).focus()
        await pilot.press(*"新工人", "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert form.query_one("#f-person", Input).value == "新工人"
        await pilot.press("escape")  # close, keeping the draft
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        form = app.screen
        assert form.query_one("#f-summary", Input).value == "夜班后情绪差"
        assert form.query_one("#f-person", Input).value == "新工人"
        form.query_one("#f-trigger").value = "T6"
        await pilot.pause()  # choosing a trigger moves focus on to 简要情况
        resp = people.members_of(demo_store, branch.id)[0]
        form.query_one("#f-responsible", Input).focus()
        await pilot.press(*resp.name, "enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    person = demo_store.query_one("SELECT * FROM people WHERE name='新工人'")
    assert (person["status"], person["branch_id"]) == ("群众", branch.id)
    row = demo_store.query_one("SELECT * FROM followups WHERE person_id=?", (person["id"],))
    assert json.loads(row["data"])["trigger_code"] == "T6"
    assert drafts.load(demo_store, "followup", "new") is None


async def test_export_key_in_the_list_writes_the_ledger(demo_store, tmp_path: Path) -> None:
    branch, sec, worker, member, _ = _cast(demo_store)
    _private_case(demo_store, branch, worker, member)
    grant_secretary(demo_store, "tester", sec)
    out = tmp_path / "导出"
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupListScreen("本支部"))
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, LedgerExportScreen)
        dialog.query_one("#x-dir", Input).value = str(out)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(dialog.query_one("#x-status", Static).render())
        assert "已导出 采油一队党支部" in status
    files = list(out.glob("*.docx"))
    assert [f.name for f in files] == [f"一人一事台账_{branch.name}_2026年1月1日至2026年11月22日.docx"]
    rows = [[c.text for c in r.cells] for r in docx.Document(str(files[0])).tables[0].rows]
    # The default is the 外发版, for the secretary too (tests/test_private_exports_pilot.py).
    assert not [r for r in rows if r[1] == worker.name]
    assert "保密，详见内部版" in [r[5] for r in rows]


async def test_trigger_editor_adds_a_trigger_offered_in_the_quick_form(demo_store) -> None:
    branch, *_ = _cast(demo_store)
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(TriggerCatalogueScreen(branch.id))
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"转岗待岗", "enter")
        await pilot.pause()
        table = app.screen.query_one("#tc-table", DataTable)
        assert "转岗待岗" in _table_text(table)
        table.move_cursor(row=0)
        await pilot.press("d")  # retire T1
        await pilot.pause()
    cat = fu_store.catalogue(demo_store, branch.id)
    assert (cat.triggers[-1].code, cat.triggers[-1].text) == ("T7", "转岗待岗")
    assert cat.triggers[0].active is False
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(QuickFileScreen(branch.id))
        await pilot.pause()
        options = [str(p) for p, _ in app.screen.query_one("#f-trigger")._options]
        assert any("转岗待岗" in o for o in options)
        assert not any(o.startswith("T1 ") for o in options)


async def test_contact_draft_is_kept_and_resumed(demo_store) -> None:
    branch, sec, worker, member, _ = _cast(demo_store)
    accounts.map_account(demo_store, "tester", member.id)
    fu = fu_store.save(
        demo_store,
        fx.quick_file(
            QuickForm(
                person_id=worker.id,
                person_name=worker.name,
                trigger_code="T5",
                summary="与班长争吵",
                responsible_id=member.id,
                responsible_name=member.name,
            ),
            fu_store.catalogue(demo_store, branch.id),
            today=TODAY,
            config=FollowUpConfig(),
        ),
    )
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupTimelineScreen(fu.id))
        await pilot.pause()
        await pilot.press("c")
        # Wait on conditions, not fixed pauses (flaky under load): the form is
        # up and its text area has the focus before typing.
        assert await until(
            pilot,
            lambda: isinstance(app.screen, ContactForm)
            and app.focused is app.screen.query_one("#f-content"),
        )
        await pilot.press(*"双方已和解")
        await pilot.press("escape")  # SSH drops, or the user leaves: the draft stays
        assert await until(pilot, lambda: isinstance(app.screen, FollowupTimelineScreen))
    saved = drafts.load(demo_store, "followup_contact", fu.id)
    assert saved["values"]["content"] == "双方已和解"
    assert fu_store.get(demo_store, fu.id).contacts == ()
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        DRAFT_KINDS["followup_contact"].resume(app, fu.id)
        assert await until(
            pilot,
            lambda: isinstance(app.screen, ContactForm)
            and app.focused is app.screen.query_one("#f-content"),
        )
        form = app.screen
        assert form.query_one("#f-content").text == "双方已和解"
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: not isinstance(app.screen, ContactForm))
    assert fu_store.get(demo_store, fu.id).contacts[0].content == "双方已和解"
    assert drafts.load(demo_store, "followup_contact", fu.id) is None


async def test_health_and_hardship_triggers_suggest_private(demo_store) -> None:
    branch, *_ = _cast(demo_store)
    app = wired_app(demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(QuickFileScreen(branch.id))
        await pilot.pause()
        form = app.screen
        box = form.query_one("#f-private")
        form.query_one("#f-trigger").value = "V1"  # 有病住院: health
        await pilot.pause()
        assert box.value is True
        form.query_one("#f-trigger").value = "T2"
        await pilot.pause()
        assert box.value is False
        box.focus()
        await pilot.press("space")  # the user decides: no more suggestions
        await pilot.pause()
        form.query_one("#f-trigger").value = "T5"
        await pilot.pause()
        assert box.value is True
