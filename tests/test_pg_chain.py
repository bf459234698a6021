"""Issue 21: six sessions saving at once to one PostgreSQL database leave one
unbroken audit chain (a naive port broke 789 of 900 links).

Each writer is its own process with its own store, as six secretaries' copies
of zhibu would be; they start together and make 150 saves each. Every save
links its audit row to the one before (storage.audit.append, the audit_head row
taken FOR UPDATE inside the write lock of storage/pg.py), so the chain verifies
only if the writes really queued. The saves are bare audited writes, not
people: a person's INSERT bumps the counters row first (storage/pg_schema.py
_COUNTERS), whose row lock would queue the writers by itself and hide a
missing lock on the chain.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from storage import audit
from storage.db import open_store

WRITERS = 6
EACH = 150

_CHILD = """
import sys, time
from pathlib import Path
from storage import audit
from storage.db import open_store

url, who, each, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
store = open_store(url, actor=who)
store.conn  # connected before the start, so the writers overlap from the first save
while not go.exists():
    time.sleep(0.005)
for i in range(each):
    with store.write() as c:
        audit.append(c, who, "note", "people", f"{who}-{i}", "并发写入")
store.close()
"""


def test_six_writers_leave_one_unbroken_chain(pg_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, pg_url, f"w{n}", str(EACH), str(go)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    time.sleep(1.0)  # let every child import and connect
    go.touch()
    errors = []
    for child in children:
        _out, err = child.communicate(timeout=300)
        if child.returncode != 0:
            errors.append(err[-2000:])
    assert errors == []

    store = open_store(pg_url, actor="checker")
    try:
        conn = store.conn
        assert store.scalar("SELECT count(*) FROM audit") == WRITERS * EACH
        assert store.scalar("SELECT min(seq) FROM audit") == 1
        assert store.scalar("SELECT max(seq) FROM audit") == WRITERS * EACH
        assert audit.gaps(conn) == []
        assert audit.verify_chain(conn) == []
        assert audit.problems(conn) == []
        # The writers really interleaved: not six runs one after another.
        actors = [r["actor"] for r in store.query("SELECT actor FROM audit ORDER BY seq")]
        switches = sum(a != b for a, b in zip(actors, actors[1:], strict=False))
        assert switches > WRITERS
    finally:
        store.close()
