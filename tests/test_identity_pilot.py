"""我是谁 requests, their approval by the branch's granted 书记, the roster-职务
impostor, and the PIN prompt (wrong PIN, lockout, asked again after idle)."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from domain.people_codes import CommitteePost
from screens.followups.listing import FollowupListScreen
from screens.followups.timeline import FollowupTimelineScreen
from screens.pin import PinScreen
from screens.roster.account_requests import AccountRequestsScreen
from services import identity
from storage import accounts, people
from storage.db import SqliteStore, Store
from tests.factories import TODAY, grant_secretary
from tests.test_followups_pilot import _cast, _private_case, _table_text
from tui.app import ZhibuApp

SECRET = "配偶患癌住院"


class Clock:
    def __init__(self) -> None:
        self.t = 5000.0

    def __call__(self) -> float:
        return self.t


def app_as(store: Store, account: str) -> tuple[ZhibuApp, Store]:
    s = SqliteStore(store.path, actor=account)
    return ZhibuApp(s.path, s, today=TODAY), s


def shown(widget: Static) -> str:
    return str(widget.render())


async def settle(pilot, done) -> None:  # type: ignore[no-untyped-def]
    """Pause until *done()* (a loaded machine may need more than one pause)."""
    for _ in range(60):
        await pilot.pause()
        if done():
            return
        await pilot.pause(0.05)


async def open_row(pilot, app: ZhibuApp, fu_id: str) -> None:
    listing = app.screen
    table = listing.query_one("#fl-table", DataTable)
    table.move_cursor(row=table.get_row_index(fu_id))
    table.focus()
    await pilot.press("enter")
    await settle(pilot, lambda: app.screen is not listing)


async def test_who_am_i_only_requests_and_the_granted_secretary_approves(demo_store) -> None:
    branch, sec, worker, member, _ = _cast(demo_store)
    fu = _private_case(demo_store, branch, worker, member)
    grant_secretary(demo_store, "sec", sec)
    app, mine = app_as(demo_store, "tester")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupListScreen("我的"))
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        await pilot.press(*member.name, "enter")
        await pilot.pause()
        assert isinstance(app.screen, FollowupListScreen)
        line = shown(app.screen.query_one("#fl-status-line", Static))
        assert "待批准" in line and member.name in line
        assert app.screen.query_one("#fl-table", DataTable).row_count == 0
        # Nothing private is visible before approval: the branch list redacts it…
        await pilot.press("2")
        await pilot.pause()
        listed = _table_text(app.screen.query_one("#fl-table", DataTable))
        assert worker.name not in listed and "保密" in listed
        # …and so does the case itself.
        await open_row(pilot, app, fu.id)
        assert isinstance(app.screen, FollowupTimelineScreen)
        head = shown(app.screen.query_one("#tl-head", Static))
        assert SECRET not in head and worker.name not in head
    assert accounts.lookup(demo_store, "tester") is None
    assert identity.acting_roles(mine).grants == ()
    mine.close()

    # The branch's granted 书记 sees the request and approves it.
    app, sec_store = app_as(demo_store, "sec")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(AccountRequestsScreen())
        await pilot.pause()
        table = app.screen.query_one("#ar-table", DataTable)
        assert table.row_count == 1 and "tester" in _table_text(table)
        await pilot.press("a")
        await pilot.pause()
        assert app.screen.query_one("#ar-table", DataTable).row_count == 0
    sec_store.close()
    assert accounts.lookup(demo_store, "tester") == member.id
    assert {"actor": "sec", "action": "approve"} in demo_store.query(
        "SELECT actor, action FROM audit WHERE table_name='account_requests'"
    )

    # Approved: "mine" lists the case and its details are readable.
    app, mine = app_as(demo_store, "tester")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupListScreen("我的"))
        await pilot.pause()
        assert app.screen.query_one("#fl-table", DataTable).row_count >= 1
        await open_row(pilot, app, fu.id)
        head = shown(app.screen.query_one("#tl-head", Static))
        assert SECRET in head and worker.name in head
    mine.close()


async def test_a_member_who_is_not_secretary_cannot_approve(demo_store) -> None:
    branch, sec, worker, member, other = _cast(demo_store)
    accounts.map_account(demo_store, "plain", other.id)
    SqliteStore(demo_store.path, actor="newbie").close()
    identity.request_mapping(SqliteStore(demo_store.path, actor="newbie"), member.id)
    app, s = app_as(demo_store, "plain")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(AccountRequestsScreen())
        await pilot.pause()
        assert app.screen.query_one("#ar-table", DataTable).row_count == 0
        assert "只有管理员或支部书记" in shown(app.screen.query_one("#ar-status", Static))
    s.close()
    assert accounts.lookup(demo_store, "newbie") is None


async def test_roster_post_secretary_impostor_sees_nothing_private(demo_store) -> None:
    """The issue's repro: claim an unclaimed member, then set that member's 职务
    to 书记 in the roster. Before: two 书记, the first by pinyin saw every
    private case. Now only the granted 书记 does."""
    branch, sec, worker, member, other = _cast(demo_store)
    fu = _private_case(demo_store, branch, worker, member)
    grant_secretary(demo_store, "sec", sec)
    accounts.map_account(demo_store, "mallory", other.id)  # an approved plain member
    people.save(demo_store, other.model_copy(update={"post": CommitteePost.SECRETARY}))
    for account, sees in (("mallory", False), ("sec", True)):
        app, s = app_as(demo_store, account)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            app.push_screen(FollowupListScreen("本支部"))
            await pilot.pause()
            await open_row(pilot, app, fu.id)
            head = shown(app.screen.query_one("#tl-head", Static))
            assert (SECRET in head) is sees, account
        s.close()


async def _type_pin(pilot, app: ZhibuApp, pin: str) -> str:
    assert isinstance(app.screen, PinScreen)
    prompt = app.screen
    field = prompt.query_one("#pin-input", Input)
    assert field.password
    error = prompt.query_one("#pin-error", Static)
    before = shown(error)
    await pilot.press(*pin, "enter")
    await settle(pilot, lambda: app.screen is not prompt or shown(error) != before)
    await pilot.pause()
    if isinstance(app.screen, PinScreen):
        return shown(app.screen.query_one("#pin-error", Static))
    return ""


async def test_pin_before_private_details_and_again_after_idle(demo_store) -> None:
    branch, sec, worker, member, _ = _cast(demo_store)
    fu = _private_case(demo_store, branch, worker, member)
    grant_secretary(demo_store, "shared", sec)
    admin = SqliteStore(demo_store.path, actor="root")
    identity.set_pin(admin, "shared", "731902")
    admin.close()
    clock = Clock()
    app, s = app_as(demo_store, "shared")
    app.pin_session = identity.attach_session(s, identity.PinSession(clock=clock, idle_limit=600))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupListScreen("本支部"))
        await pilot.pause()
        # Before the PIN the secretary's list is redacted like anyone's.
        assert worker.name not in _table_text(app.screen.query_one("#fl-table", DataTable))
        await open_row(pilot, app, fu.id)
        assert "PIN 不对" in await _type_pin(pilot, app, "000000")
        assert "731902" not in app.screen.query_one("#pin-input", Input).value
        assert await _type_pin(pilot, app, "731902") == ""
        assert isinstance(app.screen, FollowupTimelineScreen)
        assert SECRET in shown(app.screen.query_one("#tl-head", Static))
        await pilot.press("escape")
        await pilot.pause()
        # Activity keeps the PIN; ten idle minutes do not.
        clock.t += 500
        await pilot.press("2")
        clock.t += 500
        await open_row(pilot, app, fu.id)
        assert isinstance(app.screen, FollowupTimelineScreen)
        await pilot.press("escape")
        await pilot.pause()
        clock.t += 601
        await open_row(pilot, app, fu.id)
        assert isinstance(app.screen, PinScreen)  # asked again
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FollowupListScreen)
    s.close()
    actions = [r["action"] for r in demo_store.query(
        "SELECT action FROM audit WHERE table_name='account_pins' AND record_id='shared'")]  # fmt: skip
    assert actions == ["pin_set", "pin_fail", "pin_ok"]


async def test_pin_lockout_after_five_failures_survives_a_restart(demo_store) -> None:
    branch, sec, worker, member, _ = _cast(demo_store)
    fu = _private_case(demo_store, branch, worker, member)
    grant_secretary(demo_store, "shared", sec)
    admin = SqliteStore(demo_store.path, actor="root")
    identity.set_pin(admin, "shared", "731902")
    admin.close()
    app, s = app_as(demo_store, "shared")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupListScreen("本支部"))
        await pilot.pause()
        await open_row(pilot, app, fu.id)
        for _ in range(identity.MAX_FAILURES - 1):
            assert "PIN 不对" in await _type_pin(pilot, app, "111111")
        assert "锁定 5 分钟" in await _type_pin(pilot, app, "111111")
        assert "锁定" in await _type_pin(pilot, app, "731902")  # even the right one, for now
    s.close()
    app, s = app_as(demo_store, "shared")  # a restart
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupListScreen("本支部"))
        await pilot.pause()
        await open_row(pilot, app, fu.id)
        assert "锁定" in await _type_pin(pilot, app, "731902")
    s.close()
    row = demo_store.query_one("SELECT failures, locked_until FROM account_pins")
    assert row["failures"] == 5 and row["locked_until"]


async def test_shared_account_is_asked_at_start_and_locked_after_idle(demo_store) -> None:
    from screens.home import HomeScreen

    branch, sec, worker, member, _ = _cast(demo_store)
    fu = _private_case(demo_store, branch, worker, member)
    grant_secretary(demo_store, "shared", sec)
    admin = SqliteStore(demo_store.path, actor="root")
    identity.set_pin(admin, "shared", "731902")
    admin.close()
    clock = Clock()
    app, s = app_as(demo_store, "shared")
    app.pin_session = identity.attach_session(s, identity.PinSession(clock=clock, idle_limit=600))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PinScreen)  # asked before anything else
        assert await _type_pin(pilot, app, "731902") == ""
        assert isinstance(app.screen, HomeScreen)
        app.push_screen(FollowupTimelineScreen(fu.id))
        await pilot.pause()
        assert SECRET in shown(app.screen.query_one("#tl-head", Static))
        clock.t += 300
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, FollowupTimelineScreen)  # not idle long enough
        clock.t += 301
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, PinScreen)  # locked over the private details
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert not any(isinstance(x, FollowupTimelineScreen) for x in app.screen_stack)
    s.close()


async def test_an_account_without_a_pin_is_not_asked(demo_store) -> None:
    from screens.home import HomeScreen

    app, s = app_as(demo_store, "tester")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    s.close()


def test_home_items_hide_private_cases_until_the_pin(demo_store) -> None:
    from services.home import due_items

    branch, sec, worker, member, _ = _cast(demo_store)
    fu = _private_case(demo_store, branch, worker, member)
    with demo_store.write() as c:  # due today, so the home screen lists it
        c.execute("UPDATE followups SET next_contact=? WHERE id=?", (TODAY.isoformat(), fu.id))
    grant_secretary(demo_store, "shared", sec)
    admin = SqliteStore(demo_store.path, actor="root")
    identity.set_pin(admin, "shared", "731902")
    admin.close()
    s = SqliteStore(demo_store.path, actor="shared")
    session = identity.attach_session(s, identity.PinSession())

    def line() -> str:
        return next(i.text for i in due_items(s, TODAY) if i.action and fu.id in i.action.args)

    assert worker.name not in line() and "保密事项" in line()
    assert identity.verify_pin(s, "731902", session).ok
    assert worker.name in line()
    s.close()
