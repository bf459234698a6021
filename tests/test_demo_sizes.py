"""The demo builds at the sizes the bench uses, and every meeting it holds had its quorum."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.meetings import quorum
from storage.db import open_store
from storage.demo import build_demo
from storage.meetings import get
from tests.factories import TODAY

pytestmark = pytest.mark.both_engines


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


def test_demo_command_reports_its_counts_in_chinese(tmp_path: Path) -> None:
    # Printed 「…，56 development」 after the 发展党员 demo was added.
    import re

    from tui.cli import main

    db = tmp_path / "demo.db"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(db), "demo"]) == 0
    last = out.getvalue().strip().splitlines()[-1].replace(str(db), "")
    assert last.startswith("演示数据库已生成") and "条发展党员记录" in last
    assert not re.search(r"[A-Za-z]", last), last
