"""Finding an organisation unit by the name a user typed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from domain.org import OrgKind, OrgUnit
    from storage.db import Store


def find_unit(
    store: Store, name: str, kinds: tuple[OrgKind, ...] = (), what: str = "组织"
) -> OrgUnit:
    """The unit named *name* (of one of *kinds*, when given); NotFound names
    the branches there are."""
    from storage import org

    name = name.strip()
    unit = org.find_by_name(store, name, kinds[0] if len(kinds) == 1 else None)
    if unit is not None and kinds and unit.kind not in kinds:
        unit = None
    if unit is None:
        names = "、".join(b.name for b in org.branches(store)[:10])
        raise NotFound(f"找不到{what}“{name}”。现有支部：{names or '（无）'}")
    return unit


def check_out_dir(out_dir: Path) -> None:
    """An output folder must be a folder (it is created when missing)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidInput(f"{out_dir} 不是文件夹")
