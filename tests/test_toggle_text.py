"""Toggles show their state in text, not by colour alone (issue: the ledger
export's 「隐去保密」 box drew ▐X▌ ticked or not)."""

from __future__ import annotations

import ast
from pathlib import Path

from screens.followups.export import LedgerExportScreen
from widgets.checkbox import TextCheckbox

ROOT = Path(__file__).resolve().parent.parent


def _box_text(box: TextCheckbox) -> str:
    return box.render().plain


async def test_ledger_export_redact_box_says_ticked_or_not(demo_store) -> None:
    from tui.app import make_app

    app = make_app(demo_store.path, store=demo_store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(LedgerExportScreen())
        await pilot.pause()
        box = app.screen.query_one("#x-redact", TextCheckbox)
        before = _box_text(box)
        box.toggle()
        await pilot.pause()
        after = _box_text(box)
    # Ticked by default: the copy that may leave the committee is the default.
    assert before.startswith("[√]") and "外发版 隐去保密" in before
    assert after.startswith("[ ]") and "外发版 隐去保密" in after


def test_no_screen_uses_a_colour_only_toggle() -> None:
    """Checkbox, RadioButton, Switch and ToggleButton from textual draw their
    state by colour; screens use widgets.checkbox instead."""
    colour_only = {"Checkbox", "RadioButton", "RadioSet", "Switch", "ToggleButton"}
    bad = []
    for pkg in ("screens", "widgets", "tui"):
        for path in (ROOT / pkg).rglob("*.py"):
            if path.name == "checkbox.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    f = node.func
                    name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
                    if name in colour_only:
                        bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert not bad, bad


# --- every toggle in the app, at 16 colours / TERM=linux ------------------------


def _screen_lines(screen) -> list[str]:
    """What the terminal shows, as text (no colour survives this)."""
    return [strip.text for strip in screen._compositor.render_strips()]


def _toggle_screens(store):
    """Every screen that composes a toggle (the scan below keeps this list whole)."""
    import random

    from screens.assessment.dialogs import ReviewDialog
    from screens.followups.quick import QuickFileScreen
    from screens.rota.lecture_review import LectureReviewScreen
    from screens.rota.wizard import RotaWizardScreen
    from storage import org, rota
    from storage.demo_rota import add_demo_rota
    from tests.factories import TODAY


    if not rota.list_plans(store):
        with store.write() as c:
            add_demo_rota(store, c, today=TODAY, rng=random.Random(7))
    lecture = rota.lectures_of_plan(store, rota.list_plans(store)[0].id)[0]
    branch = org.branches(store)[0]
    from screens.loop.tasks import TaskForm
    from services import tasks as task_service

    general = task_service.generals(store)[0]
    task_branches = task_service.branches_of(store, general[0])
    return {
        "screens/loop/tasks.py": lambda: TaskForm(general, task_branches),
        "screens/followups/export.py": lambda: LedgerExportScreen(),
        "screens/followups/quick.py": lambda: QuickFileScreen(branch.id),
        "screens/rota/wizard.py": lambda: RotaWizardScreen(),
        "screens/rota/lecture_review.py": lambda: LectureReviewScreen(lecture.id),
        "screens/assessment/dialogs.py": lambda: ReviewDialog("本季度评议", lambda _k, _n: None),
    }


def _files_with_toggles() -> set[str]:
    out = set()
    for pkg in ("screens", "widgets", "tui"):
        for path in (ROOT / pkg).rglob("*.py"):
            if path.name != "checkbox.py" and "TextCheckbox(" in path.read_text(encoding="utf-8"):
                out.add(str(path.relative_to(ROOT)))
    return out


async def test_every_toggle_shows_its_state_in_text_at_16_colours(
    demo_store, monkeypatch
) -> None:
    from textual.widgets import Switch
    from textual.widgets._toggle_button import ToggleButton

    from tui.app import make_app

    monkeypatch.setenv("TERM", "linux")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("COLORTERM", raising=False)
    screens = _toggle_screens(demo_store)
    assert set(screens) == _files_with_toggles()
    app = make_app(demo_store.path, store=demo_store)
    checked = 0
    async with app.run_test(size=(100, 40)) as pilot:
        app.theme = "ansi-dark"  # the terminal's own 16 colours
        await pilot.pause()
        for rel, make in screens.items():
            app.push_screen(make())
            await pilot.pause()
            screen = app.screen
            assert not list(screen.query(Switch)), f"{rel}: a Switch shows its state by colour"
            toggles = list(screen.query(ToggleButton))
            assert toggles, rel
            for box in toggles:
                label = box.label.plain
                for _ in range(2):
                    mark = "[√]" if box.value else "[ ]"
                    assert box.render().plain.startswith(f"{mark} {label}"), (rel, box.id)
                    if box.region.area:  # on screen now: read the terminal's text
                        line = _screen_lines(screen)[box.region.y]
                        assert f"{mark} {label}" in line, (rel, box.id, line)
                    box.toggle()
                    await pilot.pause()
                checked += 1
            app.pop_screen()
            await pilot.pause()
        # And in every theme the app offers.
        app.push_screen(LedgerExportScreen())
        await pilot.pause()
        box = app.screen.query_one("#x-redact", TextCheckbox)
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            mark = "[√]" if box.value else "[ ]"
            line = _screen_lines(app.screen)[box.region.y]
            assert f"{mark} 外发版 隐去保密" in line, theme
    assert checked >= 5
