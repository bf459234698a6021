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
def backup(db_path: Path, output: Path) -> Path:
    """An online, verified, self-contained copy of the database at *output*."""
    from storage.maintenance import backup as run_backup

    require_existing(db_path)
    output = Path(output).expanduser()
    if output.resolve() == Path(db_path).resolve():
        raise InvalidInput("备份文件不能是数据库本身")
    try:
        return run_backup(db_path, output)
    except OSError as e:
        raise write_error(output, e) from e
