"""Where the database lives, and creating it privately (0700 dir, 0600 file)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

APP_DIR = "zhibu"
DB_NAME = "zhibu.db"
SIDECARS = ("-wal", "-shm")


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_DIR


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """--db wins over ZHIBU_DB, which wins over the XDG data folder."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get("ZHIBU_DB")
    if env:
        return Path(env).expanduser()
    return data_dir() / DB_NAME


def ensure_private_dir(path: Path) -> None:
    """Create *path* 0700 regardless of umask. An existing folder keeps its mode
    (it may be shared on purpose) unless it is the app's own data folder."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
    elif _same(path, data_dir()) and _owned(path):
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != 0o700:
            os.chmod(path, 0o700)


def ensure_private_file(path: Path) -> None:
    """Create an empty 0600 file before SQLite does (SQLite would use 0644).

    O_NOFOLLOW: a symlink planted where the file should be is refused."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def tighten_existing(db_path: Path) -> None:
    """An existing database never stays world-accessible. Group bits are kept:
    a group-shared setup is a deliberate choice (docs/ARCHITECTURE.md#storage)."""
    if not _owned(db_path):
        return
    mode = stat.S_IMODE(db_path.stat().st_mode)
    if mode & 0o007:
        os.chmod(db_path, mode & 0o770)


def private_sidecars(db_path: Path) -> None:
    """-wal and -shm copy the database file's mode when SQLite creates them;
    re-apply it in case they were created by something else, minus world bits."""
    try:
        mode = stat.S_IMODE(db_path.stat().st_mode) & 0o770
    except FileNotFoundError:
        return
    for suffix in SIDECARS:
        side = Path(str(db_path) + suffix)
        try:
            if _owned(side) and stat.S_IMODE(side.stat().st_mode) != mode:
                os.chmod(side, mode)
        except (FileNotFoundError, PermissionError):
            pass


def _owned(path: Path) -> bool:
    try:
        return path.stat().st_uid == os.getuid()
    except FileNotFoundError:
        return False


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
