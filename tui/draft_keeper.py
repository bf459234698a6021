"""Debounced draft saving: what is typed reaches SQLite within ~0.5 s.

Screens call ``touch()`` on every change; the keeper writes at most every
half second (not reset by further typing, so a long burst still saves), and
``flush()`` writes at once on hang-up, exit or a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from storage import drafts
from storage.db import Store

DEBOUNCE_S = 0.5
log = logging.getLogger(__name__)


class DraftKeeper:
    def __init__(self, store: Store, schedule: Callable[[float, Callable[[], None]], Any]) -> None:
        self._store = store
        self._schedule = schedule
        self._pending: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        self._scheduled = False
        self.last_error: str | None = None

    def touch(self, workflow: str, key: str, title: str, data: dict[str, Any]) -> None:
        self._pending[(workflow, key)] = (title, data)
        if not self._scheduled:
            self._scheduled = True
            self._schedule(DEBOUNCE_S, self._timer_flush)

    def _timer_flush(self) -> None:
        self._scheduled = False
        self.flush()

    def flush(self) -> bool:
        """Write everything pending; True when all of it reached the disk."""
        ok = True
        for (workflow, key), (title, data) in list(self._pending.items()):
            try:
                drafts.save(self._store, workflow, key, data, title)
            except Exception as e:  # noqa: BLE001 - keep it pending, report once
                ok = False
                self.last_error = str(e) or type(e).__name__
                log.warning("draft save failed: %s", type(e).__name__)
                continue
            if self._pending.get((workflow, key), (None, None))[1] is data:
                del self._pending[(workflow, key)]
        return ok

    def load(self, workflow: str, key: str) -> dict[str, Any] | None:
        pending = self._pending.get((workflow, key))
        if pending:
            return pending[1]
        return drafts.load(self._store, workflow, key)

    def discard(self, workflow: str, key: str) -> None:
        self._pending.pop((workflow, key), None)
        drafts.discard(self._store, workflow, key)

    @property
    def dirty(self) -> bool:
        return bool(self._pending)
