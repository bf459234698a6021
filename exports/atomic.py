"""Writing a file so that a crash or a full disk leaves either the old file or
the complete new one, never half of it (the .docx exports and the draft spill).

No python-docx here: the app imports this at start-up.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomic(
    path: str | os.PathLike[str],
    write: Callable[[BinaryIO], object],
    *,
    prefix: str = ".zhibu-",
    suffix: str = ".tmp",
) -> Path:
    """Temp file in the same directory (0600: the contents are personal data),
    *write* into it, fsync, os.replace, then fsync the directory so the rename
    itself is durable. On any failure the temp file is removed and the old
    file is untouched."""
    target = Path(path).absolute()
    directory = target.parent
    # A fixed short prefix: a long CJK file name plus a prefix could exceed NAME_MAX.
    # The pid in it tells the next start whether the writer is gone (kill -9).
    fd, tmp = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}-", suffix=suffix, dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o600)
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        dfd = os.open(directory, os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


# .zhibu-PID-XXXX.tmp (and .zhibu-drafts-PID-…): PID names the writer.
_TEMP = re.compile(r"^\.zhibu-(?:[a-z]+-)?(?:(\d+)-)?.*\.tmp$")
# A temp file without a pid (older versions) is left alone this long.
UNNAMED_TEMP_AGE_S = 3600.0


def remove_stale_temps(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove temp files a killed write left in *folder* (not its subfolders):
    those whose writer process no longer runs. Another session's export in
    progress keeps its file. Best effort; returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP.match(entry.name)
        if not m or not entry.is_file(follow_symlinks=False):
            continue
        try:
            if m.group(1) is not None:
                if _running(int(m.group(1))):
                    continue
            elif time.time() - entry.stat(follow_symlinks=False).st_mtime < UNNAMED_TEMP_AGE_S:
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, another user's
    return True
