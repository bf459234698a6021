"""Shared harness for the fault-injection suite (tests/test_reliability_*.py).

Child-process targets live here so a forkserver can preload them: a fork of a
process that already imported storage starts in ~70 ms instead of ~300 ms,
which is what lets the kill and contention loops run their full counts.
The pty harness feeds raw bytes through an incremental UTF-8 decoder
(pyte.ByteStream): decoding each read on its own split CJK characters at read
boundaries, which is what made the first hang-up test flaky under load.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.factories import TODAY

SLOW = os.environ.get("ZHIBU_SLOW") == "1"

BATCH = 25  # people per all-or-nothing import transaction in the kill test


def runs(default: int, full: int) -> int:
    """Iterations: *full* with ZHIBU_SLOW=1, else *default* (always >= 1)."""
    return max(1, full if SLOW else default)


# -- databases ---------------------------------------------------------------


def seed_db(path: Path, *, demo_people: int = 0, actor: str = "seed") -> str:
    """A migrated database with one branch (plus a demo roster); returns the branch id."""
    from domain.org import OrgKind, OrgUnit
    from storage import org
    from storage.db import open_store

    store = open_store(path, actor=actor)
    try:
        if demo_people:
            from storage.demo import build_demo

            build_demo(store, people_count=demo_people, today=TODAY)
            return org.branches(store)[0].id
        return org.save(store, OrgUnit(name="测试支部", kind=OrgKind.BRANCH)).id
    finally:
        store.close()


_TEMPLATES: dict[int, tuple[bytes, str]] = {}


def demo_db(path: Path, *, people: int = 30) -> str:
    """A copy of a demo database built once per process (build_demo takes ~2 s).
    Returns the first branch id."""
    if people not in _TEMPLATES:
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            template = Path(d) / "demo.db"
            branch = seed_db(template, demo_people=people)
            assert sidecars(template) == []  # closed cleanly: one self-contained file
            _TEMPLATES[people] = (template.read_bytes(), branch)
    data, branch = _TEMPLATES[people]
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return branch


def raw(path: Path) -> sqlite3.Connection:
    """A plain connection that bypasses the Store (for oracles and tampering)."""
    return sqlite3.connect(str(path), timeout=30, isolation_level=None)


def integrity(path: Path) -> list[str]:
    c = raw(path)
    try:
        return [r[0] for r in c.execute("PRAGMA integrity_check")]
    finally:
        c.close()


def file_state(path: Path) -> tuple[bytes, int]:
    """Bytes and mtime (ns): what "writes nothing" is checked against."""
    return path.read_bytes(), path.stat().st_mtime_ns


def sidecars(path: Path) -> list[str]:
    return [s for s in ("-wal", "-shm", "-journal") if Path(str(path) + s).exists()]


# -- child processes -----------------------------------------------------------

_CTX: multiprocessing.context.BaseContext | None = None


def procs() -> multiprocessing.context.BaseContext:
    """A forkserver with storage preloaded (fresh process, no inherited connections)."""
    global _CTX
    if _CTX is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(
            ["tests.reliability_helpers", "storage.people", "storage.records"]
        )
        os.environ[_WARM_ENV] = "1"  # read once, by the server's import of this module
        try:
            p = ctx.Process(target=_noop)
            p.start()
            p.join()
        finally:
            os.environ.pop(_WARM_ENV, None)
        _CTX = ctx
    return _CTX


def _noop() -> None:
    pass


def _warm() -> None:
    """Load pypinyin's tables once in the forkserver (~0.3 s) rather than in every child."""
    from domain.search_keys import person_keys, sort_key

    person_keys("张三")
    sort_key("张三")


_WARM_ENV = "ZHIBU_TEST_FORKSERVER_WARM"
if os.environ.get(_WARM_ENV) == "1":
    _warm()


