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
    assert before.startswith("[ ]") and "隐去" in before
    assert after.startswith("[√]") and "隐去" in after


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
