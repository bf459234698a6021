"""One app-level handler for every worker's error.

Oracle: the app is still running, the notification the user sees is on the
screen (Chinese, no field values), the crash log got a line naming the type,
and the node that ran the worker gets a BackgroundFailed to recover with.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from textual.widgets._toast import Toast
from textual.worker import WorkerFailed

from storage.db import Store
from storage.errors import StaleRecordError
from tests.conftest import TODAY
from tui.crash import crash_log_path
from widgets.app_handle import BackgroundFailed

SECRET = "困难帮扶甲乙"  # a field value a careless message could quote


def _toasts(app) -> str:  # type: ignore[no-untyped-def]
    """The text of the notifications as drawn on the screen."""
    return "\n".join(str(t.render()) for t in app.screen.query(Toast))


async def _fail_in_a_worker(store: Store, error: BaseException) -> tuple[object, str, list]:
    from tui.app import make_app

    app = make_app(store.path, store=store, today=TODAY)
    seen: list[BackgroundFailed] = []

    def fails() -> None:
        raise error

    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.pause()
        home = app.screen
        original = home.post_message

        def record(message):  # type: ignore[no-untyped-def]
            if isinstance(message, BackgroundFailed):
                seen.append(message)
            return original(message)

        home.post_message = record  # type: ignore[method-assign]
        # Textual's default exit_on_error=True: the error goes to the app.
        home.run_worker(fails, thread=True, group="probe")
        with contextlib.suppress(WorkerFailed):  # wait() re-raises; the app did not
            await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert app.is_running
        assert app.screen is home
        return app, _toasts(app), seen


async def test_a_storage_error_in_a_worker_shows_its_own_message(store: Store) -> None:
    error = StaleRecordError("张三", "2026-11-22 09:00")
    app, shown, seen = await _fail_in_a_worker(store, error)
    assert "这条记录已被 张三 于 2026-11-22 09:00 修改" in shown
    assert app.return_code is None
    log = crash_log_path(Path(store.path)).read_text(encoding="utf-8")
    assert "storage.errors.StaleRecordError" in log
    assert "张三" not in log  # the message stays out of the log
    assert [m.worker.group for m in seen] == ["probe"]
    assert seen[0].error is error and seen[0].text == str(error)


async def test_any_other_error_in_a_worker_is_named_and_logged(store: Store) -> None:
    app, shown, seen = await _fail_in_a_worker(store, RuntimeError(f"bug near {SECRET}"))
    log_path = crash_log_path(Path(store.path))
    assert "后台任务出错（RuntimeError）" in shown
    assert "已记录在" in shown and log_path.name in shown
    assert SECRET not in shown
    assert app.return_code is None
    log = log_path.read_text(encoding="utf-8")
    assert log.count("--- ") == 1 and "builtins.RuntimeError" in log
    assert SECRET not in log
    assert len(seen) == 1 and "后台任务出错（RuntimeError）" in seen[0].text
