"""Draft saving: what is typed reaches SQLite within 0.2 s, off the UI thread.

Screens call ``touch()`` on every change. In the app a writer thread
(``start_writer``) wakes at once and writes everything pending, so a write
waiting for another process's lock never freezes the screen (keys still
echo, the header says 「数据库忙，正在等待」). Without it (tests), a timer
writes after DEBOUNCE_S. ``flush()`` writes at once on hang-up, exit or a
crash; on the UI thread it waits at most UI_PATIENCE_S for the lock and the
spill takes the rest.

When SQLite cannot take a draft (disk full, database busy or read-only),
the pending drafts are also written to a spill file in a private per-user
folder next to the database (0700 folder, 0600 file, one file per session,
atomic replace). The next start moves them back into SQLite, so quitting
while the disk is full loses nothing. A spill is read only when the folder
and file are the current user's and nobody else can write them; a damaged
one is set aside with a message.

When neither SQLite nor the spill can take a draft, ``status`` says so
(「草稿未能保存：磁盘已满」) until a retry succeeds; the text stays in memory.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import stat
import threading
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from domain.drafts import DEFAULT_DRAFTS_CONFIG, DraftsConfig
from exports.atomic import write_atomic
from storage import drafts
from storage.db import Store
from storage.drafts import DraftInfo as DraftInfo
from storage.drafts import DraftRef as DraftRef
from storage.errors import DiskFullError

DEBOUNCE_S = 0.15
RETRY_S = 2.0
# The writer thread lets a burst of keys gather this long before writing.
GATHER_S = 0.03
# Longest the UI thread waits for the lock (Esc, a refused save, quit).
UI_PATIENCE_S = 0.3
log = logging.getLogger(__name__)


def spill_dir(store: Store) -> Path:
    """Private to this OS user: other members of a shared group cannot plant
    a spill the app would load."""
    return store.path.with_name(f".{store.path.name}.drafts-{os.getuid()}")


def spill_path(store: Store, session: drafts.Session) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_.-]", "_", session.id) or "_"
    return spill_dir(store) / f"{slug}.json"


def _reason(e: BaseException) -> str:
    if isinstance(e, DiskFullError) or getattr(e, "errno", None) == errno.ENOSPC:
        return "磁盘已满"
    if isinstance(e, OSError):
        return e.strerror or type(e).__name__
    return str(e) or type(e).__name__


class DraftKeeper:
    def __init__(
        self,
        store: Store,
        schedule: Callable[[float, Callable[[], None]], Any],
        session: drafts.Session | None = None,
        config: DraftsConfig = DEFAULT_DRAFTS_CONFIG,
    ) -> None:
        self._store = store
        self.config = config
        self.session = session or drafts.Session.start()
        self._schedule = schedule
        self._pending: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        self._mu = threading.Lock()  # guards _pending, _discards (UI thread and writer)
        # Saved records whose draft row the writer may have written again after
        # the save's transaction removed it (it was waiting for the same lock).
        self._discards: set[tuple[str, str]] = set()
        self._io = threading.Lock()  # one writer of drafts and the spill at a time
        self._scheduled = False
        self.last_error: str | None = None
        # Shown until everything pending is written somewhere ("" = all written).
        self.status: str | None = None
        self.on_status: Callable[[str | None], None] | None = None
        self.notices: list[str] = []  # one-off messages for the user (spill set aside)
        self._spilled = False
        self._call_soon: Callable[[Callable[[], None]], object] | None = None
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._writer: threading.Thread | None = None
        self._restore_spill()

    # -- the writer thread -----------------------------------------------------
    def start_writer(self, call_soon: Callable[[Callable[[], None]], object]) -> None:
        """Write drafts on a thread of their own; *call_soon* runs a callback
        on the UI thread (status changes). A daemon thread rather than a
        Textual worker: exit must never wait for a write stuck on the lock
        (the store's abort_waits ends that wait anyway)."""
        if self._writer is not None:
            return
        self._call_soon = call_soon
        self._writer = threading.Thread(target=self._run, name="zhibu-drafts", daemon=True)
        self._writer.start()
        if self._pending:
            self._wake.set()

    def stop_writer(self) -> None:
        """Stop the writer after its current write (bounded: a write waiting
        for the lock is ended by the store's abort_waits on quit/hang-up)."""
        self._stopped.set()
        self._wake.set()
        writer = self._writer
        if writer is not None and writer is not threading.current_thread():
            writer.join(timeout=1.0)

    def _run(self) -> None:
        failing = False
        while not self._stopped.is_set():
            woke = self._wake.wait(RETRY_S if failing else None)
            if self._stopped.is_set():
                return
            if not woke and not self._pending:
                failing = False
                continue
            self._stopped.wait(GATHER_S)
            self._wake.clear()
            try:
                result = self._write_pending(wait=None)
            except Exception:  # noqa: BLE001 - never let the writer die
                log.exception("draft writer")
                result = (False, "写入出错", "写入出错")
            failing = not result[0]
            call_soon = self._call_soon
            if call_soon is not None:
                try:
                    call_soon(partial(self._settle, *result, retry=False))
                except RuntimeError:  # the loop has closed: the app is gone
                    return

    # -- pending drafts ----------------------------------------------------------
    def touch(self, workflow: str, key: str, title: str, data: dict[str, Any]) -> None:
        with self._mu:
            self._pending[(workflow, key)] = (title, data)
        if self._writer is not None:
            self._wake.set()
            return
        if not self._scheduled:
            self._scheduled = True
            self._schedule(DEBOUNCE_S, self._timer_flush)

    def _timer_flush(self) -> None:
        self._scheduled = False
        self.flush()

    def flush(self) -> bool:
        """Write everything pending; True when all of it reached SQLite.
        With the writer thread running, this (UI-thread) call waits at most
        UI_PATIENCE_S; what it cannot write goes to the spill."""
        wait = UI_PATIENCE_S if self._writer is not None else None
        ok, reason, spill_error = self._write_pending(wait=wait)
        self._settle(ok, reason, spill_error, retry=self._writer is None)
        if not ok and self._writer is not None:
            self._wake.set()  # the writer keeps trying
        return ok

    def _write_pending(self, *, wait: float | None) -> tuple[bool, str, str | None]:
        """(all in SQLite, why not, why the spill failed too); any thread."""
        got = self._io.acquire(timeout=wait) if wait is not None else self._io.acquire()
        if not got:  # the writer is waiting for the lock: the spill takes it now
            return False, "数据库忙", self._write_spill()
        try:
            ok, reason = True, ""
            with self._mu:
                gone, self._discards = self._discards, set()
            for workflow, key in gone:
                try:
                    drafts.discard(self._store, workflow, key, self.session.id)
                except Exception as e:  # noqa: BLE001 - try again next time
                    log.warning("draft discard failed: %s", type(e).__name__)
                    with self._mu:
                        self._discards.add((workflow, key))
            with self._mu:
                items = list(self._pending.items())
            for (workflow, key), (title, data) in items:
                try:
                    if wait is not None:
                        with self._store.patience(wait):
                            drafts.save(self._store, workflow, key, data, title, self.session)
                    else:
                        drafts.save(self._store, workflow, key, data, title, self.session)
                except Exception as e:  # noqa: BLE001 - keep it pending, report once
                    ok = False
                    self.last_error = str(e) or type(e).__name__
                    reason = _reason(e)
                    log.warning("draft save failed: %s", type(e).__name__)
                    continue
                with self._mu:
                    if self._pending.get((workflow, key), (None, None))[1] is data:
                        del self._pending[(workflow, key)]
            if ok:
                self.last_error = None
                if not self._pending:
                    self._remove_spill()
                return True, "", None
            return False, reason, self._write_spill()
        finally:
            self._io.release()

    def _settle(self, ok: bool, reason: str, spill_error: str | None, *, retry: bool) -> None:
        """On the UI thread: the status line, and (timer mode) the retry."""
        if ok or spill_error is None:
            self._set_status(None)  # in SQLite, or safe in the spill until it is
        else:
            self._set_status(f"草稿未能保存：{spill_error or reason}")
        if not ok and retry and not self._scheduled:
            try:  # keep retrying until it is written
                self._schedule(RETRY_S, self._timer_flush)
                self._scheduled = True
            except Exception:  # noqa: BLE001 - the app is shutting down
                pass

    def _set_status(self, status: str | None) -> None:
        if status == self.status:
            return
        self.status = status
        if self.on_status is not None:
            self.on_status(status)

    def close_message(self, workflow: str, key: str) -> str | None:
        """What to say when a form closes keeping its draft: never 已保存
        unless it is written somewhere."""
        if self.dirty:
            self.flush()
        if self.status:
            return f"{self.status}。内容仍在本程序中，正在重试，请先不要退出。"
        if self.load(workflow, key):
            return "草稿已保存，可在首页“未完成的草稿”中继续"
        return None

    def load(self, workflow: str, key: str) -> dict[str, Any] | None:
        """This session's draft; failing that, the newest one a session that
        has ended left for this record (adopted: it becomes this session's).
        A running session's draft is never taken silently (see take_over)."""
        pending = self._pending.get((workflow, key))
        if pending:
            return pending[1]
        own = drafts.load(self._store, workflow, key, self.session.id)
        if own is not None:
            return own
        for other in drafts.others(self._store, workflow, key, self.session.id):
            if not other.alive and self.take_over(workflow, key, other.session):
                return drafts.load(self._store, workflow, key, self.session.id)
        return None

    def take_over(self, workflow: str, key: str, source: str) -> bool:
        """Make another session's draft this session's (the user said so)."""
        try:
            return drafts.take_over(self._store, workflow, key, source, self.session)
        except Exception as e:  # noqa: BLE001 - the draft stays where it was
            self.last_error = str(e) or type(e).__name__
            return False

    def ref(self, workflow: str, key: str) -> drafts.DraftRef:
        """The draft row a record's save removes in its own transaction."""
        return drafts.DraftRef(self._store.actor, self.session.id, workflow, key)

    def forget(self, workflow: str, key: str) -> None:
        """The save that discarded this draft in its transaction has committed."""
        with self._mu:
            self._pending.pop((workflow, key), None)
            empty = not self._pending
            if self._writer is not None:
                self._discards.add((workflow, key))
        if self._writer is not None:
            self._wake.set()
        if empty:
            self._remove_spill()

    def discard_soon(self, workflow: str, key: str) -> None:
        """Discard on the writer's thread (a save's caller must not wait on the
        lock for it), or at once when no writer runs."""
        if self._writer is None:
            self.discard(workflow, key)
        else:
            self.forget(workflow, key)

    def discard(self, workflow: str, key: str) -> None:
        with self._mu:
            self._pending.pop((workflow, key), None)
            empty = not self._pending
        drafts.discard(self._store, workflow, key, self.session.id)
        if empty:
            self._remove_spill()

    # -- the lists of drafts (今日 and the drafts screen) ----------------------
    def listing(self, today: date | None = None) -> list[drafts.DraftInfo]:
        """The account's drafts, newest first: with *today*, the home list's
        (the newest config.home_max_count of the last home_max_age_days days);
        else all of them."""
        if today is None:
            return drafts.list_mine(self._store, limit=None)
        since = (today - timedelta(days=self.config.home_max_age_days)).isoformat()
        return drafts.list_mine(self._store, limit=self.config.home_max_count, since=since)

    def left_out(self, today: date) -> int:
        """How many drafts the home list leaves out (older, or beyond its count)."""
        return drafts.count_mine(self._store) - len(self.listing(today))

    def who(self, info: drafts.DraftInfo) -> str:
        return drafts.describe(info, self.session.id)

    def abandon(self, info: drafts.DraftInfo) -> None:
        """The user discarded this draft from a list (whichever session it is)."""
        if info.session == self.session.id:
            self.discard(info.workflow, info.key)
        else:
            drafts.discard(self._store, info.workflow, info.key, info.session)

    @staticmethod
    def alive(session: str) -> bool:
        return drafts.session_alive(session)

    def refused_message(self, message: str) -> str:
        """A refused save's message, true about the draft: it says the input
        is kept only once the draft is actually written."""
        if self.flush():
            return message
        message = message.replace("您的输入已保留。", "").replace("您的输入已保留", "")
        return f"{message} 输入仍在本窗口，但草稿未能保存：{self.last_error}"

    def end(self) -> None:
        """The session is over: its drafts may be adopted by the next one."""
        self.stop_writer()
        self.flush()
        self.session.end()

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    # -- spill file ------------------------------------------------------------
    @property
    def spill_path(self) -> Path:
        return spill_path(self._store, self.session)

    def _write_spill(self) -> str | None:
        """None when the pending drafts are on disk; else why not."""
        path = self.spill_path
        with self._mu:
            entries = [
                {"session": self.session.id, "workflow": w, "key": k, "title": t, "data": d}
                for (w, k), (t, d) in self._pending.items()
            ]
        try:
            payload = json.dumps(entries, ensure_ascii=False, default=str).encode("utf-8")
            _private_dir(path.parent)
            write_atomic(path, lambda f: f.write(payload), prefix=".zhibu-drafts-")
            self._spilled = True
        except OSError as e:  # the disk may be truly full: say so and retry
            log.warning("draft spill failed: %s", type(e).__name__)
            return _reason(e)
        return None

    def _remove_spill(self) -> None:
        if not self._spilled:
            return
        try:
            self.spill_path.unlink()
            self._spilled = False
        except FileNotFoundError:
            self._spilled = False
        except OSError as e:
            log.warning("draft spill not removed: %s", type(e).__name__)

    def _restore_spill(self) -> None:
        folder = spill_dir(self._store)
        try:
            st = os.stat(folder, follow_symlinks=False)
        except FileNotFoundError:
            return
        except OSError:
            return
        if not _private(st, folder_ok=True):
            self.notices.append(f"草稿暂存文件夹 {folder} 不是您私有的，已忽略。")
            return
        restored: list[Path] = []
        for path in sorted(folder.glob("*.json")):
            entries = self._read_spill(path)
            if entries is None:
                continue
            sessions = {e["session"] for e in entries}
            if any(s != self.session.id and drafts.session_alive(s) for s in sessions):
                continue  # a running session's own spill: not ours to take
            for e in entries:
                self._pending[(e["workflow"], e["key"])] = (e["title"], e["data"])
            restored.append(path)
        if not restored:
            return
        self._spilled = True
        # Back into SQLite now; when that fails they are in this session's spill.
        if self.flush() or self.status is None:
            for path in restored:
                if path != self.spill_path:
                    path.unlink(missing_ok=True)

    def _read_spill(self, path: Path) -> list[dict[str, Any]] | None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as e:
            log.warning("draft spill unreadable: %s", type(e).__name__)
            return None
        with os.fdopen(fd, "rb") as f:
            if not _private(os.fstat(f.fileno()), folder_ok=False):
                self.notices.append(f"草稿暂存文件 {path.name} 不属于您或他人可写，已忽略。")
                return None
            raw = f.read()
        try:
            items = json.loads(raw.decode("utf-8"))
            entries = [
                {
                    "session": str(e.get("session", "")),
                    "workflow": _str(e["workflow"]),
                    "key": _str(e["key"]),
                    "title": _str(e["title"]),
                    "data": _dict(e["data"]),
                }
                for e in items
            ]
        except (ValueError, KeyError, TypeError, AttributeError):
            aside = path.with_name(path.name + ".damaged")
            try:
                os.replace(path, aside)
            except OSError:
                pass
            self.notices.append(f"草稿暂存文件已损坏，未能恢复，已移到 {aside}。")
            return None
        return entries


def _str(v: object) -> str:
    if not isinstance(v, str):
        raise TypeError("not a string")
    return v


def _dict(v: object) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise TypeError("not an object")
    return v


def _private(st: os.stat_result, *, folder_ok: bool) -> bool:
    """Owned by this user and writable by nobody else."""
    kind_ok = stat.S_ISDIR(st.st_mode) if folder_ok else stat.S_ISREG(st.st_mode)
    return kind_ok and st.st_uid == os.getuid() and not st.st_mode & 0o022


def _private_dir(path: Path) -> None:
    if not path.exists():
        path.mkdir(mode=0o700)
        os.chmod(path, 0o700)
