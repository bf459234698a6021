"""`zhibu backup -o DIR --keep N`: the nightly backup (docs/SERVER.md) writes
a dated, verified copy into the folder and keeps only the newest N of this
database's backups; nothing else in the folder is ever removed."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from services.backup import backup_into_folder
from storage import maintenance
from tests.reliability_helpers import demo_db
from tui.cli import main


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "zhibu.db"
    demo_db(path)
    return path


def _people(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM people").fetchone()[0])
    finally:
        con.close()


def test_keep_n_removes_only_the_oldest_of_this_databases_backups(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    # Someone else's files in the same folder, one named almost like ours.
    strangers = [folder / "notes.txt", folder / "other-20260101-000000.db",
                 folder / "zhibu-latest.db"]  # fmt: skip
    for f in strangers:
        f.write_text("keep me")
    for day in range(1, 6):
        backup_into_folder(db, folder, keep=3, now=datetime(2026, 11, day, 2, 30, 0))
    names = sorted(p.name for p in folder.glob("zhibu-2026*.db"))
    assert names == ["zhibu-20261103-023000.db", "zhibu-20261104-023000.db",
                     "zhibu-20261105-023000.db"]  # fmt: skip
    assert all(f.read_text() == "keep me" for f in strangers)
    # Each kept copy is a whole, checked database.
    assert _people(folder / names[-1]) == _people(db) > 0
    # Two runs in the same second do not overwrite each other.
    done = backup_into_folder(db, folder, keep=3, now=datetime(2026, 11, 5, 2, 30, 0))
    assert done.written.name == "zhibu-20261105-023000-2.db"
    assert [p.name for p in done.kept][-2:] == ["zhibu-20261105-023000.db", done.written.name]
    assert [p.name for p in done.removed] == ["zhibu-20261103-023000.db"]


def test_a_failed_backup_removes_nothing(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    for day in (1, 2):
        backup_into_folder(db, folder, keep=2, now=datetime(2026, 11, day, 2, 30))
    before = sorted(p.name for p in folder.iterdir())

    def broken(src: sqlite3.Connection, dst: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(maintenance, "backup_to", broken)
    rc = main(["--db", str(db), "backup", "-o", str(folder), "--keep", "1"])
    assert rc != 0
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == before


def test_cli_folder_and_keep(db: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "nightly"
    rc = main(["--db", str(db), "backup", "-o", f"{folder}/", "--keep", "2"])  # new folder
    out = capsys.readouterr().out
    assert rc == 0, out
    (made,) = folder.iterdir()
    assert f"已备份到 {made}（完整性检查通过）" in out and "共有 1 份备份" in out
    assert made.stat().st_mode & 0o077 == 0  # personal data: this account only


def test_keep_needs_a_folder_and_a_positive_count(db: Path, tmp_path: Path, capsys) -> None:
    rc = main(["--db", str(db), "backup", "-o", str(tmp_path / "one.db"), "--keep", "3"])
    assert rc == 2 and "--keep 需要 -o 是文件夹" in capsys.readouterr().err
    rc = main(["--db", str(db), "backup", "-o", str(tmp_path), "--keep", "0"])
    assert rc == 2 and "--keep 至少为 1" in capsys.readouterr().err


def test_the_commands_docs_server_md_shows_run_as_written(db: Path, tmp_path: Path) -> None:
    """The service's ExecStart (with its Environment) and the cron line, with
    only the install and data paths moved under tmp_path."""
    import os
    import re
    import shutil
    import subprocess

    from tests.reliability_helpers import zhibu_exe

    doc = (Path(__file__).resolve().parent.parent / "docs" / "SERVER.md").read_text("utf-8")
    env_line = re.search(r"^Environment=ZHIBU_DB=(\S+)$", doc, flags=re.M)
    exec_line = re.search(r"^ExecStart=(.+)$", doc, flags=re.M)
    cron_line = re.search(r"^30 2 \* \* \* (.+)$", doc, flags=re.M)
    assert env_line and exec_line and cron_line
    srv, backups = tmp_path / "srv", tmp_path / "backups"
    srv.mkdir()
    shutil.copy(db, srv / "zhibu.db")

    def moved(text: str) -> str:
        return (text.replace("/usr/local/bin/zhibu", zhibu_exe())
                .replace("/srv/zhibu/", f"{srv}/").replace("/var/backups/zhibu/", f"{backups}/"))  # fmt: skip

    env = {**os.environ, "ZHIBU_DB": moved(env_line.group(1)), "HOME": str(tmp_path)}
    r = subprocess.run(moved(exec_line.group(1)).split(), env=env, capture_output=True,
                       text=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = subprocess.run(["sh", "-c", moved(cron_line.group(1))], capture_output=True, text=True,
                       timeout=120, env={**os.environ, "HOME": str(tmp_path)})  # fmt: skip
    assert r.returncode == 0, r.stderr
    copies = sorted(p.name for p in backups.glob("zhibu-*.db"))
    assert len(copies) == 2
    assert "已备份到" in (backups / "backup.log").read_text("utf-8")
