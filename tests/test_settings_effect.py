"""A configuration file's rule options change what the user sees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from domain.navigation import Place
from services.settings import load_settings
from storage.db import Store
from tests import factories as f
from tests.test_branch_term import _elect
from tui.cli import main


@pytest.fixture
def five_year_terms(tmp_path: Path) -> Path:
    path = tmp_path / "xdg-config" / "zhibu" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("[rules.branch]\nterm_years = 5\n", encoding="utf-8")
    return path


async def test_term_years_from_the_file_move_the_due_date_on_screen(
    store: Store, five_year_terms: Path
) -> None:
    from tui.app import make_app

    b = f.branch(store, "一支部")
    _elect(store, b, dt.date(2023, 12, 2))
    app = make_app(store.path, store=store, today=f.TODAY, settings=load_settings())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lst = app.screen.query_one("#due-list", OptionList)
        lines = [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]
        assert not [x for x in lines if "届满" in x]  # 2028: not due within six months
        app.go(Place.BRANCH_STATUS, b.id)
        await pilot.pause()
        body = str(app.screen.query_one("#bs-body", Static).render())
        assert "任期 5 年，2028-12-02 届满" in body


async def test_without_the_file_the_term_is_three_years(store: Store) -> None:
    from tui.app import make_app

    b = f.branch(store, "一支部")
    _elect(store, b, dt.date(2023, 12, 2))
    app = make_app(store.path, store=store, today=f.TODAY, settings=load_settings())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lst = app.screen.query_one("#due-list", OptionList)
        lines = [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]
        assert [x for x in lines if "将于 2026-12-02 届满" in x]


def test_term_years_from_the_file_in_the_branch_command(
    store: Store, five_year_terms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b = f.branch(store, "一支部")
    _elect(store, b, dt.date(2023, 12, 2))
    store.close()
    assert main(["--db", str(store.path), "branch", "status"]) == 0
    assert "任期 5 年，2028-12-02 届满" in capsys.readouterr().out


def _settings(tmp_path: Path, text: str):  # noqa: ANN202 - a Settings
    path = tmp_path / "xdg-config" / "zhibu" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return load_settings()


@pytest.mark.parametrize("configured", [True, False])
async def test_probation_months_from_the_file_move_the_date_on_the_person_screen(
    demo_store: Store, today: dt.date, tmp_path: Path, configured: bool
) -> None:
    from storage import org
    from tests.test_development_pilot import _probationer, settle
    from tui.app import make_app

    branch = org.branches(demo_store)[0]
    p = _probationer(demo_store, branch.id, dt.date(2026, 3, 1))
    text = "[rules.development]\nprobation_months = 18\n" if configured else ""
    app = make_app(demo_store.path, store=demo_store, today=today,
                   settings=_settings(tmp_path, text))  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.go(Place.DEVELOPMENT_PERSON, p.id)
        await settle(pilot)
        head = str(app.screen.query_one("#dp-head", Static).content)
        assert ("预备期满 2027-09-01" if configured else "预备期满 2027-03-01") in head


async def test_meeting_rules_from_the_file_are_snapshotted_on_a_new_meeting(
    make_demo_app, demo_store: Store, today: dt.date, tmp_path: Path
) -> None:
    from screens.meetings.run import MeetingScreen
    from tui.app import make_app

    settings = _settings(tmp_path, "[rules.meetings]\nelection_accept_exact_four_fifths = true\n")
    for app, expected in ((make_demo_app(), False),
                          (make_app(demo_store.path, store=demo_store, today=today,
                                    settings=settings), True)):  # fmt: skip
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("m")
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, MeetingScreen)
            meeting = app.screen.meeting
            assert meeting.rule_config.election_accept_exact_four_fifths is expected


@pytest.mark.parametrize(("text", "due"), [
    ("", "2026-11-25"),  # 一般: contact within 3 days
    ('[rules.followups]\nfirst_contact_days = { "一般" = 5, "较大" = 1, "重大" = 0 }\n',
     "2026-11-27"),
])  # fmt: skip
async def test_first_contact_days_from_the_file_set_a_new_case_s_date(
    demo_store: Store, tmp_path: Path, text: str, due: str
) -> None:
    from storage import accounts
    from tests.test_followups_pilot import Keys, _cast
    from tui.app import make_app

    branch, sec, worker, member, _ = _cast(demo_store)
    accounts.map_account(demo_store, "tester", sec.id)
    before = {r["id"] for r in demo_store.query("SELECT id FROM followups")}
    app = make_app(demo_store.path, store=demo_store, today=f.TODAY,
                   settings=_settings(tmp_path, text))  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        k = Keys(pilot)
        await k.press("f")
        hint = app.screen.query_one("#f-next_contact").placeholder
        assert f"留空为 {due}" in hint
        await k.type(worker.name)
        await k.press("enter", "enter", "enter")
        await k.type("t2")
        await k.press("enter")
        await k.type("班中睡岗被查")
        await k.press("enter")
        await k.type(member.name)
        await k.press("enter", "enter")
        await k.press("ctrl+s")
    rows = [r for r in demo_store.query("SELECT id, next_contact FROM followups")
            if r["id"] not in before]  # fmt: skip
    assert [r["next_contact"] for r in rows] == [due]


async def test_participation_threshold_from_the_file_until_one_is_set_in_the_app(
    demo_store: Store, tmp_path: Path
) -> None:
    from screens.oversight.participation import ParticipationScreen
    from storage import org
    from tests.test_oversight_pilot import settle, shown
    from tui.app import make_app

    branch = org.branches(demo_store)[0]
    settings = _settings(tmp_path, "[rules.participation]\nthreshold_percent = 95\n")
    app = make_app(demo_store.path, store=demo_store, today=f.TODAY, settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ParticipationScreen(branch.id))
        await settle(pilot)
        assert shown(app.screen.query_one("#pt-below", Static)).startswith("出席率低于 95%")
        # set in the app, it wins over the file
        app.screen.query_one("#pt-table").focus()
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("end", "ctrl+u", "7", "0", "enter")
        await settle(pilot)
        assert "出席率低于 70%" in shown(app.screen.query_one("#pt-below", Static))


@pytest.mark.parametrize(("text", "due"), [
    ("", "240.00"),  # above 10000 yuan: 2%
    ("[rules.dues]\nserving_bands = [{ rate_bp = 100 }]\n", "120.00"),  # one band: 1%
])  # fmt: skip
async def test_dues_bands_from_the_file_set_the_due_in_the_grid(
    demo_store: Store, tmp_path: Path, text: str, due: str
) -> None:
    from screens.oversight.dues_grid import DuesGridScreen
    from storage import org
    from tests.test_dues_storage import ensure_demo_dues
    from tests.test_oversight_pilot import settle
    from tui.app import make_app

    ensure_demo_dues(demo_store)
    branch = org.branches(demo_store)[2]
    app = make_app(demo_store.path, store=demo_store, today=f.TODAY,
                   settings=_settings(tmp_path, text))  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(DuesGridScreen(branch.id, month=dt.date(2026, 12, 1)))
        await settle(pilot)
        grid = app.screen
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("end", "ctrl+u", *"12000", "enter")
        await settle(pilot)
        table = grid.query_one("#dg-table")
        cells = [str(c) for c in table.get_row_at(0)]
        assert "12000.00" in cells and due in cells


@pytest.mark.parametrize(("text", "working"), [
    ("", True),  # 劳动节: 5 days from 05-01
    ("[rules.holidays]\nlabour_day_break_days = 7\n", False),
])  # fmt: skip
async def test_holiday_rules_from_the_file_reach_the_rota_wizard(
    demo_store: Store, tmp_path: Path, text: str, working: bool
) -> None:
    from screens.rota.wizard import RotaWizardScreen
    from tui.app import make_app

    app = make_app(demo_store.path, store=demo_store, today=f.TODAY,
                   settings=_settings(tmp_path, text))  # fmt: skip
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.go(Place.NEW_ROTA)
        await pilot.pause()
        assert isinstance(app.screen, RotaWizardScreen)
        # a year with no published arrangement: computed by the rules
        assert app.screen._holidays.is_working_day(dt.date(2060, 5, 6)) is working


@pytest.mark.parametrize("configured", [True, False])
def test_probation_months_from_the_file_date_what_home_warns_of(
    demo_store: Store, tmp_path: Path, configured: bool
) -> None:
    """The dates 今日 reads are stored with the record: a stage recorded from
    the person view, or by a finished 接收 meeting, is dated by the file's
    [rules.development], as the person screen is."""
    from domain.development import Stage, StageEvent
    from services import development as dev_service
    from storage import org
    from tests.test_development_pilot import _probationer

    text = "[rules.development]\nprobation_months = 18\n" if configured else ""
    rules = _settings(tmp_path, text).rules.development
    branch = org.branches(demo_store)[0]
    p = _probationer(demo_store, branch.id, dt.date(2026, 3, 1))
    dev_service.record(demo_store, p.id, StageEvent(stage=Stage.OATH, on=dt.date(2026, 4, 10)),
                       config=rules)  # fmt: skip
    stored = demo_store.scalar(
        "SELECT probation_end FROM development_records WHERE person_id=?", (p.id,)
    )
    assert stored == ("2027-09-01" if configured else "2027-03-01")
