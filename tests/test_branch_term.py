"""The branch's term and size from the database: the last 换届选举 meeting or the
date set on the branch, home items at the six-month boundary, the branch view."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import OptionList, Static

from domain.branch_rules import Level, TermState
from domain.meeting_kinds import MeetingKind
from domain.meetings import Candidate, Election, finish
from domain.people import CommitteePost, PoliticalStatus
from services import branch_term, home
from services.errors import InvalidInput, NotFound
from storage import branch_home
from storage import meetings as meetings_store
from storage.db import Store
from tests import factories as f

_S = PoliticalStatus


def _elect(store: Store, b: f.Branch, day: dt.date) -> None:
    m = f.meeting(b, MeetingKind.ELECTION, day)
    n = len(b.with_status(_S.FULL))
    names = [p.name for p in b.members][:4]
    m.elections.append(Election(
        subject="选举支部委员会委员", seats=3,
        candidates=[Candidate(name=x, votes=n) for x in names[:3]] + [Candidate(name=names[3])],
        ballots_issued=n, ballots_returned=n, ballots_valid=n,
        scrutineers=[names[0]], counters=[names[1]],
    ))  # fmt: skip
    meetings_store.save_final(store, finish(m, dt.datetime.combine(day, dt.time(11))))


def _term_items(store: Store, today: dt.date) -> list[str]:
    return [i.text for i in branch_home.home_items(store, today) if i.section == "换届"]


def test_last_election_comes_from_the_finished_meeting(store: Store) -> None:
    b = f.branch(store)
    assert branch_home.facts(store)[0].last_election is None
    _elect(store, b, dt.date(2023, 12, 2))
    facts = branch_home.facts(store)[0]
    assert facts.last_election == dt.date(2023, 12, 2)
    # A draft election does not count.
    draft = f.meeting(b, MeetingKind.ELECTION, dt.date(2026, 1, 5))
    meetings_store.save_draft(store, draft)
    assert branch_home.facts(store)[0].last_election == dt.date(2023, 12, 2)


def test_home_warns_six_months_ahead_and_when_expired(store: Store) -> None:
    b = f.branch(store, "一支部")
    _elect(store, b, dt.date(2023, 12, 2))
    assert _term_items(store, dt.date(2026, 6, 1)) == []
    assert _term_items(store, dt.date(2026, 6, 2)) == [
        "一支部：上次换届 2023-12-02，任期 3 年，将于 2026-12-02 届满，请准备换届选举"
    ]
    items = [i for i in branch_home.home_items(store, dt.date(2026, 12, 2)) if i.section == "换届"]
    assert len(items) == 1 and "已于 2026-12-02 届满" in items[0].text
    assert items[0].urgency.name == "OVERDUE" and items[0].action.args == (b.id,)


def test_date_and_term_set_on_the_branch(store: Store) -> None:
    b = f.branch(store, "社区支部")
    s = branch_term.set_term(store, "社区支部", last_election=dt.date(2022, 3, 1), term_years=5,
                             today=dt.date(2026, 9, 1))  # fmt: skip
    row = store.query_one("SELECT * FROM branch_terms WHERE branch_id=?", (b.id,))
    assert row == {"branch_id": b.id, "last_election_on": "2022-03-01", "term_years": 5}
    assert s.term.state is TermState.DUE_SOON and s.term.due_on == dt.date(2027, 3, 1)
    assert _term_items(store, dt.date(2026, 8, 31)) == []  # 5 years: warned from 2026-09-01
    # Setting only the years keeps the date; a later election meeting wins.
    branch_term.set_term(store, "社区支部", term_years=3)
    assert branch_home.facts(store)[0].last_election == dt.date(2022, 3, 1)
    _elect(store, b, dt.date(2026, 10, 9))
    assert branch_home.facts(store)[0].last_election == dt.date(2026, 10, 9)
    with pytest.raises(NotFound):
        branch_term.set_term(store, "没有这个支部", term_years=3)
    with pytest.raises(InvalidInput, match="3 年或 5 年"):
        branch_term.set_term(store, "社区支部", term_years=4)


def test_size_rules_from_the_roster(store: Store) -> None:
    f.branch(store, "小支部", members=[(_S.FULL, CommitteePost.SECRETARY), (_S.FULL, None),
                                      (_S.PROBATIONARY, None), (_S.MASSES, None)])  # fmt: skip
    seven = [(_S.FULL, CommitteePost.SECRETARY)] + [(_S.FULL, None)] * 6
    f.branch(store, "七人支部", members=seven, first_name=10)
    facts = {x.branch_name: x for x in branch_home.facts(store)}
    assert (facts["小支部"].full_members, facts["小支部"].party_members) == (2, 3)
    assert facts["七人支部"].committee == 1
    items = [i.text for i in branch_home.home_items(store, dt.date(2026, 11, 22))
             if i.section == "支部设置"]  # fmt: skip
    assert (
        sorted(items)
        == [
            "小支部：正式党员 2 名，不足 3 名，不能单独成立党支部，应与邻近单位成立联合党支部",
            "七人支部：正式党员 7 名（7 名及以上），应设立支部委员会（3–5 人），现有委员 1 名",
        ][::-1]
    )
    ok = branch_term.statuses(store, dt.date(2026, 11, 22))
    assert all(f.level is not Level.OK for s in ok for f in s.size)


async def test_home_shows_the_term_item_and_enter_opens_the_branch_view(store: Store) -> None:
    from screens.roster.branch_status import BranchStatusScreen
    from tui.app import ZhibuApp

    b = f.branch(store, "一支部")
    _elect(store, b, dt.date(2023, 12, 2))
    assert any(i.section == "换届" for i in home.due_items(store, f.TODAY))
    app = ZhibuApp(store.path, store, today=f.TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lst = app.screen.query_one("#due-list", OptionList)
        lines = [str(lst.get_option_at_index(i).prompt) for i in range(lst.option_count)]
        mine = [k for k, x in enumerate(lines) if "将于 2026-12-02 届满" in x]
        assert len(mine) == 1 and "一支部" in lines[mine[0]]
        lst.focus()
        lst.highlighted = mine[0]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BranchStatusScreen)
        body = str(app.screen.query_one("#bs-body", Static).render())
        assert "一支部" in body and "将于 2026-12-02 届满" in body
        assert "✓ 符合：正式党员" in body


def test_quarterly_report_warns_of_the_term(store: Store, tmp_path) -> None:
    import docx

    from domain.periods import Period
    from services.export_report import export_reports

    b = f.branch(store, "一支部")
    _elect(store, b, dt.date(2023, 12, 2))
    q4 = Period.quarter(2026, 4)
    path = export_reports(store, tmp_path, period=q4, today=f.TODAY, org_ids=[b.id])[0].path
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    start = paragraphs.index("六、组织建设情况")
    assert paragraphs[start + 1 : start + 3] == [
        "【提醒】上次换届 2023年12月2日，任期 3 年，将于 2026年12月2日 届满，请准备换届选举。",
        "正式党员 5 名，党员 6 名，可只设书记（必要时设副书记）。",
    ]


def test_last_election_set_by_branch_id_is_validated(store: Store) -> None:
    b = f.branch(store, "一支部")
    s = branch_term.set_last_election(store, b.id, dt.date(2023, 12, 2), today=f.TODAY)
    assert s.term.due_on == dt.date(2026, 12, 2) and s.term.state is TermState.DUE_SOON
    assert store.query_one("SELECT last_election_on FROM branch_terms WHERE branch_id=?",
                           (b.id,)) == {"last_election_on": "2023-12-02"}  # fmt: skip
    with pytest.raises(InvalidInput, match="上次换届日期不能晚于今天（2026-11-22）"):
        branch_term.set_last_election(store, b.id, dt.date(2026, 11, 23), today=f.TODAY)
    with pytest.raises(NotFound):
        branch_term.set_last_election(store, "no-such-id", dt.date(2023, 1, 1), today=f.TODAY)
    assert branch_home.facts(store)[0].last_election == dt.date(2023, 12, 2)


async def test_last_election_set_on_the_branch_view_by_keyboard(store: Store) -> None:
    from domain.navigation import Place
    from screens.roster.branch_status import BranchStatusScreen
    from tui.app import ZhibuApp

    b = f.branch(store, "一支部")
    app = ZhibuApp(store.path, store, today=f.TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(Place.BRANCH_STATUS, b.id)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BranchStatusScreen)
        body = str(screen.query_one("#bs-body", Static).render())
        assert "未记录上次换届选举日期" in body
        assert app.focused is not None and app.focused.id == "bs-last"
        from tests.clipping import clipped

        assert clipped(screen) == []
        # An impossible date: refused on the screen, the typing kept, nothing saved.
        await pilot.press(*"2023-13-02", "ctrl+s")
        await pilot.pause()
        error = str(screen.query_one("#bs-error", Static).render())
        assert error.startswith("未保存：") and screen.query_one("#bs-last").value == "2023-13-02"
        assert store.query("SELECT 1 FROM branch_terms") == []
        # A date after today: the service refuses.
        await pilot.press("home", "ctrl+k", *"2026-12-01", "ctrl+s")
        await pilot.pause()
        error = str(screen.query_one("#bs-error", Static).render())
        assert error == "未保存：上次换届日期不能晚于今天（2026-11-22）"
        assert store.query("SELECT 1 FROM branch_terms") == []
        await pilot.press("home", "ctrl+k", *"2023-12-02", "ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert str(screen.query_one("#bs-error", Static).render()) == ""
        body = str(screen.query_one("#bs-body", Static).render())
        assert "上次换届 2023-12-02，任期 3 年，将于 2026-12-02 届满" in body
        assert "已保存" in "\n".join(n.message for n in app._notifications)
    assert store.query_one("SELECT last_election_on FROM branch_terms WHERE branch_id=?",
                           (b.id,)) == {"last_election_on": "2023-12-02"}  # fmt: skip


async def test_branch_view_of_every_branch_edits_the_one_chosen(store: Store) -> None:
    from textual.widgets import Select

    from domain.navigation import Place
    from tui.app import ZhibuApp

    one, two = f.branch(store, "一支部"), f.branch(store, "二支部")
    branch_term.set_last_election(store, one.id, dt.date(2024, 5, 1), today=f.TODAY)
    app = ZhibuApp(store.path, store, today=f.TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(Place.BRANCH_STATUS)
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#bs-branch", Select).value == one.id
        assert screen.query_one("#bs-last").value == "2024-05-01"
        screen.query_one("#bs-branch", Select).value = two.id
        await pilot.pause()
        assert screen.query_one("#bs-last").value == ""
        screen.query_one("#bs-last").focus()
        await pilot.press(*"2025-01-10", "ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
    rows = {r["branch_id"]: r["last_election_on"] for r in store.query("SELECT * FROM branch_terms")}
    assert rows == {one.id: "2024-05-01", two.id: "2025-01-10"}


def test_demo_warns_of_exactly_one_branch_term(demo_store: Store) -> None:
    """The demo's branches have last-election dates; one branch's term ends
    within six months of the demo's today, so home shows 换届 for it alone."""
    from storage import org

    statuses = branch_term.statuses(demo_store, f.TODAY)
    assert statuses and all(s.term.last_election is not None for s in statuses)
    soon = [s.facts.branch_id for s in statuses if s.term.state is TermState.DUE_SOON]
    assert len(soon) == 1
    assert all(s.term.state is TermState.IN_TERM for s in statuses if s.facts.branch_id != soon[0])
    items = [i for i in home.due_items(demo_store, f.TODAY) if i.section == "换届"]
    assert [i.action.args for i in items] == [(soon[0],)]
    name = next(b.name for b in org.branches(demo_store) if b.id == soon[0])
    assert items[0].text.startswith(f"{name}：上次换届") and "请准备换届选举" in items[0].text
