"""theme and [keys] from the configuration, on the screen (Pilot)."""

from __future__ import annotations

import re
from datetime import date

from rich.color import ColorType

from services.settings import Settings, Theme
from storage.db import Store

BOX = re.compile("[\u2500-\u259f]")  # box drawing and block elements


def _text(app) -> str:  # noqa: ANN001 - a running ZhibuApp
    """The characters on the screen, row by row, as the terminal gets them."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def _app(store: Store, today: date, **settings: object):  # noqa: ANN202 - a ZhibuApp
    from tui.app import make_app

    return make_app(store.path, store=store, today=today, settings=Settings(**settings))


async def test_ascii_theme_draws_no_box_characters(demo_store: Store, today: date) -> None:
    from screens.help import HelpScreen

    app = _app(demo_store, today)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert BOX.findall(_text(app))  # the default theme does draw them
    app = _app(demo_store, today, theme=Theme.ASCII)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert BOX.findall(_text(app)) == []
        await pilot.press("question_mark")  # a bordered dialog over a scrolled table
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shot = _text(app)
        assert BOX.findall(shot) == [] and "+---" in shot and "|" in shot
    # Borders are process-wide: the app puts them back when it ends.
    app = _app(demo_store, today)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert BOX.findall(_text(app))


async def test_ansi16_theme_uses_only_the_16_colours(demo_store: Store, today: date) -> None:
    app = _app(demo_store, today, theme=Theme.ANSI16)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "ansi-dark" and app.ansi_color is True
        kinds = set()
        for y in range(app.size.height):
            for seg in app.screen._compositor.render_strips()[y]:
                for c in (seg.style.color, seg.style.bgcolor) if seg.style else ():
                    if c is not None:
                        kinds.add(c.type)
        assert kinds and kinds <= {ColorType.DEFAULT, ColorType.STANDARD}


async def test_a_remapped_key_works_and_shows_in_the_footer(demo_store: Store, today: date) -> None:
    from screens.rota.plan import RotaPlanScreen

    app = _app(demo_store, today, keys={"rota": "j", "quit": "ctrl+x"})
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        footer = {b.binding.description: k for k, b in app.screen.active_bindings.items()
                  if b.binding.show}  # fmt: skip
        assert footer["党课"] == "j" and footer["退出"] == "ctrl+x"
        assert "^x" in _text(app).splitlines()[-1]  # drawn in the footer
        await pilot.press("k")  # the old key no longer opens it
        await pilot.pause()
        assert not isinstance(app.screen, RotaPlanScreen)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, RotaPlanScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+x")
        await pilot.pause()
    assert app.return_code == 0 and not app.is_running
