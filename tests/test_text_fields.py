"""Every text field is a project widget with a length limit (no silent drop on paste).

Textual's own Input drops an over-long paste without a word and TextArea has no
limit at all, so screens/ and widgets/ build fields only from
widgets.limited_input (docs/RELIABILITY.md, U7).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = {"Input", "TextArea"}
# The one module allowed to build on Textual's fields directly.
HOME = ROOT / "widgets" / "limited_input.py"


def _textual_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> textual class, for every Input/TextArea imported from textual."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual"):
            for a in node.names:
                if a.name in BARE:
                    names[a.asname or a.name] = a.name
    return names


def _is_bare(expr: ast.expr, local: dict[str, str]) -> bool:
    if isinstance(expr, ast.Name):
        return expr.id in local
    # textual.widgets.Input / widgets.TextArea reached through a module
    return isinstance(expr, ast.Attribute) and expr.attr in BARE


def bare_fields(path: Path, root: Path = ROOT) -> list[str]:
    where = path.relative_to(root)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    local = _textual_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_bare(node.func, local):
            found.append(f"{where}:{node.lineno} builds {ast.unparse(node.func)}")
        elif isinstance(node, ast.ClassDef):
            for base in node.bases:
                if _is_bare(base, local):
                    found.append(
                        f"{where}:{node.lineno} {node.name} subclasses {ast.unparse(base)}"
                    )
    return found


def _ui_modules() -> list[Path]:
    return sorted(
        p for pkg in ("screens", "widgets") for p in (ROOT / pkg).rglob("*.py") if p != HOME
    )


def test_no_bare_textual_text_fields() -> None:
    bad = [hit for path in _ui_modules() for hit in bare_fields(path)]
    assert not bad, "use LimitedInput / LimitedTextArea:\n" + "\n".join(bad)


def test_the_check_sees_a_bare_field(tmp_path: Path) -> None:
    """The walk itself must catch each way of writing a bare field."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from textual.widgets import Input, TextArea as TA\n"
        "import textual.widgets\n"
        "a = Input(id='x')\n"
        "b = TA()\n"
        "c = textual.widgets.Input()\n"
        "class D(Input): ...\n"
        "q = query_one(Input)\n",  # a query is not a construction
        encoding="utf-8",
    )
    sample_rel = sample.relative_to(tmp_path)
    hits = bare_fields(sample, tmp_path)
    assert sorted(h.split(" ", 1)[0] for h in hits) == [f"{sample_rel}:{n}" for n in (3, 4, 5, 6)]
