"""The project documents itself in docs/, and the code points only there.

- No .py file mentions design files that live outside the repository, and no
  comment or docstring cites their section numbers or source ids.
- Every docs/ file named in the code or in the docs' own links exists, and
  every #anchor given names a heading of that file.
- docs/CHECKLISTS.md lists the seeded procedures exactly as the code seeds
  them (regenerate a kind's table with ``checklist_rows``).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from domain.meeting_kinds import MeetingKind
from domain.procedures import GateCheck, ProcedureTemplate, RecordKind, default_template

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SKIP_DIRS = {"build", "dist", "node_modules", "__pycache__"}

# Built by concatenation so this file does not match itself.
_OUTSIDE_FILES = (
    r"REFERENCE(?:\.md|\s*§)",
    r"PRODUCT\.md",
    "reliability" + r"-security",
    r"anchors-[\w-]+\.md",
    "beyond" + r"-one-machine",
    r"(?<![\w-])sha" + "red/",
    "design" + r" notes",
)
# Inside docs/ the architecture page is linked without the docs/ prefix; code needs it.
_OUTSIDE_MD = re.compile("|".join(_OUTSIDE_FILES))
_OUTSIDE = re.compile("|".join((*_OUTSIDE_FILES, r"(?<!docs/)ARCHITECTURE\.md")))
# Section numbers (a § and a digit) and bracketed source ids (S or C, digits)
# of those files.
_SECTION = re.compile(r"§\s*\d|\[(?:S\d+|C\d)[],;]")
_DOC_REF = re.compile(r"docs/([A-Za-z0-9_-]+\.md)(?:#([\w-]+))?")
_MD_LINK = re.compile(r"\]\(([A-Za-z0-9_-]+\.md)(?:#([\w-]+))?\)")


def project_py_files() -> list[Path]:
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).parts
        if any(p.startswith(".") or p in SKIP_DIRS or p.endswith(".egg-info") for p in rel):
            continue
        out.append(path)
    return out


def outside_refs(text: str) -> list[str]:
    """Mentions of design files kept outside the repository."""
    return [m.group(0) for m in _OUTSIDE.finditer(text)]


def comments_and_docstrings(source: str) -> list[str]:
    parts = [
        tok.string
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                parts.append(doc)
    return parts


def section_refs(source: str) -> list[str]:
    """Section numbers or source ids cited in comments and docstrings.

    A line with a public URL may cite that page's sections.
    """
    found = []
    for part in comments_and_docstrings(source):
        for line in part.splitlines():
            if "://" in line or ".html" in line:
                continue
            found += [m.group(0) for m in _SECTION.finditer(line)]
    return found


def slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = heading.strip().lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return text.replace(" ", "-")


def anchors(md: Path) -> set[str]:
    out = set()
    in_code = False
    for line in md.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and re.match(r"#{1,6} ", line):
            out.add(slug(line.lstrip("#")))
    return out


def broken_refs(refs: list[tuple[str, str | None]]) -> list[str]:
    bad = []
    for name, anchor in refs:
        md = DOCS / name
        if not md.is_file():
            bad.append(f"docs/{name} does not exist")
        elif anchor and anchor not in anchors(md):
            bad.append(f"docs/{name}#{anchor}: no such heading")
    return bad


# -- the checks ---------------------------------------------------------------


def test_the_scan_sees_the_code() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in project_py_files()}
    assert {"domain/meeting_rules.py", "tests/test_docs_refs.py", "tui/app.py"} <= names
    assert not any(n.startswith(".venv/") for n in names)


def test_the_checkers_catch_what_they_should() -> None:
    assert outside_refs("see " + "REFERENCE" + ".md §1.3")
    assert outside_refs("(" + "reliability" + "-security.md)")
    assert outside_refs("rules of " + "ARCHITECTURE" + ".md")
    assert not outside_refs("rules of docs/" + "ARCHITECTURE" + ".md, a group-shared setup")
    assert not outside_refs("REFERENCES org_units(id)")  # SQL, not a file
    src = '"""Top (§1.3)."""\nx = 1  # quorum [S27]\ny = "§8-1"\n# sqlite.org/a.html §2.2\n'
    assert sorted(section_refs(src)) == ["[S27]", "§1"]
    assert broken_refs([("RULES.md", "no-such-heading")])
    assert broken_refs([("NO_SUCH_FILE.md", None)])
    assert slug(" Quorum and passing") == "quorum-and-passing"


@pytest.mark.parametrize("path", project_py_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_code_points_only_into_docs(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not outside_refs(source), "point into docs/ instead"
    assert not section_refs(source), "cite a docs/ heading (docs/RULES.md#…) instead"


def test_docs_named_in_code_exist() -> None:
    refs = []
    for path in project_py_files():
        refs += _DOC_REF.findall(path.read_text(encoding="utf-8"))
    assert len(refs) > 20  # the code does point here
    assert not broken_refs([(name, anchor or None) for name, anchor in refs])


def test_links_between_docs_and_from_readme_exist() -> None:
    refs: list[tuple[str, str | None]] = []
    for md in sorted(DOCS.glob("*.md")):
        refs += [(n, a or None) for n, a in _MD_LINK.findall(md.read_text(encoding="utf-8"))]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    refs += [(n, a or None) for n, a in _DOC_REF.findall(readme)]
    assert not broken_refs(refs)


def test_docs_are_in_the_projects_own_words() -> None:
    for md in sorted(DOCS.glob("*.md")):
        text = md.read_text(encoding="utf-8")
        assert not _OUTSIDE_MD.search(text), f"{md.name} points outside the repository"
        assert not _SECTION.search(text), f"{md.name} cites an outside section or source"


# -- CHECKLISTS.md follows domain/procedures.py -------------------------------

_RECORDS = {
    RecordKind.NOTES: "notes",
    RecordKind.SPEAKERS: "speakers",
    RecordKind.VOTE: "vote",
    RecordKind.DECISION: "decision",
    RecordKind.ELECTION: "election",
}


def checklist_rows(template: ProcedureTemplate) -> list[str]:
    """The table rows docs/CHECKLISTS.md shows for *template*."""
    rows = []
    for i, s in enumerate(template.steps, 1):
        gate = f"⚑ {s.gate_check.value}" if s.hard_gate and s.gate_check else ""
        skip = "with a reason" if s.skippable else "never"
        records = ", ".join(label for r, label in _RECORDS.items() if r in s.records)
        rows.append(
            f"| {i} | {s.phase.value} | `{s.key}` | {s.title} | {gate} | {skip} | {records} |"
        )
    return rows


def _kind_section(text: str, template: ProcedureTemplate) -> str:
    intro = f"\n{template.kind.value}: template 「{template.name}」, {len(template.steps)} steps."
    assert intro in text, f"CHECKLISTS.md has no section for {template.kind.value}: {intro!r}"
    start = text.index(intro)
    end = text.find("\n## ", start)
    return text[start : end if end != -1 else len(text)]


@pytest.mark.parametrize("kind", list(MeetingKind), ids=lambda k: k.name)
def test_checklists_doc_matches_the_seeded_procedure(kind: MeetingKind) -> None:
    text = (DOCS / "CHECKLISTS.md").read_text(encoding="utf-8")
    template = default_template(kind)
    section = _kind_section(text, template)
    missing = [row for row in checklist_rows(template) if row not in section]
    assert not missing, "regenerate the table with checklist_rows():\n" + "\n".join(missing)
    for gate in template.gates:
        assert f"- ⚑ `{gate.key}` (" in section, f"{kind}: gate {gate.key} not described"


def test_checklists_doc_explains_every_gate_check() -> None:
    text = (DOCS / "CHECKLISTS.md").read_text(encoding="utf-8")
    for check in GateCheck:
        assert f"\n| {check.value} | " in text, f"no row for the {check.value} check"
