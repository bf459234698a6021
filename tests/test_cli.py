from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from storage.migrations import SCHEMA_VERSION


def zhibu(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_demo_check_backup(tmp_path: Path) -> None:
    db = tmp_path / "d" / "z.db"
    r = zhibu("--db", str(db), "demo")
    assert r.returncode == 0, r.stderr
    assert "4 个支部" in r.stdout
    again = zhibu("--db", str(db), "demo")
    assert again.returncode != 0 and "已有数据" in again.stderr
    r = zhibu("--db", str(db), "check")
    assert r.returncode == 0
    assert (
        "完整性：ok" in r.stdout
        and f"结构版本：{SCHEMA_VERSION}" in r.stdout
        and "哈希链完整" in r.stdout
    )
    out = tmp_path / "backup.db"
    r = zhibu("--db", str(db), "backup", "-o", str(out))
    assert r.returncode == 0, r.stderr
    c = sqlite3.connect(out)
    assert c.execute("SELECT count(*) FROM people").fetchone()[0] == 120
    c.close()


def test_env_var_selects_database(tmp_path: Path) -> None:
    import os

    db = tmp_path / "env.db"
    env = {**os.environ, "ZHIBU_DB": str(db)}
    r = zhibu("demo", "--people", "40", env=env)
    assert r.returncode == 0, r.stderr
    assert db.exists()


def test_corrupt_file_refused_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00garbage" * 100)
    before = bad.read_bytes()
    for args in (["check"], ["demo"], []):
        r = zhibu("--db", str(bad), *args)
        assert r.returncode != 0
        assert "Traceback" not in r.stderr
        assert "数据库" in r.stderr or "错误" in r.stdout
    assert bad.read_bytes() == before
