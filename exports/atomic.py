"""Writing a file so that a crash or a full disk leaves either the old file or
the complete new one, never half of it (the .docx exports and the draft spill).

No python-docx here: the app imports this at start-up.
"""

from __future__ import annotations

import os
import tempfile
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
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=directory)
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
