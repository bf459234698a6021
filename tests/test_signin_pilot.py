"""A shared OS account: it starts as nobody; 切换身份 signs a person in with
their personal PIN (per-person lockout, audited), idle time signs them out,
and every write while signed in is audited as ACCOUNT(as PERSON)."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, OptionList, Static

from domain.people import Person
from screens.followups.timeline import FollowupTimelineScreen
from screens.home import HomeScreen
from screens.signin import SignInScreen
from services import identity
from storage import people
from storage.db import SqliteStore as Store
from tests.factories import TODAY, grant_secretary
from tests.test_followups_pilot import _cast, _private_case
from tests.test_identity_pilot import SECRET, Clock, app_as, settle, shown
from widgets.person_picker import PickPersonScreen

PIN = "731902"


def _shared_with_secretary(store: Store) -> tuple[Person, str]:
    """A shared account 'site'; the branch's granted 书记 has a personal PIN."""
    branch, sec, worker, member, _ = _cast(store)
    fu = _private_case(store, branch, worker, member)
    grant_secretary(store, "sec", sec)
    admin = Store(store.path, actor="root")
    identity.set_shared(admin, "site", True)
    identity.set_person_pin(admin, sec.name, PIN, branch=None, person_id=sec.id)
    admin.close()
    return sec, fu.id


async def _sign_in(pilot, app, person: Person, pin: str) -> str:  # type: ignore[no-untyped-def]
    """Drive 切换身份: pick *person*, type *pin*; the error line ('' once in)."""
    if not isinstance(app.screen, SignInScreen | PickPersonScreen):
        await pilot.press("s")
        await settle(pilot, lambda: isinstance(app.screen, PickPersonScreen | SignInScreen))
    if isinstance(app.screen, SignInScreen) and app.screen.person is None:
        await settle(pilot, lambda: isinstance(app.screen, PickPersonScreen))
    if isinstance(app.screen, PickPersonScreen):
        picker = app.screen
        await pilot.press(*person.name)
        await pilot.pause()
        lst = picker.query_one(OptionList)
        lst.highlighted = next(
            i for i in range(lst.option_count) if lst.get_option_at_index(i).id == person.id
        )
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, SignInScreen))
    prompt = app.screen
    assert isinstance(prompt, SignInScreen)
    field = prompt.query_one("#signin-pin", Input)
    assert field.password
    error = prompt.query_one("#signin-error", Static)
    before = shown(error)
    field.focus()
    await pilot.press(*pin, "enter")
    await settle(pilot, lambda: app.screen is not prompt or shown(error) != before)
    await pilot.pause()
    return shown(error) if app.screen is prompt else ""


