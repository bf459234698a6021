"""What every `zhibu export …` command shares: exit codes, messages, checks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.org import OrgKind, OrgUnit
    from storage.db import Store

EXIT_USAGE = 2
EXIT_DATA = 65  # EX_DATAERR
EXIT_IO = 74  # EX_IOERR


def err(msg: str) -> None:
    print(f"zhibu: {msg}", file=sys.stderr)


def preflight(db_path: Path, out_dir: Path) -> int | None:
    """An exit code when the export cannot start, else None."""
    if out_dir.exists() and not out_dir.is_dir():
        err(f"{out_dir} 不是文件夹")
        return EXIT_USAGE
    if not db_path.exists():
        err(f"数据库不存在：{db_path}")
        return EXIT_DATA
    return None


def find_unit(
    store: Store, name: str, kinds: tuple[OrgKind, ...] = (), what: str = "组织"
) -> OrgUnit | None:
    """The unit named *name* (of one of *kinds*, when given), or None after
    saying it was not found and which branches there are."""
    from storage import org

    name = name.strip()
    unit = org.find_by_name(store, name, kinds[0] if len(kinds) == 1 else None)
    if unit is not None and kinds and unit.kind not in kinds:
        unit = None
    if unit is None:
        names = "、".join(b.name for b in org.branches(store)[:10])
        err(f"找不到{what}“{name}”。现有支部：{names or '（无）'}")
    return unit
