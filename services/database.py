"""One way to open a database.

A database target is a SQLite file path or a PostgreSQL URL
(``storage.paths.DbTarget``). Commands that read (export, check, import,
report) use ``open_existing``: a path that does not exist, or a PostgreSQL
database without a zhibu schema, is refused and nothing is created — neither
the file nor its folder, nor a table — so a mistyped ``--db`` cannot leave an
empty database behind. ``zhibu demo`` and the app use ``open_or_create``; the
app asks first when the target was given explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import DatabaseMissing, Refused, storage_errors
from storage.paths import DbTarget, DbUrl, as_target, local_path, target_label

if TYPE_CHECKING:
    from storage.db import Store

__all__ = [
    "DbTarget",
    "DbUrl",
    "as_target",
    "exists",
    "local_path",
    "open_existing",
    "open_or_create",
    "pg_dump_command",
    "target_label",
]


def missing_message(target: DbTarget) -> str:
    label = target_label(target)
    if isinstance(target, DbUrl):
        return (
            f"数据库 {label} 中还没有 zhibu 的数据（没有新建任何表）。"
            f"要新建，请在终端运行 zhibu --db '{label}' 并回答 y，"
            f"或运行 zhibu --db '{label}' demo 生成演示数据。"
        )
    return (
        f"数据库不存在：{label}（没有新建任何文件）。"
        f"要新建，请在终端运行 zhibu --db {label} 并回答 y，"
        f"或运行 zhibu --db {label} demo 生成演示数据库。"
    )


def exists(target: DbTarget) -> bool:
    """Whether *target* holds a database to open: the file is there, or the
    PostgreSQL database has a zhibu schema (one read-only query). Raises
    Unavailable when the server cannot be reached."""
    if isinstance(target, DbUrl):
        from storage.pg import PgStore

        with storage_errors():
            store = PgStore(target)
            try:
                return store.schema_version() > 0
            finally:
                store.close()
    return Path(target).exists()


def require_existing(target: DbTarget) -> None:
    """Raise DatabaseMissing unless *target* exists (as a file or anything else:
    a folder or a foreign file is refused later with its own message)."""
    if not exists(target):
        raise DatabaseMissing(missing_message(target))


def open_existing(target: DbTarget, *, actor: str | None = None) -> Store:
    """Open (and migrate) the database at *target*; never creates it."""
    from storage.db import open_store

    require_existing(target)
    with storage_errors():
        return open_store(target, actor=actor)


def open_or_create(target: DbTarget, *, actor: str | None = None) -> Store:
    """Open the database at *target*, creating it privately (0700/0600) if
    missing; on PostgreSQL the schema is installed in the existing database."""
    from storage.db import open_store

    with storage_errors():
        return open_store(target, actor=actor)


def pg_dump_command(
    target: DbUrl, output: str | os.PathLike[str], *, dated_in_folder: bool = False
) -> str:
    """The pg_dump line that backs up *target* to *output* (with
    *dated_in_folder*: to a dated file in the folder *output*). The password
    is left out: pg_dump asks for it, or reads ~/.pgpass."""
    import shlex

    from sqlalchemy.engine import make_url

    url = make_url(str(target)).set(drivername="postgresql")._replace(password=None)
    plain = url.render_as_string(hide_password=False)
    if dated_in_folder:
        folder = str(output).rstrip("/") or "/"
        file = '"' + folder.replace('"', '\\"') + '/zhibu-$(date +%Y%m%d-%H%M%S).dump"'
    else:
        file = shlex.quote(str(output))
    return f"pg_dump --format=custom --file={file} {shlex.quote(plain)}"


def refuse_file_only(target: DbTarget, what: str) -> None:
    """Refused for a PostgreSQL target: *what* only makes sense for a file."""
    if isinstance(target, DbUrl):
        raise Refused(f"{what}只适用于 SQLite 数据库文件；{target_label(target)} 是 PostgreSQL 数据库。")


def remove_stale_temps(target: DbTarget) -> list[Path]:
    """Temp files that a killed export or draft spill left next to the
    database (a URL's: in its local state folder), in the app's export folder
    (and its subfolders) and in the draft spill folder; another running
    session's stay. Best effort."""
    from exports.atomic import remove_stale_temps as remove_in

    near = local_path(target)
    folder = near.parent
    exports = folder / "exports"
    places = [folder, exports, folder / f".{near.name}.drafts-{os.getuid()}"]
    try:
        places += [p for p in exports.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        pass
    removed: list[Path] = []
    for place in places:
        removed += remove_in(place)
    return removed
