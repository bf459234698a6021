"""The footer shows the keys of whatever has focus, and rebuilds only when they change."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets._footer import FooterKey

from widgets.footer import KeyFooter, shown_keys
from widgets.textual_cn import binding_description

ROOT = Path(__file__).resolve().parent.parent


def test_every_screen_uses_the_key_footer() -> None:
    bare = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "screens").rglob("*.py"))
        if re.search(r"\bFooter\(", p.read_text(encoding="utf-8"))
    ]
    assert bare == []


def _drawn(footer: KeyFooter) -> list[tuple[str, bool]]:
    return [
        (k.description, not k.disabled)
        for k in footer.query(FooterKey)
        if k.description and not k.has_class("-command-palette")
    ]


def _expected(screen) -> list[tuple[str, bool]]:
    seen: dict[str, tuple[str, bool]] = {}
    for _key, description, enabled, _tip in shown_keys(screen):
        if description and description not in seen:
            seen[description] = (binding_description(description), enabled)
    return list(seen.values())


async def test_footer_follows_focus_and_skips_needless_rebuilds(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("r")  # the roster: search field, tree, table
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        before = footer.rebuilds
        shown = shown_keys(app.screen)
        changes = same = 0
        for _ in range(9):
            await pilot.press("tab")
            await pilot.pause()
            now = shown_keys(app.screen)
            changes += now != shown
            same += now == shown
            shown = now
            # never stale: what is drawn is what the focused widget offers
            assert set(_drawn(footer)) == set(_expected(app.screen))
        assert changes and same, "the walk must both change and keep the keys"
        assert footer.rebuilds - before == changes


async def test_textuals_own_keys_show_in_chinese_in_the_footer(make_demo_app) -> None:
    """An open drop-down (问题清单's 支部 choice) offers Textual's own Esc key:
    the footer says 收起选项, not "Dismiss menu"."""
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("a")  # no branch chosen: the 支部 choice gets focus
        await pilot.pause()
        await pilot.press("enter")  # open it
        await pilot.pause()
        await pilot.pause()
        drawn = [d for d, _ in _drawn(app.screen.query_one(KeyFooter))]
        assert "收起选项" in drawn, drawn
        assert not [d for d in drawn if re.search(r"[A-Za-z]{3,}", d)], drawn
