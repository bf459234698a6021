"""Issue 16 item 6: filing a second open 一人一事 for the same person and reason
warns, names the open case, and lets the user continue or open it."""

from __future__ import annotations

from textual.widgets import Input, Static

from domain.followups import quick_category
from domain.people import PoliticalStatus
from screens.dialogs import ChoicePrompt
from screens.followups.quick import QuickFileScreen
from screens.followups.timeline import FollowupTimelineScreen
from storage import drafts
from tests import factories as f
from tests.factories import TODAY


def _cases(store, person_id: str) -> int:  # type: ignore[no-untyped-def]
    return int(store.scalar("SELECT count(*) FROM followups WHERE person_id=?", (person_id,)))


def _one_open_case(store, **fields):  # type: ignore[no-untyped-def]
    """A branch whose 群众 already has an open T5 (矛盾) case."""
    _top, (b,) = f.org_tree(store, ("一支部",))
    worker = b.with_status(PoliticalStatus.MASSES)[0]
    old = f.followup(store, b, worker, trigger_code="T5", category=quick_category("T5"), **fields)
    return b, worker, old


async def _open_and_fill(app, pilot, b, who: str, trigger: str) -> QuickFileScreen:  # type: ignore[no-untyped-def]
    app.push_screen(QuickFileScreen(b.id))
    await pilot.pause()
    form = app.screen
    assert isinstance(form, QuickFileScreen)
    await _fill(pilot, form, who, trigger, b.members[3].name)
    return form


async def _fill(pilot, form: QuickFileScreen, who: str, trigger: str, resp: str) -> None:  # type: ignore[no-untyped-def]
    form.query_one("#f-person", Input).focus()
    await pilot.press(*who, "enter")
    await pilot.pause()
    await pilot.press("enter")  # the picker's first match
    await pilot.pause()
    form.query_one("#f-trigger").value = trigger  # type: ignore[attr-defined]
    await pilot.pause()
    form.query_one("#f-summary", Input).focus()
    await pilot.press(*"又与班长争吵")
    form.query_one("#f-responsible", Input).focus()
    await pilot.press(*resp, "enter")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_a_second_open_case_for_the_same_reason_asks_first(store) -> None:
    """Failed before: the second case was filed without a word."""
    from tui.app import ZhibuApp

    b, worker, old = _one_open_case(store, trigger_text="与他人发生矛盾")
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _open_and_fill(app, pilot, b, worker.name, "T5")
        status = str(form.query_one("#form-status", Static).render())
        assert "已有未销号的同类一人一事" in status and old.found_on.isoformat() in status
        await pilot.press("ctrl+s")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, ChoicePrompt)
        assert "与他人发生矛盾" in str(prompt.query_one(Static).render())
        assert _cases(store, worker.id) == 1
        await pilot.press("down", "enter")  # 打开已有的这件
        await pilot.pause()
        assert isinstance(app.screen, FollowupTimelineScreen) and app.screen.fu_id == old.id
        assert _cases(store, worker.id) == 1
        kept = drafts.load(store, "followup", "new")
        assert kept is not None and kept["values"]["summary"] == "又与班长争吵"
        # Back to the form (its draft restored): this time file it anyway.
        app.push_screen(QuickFileScreen(b.id))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChoicePrompt)
        await pilot.press("enter")  # 仍登记新的一件
        await pilot.pause()
        assert not isinstance(app.screen, (ChoicePrompt, QuickFileScreen))
    assert _cases(store, worker.id) == 2


async def test_another_reason_files_without_asking(store) -> None:
    from tui.app import ZhibuApp

    b, worker, _old = _one_open_case(store)
    assert quick_category("T6") != quick_category("T5")
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await _open_and_fill(app, pilot, b, worker.name, "T6")
        assert "同类" not in str(form.query_one("#form-status", Static).render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, (ChoicePrompt, QuickFileScreen))
    assert _cases(store, worker.id) == 2
