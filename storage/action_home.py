"""The 决议 lines of the home screen: open decisions, earliest deadline first.

补学 is listed per branch instead (storage.make_up_home): one line per absentee
crowded the home screen out after a single large meeting.

Reads the action_items columns directly (index on closed_at, deadline), so the
home screen lists them without building ActionItem models.
"""

from __future__ import annotations

import datetime as dt

from domain.action_codes import ActionKind, days_overdue
from domain.dashboard import DueItem, Urgency
from domain.navigation import Place, go
from domain.org_codes import OrgKind
from storage.db import Store

HOME_LIMIT = 12


# The branch a decision concerns: its meeting's unit, or that 党小组's branch.
_BRANCH = (
    "(SELECT CASE o.kind WHEN ? THEN (SELECT name FROM org_units b WHERE b.id = o.parent_id)"
    " ELSE o.name END FROM meetings m JOIN org_units o ON o.id = m.org_id"
    " WHERE m.id = action_items.meeting_id)"
)


def home_items(store: Store, today: dt.date, *, limit: int = HOME_LIMIT) -> list[DueItem]:
    """Open decisions, earliest deadline first, then the order they were filed
    (a random id as tie-break reordered the home list between builds)."""
    out: list[DueItem] = []
    rows = store.query(
        f"SELECT id, kind, text, source, owner_name, deadline, {_BRANCH} AS branch"
        " FROM action_items WHERE closed_at IS NULL AND kind=?"
        " ORDER BY deadline IS NULL, deadline, rowid LIMIT ?",
        (OrgKind.GROUP.value, ActionKind.DECISION.value, limit),
    )
    for r in rows:
        kind = ActionKind(r["kind"])
        deadline = dt.date.fromisoformat(r["deadline"]) if r["deadline"] else None
        overdue = days_overdue(deadline, True, today)
        urgency = Urgency.OVERDUE if overdue else (
            Urgency.DUE if deadline and (deadline - today).days <= 7 else Urgency.INFO
        )  # fmt: skip
        if overdue:
            when = f"逾期 {overdue} 天"
        else:
            when = f"{deadline:%m-%d} 前" if deadline else "无时限"
        owner = r["owner_name"] or ""
        what = (r["source"] or "").split("（")[0] if kind is ActionKind.MAKE_UP else r["text"]
        text = f"{kind} {owner or '未定责任人'}：{what[:28]}（{when}）"
        out.append(DueItem(section=str(kind), text=text, due=deadline, urgency=urgency,
                           action=go(Place.ACTION_ITEM, r["id"]), owner=owner,
                           branch=r["branch"] or ""))  # fmt: skip
    return out
