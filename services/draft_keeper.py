"""Debounced draft saving: what is typed reaches SQLite within ~0.5 s.

Screens call ``touch()`` on every change; the keeper writes at most every
half second (not reset by further typing, so a long burst still saves), and
``flush()`` writes at once on hang-up, exit or a crash.

When SQLite cannot take a draft (disk full, database busy or read-only),
the pending drafts are also written to a small private spill file next to
the database (0600, atomic replace). The next start moves them back into
SQLite, so quitting while the disk is full still loses nothing.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from exports.atomic import write_atomic
from storage import drafts
from storage.db import Store

DEBOUNCE_S = 0.5
log = logging.getLogger(__name__)


def spill_path(store: Store) -> Path:
    owner = re.sub(r"[^A-Za-z0-9_.-]", "_", store.actor) or "_"
    return store.path.with_name(f"{store.path.name}.drafts-{owner}.json")


class DraftKeeper:
    def __init__(
        self,
        store: Store,
        schedule: Callable[[float, Callable[[], None]], Any],
        session: drafts.Session | None = None,
    ) -> None:
        self._store = store
        self.session = session or drafts.Session.start()
        self._schedule = schedule
        self._pending: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        self._scheduled = False
        self.last_error: str | None = None
        self._spilled = False
        self._restore_spill()

    def touch(self, workflow: str, key: str, title: str, data: dict[str, Any]) -> None:
        self._pending[(workflow, key)] = (title, data)
        if not self._scheduled:
            self._scheduled = True
            self._schedule(DEBOUNCE_S, self._timer_flush)

    def _timer_flush(self) -> None:
        self._scheduled = False
        self.flush()

    def flush(self) -> bool:
        """Write everything pending; True when all of it reached SQLite."""
        ok = True
        for (workflow, key), (title, data) in list(self._pending.items()):
            try:
                drafts.save(self._store, workflow, key, data, title, self.session)
            except Exception as e:  # noqa: BLE001 - keep it pending, report once
                ok = False
                self.last_error = str(e) or type(e).__name__
                log.warning("draft save failed: %s", type(e).__name__)
                continue
            if self._pending.get((workflow, key), (None, None))[1] is data:
                del self._pending[(workflow, key)]
        if ok:
            self.last_error = None
            self._remove_spill()
        else:
            self._write_spill()
        return ok

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
        self._pending.pop((workflow, key), None)
        if not self._pending:
            self._remove_spill()

    def discard(self, workflow: str, key: str) -> None:
        self._pending.pop((workflow, key), None)
        drafts.discard(self._store, workflow, key, self.session.id)
        if not self._pending:
            self._remove_spill()

    def refused_message(self, message: str) -> str:
        """A refused save's message, true about the draft: it says the input
        is kept only once the draft is actually written."""
        if self.flush():
            return message
        message = message.replace("您的输入已保留。", "").replace("您的输入已保留", "")
        return f"{message} 输入仍在本窗口，但草稿未能保存：{self.last_error}"

    def end(self) -> None:
        """The session is over: its drafts may be adopted by the next one."""
        self.flush()
        self.session.end()

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    # -- spill file ------------------------------------------------------------
    def _write_spill(self) -> None:
        path = spill_path(self._store)
        entries = [
            {"workflow": w, "key": k, "title": t, "data": d}
            for (w, k), (t, d) in self._pending.items()
        ]
        try:
            payload = json.dumps(entries, ensure_ascii=False, default=str).encode("utf-8")
            write_atomic(path, lambda f: f.write(payload), prefix=".zhibu-drafts-")
            self._spilled = True
        except OSError as e:  # the disk may be truly full: nothing more to try
            log.warning("draft spill failed: %s", type(e).__name__)

    def _remove_spill(self) -> None:
        if not self._spilled:
            return
        try:
            spill_path(self._store).unlink()
            self._spilled = False
        except FileNotFoundError:
            self._spilled = False
        except OSError as e:
            log.warning("draft spill not removed: %s", type(e).__name__)

    def _restore_spill(self) -> None:
        path = spill_path(self._store)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        except OSError as e:
            log.warning("draft spill unreadable: %s", type(e).__name__)
            return
        self._spilled = True
        try:
            with os.fdopen(fd, "rb") as f:
                entries = json.loads(f.read().decode("utf-8"))
            for entry in entries:
                self._pending[(str(entry["workflow"]), str(entry["key"]))] = (
                    str(entry["title"]),
                    dict(entry["data"]),
                )
        except (ValueError, KeyError, TypeError, OSError) as e:
            log.warning("draft spill damaged: %s", type(e).__name__)
            return
        self.flush()  # back into SQLite now; kept pending (and spilled) if that fails
