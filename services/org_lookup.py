"""Finding an organisation unit by the name a user typed, and the org-tree
reads the screens fill their selectors with."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import InvalidInput, NotFound, service

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


# -- reads the screens use to fill their branch / unit selectors ------------


@service
def branches(store: Store) -> list[OrgUnit]:
    """Every branch, in the org tree's order."""
    from storage import org

    return org.branches(store)


@service
def all_units(store: Store) -> list[OrgUnit]:
    """Every unit (总支, branches, groups), in the org tree's order."""
    from storage import org

    return org.all_units(store)


@service
def get_unit(store: Store, unit_id: str) -> OrgUnit | None:
    from storage import org

    return org.get(store, unit_id)


@service
def lookup_maps(store: Store) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Branch name → id and (branch id, group name) → group id, for checking an import."""
    from storage import org

    return org.lookup_maps(store)
