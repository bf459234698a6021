"""Every JSON path SQL reads is a field of the model stored there.

The light readers pick fields out of stored documents with json_extract; a
renamed or removed model field would make them read NULL and show blanks on
home. The paths are declared in domain.json_fields; these tests check each one
against the pydantic model and make sure no reader spells a path by hand.
"""

from __future__ import annotations

import importlib
import re
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from domain import json_fields
from domain.json_fields import DOCUMENTS, JsonDocument

ROOT = Path(__file__).resolve().parents[1]
# Packages whose SQL must take its JSON paths from domain.json_fields.
READERS = ("storage", "exports", "services", "tui", "screens", "widgets")
_INDEX = re.compile(r"\[\d+\]$")


def _model(dotted: str) -> type[BaseModel]:
    module, _, name = dotted.partition(":")
    cls = getattr(importlib.import_module(module), name)
    assert isinstance(cls, type) and issubclass(cls, BaseModel), dotted
    return cls


def _inner(annotation: object) -> list[object]:
    """The types a value of *annotation* may hold, containers and Optional unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _inner(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(annotation) for t in _inner(a)]
    if origin in (list, tuple, set, frozenset):
        return [t for a in typing.get_args(annotation) if a is not Ellipsis for t in _inner(a)]
    return [annotation]


def _field_type(cls: type[BaseModel], name: str) -> object:
    if name in cls.model_fields:
        return cls.model_fields[name].annotation
    if name in cls.model_computed_fields:
        return cls.model_computed_fields[name].return_type
    raise LookupError(f"{cls.__name__} has no field {name!r}")


def _is_sequence(annotation: object) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_sequence(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_sequence(a) for a in typing.get_args(annotation))
    return origin in (list, tuple)


def _step(types_: list[object], name: str, where: str, indexed: bool) -> list[object]:
    models = [t for t in types_ if isinstance(t, type) and issubclass(t, BaseModel)]
    if not models:
        raise LookupError(f"{where} is not a model, so it has no field {name!r}")
    annotations = [_field_type(m, name) for m in models]
    if indexed and not all(_is_sequence(a) for a in annotations):
        raise LookupError(f"{where}.{name} is not a list, so it cannot be indexed")
    return [t for a in annotations for t in _inner(a)]


def resolve(cls: type[BaseModel], path: str, within: str = "") -> list[object]:
    """The types at *path* of a *cls* document (``a.b[0].c``); LookupError when
    some step is not a field. *within*: a list field whose element *path* is in."""
    current: list[object] = [cls]
    where = cls.__name__
    for part in [p for p in (within, path) if p]:
        for name in part.split("."):
            key = _INDEX.sub("", name)
            current = _step(current, key, where, indexed=key != name)
            where = f"{where}.{key}"
    return current


def test_every_declared_path_is_a_field_of_its_model() -> None:
    problems = []
    for doc in DOCUMENTS:
        cls = _model(doc.model)
        for path in doc.paths:
            try:
                resolve(cls, path, doc.within)
            except LookupError as e:
                where = f"{doc.model}.{doc.within}[]" if doc.within else doc.model
                problems.append(f"{where} '$.{path}': {e}")
    assert not problems, "\n".join(problems)


def test_every_document_is_listed_for_the_check() -> None:
    declared = [v for v in vars(json_fields).values() if isinstance(v, JsonDocument)]
    assert set(declared) == set(DOCUMENTS)


def test_within_names_a_list_of_models() -> None:
    for doc in DOCUMENTS:
        if doc.within:
            ann = _field_type(_model(doc.model), doc.within)
            assert typing.get_origin(ann) is list, doc
            assert all(isinstance(t, type) and issubclass(t, BaseModel) for t in _inner(ann)), doc


def test_no_reader_spells_a_json_path_by_hand() -> None:
    """A path written into SQL directly would escape the check above."""
    literal = re.compile(r"""['"]\$[.\[]""")
    frozen = ROOT / "storage" / "migrations.py"
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for pkg in READERS
        for p in sorted((ROOT / pkg).rglob("*.py"))
        if p != frozen
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert not found, "declare these in domain.json_fields:\n" + "\n".join(found)


def test_paths_a_migration_spells_out_are_declared() -> None:
    """A migration's SQL is frozen, so an index over a JSON path spells the
    path out; the path must still be a declared one, so that renaming the
    field fails the declaration check instead of leaving the index unused."""
    declared = {path for doc in DOCUMENTS for path in doc.paths}
    text = (ROOT / "storage" / "migrations.py").read_text(encoding="utf-8")
    spelled = set(re.findall(r"""['"]\$\.([A-Za-z_][A-Za-z_0-9]*)['"]""", text))
    assert spelled, "the scan finds the paths the migrations use"
    assert spelled <= declared, spelled - declared


# -- the check itself can fail --------------------------------------------------


class _Entry(BaseModel):
    person_id: str
    note: str | None = None


class _Doc(BaseModel):
    topics: list[str] = []
    entries: list[_Entry] = []
    lead: _Entry | None = None


@pytest.mark.parametrize(
    ("path", "within"),
    [
        ("topic", ""),
        ("topics[0].x", ""),
        ("lead.name", ""),
        ("lead[0]", ""),
        ("note.x", "entries"),
        ("id", ""),
    ],
)
def test_a_missing_or_renamed_field_is_reported(path: str, within: str) -> None:
    with pytest.raises(LookupError):
        resolve(_Doc, path, within)


@pytest.mark.parametrize(
    ("path", "within"),
    [("topics[0]", ""), ("lead.person_id", ""), ("lead.note", ""), ("note", "entries")],
)
def test_an_existing_nested_field_resolves(path: str, within: str) -> None:
    assert resolve(_Doc, path, within)


def test_an_undeclared_path_is_refused_when_the_sql_is_built() -> None:
    doc = JsonDocument("m:M", ("topic",))
    assert doc.extract("topic") == "json_extract(data, '$.topic')"
    assert doc.extract("topic", "m.data") == "json_extract(m.data, '$.topic')"
    with pytest.raises(KeyError, match="topics"):
        doc.extract("topics")
