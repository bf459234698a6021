"""The demo builds at the sizes the bench uses, and every meeting it holds had its quorum."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.meetings import quorum
from storage.db import open_store
from storage.demo import build_demo
from storage.meetings import get
from tests.factories import TODAY


@pytest.mark.parametrize("people", [1000])
def test_demo_builds_and_every_meeting_met_its_quorum(tmp_path: Path, people: int) -> None:
    # At 1,000 people a 5-member 支委会 drew 3 absentees and the build
    # stopped with MeetingNotReady (bench could not start).
    store = open_store(tmp_path / "d.db", actor="tester")
    build_demo(store, people_count=people, today=TODAY)
    ids = [row["id"] for row in store.query("SELECT id FROM meetings")]
    assert len(ids) > 100
    for mid in ids:
        meeting = get(store, mid)
        assert meeting is not None and quorum(meeting).ok, mid
    store.close()