def kill_writer(db: str, branch_id: str, run: int, ack: str) -> None:
    """Save forever through the app's save path; log each tag after COMMIT returns.

    Odd steps import a batch of BATCH people in one transaction; even steps
    create one person and then update it (a versioned UPDATE).
    """
    from domain.people import Person
    from storage import people
    from storage.db import open_store

    store = open_store(Path(db), actor=f"run{run}")
    fd = os.open(ack, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.write(fd, b"ready\n")
    step = 0
    while True:
        step += 1
        tag = f"r{run}s{step}"
        if step % 2:
            batch = [Person(name=f"批量{i}号", branch_id=branch_id, team=tag) for i in range(BATCH)]
            people.import_people(store, batch)
            os.write(fd, f"{tag}\n".encode())
        else:
            p = people.save(store, Person(name="单条", branch_id=branch_id, team=tag))
            os.write(fd, f"{tag}\n".encode())
            people.save(store, p.model_copy(update={"job": tag}))
            os.write(fd, f"{tag}u\n".encode())


def contend_writer(db: str, branch_id: str, worker: int, saves: int, out: str) -> None:
    """*saves* saves through storage (people.save and records.save_document),
    never retrying at this level: any exception is a lost save."""
    import datetime as dt

    from domain.meeting_kinds import MeetingKind
    from domain.meetings import new_meeting
    from domain.people import Person
    from storage import people, records
    from storage.db import open_store

    store = open_store(Path(db), actor=f"worker{worker}", migrate=False)
    errors: list[str] = []
    done = 0
    person = None
    meeting = new_meeting(MeetingKind.COMMITTEE, branch_id, "测试支部", dt.date(2026, 3, 1))
    for i in range(saves):
        try:
            kind = i % 3
            if kind == 0:
                person = people.save(
                    store, Person(name=f"并发{worker}", branch_id=branch_id, team=f"w{worker}")
                )
            elif kind == 1 and person is not None:
                person = people.save(store, person.model_copy(update={"job": f"第{i}次"}))
            else:
                meeting = meeting.model_copy(update={"summary": f"第{i}次保存"})
                index = {"kind": meeting.kind.value, "org_id": branch_id, "date": meeting.date,
                         "status": meeting.status.value, "supersedes_id": None}  # fmt: skip
                meeting = records.save_document(store, "meetings", meeting, index)
            done += 1
        except Exception as e:  # noqa: BLE001 - every failure is counted, none retried
            errors.append(f"{type(e).__name__}: {e}")
    store.close()
    Path(out).write_text(json.dumps({"done": done, "errors": errors}), encoding="utf-8")


def start(target: Callable[..., None], *args: object) -> multiprocessing.process.BaseProcess:
    p = procs().Process(target=target, args=args, daemon=True)
    p.start()
    return p


def wait_for_line(path: Path, line: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and line in path.read_text().split("\n"):
            return
        time.sleep(0.005)
    raise AssertionError(f"child never wrote {line!r} to {path}")


def random_pause(rng: random.Random, upper: float) -> None:
    time.sleep(rng.uniform(0, upper))


# -- the installed command in a pty ------------------------------------------


def zhibu_exe() -> str:
    exe = Path(sys.executable).parent / "zhibu"
    found = str(exe) if exe.exists() else shutil.which("zhibu")
    assert found, "the zhibu command is not installed"
    return found


class PtyApp:
    """`zhibu` in a real pty: raw output bytes kept, screen read through pyte."""

    def __init__(
        self,
        args: list[str],
        *,
        size: tuple[int, int] = (24, 80),
        env: dict[str, str] | None = None,
        ignore_sighup: bool = False,
    ) -> None:
        import pexpect
        import pyte

        rows, cols = size
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)  # incremental UTF-8 decoding
        self.raw = bytearray()
        full_env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8", **(env or {})}
        full_env.pop("TEXTUAL", None)

        def preexec() -> None:
            if ignore_sighup:  # as under nohup
                signal.signal(signal.SIGHUP, signal.SIG_IGN)

        self.child = pexpect.spawn(
            zhibu_exe(), args, dimensions=size, env=full_env, preexec_fn=preexec
        )
        self.pid = self.child.pid
        self.exit_status: int | None = None

    # -- reading -------------------------------------------------------------
    def pump(self, wait: float = 0.05) -> bool:
        """Read what is available; False at EOF."""
        import pexpect

        try:
            data = self.child.read_nonblocking(65536, timeout=wait)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.raw += data
        self.stream.feed(data)
        return True

    def text(self) -> str:
        # Joining cell data is tolerant of a wide character half-overwritten by
        # a partial repaint (pyte's own .display raises IndexError on that).
        return "\n".join(
            "".join(self.screen.buffer[y][x].data for x in range(self.screen.columns))
            for y in range(self.screen.lines)
        )

    def wait_for(self, needle: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            alive = self.pump()
            screen = self.text()
            if needle in screen:
                return screen
            if not alive:
                break
        raise AssertionError(f"{needle!r} never appeared on screen:\n{self.text()}")

    def settle(self, quiet: float = 0.3, timeout: float = 1.5) -> None:
        """Read until the app has written nothing for *quiet* seconds (a blinking
        cursor never goes quiet, hence the short *timeout*)."""
        deadline = time.monotonic() + timeout
        last = len(self.raw)
        calm_since = time.monotonic()
        while time.monotonic() < deadline:
            if not self.pump(0.05):
                return
            if len(self.raw) != last:
                last, calm_since = len(self.raw), time.monotonic()
            elif time.monotonic() - calm_since >= quiet:
                return

    # -- writing ---------------------------------------------------------------
    def send(self, data: str | bytes) -> None:
        self.child.send(data)

    # -- ending ----------------------------------------------------------------
    def hang_up(self) -> None:
        """What sshd does on a dropped link: close the master side, nothing else."""
        self._close_master()

    def _close_master(self) -> None:
        # Close through ptyprocess's own file object, once, and mark it closed:
        # a second close() at garbage collection would hit whatever file reused
        # the descriptor number (a SQLite connection of the test, another pty).
        # pexpect's close() would also signal the child, hiding what a hang-up does.
        proc = self.child.ptyproc
        if not proc.closed:
            proc.fileobj.close()
            proc.closed = True
            proc.fd = -1
        self.child.child_fd = -1
        self.child.closed = True

    def wait_exit(self, timeout: float) -> int | None:
        """Reap the child; its wait status, or None if it is still running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # pexpect reaped it on EOF; it kept the status
                self.child.isalive()
                done, status = self.pid, self.child.status
            if done:
                self.exit_status = status
                return status
            if self.child.child_fd != -1:
                self.pump(0.05)
            else:
                time.sleep(0.05)
        return None

    def close(self) -> None:
        if self.exit_status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self._close_master()


def session_members(sid: int) -> list[int]:
    """Live (non-zombie) processes whose session id is *sid*: orphans of the app."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode("ascii", "replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            found.append(int(entry))
    return found


def migrate_in_steps(db: str, ack: str, pause: float) -> None:
    """Migrate with a pause and an ack line after each migration's statements.

    The parent kills between (or inside) migrations on purpose: that is where
    a runner that commits each migration separately leaves a half-upgraded file.
    """
    from storage import migrations
    from storage.db import open_store

    def stepped(i: int, real: Callable[[sqlite3.Connection], None]) -> Callable[..., None]:
        def run(c: sqlite3.Connection) -> None:
            real(c)
            with open(ack, "a") as f:
                f.write(f"step{i}\n")
            time.sleep(pause)

        return run

    for i, real in enumerate(list(migrations.MIGRATIONS)):
        migrations.MIGRATIONS[i] = stepped(i + 1, real)
    open_store(Path(db), actor="m").close()
    with open(ack, "a") as f:
        f.write("done\n")


def db_at_version(path: Path, version: int) -> None:
    """A database that stopped at *version* (the first *version* migrations), with a row."""
    from storage.db import open_store
    from storage.migrations import MIGRATIONS

    store = open_store(path, actor="old", migrate=False)
    try:
        with store.write() as c:
            for m in MIGRATIONS[:version]:
                m(c)
            c.execute(f"PRAGMA user_version={version}")
            c.execute(
                "INSERT INTO org_units (id, name, kind, created_at, updated_at, updated_by)"
                " VALUES ('keep', '老支部', '党支部', '2026-01-01', '2026-01-01', 'old')"
            )
    finally:
        store.close()


def schema(path: Path) -> list[tuple[str, str, str]]:
    """Every table, index and trigger with its SQL: what "the same schema" means."""
    c = raw(path)
    try:
        return c.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
            " ORDER BY type, name"
        ).fetchall()
    finally:
        c.close()


# -- waiting in Pilot tests ----------------------------------------------------


async def until(pilot: Any, check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll *check* between frames until it holds; False after *timeout* (the
    asserts that follow then say what is missing). Never a fixed sleep: under
    load a fixed pause was too short, and otherwise it is wasted."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return True
        except Exception:  # noqa: BLE001 - not there yet (a widget still mounting)
            pass
        if time.monotonic() >= deadline:
            return False
        await pilot.pause(0.02)
