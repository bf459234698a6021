"""`zhibu check` and `zhibu backup` on an existing database; neither creates one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from services.database import DbTarget, DbUrl, pg_dump_command, require_existing
from services.errors import InvalidInput, Refused, service, write_error

if TYPE_CHECKING:
    from storage.maintenance import CheckReport


@service
def check(db_path: DbTarget) -> CheckReport:
    """Integrity, schema (version, tables and columns) and the audit trail;
    writes nothing. The report's ``ok`` says whether all passed. On
    PostgreSQL: schema version and audit trail (the server keeps its pages)."""
    from storage.maintenance import check as run_check
    from storage.maintenance import check_pg

    require_existing(db_path)
    if isinstance(db_path, DbUrl):
        return check_pg(db_path)
    return run_check(db_path)


def refuse_pg_backup(target: DbUrl, output: str | Path, *, folder: bool = False) -> NoReturn:
    """zhibu backup copies a SQLite file; a PostgreSQL database is backed up
    with pg_dump (docs/POSTGRES.md#backup)."""
    raise Refused(
        "zhibu backup 只备份 SQLite 数据库文件。PostgreSQL 数据库请用 pg_dump 备份，例如：\n"
        f"  {pg_dump_command(target, output, dated_in_folder=folder)}\n"
        "（恢复用 pg_restore --dbname=… 文件名）"
    )


@service
def backup(db_path: DbTarget, output: Path, *, force: bool = False) -> Path:
    """An online, verified, self-contained copy of the database at *output*.

    An existing file is replaced only with *force*; the live database, its
    sidecars, and any database with a -wal (another session's) never."""
    from storage.maintenance import backup as run_backup

    if isinstance(db_path, DbUrl):
        refuse_pg_backup(db_path, output)
    require_existing(db_path)
    assert isinstance(db_path, Path)
    output = Path(output).expanduser()
    live = Path(db_path).resolve()
    target = output.resolve()
    if target in {live, *(Path(f"{live}{s}") for s in ("-wal", "-shm", "-journal"))}:
        raise InvalidInput("备份文件不能是数据库本身或其 -wal/-shm 文件")
    if any(Path(f"{target}{s}").exists() for s in ("-wal", "-journal")) or target.name.endswith(
        ("-wal", "-shm", "-journal")
    ):
        raise InvalidInput(f"{output} 看起来是正在使用的数据库，不能用备份覆盖它")
    if output.exists() and not force:
        raise InvalidInput(f"{output} 已存在；确要覆盖请加 --force")
    if output.is_dir():
        raise InvalidInput(f"{output} 是文件夹")
    try:
        return run_backup(db_path, output)
    except OSError as e:
        raise write_error(output, e) from e


_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class Rotation:
    written: Path
    removed: list[Path]
    kept: list[Path]  # every backup of this database left in the folder, oldest first


def _rotated_name(db_path: Path) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(Path(db_path).stem)}-\d{{8}}-\d{{6}}(?:-\d+)?\.db")


@service
def backup_into_folder(
    db_path: DbTarget, folder: Path, *, keep: int | None = None, now: datetime | None = None
) -> Rotation:
    """A verified backup named <db>-YYYYMMDD-HHMMSS.db inside *folder* (for a
    nightly timer, docs/SERVER.md); with *keep*, then remove the oldest of
    this database's backups there beyond the newest *keep*. Only files named
    like these backups are ever removed, and only after the new one passed
    its check, so a failed night never costs an older copy."""
    if isinstance(db_path, DbUrl):
        refuse_pg_backup(db_path, Path(folder).expanduser(), folder=True)
    if keep is not None and keep < 1:
        raise InvalidInput("--keep 至少为 1")
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"{folder} 不是文件夹")
    stamp = (now or datetime.now()).strftime(_STAMP)
    stem = Path(db_path).stem
    target = folder / f"{stem}-{stamp}.db"
    n = 1
    while target.exists():  # two runs in one second
        n += 1
        target = folder / f"{stem}-{stamp}-{n}.db"
    written = backup(db_path, target)
    pattern = _rotated_name(db_path)
    # The names sort by time; the -N of a same-second run sorts after its twin.
    ours = sorted(
        (p for p in folder.iterdir() if p.is_file() and pattern.fullmatch(p.name)),
        key=lambda p: (p.name[: len(stem) + 16], len(p.name), p.name),
    )
    removed: list[Path] = []
    if keep is not None and len(ours) > keep:
        for old in ours[: len(ours) - keep]:
            if old != written:
                try:
                    old.unlink()
                except OSError as e:
                    raise write_error(old, e) from e
                removed.append(old)
    kept = [p for p in ours if p not in removed]
    return Rotation(written, removed, kept)
