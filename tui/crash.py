"""Crash log: 0600, traceback without locals or field values."""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path


def crash_log_path(db_path: Path) -> Path:
    return db_path.with_name("zhibu-crash.log")


def write_crash_log(db_path: Path, exc: BaseException) -> Path:
    path = crash_log_path(db_path)
    # Frames and line numbers only: exception messages can quote user input,
    # so the message is reduced to the exception type.
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f"{datetime.now().isoformat(timespec='seconds')} {type(exc).__name__}\n"]
    lines += [f"  {f.filename}:{f.lineno} in {f.name}\n" for f in frames]
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, "".join(lines).encode("utf-8"))
    finally:
        os.close(fd)
    return path
