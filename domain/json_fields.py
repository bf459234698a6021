"""The fields of stored JSON documents that SQL reads directly.

Aggregates are stored whole as JSON (storage.records.save_document), and the
light readers (the home screen, lists, reports) pick single fields out of them
with ``json_extract`` instead of building the pydantic models. Those field
names are declared here, next to the model that defines them, so that:

- storage builds every ``json_extract`` from a declaration (``LECTURE.extract
  ("topic")``); an undeclared path raises at import, not NULL on screen;
- tests/test_json_fields.py imports each model and checks every declared path
  against its ``model_fields``, so renaming or removing a field that SQL reads
  fails the tests instead of silently showing blanks.

Plain Python on purpose: the home screen imports this and must not load
pydantic (tests/test_import_hygiene.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JsonDocument:
    """Paths SQL reads from one kind of stored document.

    *model* names the pydantic class as ``"module:Class"`` (imported only by the
    field check). *within* is a list field of that model whose elements are read
    through ``json_each``; *paths* are then relative to one element.
    """

    model: str
    paths: tuple[str, ...]
    within: str = ""

    def path(self, name: str) -> str:
        """``$.name`` for a declared path."""
        if name not in self.paths:
            where = f"{self.model}.{self.within}[]" if self.within else self.model
            raise KeyError(f"{name!r} is not a declared JSON path of {where}")
        return f"$.{name}"

    def extract(self, name: str, column: str = "data") -> str:
        """``json_extract(column, '$.name')`` for a declared path."""
        return f"json_extract({column}, '{self.path(name)}')"


LECTURE = JsonDocument(
    "domain.courseware:Lecture",
    ("meeting_id", "lecturer_name", "branch_name", "topic"),
)
DUES = JsonDocument("domain.dues:DuesRecord", ("waived", "paid_fen", "due_fen", "base_fen"))
FOLLOWUP = JsonDocument(
    "domain.followups:FollowUp",
    ("person_name", "trigger_text", "responsible_name", "contacts"),
)
MEETING = JsonDocument(
    "domain.meetings:Meeting",
    (
        "org_name", "title", "topics[0]", "lecturer_id", "lecturer_name", "revision",
        "attendance", "start_time", "finished_at",
    ),  # fmt: skip
)
ATTENDANCE = JsonDocument(
    "domain.meetings:Meeting",
    ("person_id", "name", "state", "reason", "excluded_reason"),
    within="attendance",
)

PROBLEM = JsonDocument("domain.problems:Problem", ("text", "owner_name", "verifier_name"))
TASK = JsonDocument("domain.tasks:Task", ("title",))

DOCUMENTS = (LECTURE, DUES, FOLLOWUP, MEETING, ATTENDANCE, PROBLEM, TASK)
