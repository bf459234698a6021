"""One way to open a database.

Commands that read (export, check, backup, import, report) use
``open_existing``: a path that does not exist is refused and nothing is
created, neither the file nor its folder, so a mistyped ``--db`` cannot
leave an empty database behind. ``zhibu demo`` and the app use
``open_or_create``; the app asks first when the path was given explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import DatabaseMissing, storage_errors

if TYPE_CHECKING:
    from storage.db import Store


def missing_message(path: Path) -> str:
    return (
        f"数据库不存在：{path}（没有新建任何文件）。"
        f"要新建，请在终端运行 zhibu --db {path} 并回答 y，"
        f"或运行 zhibu --db {path} demo 生成演示数据库。"
    )


def require_existing(path: Path) -> None:
    """Raise DatabaseMissing unless *path* exists (as a file or anything else:
    a folder or a foreign file is refused later with its own message)."""
    if not Path(path).exists():
        raise DatabaseMissing(missing_message(Path(path)))


def open_existing(path: Path, *, actor: str | None = None) -> Store:
    """Open (and migrate) the database at *path*; never creates it."""
    from storage.db import open_store

    require_existing(path)
    with storage_errors():
        return open_store(Path(path), actor=actor)


def open_or_create(path: Path, *, actor: str | None = None) -> Store:
    """Open the database at *path*, creating it privately (0700/0600) if missing."""
    from storage.db import open_store

    with storage_errors():
        return open_store(Path(path), actor=actor)


def remove_stale_temps(db_path: Path) -> list[Path]:
    """Temp files that a killed export or draft spill left next to the
    database, in the app's export folder (and its subfolders) and in the
    draft spill folder; another running session's stay. Best effort."""
    from exports.atomic import remove_stale_temps as remove_in

    folder = Path(db_path).parent
    exports = folder / "exports"
    places = [folder, exports, folder / f".{Path(db_path).name}.drafts-{os.getuid()}"]
    try:
        places += [p for p in exports.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        pass
    removed: list[Path] = []
    for place in places:
        removed += remove_in(place)
    return removed
