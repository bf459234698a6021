"""`zhibu check` and `zhibu backup` on an existing database; neither creates one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from services.database import require_existing
from services.errors import InvalidInput, service, write_error

if TYPE_CHECKING:
    from storage.maintenance import CheckReport


@service
def check(db_path: Path) -> CheckReport:
    """Integrity, schema (version, tables and columns) and the audit trail;
    writes nothing. The report's ``ok`` says whether all passed."""
    from storage.maintenance import check as run_check

    require_existing(db_path)
    return run_check(db_path)


@service
def backup(db_path: Path, output: Path, *, force: bool = False) -> Path:
    """An online, verified, self-contained copy of the database at *output*.

    An existing file is replaced only with *force*; the live database, its
    sidecars, and any database with a -wal (another session's) never."""
    from storage.maintenance import backup as run_backup

    require_existing(db_path)
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
