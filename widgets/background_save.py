"""Wait for the write lock off the UI thread and hand the outcome back.

A save may wait for another process's write lock (docs/RELIABILITY.md, R7);
on the UI thread that froze the screen for up to 20 s. The save is tried
once on the UI thread with FIRST_TRY_S of patience (the usual case: done at
once, nothing changes for the screen); when the lock is busy it runs again
in a thread, awaited by a Textual worker of the screen, so keys keep echoing
and the header says 「数据库忙，正在等待」. It keeps waiting past the store's
deadline until the lock frees, the screen goes away, or a hang-up aborts the
wait (the store's abort_waits).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from textual.screen import Screen
from textual.worker import Worker

from services.errors import lock_busy, refusal
from services.store import Store

T = TypeVar("T")
FIRST_TRY_S = 0.05


def run_save(
    screen: Screen[Any],
    store: Store,
    save: Callable[[], T],
    done: Callable[[T], None],
    refused: Callable[[Exception], None],
    *,
    try_here: bool = True,
) -> Worker[None] | None:
    """*done* (with the result) or *refused* (a StorageError or DomainError,
    whose str() is for the user) runs on the UI thread; any other error ends
    the app as a handler's error would. *try_here* False skips the first try
    on the UI thread (a save that is slow even with the lock free, e.g. one
    that hashes a file)."""
    if try_here:
        try:
            with store.patience(FIRST_TRY_S):
                result = save()
        except Exception as e:
            if not refusal(e):
                raise
            if not lock_busy(e):
                refused(e)
                return None
        else:
            done(result)
            return None
    # The lock is busy (or the save is slow): wait for it off the UI thread.

    def work() -> T:
        while True:
            try:
                return save()
            except Exception as e:
                # Nothing was written; keep waiting while the form is open.
                if not lock_busy(e) or not screen.is_attached:
                    raise
                if screen.app.return_code is not None:
                    raise

    async def run() -> None:
        try:
            result = await asyncio.to_thread(work)
        except Exception as e:
            if not refusal(e):
                raise
            refused(e)
            return
        done(result)

    return screen.run_worker(run(), group="save", description="save", exit_on_error=True)
