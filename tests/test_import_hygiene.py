"""Layering rules of docs/ARCHITECTURE.md#house-rules, enforced."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {(path.name, a.name.split(".")[0]) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((path.name, node.module.split(".")[0]))
    return found


def test_no_textual_below_the_ui() -> None:
    for package in ("domain", "storage", "exports"):
        bad = {(f, m) for f, m in _imports(package) if m in ("textual", "rich")}
        assert not bad, f"{package} imports the UI: {bad}"


def test_domain_is_pure() -> None:
    forbidden = {
        "sqlite3",
        "sqlite_utils",
        "docx",
        "storage",
        "exports",
        "tui",
        "screens",
        "widgets",
    }
    bad = {(f, m) for f, m in _imports("domain") if m in forbidden}
    assert not bad, bad


def test_storage_and_exports_only_use_domain() -> None:
    for package in ("storage", "exports"):
        bad = {(f, m) for f, m in _imports(package) if m in {"tui", "screens", "widgets"}}
        assert not bad, bad
    assert not {(f, m) for f, m in _imports("exports") if m == "storage"}


def test_widgets_never_touch_storage() -> None:
    bad = {(f, m) for f, m in _imports("widgets") if m in ("storage", "sqlite3", "sqlite_utils")}
    assert not bad, bad


def test_app_import_is_light_and_has_no_side_effects(tmp_path) -> None:
    code = (
        "import sys, tui.app, tui.cli, screens.home, screens.roster.roster, screens.roster.person_form;"
        "heavy = [m for m in ('docx', 'openpyxl', 'pypinyin') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin"}
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""
    assert not (tmp_path / "xdg").exists()


HOME_WITHOUT = (
    "pydantic",  # ~70 ms of every start: import plus the first model built
    "domain.meetings",
    "domain.rota",
    "domain.courseware",
    "domain.dues",
    "domain.followups",
    "storage.records",
    "chinese_calendar",
)


def _probe_home(tmp_path, setup: str, inside: str, arg: str) -> str:
    """Run the app on a copy of the demo in a fresh interpreter (so sys.modules
    says what the app alone imported) and print what *inside* prints."""
    from tests.demo_cache import demo_db
    from tests.factories import TODAY

    db = demo_db(tmp_path / "demo.db", actor="tester", today=TODAY)
    code = (
        "import asyncio, gc, sys\n"
        "from datetime import date\n"
        "from pathlib import Path\n"
        "import screens.home\n"
        "from tui.app import make_app\n"
        f"{setup}\n"
        "async def main():\n"
        f"    app = make_app(Path(sys.argv[1]), today=date.fromisoformat({TODAY.isoformat()!r}))\n"
        "    app.freeze_heap_after_warm_up = True  # as `zhibu` sets it\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause()\n"
        + "".join(f"        {line}\n" for line in inside.splitlines())
        + "asyncio.run(main())\n"
    )
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin"}
    r = subprocess.run(
        [sys.executable, "-c", code, str(db), arg],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_home_screen_shows_its_data_without_the_models(tmp_path) -> None:
    """Start-up stays light by design: the home screen answers from SQL and
    dataclasses; the pydantic models load when a workflow screen opens."""
    out = _probe_home(
        tmp_path,
        "screens.home.WARM_UP_MODULES = ()  # what the first paint needs, not the warm-up",
        "due = app.screen.query_one('#due-list').option_count\n"
        "rows = app.screen.query_one('#compliance-table').row_count\n"
        "loaded = [m for m in sys.argv[2].split(',') if m in sys.modules]\n"
        "print(due, rows, ','.join(loaded))",
        ",".join(HOME_WITHOUT),
    )
    due, rows, loaded = (out.split(" ") + [""])[:3]
    assert int(due) >= 5 and int(rows) == 4  # due items and the 4 demo branches are shown
    assert loaded == "", f"the home screen loaded {loaded}"


def test_workflow_models_load_in_the_background_after_the_first_paint(tmp_path) -> None:
    from screens.home import WARM_UP_MODULES

    out = _probe_home(
        tmp_path,
        "",
        "await app.workers.wait_for_complete()\n"
        "loaded = all(m in sys.modules for m in sys.argv[2].split(','))\n"
        "print(loaded, gc.get_freeze_count() > 1000)",
        ",".join(("pydantic", *WARM_UP_MODULES)),
    )
    assert out == "True True"  # models loaded, start-up heap frozen


def test_frame_rate_is_raised_unless_the_administrator_set_one(tmp_path) -> None:
    code = "import tui.cli; tui.cli.frame_rate(); import textual.constants as c; print(c.MAX_FPS)"
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for preset, expected in ((None, "120"), ("30", "30")):
        run_env = env if preset is None else {**env, "TEXTUAL_FPS": preset}
        r = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=run_env, cwd=ROOT
        )
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == expected