async def test_shared_account_starts_as_nobody_and_the_secretary_signs_in(demo_store) -> None:
    sec, fu_id = _shared_with_secretary(demo_store)
    app, s = app_as(demo_store, "site")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # not asked: nobody until 切换身份
        me = identity.acting_roles(s)
        assert me.acting_person_id is None and not me.secretary_branches()
        app.push_screen(FollowupTimelineScreen(fu_id))
        await pilot.pause()
        assert SECRET not in shown(app.screen.query_one("#tl-head", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert await _sign_in(pilot, app, sec, PIN) == ""
        assert isinstance(app.screen, HomeScreen)
        assert identity.acting_roles(s).acting_person_id == sec.id
        app.push_screen(FollowupTimelineScreen(fu_id))
        await pilot.pause()
        assert SECRET in shown(app.screen.query_one("#tl-head", Static))
    s.close()


async def test_home_key_and_palette_offer_sign_in(demo_store) -> None:
    _shared_with_secretary(demo_store)
    app, s = app_as(demo_store, "site")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        from widgets.footer import shown_keys

        assert ("s", "切换身份", True, "") in shown_keys(app.screen)  # in the footer
        from screens.registry import palette

        assert {"切换身份", "退出身份"} <= {entry.title for entry, _ in palette()}
    s.close()
    app, s = app_as(demo_store, "sec")  # a one-person account: not in the footer
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "切换身份" not in {k[1] for k in shown_keys(app.screen)}
    s.close()


async def test_wrong_pin_refused_and_five_failures_lock_that_person(demo_store) -> None:
    sec, _ = _shared_with_secretary(demo_store)
    other = next(
        p for p in people.list_branch(demo_store, sec.branch_id) if p.is_member and p.id != sec.id
    )
    admin = Store(demo_store.path, actor="root")
    identity.set_person_pin(admin, other.name, "246813", branch=None, person_id=other.id)
    admin.close()
    app, s = app_as(demo_store, "site")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "PIN 不对" in await _sign_in(pilot, app, sec, "000000")
        assert identity.acting_roles(s).acting_person_id is None
        for _ in range(identity.MAX_FAILURES - 2):
            assert "PIN 不对" in await _sign_in(pilot, app, sec, "000000")
        assert "锁定 5 分钟" in await _sign_in(pilot, app, sec, "000000")
        assert "锁定" in await _sign_in(pilot, app, sec, PIN)  # even the right one
        assert identity.acting_roles(s).acting_person_id is None
    s.close()
    app, s = app_as(demo_store, "site")  # a restart keeps the lockout
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "锁定" in await _sign_in(pilot, app, sec, PIN)
        await pilot.press("escape")
        await pilot.pause()
        # The lockout is that person's: another signs in at the same account.
        assert await _sign_in(pilot, app, other, "246813") == ""
        assert identity.acting_roles(s).acting_person_id == other.id
    s.close()
    fails = demo_store.query(
        "SELECT actor, action, record_id FROM audit WHERE table_name='account_pins'"
        " AND action IN ('pin_fail', 'pin_lockout')"
    )
    assert [r["action"] for r in fails] == ["pin_fail"] * 4 + ["pin_lockout"]
    assert {r["actor"] for r in fails} == {"site"}
    assert len({r["record_id"] for r in fails}) == 1 and sec.id in fails[0]["record_id"]


async def test_ten_idle_minutes_return_to_nobody(demo_store) -> None:
    sec, fu_id = _shared_with_secretary(demo_store)
    clock = Clock()
    app, s = app_as(demo_store, "site")
    app.pin_session = identity.attach_session(s, identity.PinSession(clock=clock, idle_limit=600))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert await _sign_in(pilot, app, sec, PIN) == ""
        app.push_screen(FollowupTimelineScreen(fu_id))
        await pilot.pause()
        assert SECRET in shown(app.screen.query_one("#tl-head", Static))
        clock.t += 300
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, FollowupTimelineScreen)
        assert s.actor == f"site(as {sec.name})"
        clock.t += 301
        app.lock_if_idle()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)  # the private case is closed
        assert not any(isinstance(x, FollowupTimelineScreen) for x in app.screen_stack)
        assert identity.acting_roles(s).acting_person_id is None
        assert s.actor == "site"
        app.push_screen(FollowupTimelineScreen(fu_id))
        await pilot.pause()
        assert SECRET not in shown(app.screen.query_one("#tl-head", Static))
        await pilot.press("escape")
        await pilot.pause()
        # A key pressed after the limit, before the check ran, signs out first.
        assert await _sign_in(pilot, app, sec, PIN) == ""
        clock.t += 601
        await pilot.press("o")  # would open the 一人一事 list
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert identity.acting_roles(s).acting_person_id is None and s.actor == "site"
    s.close()


