"""The 支部 choice of a per-branch screen (participation, 发展党员, 党员考核).

One Select of every branch, opening on the branch the screen was asked for,
else the viewer's own (services.accounts.default_branch)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.widgets import Select

from services.accounts import default_branch
from widgets.safe import text

if TYPE_CHECKING:
    from domain.org import OrgUnit
    from services.store import Store


def branch_select(branches: Sequence[OrgUnit], select_id: str) -> Select[str]:
    return Select(
        [(text(b.name), b.id) for b in branches],
        id=select_id,
        prompt="（选择支部）",
        compact=True,
    )


def opening_branch(store: Store, branches: Sequence[OrgUnit], asked: str | None) -> str | None:
    ids = [b.id for b in branches]
    return asked if asked in ids else default_branch(store, ids)


def chosen_branch(select: Select[str]) -> str | None:
    return None if select.is_blank() else str(select.value)
