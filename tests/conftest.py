from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from storage.db import Store, open_store
from tests.demo_cache import demo_db
from tests.factories import TODAY

# engine, db_target, pg_url and the both_engines parametrisation
pytest_plugins = ["tests.pg_fixtures"]


@pytest.fixture
def today() -> date:
    """The suite's fixed "today" (tests.factories.TODAY): dates in assertions stay put."""
    return TODAY


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "zhibu.db"


@pytest.fixture
def store(db_target: Path | str) -> Store:
    """An empty database: on SQLite, and also on PostgreSQL in a module marked
    both_engines (tests/pg_fixtures.py)."""
    s = open_store(db_target, actor="tester")
    yield s
    s.close()


@pytest.fixture
def demo_store(engine: str, db_path: Path, today: date, request: pytest.FixtureRequest) -> Store:
    """The demo database: a copy of the file, or in a both_engines module also
    a copy of a PostgreSQL demo database (tests/pg_fixtures.py)."""
    if engine == "postgresql":
        from tests.pg_fixtures import drop, pg_demo_url

        url = pg_demo_url(request.getfixturevalue("pg_server"), actor="tester", today=today)
        s = open_store(url, actor="tester")
        yield s
        s.close()
        drop(url)
        return
    s = open_store(demo_db(db_path, actor="tester", today=today), actor="tester")
    yield s
    s.close()


@pytest.fixture
def make_demo_app(demo_store: Store, today: date):
    from tui.app import make_app

    def factory():
        return make_app(demo_store.path, store=demo_store, today=today)

    return factory


@pytest.fixture(autouse=True)
def export_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Exports without a folder of their own go here, never to the real
    ~/zhibu-导出 of whoever runs the suite (services.export_folder)."""
    folder = tmp_path / "zhibu-导出"
    monkeypatch.setenv("ZHIBU_EXPORT_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def _no_config_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite never reads /etc/zhibu or the runner's ~/.config/zhibu
    (services.settings); a test that wants a file writes one here."""
    monkeypatch.setenv("ZHIBU_SYSTEM_CONFIG", str(tmp_path / "etc-zhibu" / "config.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    # Snapshots and pty traffic must not depend on the blink phase.
    from textual.widgets import Input

    monkeypatch.setattr(Input, "cursor_blink", False, raising=False)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests in a fresh event loop (no extra plugin needed)."""
    import asyncio
    import inspect

    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@pytest.fixture(autouse=True)
def _press_waits_for_the_key_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app lets one key be in flight at a time (tui/key_order.py): a key
    pressed while another is still being handled waits its turn. Pilot's
    press returns once the app is idle, which can be between two of those
    turns, so wait until the app has handled every key pressed."""
    import asyncio

    from textual.pilot import Pilot

    original = Pilot.press

    async def press(self: Pilot, *keys: str) -> None:
        await original(self, *keys)
        app = self.app
        for _ in range(600):
            if not getattr(app, "_key_busy", False) and not getattr(app, "_key_backlog", ()):
                break
            await asyncio.sleep(0.005)
        await original(self)  # no keys: just Pilot's own wait for idle

    monkeypatch.setattr(Pilot, "press", press)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What is alive after collection (modules, classes, Textual's CSS and
    widget machinery) lives as long as the session: keep it out of the
    collector's full passes, as the app does after its warm-up
    (screens/home.py). Each full pass walked all of it again; freezing cut the
    CPU of the Pilot tests by about 15 %."""
    import gc

    gc.collect()
    gc.freeze()
