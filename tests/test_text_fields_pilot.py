"""An over-long paste into a real screen is cut at the field's limit, with a notice.

One one-line field (the quick follow-up form's 简要情况) and one notes box
(办结's 办理结果); both limits come from the domain model, so what survives
the paste is also what the record can store.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from textual import events
from textual.widgets import Input, TextArea
from textual.widgets._toast import Toast

from domain import followups as fx
from domain.followups import QUICK_SUMMARY_MAX, FollowUp, FollowUpConfig, QuickForm
from domain.org import OrgKind, OrgUnit
from domain.people import Person, PoliticalStatus
from screens.followups.quick import QuickFileScreen
from screens.followups.step import Step, StepForm
from storage import accounts, org, people
from storage import followups as fu_store
from storage.db import Store
from tui.app import ZhibuApp

TODAY = date(2026, 11, 22)


def _max_length(model: type[BaseModel], field: str) -> int:
    """The limit the record itself enforces (pydantic's MaxLen metadata)."""
    return next(
        m.max_length for m in model.model_fields[field].metadata if hasattr(m, "max_length")
    )


OUTCOME_MAX = _max_length(FollowUp, "outcome")


def _text(n: int) -> str:
    return ("甲乙丙丁戊己庚辛壬癸" * (n // 10 + 1))[:n]


def _branch(store: Store) -> OrgUnit:
    return org.save(store, OrgUnit(name="检修车间党支部", kind=OrgKind.BRANCH))


def _case(store: Store) -> FollowUp:
    branch = _branch(store)
    worker = people.save(store, Person(name="王工", branch_id=branch.id))
    member = people.save(
        store, Person(name="李党员", branch_id=branch.id, status=PoliticalStatus.FULL)
    )
    accounts.map_account(store, store.actor, member.id)
    form = QuickForm(
        person_id=worker.id,
        person_name=worker.name,
        trigger_code="T5",
        summary="与班长争吵",
        responsible_id=member.id,
        responsible_name=member.name,
    )
    fu = fx.quick_file(
        form, fu_store.catalogue(store, branch.id), today=TODAY, config=FollowUpConfig()
    )
    return fu_store.save(store, fu)


async def _paste(pilot, widget, text: str) -> None:
    """As a terminal's bracketed paste arrives: to the app, which forwards it."""
    widget.focus()
    await pilot.pause()
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


def _toasts(app: ZhibuApp) -> list[str]:
    """The notifications as drawn on the screen, not just queued."""
    return [str(t.render()) for t in app.screen.query(Toast)]


async def test_quick_form_cuts_an_overlong_paste_and_says_so(store: Store) -> None:
    branch = _branch(store)
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        app.push_screen(QuickFileScreen(branch.id))
        await pilot.pause()
        summary = app.screen.query_one("#f-summary", Input)
        pasted = _text(QUICK_SUMMARY_MAX + 35)
        await _paste(pilot, summary, pasted)
        assert summary.value == pasted[:QUICK_SUMMARY_MAX]
        assert any(
            f"本栏最多 {QUICK_SUMMARY_MAX} 字" in t and "已截去 35 字" in t for t in _toasts(app)
        )


async def test_resolve_form_cuts_an_overlong_paste_and_says_so(store: Store) -> None:
    fu = _case(store)
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        app.push_screen(StepForm(fu, Step.RESOLVE, FollowUpConfig()))
        await pilot.pause()
        outcome = app.screen.query_one("#f-outcome", TextArea)
        pasted = _text(OUTCOME_MAX + 35)
        await _paste(pilot, outcome, pasted)
        assert outcome.text == pasted[:OUTCOME_MAX]
        assert outcome.border_subtitle == f"{OUTCOME_MAX}/{OUTCOME_MAX} 字"
        assert any(f"本栏最多 {OUTCOME_MAX} 字" in t and "已截去 35 字" in t for t in _toasts(app))
