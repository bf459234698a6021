"""Layering rules of ARCHITECTURE.md, enforced."""

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
    forbidden = {"sqlite3", "sqlite_utils", "docx", "storage", "exports", "tui", "screens", "widgets"}
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
        "import sys, tui.app, tui.cli, screens.home, screens.roster, screens.person_form;"
        "heavy = [m for m in ('docx', 'openpyxl', 'pypinyin') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg"), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""
    assert not (tmp_path / "xdg").exists()
