"""Layers: screens and widgets reach exports and storage through services,
never directly and never through the CLI shell (tui/); services import no UI."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _top_imports(package: str) -> set[tuple[str, str]]:
    """(file, top-level package) for every absolute import under *package*,
    including imports inside functions."""
    found: set[tuple[str, str]] = set()
    for path in (ROOT / package).rglob("*.py"):
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(rel, a.name.split(".")[0]) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((rel, node.module.split(".")[0]))
    return found


def test_screens_and_widgets_never_import_tui() -> None:
    bad = sorted(
        (f, m) for pkg in ("screens", "widgets") for f, m in _top_imports(pkg) if m == "tui"
    )
    assert not bad, f"import services instead of tui: {bad}"


def test_services_import_no_ui_and_no_shell() -> None:
    ui = {"textual", "rich", "tui", "screens", "widgets"}
    bad = sorted((f, m) for f, m in _top_imports("services") if m in ui)
    assert not bad, bad



def test_screens_and_widgets_reach_storage_and_exports_through_services() -> None:
    """docs/ARCHITECTURE.md, layers: the UI imports services/ and domain/ only;
    types a screen needs from a storage reader are re-exported by services/."""
    lower = {"storage", "exports"}
    bad = sorted(
        (f, m) for pkg in ("screens", "widgets") for f, m in _top_imports(pkg) if m in lower
    )
    assert not bad, f"call a service instead: {bad}"


def test_worker_results_arrive_as_messages() -> None:
    """docs/ARCHITECTURE.md, workers: a worker posts its screen's own Message
    (widgets/work_result.post_result); no screen filters Worker.StateChanged
    by group name and casts ``worker.result``."""
    bad = sorted(
        str(path.relative_to(ROOT))
        for pkg in ("screens", "widgets")
        for path in (ROOT / pkg).rglob("*.py")
        if any(
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name == "on_worker_state_changed"
            or isinstance(node, ast.Attribute)
            and node.attr == "StateChanged"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    assert not bad, f"post a Message from the worker instead: {bad}"
