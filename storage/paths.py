"""Where the database lives, and creating it privately (0700 dir, 0600 file).

A database target is a SQLite file (``Path``) or a PostgreSQL URL
(``DbUrl``); a URL is never made a Path, which would fold ``//`` into ``/``
(docs/POSTGRES.md#targets).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import TypeAlias

APP_DIR = "zhibu"
DB_NAME = "zhibu.db"
SIDECARS = ("-wal", "-shm")


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_DIR


class DbUrl(str):
    """A PostgreSQL URL as given (it may carry a password: show ``label``)."""

    __slots__ = ()

    @property
    def label(self) -> str:
        """The URL with any password shown as ***, for messages and titles."""
        from sqlalchemy.engine import make_url

        try:
            return make_url(str(self)).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - an unparsable URL: show no part after the scheme
            return str(self).split("://", 1)[0] + "://…"


DbTarget: TypeAlias = Path | DbUrl


def is_url(target: object) -> bool:
    """A PostgreSQL URL (postgresql://…, postgres://…) rather than a file path."""
    from storage.sql import is_database_url

    return isinstance(target, DbUrl) or (
        isinstance(target, str) and is_database_url(target)
    )


def as_target(value: str | os.PathLike[str]) -> DbTarget:
    """A --db / ZHIBU_DB / config value as a typed target."""
    if isinstance(value, DbUrl):
        return value
    if isinstance(value, str) and is_url(value.strip()):
        return DbUrl(value.strip())
    return Path(value).expanduser()


def target_label(target: DbTarget) -> str:
    """The database as messages name it: the path, or the URL without its password."""
    return target.label if isinstance(target, DbUrl) else str(target)


def state_dir_for(url: str) -> Path:
    """A private local folder for what sits next to a SQLite file (draft spill,
    crash logs): one per database URL, the password left out of its name."""
    safe = DbUrl(url).label
    digest = hashlib.sha256(safe.encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / APP_DIR / f"pg-{digest}"


def local_path(target: DbTarget) -> Path:
    """Where the target's local companions are named from: the SQLite file
    itself, or ``zhibu.db`` in a URL's state folder (storage.pg.PgStore.path)."""
    if isinstance(target, DbUrl):
        return state_dir_for(target) / DB_NAME
    return target


def resolve_db_target(cli_value: str | os.PathLike[str] | None = None) -> DbTarget:
    """--db wins over ZHIBU_DB, which wins over the XDG data folder."""
    if cli_value:
        return as_target(cli_value)
    env = os.environ.get("ZHIBU_DB")
    if env:
        return as_target(env)
    return data_dir() / DB_NAME


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """resolve_db_target for callers that only handle a SQLite file."""
    target = resolve_db_target(cli_value)
    if isinstance(target, DbUrl):
        raise ValueError("a PostgreSQL URL is not a file path")
    return target


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
