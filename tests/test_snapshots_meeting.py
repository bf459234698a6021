"""Snapshots of the meeting workflow at 80×24: the sign-in grid with quorum,
and the finish section when quorum fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.meetings import new_meeting, sign_in_all
from storage import org, people
from storage.db import open_store
from tests.demo_cache import demo_db
from tests.factories import TODAY


@pytest.fixture
def snap_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    store = open_store(demo_db(tmp_path / "snap.db", actor="snap", today=TODAY), actor="snap")
    from tui.app import make_app

    app = make_app(store.path, store=store, today=TODAY)
    app.sub_title = "demo.db"
    branch = org.branches(store)[0]
    meeting = new_meeting(
        MeetingKind.MEMBER_ASSEMBLY, branch.id, branch.name, TODAY,
        people=people.members_of(store, branch.id),
    )  # fmt: skip
    meeting, _ = sign_in_all(meeting)  # these pictures show a completed sign-in
    # A fixed id and order keep the picture stable between runs.
    meeting = meeting.model_copy(
        update={"id": "snapshot-meeting", "topics": ["讨论通过年度工作总结"]}
    )
    return app, meeting


def _absent(meeting, n: int):
    att = [
        e.model_copy(update={"state": AttendanceState.LEAVE, "reason": "夜班"}) if i < n else e
        for i, e in enumerate(meeting.attendance)
    ]
    return meeting.model_copy(update={"attendance": att})


def test_sign_in_grid_with_quorum(snap_compare, snap_app) -> None:
    app, meeting = snap_app

    async def run_before(pilot) -> None:
        app.open_meeting_screen(_absent(meeting, 2))
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, press=["2"], terminal_size=(80, 24))


def test_finish_blocked_by_quorum_failure(snap_compare, snap_app) -> None:
    app, meeting = snap_app

    async def run_before(pilot) -> None:
        app.open_meeting_screen(_absent(meeting, 14))
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, press=["f"], terminal_size=(80, 24))
