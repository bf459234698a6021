"""Outstanding 补学 per branch, for the home screen: plain SQL rows, no models.

An open 补学 action item is one member who has not yet made up a meeting they
missed; a 党小组会's items count for the group's branch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.action_codes import ActionKind, days_overdue
from domain.dashboard import DueItem, Urgency
from domain.navigation import Place, go
from domain.org_codes import OrgKind
from storage.db import Store
from storage.in_lists import chunks, marks

SECTION = "补学"


@dataclass(frozen=True)
class BranchMakeUps:
    branch_id: str
    branch_name: str
    count: int  # open 补学 items
    names: tuple[str, ...]  # who owes one, first deadline first, each once
    first_deadline: dt.date | None


def outstanding_by_branch(
    store: Store, branch_ids: Sequence[str] | None = None
) -> list[BranchMakeUps]:
    """Open 补学 items grouped by branch (all branches, or those given), most first."""
    rows = store.query(
        "SELECT a.owner_name AS name, a.deadline,"
        " CASE o.kind WHEN ? THEN o.parent_id ELSE o.id END AS branch_id"
        " FROM action_items a JOIN meetings m ON m.id = a.meeting_id"
        " JOIN org_units o ON o.id = m.org_id"
        " WHERE a.kind = ? AND a.closed_at IS NULL"
        " ORDER BY a.deadline IS NULL, a.deadline",
        (OrgKind.GROUP.value, ActionKind.MAKE_UP.value),
    )
    wanted = None if branch_ids is None else set(branch_ids)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["branch_id"] and (wanted is None or r["branch_id"] in wanted):
            grouped.setdefault(r["branch_id"], []).append(r)
    names: dict[str, str] = {}
    for part in chunks(sorted(grouped)):
        for r in store.query(
            f"SELECT id, name FROM org_units WHERE id IN ({marks(part)})", tuple(part)
        ):
            names[r["id"]] = r["name"]
    out = [
        BranchMakeUps(
            branch_id=bid,
            branch_name=names.get(bid, ""),
            count=len(items),
            names=tuple(dict.fromkeys(i["name"] or "" for i in items)),
            first_deadline=(
                dt.date.fromisoformat(items[0]["deadline"]) if items[0]["deadline"] else None
            ),
        )
        for bid, items in grouped.items()
    ]
    out.sort(key=lambda b: (-b.count, b.branch_name))
    return out


def home_items(store: Store, today: dt.date) -> list[DueItem]:
    """One line per branch: 「采油一队党支部：3 人待补学（张三、李四等）」."""
    items: list[DueItem] = []
    for b in outstanding_by_branch(store):
        who = "、".join(b.names[:3]) + ("等" if len(b.names) > 3 else "")
        late = days_overdue(b.first_deadline, True, today)
        urgency = Urgency.OVERDUE if late else Urgency.DUE
        text = f"{b.branch_name}：{b.count} 人次待补学（{who}）"
        if late:
            text += f"，最早的已逾期 {late} 天"
        items.append(DueItem(section=SECTION, text=text, due=b.first_deadline, urgency=urgency,
                             action=go(Place.PARTICIPATION, b.branch_id),
                             branch=b.branch_name))  # fmt: skip
    return items
