"""Crash log: 0600, traceback without locals or field values.

Only exception type names, file names, line numbers and function names are
written: exception messages can quote user input (a pydantic error, a name in
an f-string), and Rich's traceback would add every local variable.
"""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path

MAX_CHAIN = 5


def crash_log_path(db_path: Path) -> Path:
    return db_path.with_name("zhibu-crash.log")


def _unwrap(exc: BaseException) -> BaseException:
    """A failed worker arrives as WorkerFailed(error) with no traceback of its own."""
    inner = getattr(exc, "error", None)
    if type(exc).__name__ == "WorkerFailed" and isinstance(inner, BaseException):
        return inner
    return exc


def describe(exc: BaseException) -> list[str]:
    """Log lines for *exc* and its causes: types and frames, never messages."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = _unwrap(exc)
    prefix = ""
    while current is not None and id(current) not in seen and len(seen) < MAX_CHAIN:
        seen.add(id(current))
        lines.append(f"{prefix}{type(current).__module__}.{type(current).__qualname__}\n")
        for f in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {f.filename}:{f.lineno} in {f.name}\n")
        current = current.__cause__ or current.__context__
        prefix = "caused by "
    return lines


def write_crash_log(db_path: Path, exc: BaseException) -> Path:
    path = crash_log_path(db_path)
    stamp = datetime.now().isoformat(timespec="seconds")
    text = f"--- {stamp} (pid {os.getpid()})\n" + "".join(describe(exc))
    # O_NOFOLLOW: never append through a symlink someone planted in place of the log.
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8", "replace"))
    finally:
        os.close(fd)
    return path