async def test_a_save_while_signed_in_is_audited_as_account_and_person(demo_store) -> None:
    sec, _ = _shared_with_secretary(demo_store)
    app, s = app_as(demo_store, "site")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert await _sign_in(pilot, app, sec, PIN) == ""
        person = people.get(s, sec.id)
        assert person is not None
        people.save(s, person.model_copy(update={"phone": "13800000000"}))
        from domain.navigation import Place

        app.go(Place.SIGN_IN)
        await settle(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press("ctrl+o")  # 退出身份
        await settle(pilot, lambda: not isinstance(app.screen, SignInScreen))
        assert identity.acting_roles(s).acting_person_id is None
        person = people.get(s, sec.id)
        assert person is not None
        people.save(s, person.model_copy(update={"phone": "13900000000"}))
    s.close()
    actors = [
        r["actor"]
        for r in demo_store.query(
            "SELECT actor FROM audit WHERE table_name='people' AND record_id=? ORDER BY seq",
            (sec.id,),
        )
    ]
    assert actors[-2:] == [f"site(as {sec.name})", "site"]
    ok = demo_store.query_one(
        "SELECT actor FROM audit WHERE action='pin_ok' ORDER BY seq DESC LIMIT 1"
    )
    assert ok is not None and ok["actor"] == "site"


async def test_home_due_item_offers_sign_in_instead_of_redacting(demo_store) -> None:
    sec, fu_id = _shared_with_secretary(demo_store)
    long_ago = (TODAY - timedelta(days=400)).isoformat()
    with demo_store.write() as c:  # the most overdue, so 今日 lists it first
        c.execute("UPDATE followups SET next_contact=? WHERE id=?", (long_ago, fu_id))
    app, s = app_as(demo_store, "site")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        home = app.screen

        def listed() -> bool:
            return any(i.action and fu_id in i.action.args for i in getattr(home, "_due", ()))

        await settle(pilot, listed)
        lst = home.query_one("#due-list", OptionList)
        n = next(n for n, i in enumerate(home._due) if i.action and fu_id in i.action.args)
        lst.highlighted = lst.get_option_index(f"due{n}")
        lst.focus()
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, SignInScreen | PickPersonScreen))
        assert await _sign_in(pilot, app, sec, PIN) == ""
        await settle(pilot, lambda: isinstance(app.screen, FollowupTimelineScreen))
        assert SECRET in shown(app.screen.query_one("#tl-head", Static))
    s.close()


async def test_first_sign_in_sets_a_members_pin_but_not_a_secretarys(demo_store) -> None:
    branch, sec, worker, member, _ = _cast(demo_store)
    grant_secretary(demo_store, "sec", sec)
    admin = Store(demo_store.path, actor="root")
    identity.set_shared(admin, "site", True)
    admin.close()
    app, s = app_as(demo_store, "site")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        # The 书记 has no PIN: only an administrator may give one.
        assert "管理员" in await _sign_in(pilot, app, sec, "135790")
        await pilot.press("escape")
        await pilot.pause()
        await _sign_in(pilot, app, member, "135790")  # first time: typed once …
        prompt = app.screen
        assert isinstance(prompt, SignInScreen)
        again = prompt.query_one("#signin-pin2", Input)
        assert again.password and again.display
        again.focus()
        await pilot.press(*"135790", "enter")  # … and again
        await settle(pilot, lambda: app.screen is not prompt)
        assert identity.acting_roles(s).acting_person_id == member.id
    s.close()
    row = demo_store.query_one(
        "SELECT actor FROM audit WHERE action='pin_set' ORDER BY seq DESC LIMIT 1"
    )
    assert row is not None and row["actor"] == "site"


async def test_who_am_i_on_a_shared_account_is_the_sign_in_not_a_request(demo_store) -> None:
    from screens.followups.listing import FollowupListScreen
    from services.errors import Refused

    sec, _ = _shared_with_secretary(demo_store)
    app, s = app_as(demo_store, "site")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(FollowupListScreen("本支部"))
        await pilot.pause()
        await pilot.press("w")
        await settle(pilot, lambda: isinstance(app.screen, SignInScreen | PickPersonScreen))
        assert await _sign_in(pilot, app, sec, PIN) == ""
        assert identity.acting_roles(s).acting_person_id == sec.id
    s.close()
    assert demo_store.query("SELECT * FROM account_requests") == []
    try:
        identity.request_mapping(Store(demo_store.path, actor="site"), sec.id)
    except Refused as e:
        assert "切换身份" in str(e)
    else:
        raise AssertionError("a shared account filed a mapping request")


async def test_sign_in_dialog_fits_80x24(demo_store) -> None:
    from tests.clipping import clipped

    sec, _ = _shared_with_secretary(demo_store)
    app, s = app_as(demo_store, "site")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "PIN 不对" in await _sign_in(pilot, app, sec, "000000")
        assert isinstance(app.screen, SignInScreen)
        assert clipped(app.screen) == []
    s.close()
