"""Where the database lives, and creating it privately (0700 dir, 0600 file)."""

from __future__ import annotations

import os
from pathlib import Path

APP_DIR = "zhibu"
DB_NAME = "zhibu.db"


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
    unless it is the app's own data folder."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)


def ensure_private_file(path: Path) -> None:
    """Create an empty 0600 file before SQLite does (SQLite would use 0644)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def private_sidecars(db_path: Path) -> None:
    """-wal and -shm copy the db mode, but tighten them anyway."""
    for suffix in ("-wal", "-shm"):
        side = Path(str(db_path) + suffix)
        if side.exists():
            try:
                os.chmod(side, 0o600)
            except PermissionError:
                pass
