"""R4 (issue 14): the audit covers content, sequence gaps, and prints the chain head.

Failed before: a finished meeting edited with the sqlite3 CLI passed `zhibu check`;
with the triggers dropped, one audit row changed, another deleted and the chain
rebuilt, `zhibu check` still said ok and the missing sequence number went unflagged.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from domain.people import Person
from storage import audit, people
from storage.db import open_store
from tests.reliability_helpers import demo_db, raw
from tui.cli import main

pytestmark = pytest.mark.both_engines


def _check(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = main(["--db", str(db), "check"])
    out = capsys.readouterr()
    return rc, out.out + out.err


def _saved_db(tmp_path: Path) -> tuple[Path, str]:
    """A demo database plus records saved through the app (so they carry content)."""
    db = tmp_path / "data" / "a.db"
    branch = demo_db(db)
    store = open_store(db, actor="tester")
    try:
        p = people.save(store, Person(name="内容张", branch_id=branch))
        people.save(store, p.model_copy(update={"phone": "13900000009"}))
    finally:
        store.close()
    return db, p.id


def test_healthy_database_passes_and_prints_the_chain_head(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = _saved_db(tmp_path)
    rc, out = _check(db, capsys)
    assert rc == 0, out
    c = raw(db)
    n = c.execute("SELECT count(*) FROM audit").fetchone()[0]
    last = c.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0]
    c.close()
    assert f"审计链头：{n} 条，{last}" in out


def test_record_edited_behind_the_apps_back_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, pid = _saved_db(tmp_path)
    c = raw(db)
    c.execute("UPDATE people SET phone='13100000000' WHERE id=?", (pid,))
    c.commit()
    c.close()
    rc, out = _check(db, capsys)
    assert rc == 65
    assert f"people/{pid}" in out and "与其最后一条审计记录不符" in out


def test_finished_meeting_edited_with_sqlite_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from storage import meetings

    db = tmp_path / "data" / "m.db"
    demo_db(db)
    store = open_store(db, actor="tester")
    try:
        mid = store.scalar("SELECT id FROM meetings WHERE status='已完成' LIMIT 1")
        m = meetings.get(store, mid)
        from domain.meetings import correction, finish

        fixed = finish(correction(m), m.finished_at or m.started_at)  # type: ignore[arg-type]
        saved = meetings.save_final(store, fixed)
    finally:
        store.close()
    assert _check(db, capsys)[0] == 0
    c = raw(db)
    data = json.loads(c.execute("SELECT data FROM meetings WHERE id=?", (saved.id,)).fetchone()[0])
    data["summary"] = "会后用 sqlite3 改过的总结"
    c.execute("UPDATE meetings SET data=? WHERE id=?", (json.dumps(data), saved.id))
    c.commit()
    c.close()
    rc, out = _check(db, capsys)
    assert rc == 65 and f"meetings/{saved.id}" in out


def _rebuild_chain(c: sqlite3.Connection) -> None:
    prev = audit.GENESIS
    rows = c.execute(
        "SELECT seq, at, actor, action, table_name, record_id, detail, content_hash"
        " FROM audit ORDER BY seq"
    ).fetchall()
    for seq, at, actor, action, table, rid, detail, content in rows:
        digest = audit._digest(prev, at, actor, action, table, rid, detail, content)
        c.execute("UPDATE audit SET prev_hash=?, hash=? WHERE seq=?", (prev, digest, seq))
        prev = digest


def test_rebuilt_chain_with_a_deleted_row_reports_the_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = _saved_db(tmp_path)
    c = raw(db)
    head_before = c.execute("SELECT count(*) FROM audit").fetchone()[0]
    for t in audit.TRIGGERS:
        c.execute(f"DROP TRIGGER {t}")
    c.execute("UPDATE audit SET actor='mallory' WHERE seq=3")
    c.execute("DELETE FROM audit WHERE seq=5")
    _rebuild_chain(c)
    c.commit()
    c.close()
    rc, out = _check(db, capsys)
    assert rc == 65
    assert "序号缺失 1 个（5）" in out
    # The head printed on paper earlier no longer matches.
    found = re.search(r"审计链头：(\d+) 条", out)
    assert found and int(found.group(1)) == head_before - 1


def test_every_quarterly_report_ends_with_the_chain_head(tmp_path: Path) -> None:
    import docx

    from domain.periods import Period
    from services.export_report import export_reports
    from tests.reliability_helpers import TODAY

    db = tmp_path / "data" / "q.db"
    demo_db(db)
    store = open_store(db, actor="tester")
    try:
        n, last = audit.head(store.conn)
        files = export_reports(
            store, tmp_path / "out", period=Period.quarter(TODAY.year, 1), today=TODAY
        )
    finally:
        store.close()
    assert files
    for f in files:
        paragraphs = [p.text for p in docx.Document(str(f.path)).paragraphs if p.text.strip()]
        assert paragraphs[-1].startswith(f"审计链头：{n} 条，{last}")
