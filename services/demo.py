"""`zhibu demo`: build the demonstration database (creating the file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from services.database import DbTarget, DbUrl, exists, open_or_create, target_label
from services.errors import InvalidInput, Refused, service

MAX_PEOPLE = 200_000
MAX_YEARS = 30
MAX_BRANCHES = 2_000


@service
def build(
    db_path: DbTarget,
    *,
    people_count: int = 120,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    years: int = 1,
    branches: int | None = None,
) -> dict[str, int]:
    """Fill a new (or, with *force*, a replaced) database; the counts built."""
    from storage import people
    from storage.demo import build_demo

    if people_count < 1 or people_count > MAX_PEOPLE:
        raise InvalidInput(f"--people 应在 1 到 {MAX_PEOPLE} 之间")
    if years < 1 or years > MAX_YEARS:
        raise InvalidInput(f"--years 应在 1 到 {MAX_YEARS} 之间")
    if branches is not None and (branches < 1 or branches > MAX_BRANCHES):
        raise InvalidInput(f"--branches 应在 1 到 {MAX_BRANCHES} 之间")
    pg = isinstance(db_path, DbUrl)
    if exists(db_path) if pg else (Path(db_path).exists() and Path(db_path).stat().st_size > 0):
        store = open_or_create(db_path)
        try:
            has_data = bool(people.count_all(store))
        finally:
            store.close()
        if has_data and pg:
            # No file to delete: emptying a shared server database is left
            # to its administrator (dropdb / createdb), never done by --force.
            raise Refused(
                f"{target_label(db_path)} 已有数据；演示数据只能写入空的 PostgreSQL 数据库"
                "（请用 createdb 另建一个，或由管理员 dropdb 后重建）"
            )
        if has_data and not force:
            raise Refused(f"{db_path} 已有数据；如确要重建请先删除该文件，或加 --force")
        if force:
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
    store = open_or_create(db_path)
    try:
        return build_demo(
            store, people_count=people_count, progress=progress, years=years, branches=branches
        )
    finally:
        store.close()
