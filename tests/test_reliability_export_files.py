"""R9: exports on a full disk and the temp files a killed export leaves.

Before: python-docx wrote its zip straight into the temp file, so when the
disk filled midway the half-closed ZipFile printed "Exception ignored in
ZipFile.__del__" with a traceback (on the terminal, over the app's screen)
once it was garbage-collected; the message quoted the English strerror; and a
kill -9 mid-export left a hidden ``.zhibu-*.docx.tmp`` for ever.

The full disk is real: a 64 KiB tmpfs (when this test may mount one) and,
always, the file-size limit (RLIMIT_FSIZE), which fails the same writes with
EFBIG.
"""

from __future__ import annotations

import gc
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from exports.atomic import remove_stale_temps, write_atomic
from tests.reliability_helpers import demo_db, zhibu_exe


def _demo(tmp: Path) -> Path:
    db = tmp / "data" / "zhibu.db"
    demo_db(db)
    return db


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs filled up to its last few KiB."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mnt)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); the RLIMIT_FSIZE case still runs")
    try:
        filler = mnt / "filler"
        fd = os.open(filler, os.O_CREAT | os.O_WRONLY, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        # Leave room for the temp file to start, not for a whole .docx (~38 KiB).
        os.truncate(filler, max(0, filler.stat().st_size - 12 * 1024))
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def _fsize_limit() -> None:
    """Above SQLite's 32 KiB -shm, below a minutes .docx (~38 KiB)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (34 * 1024, resource.RLIM_INFINITY))


def _export(db: Path, out: Path, *, limit: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANG": "C.UTF-8"}
    return subprocess.run(
        [zhibu_exe(), "--db", str(db), "export", "minutes", "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        preexec_fn=_fsize_limit if limit else None,
    )


def _assert_clean_failure(done: subprocess.CompletedProcess[str], out: Path, reason: str) -> None:
    said = done.stdout + done.stderr
    assert "Traceback" not in said and "Exception ignored" not in said, said
    assert "No space" not in said and "File too large" not in said  # no English strerror
    assert reason in done.stderr, said
    assert done.returncode == 74, said
    assert not [p.name for p in out.iterdir() if p.name.startswith(".zhibu-")]


def test_cli_export_on_a_full_tmpfs_says_so_without_a_traceback(
    tmp_path: Path, small_fs: Path
) -> None:
    db = _demo(tmp_path)
    done = _export(db, small_fs, limit=False)
    _assert_clean_failure(done, small_fs, "磁盘已满")


def test_cli_export_past_the_file_size_limit_says_so_without_a_traceback(tmp_path: Path) -> None:
    db = _demo(tmp_path)
    out = tmp_path / "out"
    done = _export(db, out, limit=True)
    _assert_clean_failure(done, out, "文件大小超出限制")


def test_docx_written_atomically_never_leaves_a_half_zip_to_complain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process: the zip is complete before the disk is touched, so nothing
    is left for ZipFile.__del__ to flush when the write fails."""
    import docx

    from exports.docx_common import save_atomic

    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    doc = docx.Document()
    doc.add_paragraph("满" * 50_000)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, hard))
    try:
        with pytest.raises(OSError):
            save_atomic(doc, tmp_path / "x.docx")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old)
    gc.collect()
    assert unraisable == []  # what Python prints as "Exception ignored in ZipFile.__del__"
    assert list(tmp_path.iterdir()) == []


def _orphan_temp(folder: Path) -> Path:
    """What a kill -9 mid-export leaves: a temp file of a process that is gone."""
    ack = folder / "ack"
    code = (
        "import os, sys, time\n"
        "from exports.atomic import write_atomic\n"
        "def w(f):\n"
        "    f.write(b'PK half')\n"
        "    f.flush()\n"
        f"    open({str(ack)!r}, 'w').close()\n"
        "    time.sleep(60)\n"
        f"write_atomic({str(folder / 'a.docx')!r}, w, suffix='.docx.tmp')\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parent.parent)
    deadline = time.monotonic() + 20
    while not ack.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    child.kill()
    child.wait()
    ack.unlink()
    temps = [p for p in folder.iterdir() if p.name.startswith(".zhibu-")]
    assert len(temps) == 1
    return temps[0]


def test_temp_files_of_a_killed_export_are_removed_on_the_next_start(tmp_path: Path) -> None:
    db = _demo(tmp_path)
    exports = db.parent / "exports"
    exports.mkdir(mode=0o700)
    orphan = _orphan_temp(exports)
    kept = exports / "会议记录.docx"
    kept.write_bytes(b"a real export")
    # A temp file of an export running right now in another session stays.
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = exports / f".zhibu-{running.pid}-abc.docx.tmp"
        live.write_bytes(b"PK being written")
        done = subprocess.run(
            [zhibu_exe(), "--db", str(db), "check"], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert orphan.exists()  # check writes nothing, so it cleans nothing
        assert remove_stale_temps(exports) == [orphan]
        assert not orphan.exists() and kept.exists() and live.exists()
    finally:
        running.kill()
        running.wait()


async def test_the_app_removes_stale_export_temps_at_start(tmp_path: Path) -> None:
    from storage.db import open_store
    from tests.factories import TODAY
    from tui.app import make_app

    db = _demo(tmp_path)
    exports = db.parent / "exports"
    exports.mkdir(mode=0o700)
    orphan = _orphan_temp(exports)
    store = open_store(db, actor="tester")
    try:
        app = make_app(db, store=store, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            deadline = time.monotonic() + 5
            while orphan.exists() and time.monotonic() < deadline:
                await pilot.pause(0.05)
        assert not orphan.exists()
    finally:
        store.close()


def test_write_atomic_names_its_temp_after_the_process(tmp_path: Path) -> None:
    seen: list[str] = []
    write_atomic(tmp_path / "f", lambda f: seen.extend(os.listdir(tmp_path)))
    assert len(seen) == 1 and seen[0].startswith(f".zhibu-{os.getpid()}-")
