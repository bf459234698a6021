"""V1: arbitrary text through validate -> save -> load -> .docx.

Any text (surrogates, C0/C1, bidi, markup, NUL, long) either fails
validation with a pydantic ValidationError, or is saved, loaded back
unchanged and exported to a .docx that opens. Nothing else may happen.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceEntry
from domain.meetings import Meeting, new_meeting
from domain.people import Person
from exports import minutes
from exports.docx_common import xml_safe
from storage import meetings, people, records
from storage.db import Store, open_store
from tests.reliability_helpers import integrity, runs, seed_db

ANY_CHAR = st.characters(exclude_categories=())  # surrogates included
HOSTILE = [
    "", " ", "\x00", "\ud800", "\udfff", "\ufffe", "\uffff", "\x1b]52;c;SGk=\x07", "\x1b[2J", "\x9b",
    "\u202e", "[/", "[/]", "[@click=app.quit]x[/]", "=cmd|' /C calc'!A0", "\r\n", "\t", "　",
    "１２", "a\u0301", "𠮷", "🧑‍🤝‍🧑", "\\", "'; DROP TABLE people; --",
]  # fmt: skip
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=60),
    st.sampled_from(HOSTILE),
    st.lists(st.sampled_from(HOSTILE + ["张三", "支部"]), max_size=6).map("".join),
    st.text(ANY_CHAR, min_size=150, max_size=2500),
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, str]:
    db = tmp_path_factory.mktemp("prop") / "data" / "zhibu.db"
    branch = seed_db(db)
    store = open_store(db, actor="tester")
    yield store, branch
    store.close()
    assert integrity(db) == ["ok"]


PERSON_FIELDS = ["name", "team", "job", "phone", "note"]
MEETING_FIELDS = ["org_name", "title", "place", "chair_name", "topic", "summary"]


def _person(branch: str, field: str, value: str) -> Person | None:
    """A valid person except for *field*, which gets *value*."""
    body = {"name": "张三", "team": "采油一班", "phone": "13800001111", "branch_id": branch}
    body[field] = value
    try:
        return Person(**body)
    except ValidationError:
        return None


def _meeting(branch: str, field: str, value: str, who: Person | None) -> Meeting | None:
    base = new_meeting(MeetingKind.COMMITTEE, branch, "测试支部", dt.date(2026, 3, 15))
    body = base.model_dump()
    body.update(topics=["研究党建工作"], summary="会议总结")
    if who is not None:
        body["attendance"] = [AttendanceEntry.from_person(who).model_dump()]
        body["recorder_name"] = who.name
    if field == "topic":
        body["topics"] = [value, "第二项"]
    else:
        body[field] = value
    try:
        return Meeting.model_validate(body)
    except ValidationError:
        return None


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


@pytest.mark.slow
@settings(
    max_examples=runs(40, 600),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pfield=st.sampled_from(PERSON_FIELDS),
    pvalue=TEXT,
    mfield=st.sampled_from(MEETING_FIELDS),
    mvalue=TEXT,
)
def test_any_text_validates_saves_loads_and_exports(
    world: tuple[Store, str], pfield: str, pvalue: str, mfield: str, mvalue: str
) -> None:
    store, branch = world
    person = _person(branch, pfield, pvalue)
    event("person valid" if person else "person rejected")
    saved_person = None
    if person is not None:
        saved_person = people.save(store, person)
        loaded = people.get(store, saved_person.id)
        assert loaded is not None and loaded.model_dump() == saved_person.model_dump()
        people.search(store, loaded.name)  # the search keys of any name work
    meeting = _meeting(branch, mfield, mvalue, saved_person)
    event("meeting exported" if meeting else "meeting rejected")
    if meeting is None:
        return
    index = {"kind": meeting.kind.value, "org_id": branch, "date": meeting.date,
             "status": meeting.status.value, "supersedes_id": None}  # fmt: skip
    saved = records.save_document(store, "meetings", meeting, index)
    loaded_meeting = meetings.get(store, saved.id)
    assert loaded_meeting is not None
    assert loaded_meeting.model_dump() == saved.model_dump()
    with tempfile.TemporaryDirectory() as out:
        path = minutes.export(loaded_meeting, out)
        text = _docx_text(path)  # opens: the file is a valid .docx
    for shown in (loaded_meeting.org_name, loaded_meeting.place, loaded_meeting.topics[0]):
        assert xml_safe(shown).strip() in text
    if saved_person is not None:
        assert xml_safe(saved_person.name) in text
