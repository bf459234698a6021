"""R7 for the other saves: another connection holds the write lock (Pilot).

Before: finishing a meeting, saving the dues grid and taking a follow-up step
ran on the UI thread and were refused after 2 s (「…您的输入已保留」) while
another process held the lock. Now they wait off the UI thread
(widgets.background_save): keys still change the screen, the busy notice is
shown, a second save key while it waits saves nothing twice, and once the
lock is released exactly one save reached the database.

The lock is held by a plain sqlite3 connection (``BEGIN IMMEDIATE``), a real
second writer as another process would be. By default it is held a little
past the UI thread's patience (tui.app.UI_WRITE_PATIENCE_S), so a save still
on the UI thread would have been refused; ZHIBU_SLOW=1 holds it past the
store's 20 s deadline.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from textual.widgets import ContentSwitcher, DataTable, Static

from domain.meeting_kinds import MeetingKind
from domain.meetings import Meeting, mark_step_done, new_meeting, sign_in_all
from screens.meetings.dialogs import ConfirmDialog
from screens.meetings.run import MeetingScreen
from screens.oversight.dues_grid import WORKFLOW as DUES_WORKFLOW
from screens.oversight.dues_grid import DuesGridScreen
from storage import accounts, org, people
from storage import followups as fu_store
from storage.db import WRITE_DEADLINE_S
from tests.reliability_helpers import SLOW, raw, until
from tests.test_dues_storage import ensure_demo_dues
from tui.app import BUSY_STATUS, UI_WRITE_PATIENCE_S

TODAY = dt.date(2026, 11, 22)
HOLD_S = WRITE_DEADLINE_S + 2 if SLOW else UI_WRITE_PATIENCE_S + 0.5


@contextmanager
def lock_held(store: Any) -> Iterator[sqlite3.Connection]:
    holder = raw(store.path)
    try:
        holder.execute("BEGIN IMMEDIATE")
        yield holder
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()


def busy_shown(app: Any) -> bool:
    """The header (under a modal: the lasting toast) says the write waits."""
    toasts = [n.message for n in app._notifications]
    return BUSY_STATUS in app.sub_title and any(BUSY_STATUS in m for m in toasts)


async def hold(pilot: Any, since: float) -> None:
    """Keep the lock until HOLD_S has passed, checking the notice stays."""
    while time.monotonic() - since < HOLD_S:
        assert busy_shown(pilot.app)
        await pilot.pause(0.1)


def _meeting(store: Any) -> Meeting:
    branch = org.branches(store)[0]
    m = new_meeting(
        MeetingKind.LECTURE, branch.id, branch.name, TODAY,
        people=people.members_of(store, branch.id),
    )  # fmt: skip
    m = m.model_copy(update={
        "topics": ["讨论通过年度工作总结"], "place": "活动室", "chair_name": "主持人",
        "recorder_name": "记录员", "start_time": dt.time(9), "end_time": dt.time(10),
    })  # fmt: skip
    m, _ = sign_in_all(m)
    at = dt.datetime.combine(m.date, dt.time(9))
    for step in (*m.procedure.steps, *m.procedure.gates):
        m = mark_step_done(m, step.key, at)
    return m


async def test_finishing_a_meeting_waits_for_the_lock_off_the_ui_thread(
    make_demo_app, demo_store
) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_meeting_screen(_meeting(demo_store))
        assert await until(pilot, lambda: isinstance(app.screen, MeetingScreen))
        screen = app.screen
        mid = screen.meeting.id
        with lock_held(demo_store) as holder:
            held_at = time.monotonic()
            await pilot.press("f")
            assert await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            await pilot.press("y")
            assert await until(pilot, lambda: busy_shown(app), timeout=5)
            assert "正在完成会议" in str(screen.query_one("#meeting-status", Static).render())
            # The screen still takes keys: 2 shows the sign-in section.
            await pilot.press("2")
            assert await until(
                pilot, lambda: screen.query_one(ContentSwitcher).current == "attendance"
            )
            await pilot.press("f", "y")  # a second finish while the first waits
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmDialog)
            assert not screen.meeting.finished
            await hold(pilot, held_at)
            assert demo_store.query("SELECT 1 FROM meetings WHERE id=?", (mid,)) == []
            holder.execute("ROLLBACK")
        assert await until(pilot, lambda: screen.meeting.finished)
        assert await until(pilot, lambda: not busy_shown(app))
    assert demo_store.scalar("SELECT status FROM meetings WHERE id=?", (mid,)) == "已完成"
    saves = demo_store.scalar(
        "SELECT count(*) FROM audit WHERE table_name='meetings' AND record_id=?", (mid,)
    )
    assert saves == 1  # finished once
    assert demo_store.query("SELECT 1 FROM drafts WHERE key=?", (mid,)) == []


async def test_dues_grid_save_waits_for_the_lock_off_the_ui_thread(
    make_demo_app, demo_store
) -> None:
    ensure_demo_dues(demo_store)
    branch = org.branches(demo_store)[2]
    december = dt.date(2026, 12, 1)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DuesGridScreen(branch.id, month=december))
        assert await until(
            pilot, lambda: app.screen.query_one("#dg-table", DataTable).row_count > 3
        )
        grid = app.screen
        table = grid.query_one("#dg-table", DataTable)
        await pilot.press("space", "space")  # two members paid in full
        await pilot.pause()
        members = len(grid.order)
        with lock_held(demo_store) as holder:
            held_at = time.monotonic()
            await pilot.press("ctrl+s")
            assert await until(pilot, lambda: busy_shown(app), timeout=5)
            assert "正在保存" in str(grid.query_one("#dg-status", Static).render())
            # The cursor still moves and the status line follows it.
            row = table.cursor_row
            await pilot.press("down")
            assert await until(pilot, lambda: table.cursor_row == row + 1)
            third = grid.rows[grid.order[row + 1]].person.name
            assert third in str(grid.query_one("#dg-status", Static).render())
            await pilot.press("space")  # an edit now would not be saved: held back
            await pilot.press("ctrl+s")  # a second save while the first waits
            await pilot.pause()
            assert len(grid.changed) == 2
            await hold(pilot, held_at)
            assert not demo_store.scalar("SELECT count(*) FROM dues WHERE month='2026-12-01'")
            holder.execute("ROLLBACK")
        assert await until(pilot, lambda: not grid.changed and not busy_shown(app))
        assert f"已保存 {members} 条" in str(grid.query_one("#dg-summary", Static).render())
    rows = demo_store.query("SELECT data, version FROM dues WHERE month='2026-12-01'")
    assert len(rows) == members and all(r["version"] == 1 for r in rows)  # saved once
    paid = [json.loads(r["data"])["paid_fen"] for r in rows]
    assert sum(1 for p in paid if p) == 2
    audited = demo_store.scalar(
        "SELECT count(*) FROM audit WHERE table_name='dues' AND action='create'"
        " AND record_id IN (SELECT id FROM dues WHERE month='2026-12-01')"
    )
    assert audited == members
    assert not demo_store.scalar("SELECT count(*) FROM drafts WHERE workflow=?", (DUES_WORKFLOW,))


async def test_follow_up_step_waits_for_the_lock_off_the_ui_thread(demo_store) -> None:
    from screens.followups.step import Step, StepForm
    from services import followups as fu_service
    from tui.app import ZhibuApp

    branch = org.branches(demo_store)[0]
    sec = people.secretary_of(demo_store, branch.id)
    accounts.map_account(demo_store, "tester", sec.id)
    roster = people.list_branch(demo_store, branch.id)
    person = next(p for p in roster if p.id != sec.id)
    app = ZhibuApp(demo_store.path, demo_store, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        fu = _case(demo_store, branch.id, person, sec)
        config = fu_service.branch_config(demo_store, branch.id)
        app.push_screen(StepForm(fu, Step.ESCALATE, config))
        assert await until(pilot, lambda: app.focused is app.screen.query_one("#f-to_whom"))
        form = app.screen
        await pilot.press(*"基层党委", "enter", *"反复睡岗")
        await pilot.pause()
        with lock_held(demo_store) as holder:
            held_at = time.monotonic()
            await pilot.press("ctrl+s")
            assert await until(pilot, lambda: busy_shown(app), timeout=5)
            assert "正在保存" in str(form.query_one("#form-status", Static).render())
            await pilot.press(*"了")  # keys still echo while the save waits
            assert await until(pilot, lambda: form.text_of("reason") == "反复睡岗了")
            await pilot.press("ctrl+s")  # a second save while the first waits
            await pilot.press("escape")  # and the form does not close under it
            await pilot.pause()
            assert app.screen is form
            await hold(pilot, held_at)
            assert fu_store.get(demo_store, fu.id).escalations == ()
            holder.execute("ROLLBACK")
        assert await until(pilot, lambda: app.screen is not form and not busy_shown(app))
    saved = fu_store.get(demo_store, fu.id)
    assert [e.to_whom for e in saved.escalations] == ["基层党委"]  # escalated once
    assert [c.to_status.value for c in saved.status_changes].count("转上级") == 1
    assert drafts_left(demo_store, "followup_step") == 0


def drafts_left(store: Any, workflow: str) -> int:
    return int(store.scalar("SELECT count(*) FROM drafts WHERE workflow=?", (workflow,)) or 0)


def _case(store: Any, branch_id: str, person: Any, sec: Any) -> Any:
    from domain import followups as fx
    from domain.followups import FollowUpConfig, QuickForm

    return fu_store.save(
        store,
        fx.quick_file(
            QuickForm(
                person_id=person.id,
                person_name=person.name,
                trigger_code="T5",
                summary="与班长争吵",
                responsible_id=sec.id,
                responsible_name=sec.name,
            ),
            fu_store.catalogue(store, branch_id),
            today=TODAY,
            config=FollowUpConfig(),
        ),
    )


async def test_roster_move_waits_for_the_lock_off_the_ui_thread(make_demo_app, demo_store) -> None:
    from textual.widgets import Select

    from screens.roster.move_person import MovePersonScreen

    first, second = org.branches(demo_store)[:2]
    person = people.list_branch(demo_store, first.id)[0]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(MovePersonScreen(person))
        assert await until(pilot, lambda: app.screen.query_one("#move-branch", Select))
        form = app.screen
        form.query_one("#move-branch", Select).value = second.id
        await pilot.pause()
        audited = demo_store.scalar("SELECT count(*) FROM audit WHERE record_id=?", (person.id,))
        with lock_held(demo_store) as holder:
            held_at = time.monotonic()
            await pilot.press("ctrl+s")
            assert await until(pilot, lambda: busy_shown(app), timeout=5)
            assert "正在保存" in str(form.query_one("#move-status", Static).render())
            await pilot.press("ctrl+s", "escape")  # neither saves twice nor closes it
            await pilot.pause()
            assert app.screen is form
            await hold(pilot, held_at)
            assert people.get(demo_store, person.id).branch_id == first.id
            holder.execute("ROLLBACK")
        assert await until(pilot, lambda: app.screen is not form and not busy_shown(app))
    assert people.get(demo_store, person.id).branch_id == second.id
    after = demo_store.scalar("SELECT count(*) FROM audit WHERE record_id=?", (person.id,))
    assert after == audited + 1  # moved once


async def test_lecture_review_step_waits_for_the_lock_and_saves_once(
    make_demo_app, demo_store
) -> None:
    from textual.widgets import Input, OptionList

    from domain.courseware import ReviewState
    from screens.rota.lecture_review import LectureReviewScreen
    from screens.rota.lecture_step import LectureStepScreen
    from storage import rota
    from tests.test_rota_pilot import add_rota

    add_rota(demo_store)
    plan = rota.list_plans(demo_store)[0]
    lecture = next(
        x for x in rota.lectures_of_plan(demo_store, plan.id) if x.state is ReviewState.SUBMITTED
    )
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(LectureReviewScreen(lecture.id))
        await pilot.pause()
        await pilot.press("ctrl+t")
        assert await until(pilot, lambda: isinstance(app.screen, LectureStepScreen))
        step = app.screen
        actions = step.query_one("#step-actions", OptionList)
        actions.highlighted = actions.option_count - 1  # a return: needs only a comment
        await pilot.pause()
        step.query_one("#step-actor", Input).value = "审核人"
        step.query_one("#step-comment", Input).value = "请补充案例"
        await pilot.pause()
        with lock_held(demo_store) as holder:
            held_at = time.monotonic()
            await pilot.press("ctrl+s")
            assert await until(pilot, lambda: busy_shown(app), timeout=5)
            await pilot.press("ctrl+s", "escape")  # neither saves twice nor closes it
            await pilot.pause()
            assert app.screen is step
            await hold(pilot, held_at)
            holder.execute("ROLLBACK")
        assert await until(pilot, lambda: app.screen is not step and not busy_shown(app))
    saved = rota.get_lecture(demo_store, lecture.id)
    assert saved is not None and saved.state in (
        ReviewState.BRANCH_RETURNED, ReviewState.HIGHER_RETURNED,
    )  # fmt: skip
    assert len(saved.events) == len(lecture.events) + 1  # one step, not two


async def test_participation_threshold_waits_for_the_lock_off_the_ui_thread(
    make_demo_app, demo_store
) -> None:
    """Before: saved on the UI thread and refused after 2 s while another
    writer held the lock."""
    from domain.navigation import Place
    from screens.oversight.participation import ParticipationScreen
    from services.participation import threshold_config

    before = threshold_config(demo_store).threshold_percent
    new = 55 if before != 55 else 65
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(Place.PARTICIPATION, org.branches(demo_store)[0].id)
        assert await until(pilot, lambda: isinstance(app.screen, ParticipationScreen))
        screen = app.screen
        with lock_held(demo_store) as holder:
            held_at = time.monotonic()
            screen.action_threshold()  # the t key (the period field may have focus)
            await pilot.pause()
            await pilot.press("end", *["backspace"] * 4, *str(new), "enter")
            assert await until(pilot, lambda: busy_shown(app), timeout=5)
            assert app.screen is screen  # the prompt closed, the screen still answers
            await hold(pilot, held_at)
            assert threshold_config(demo_store).threshold_percent == before
            holder.execute("ROLLBACK")
        assert await until(pilot, lambda: threshold_config(demo_store).threshold_percent == new)
        assert await until(pilot, lambda: not busy_shown(app))
