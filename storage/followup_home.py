"""The 一人一事 lines of the home screen: cases due today or overdue.

Apart from storage.followups so the home screen answers from SQL without
loading the case models, the trigger catalogue or the holiday calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from domain import json_fields
from domain.dashboard import DueItem, Urgency
from domain.followup_codes import OPEN_STATUSES, Status
from domain.navigation import Place, go
from storage.db import Store

TABLE = "followups"
# On PostgreSQL a private case's details are in followup_private under
# row-level security; this view reads them where the caller's role may, and
# the redacted copy otherwise (storage/pg_schema.py _PRIVATE_DETAILS_RLS).
PG_FULL = "followups_full"
HOME_CAP = 30
SECTION = "一人一事"
OPEN_SQL = "(" + ",".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES)) + ")"

# (private, branch id, responsible id) → may the details be shown.
MaySee = Callable[[bool, "str | None", str], bool]


def full_source(store: Store) -> str:
    """Where full records are read from: the table on SQLite, the view that
    merges the row-level-secured details on PostgreSQL."""
    return PG_FULL if store.dialect == "postgresql" else TABLE


def secretary_ids(store: Store, branch_ids: Iterable[str]) -> dict[str, str]:
    """branch id → the person id of its granted 书记 (missing when none).

    Granted data only (storage.roles): a 职务 typed into the roster grants
    nothing, or whoever may edit the roster could make themself 书记.
    """
    from storage.roles import secretary_person_ids

    return secretary_person_ids(store, sorted(set(branch_ids)))


def home_items(
    store: Store, today: date, *, may_see: MaySee, cap: int = HOME_CAP
) -> list[DueItem]:
    """Follow-ups due today or overdue, grouped by responsible member.

    One range scan on followups_due (status, next_contact) bounded by *cap*;
    names come from json_extract, so no record is parsed whole. Private
    cases *may_see* (services.private_details, the one rule) refuses say only
    that a case is due.
    """
    params = {"today": today.isoformat(), "cap": cap}
    source = full_source(store)
    rows = store.query(
        "SELECT id, branch_id, responsible_id, status, next_contact, private,"
        f" {json_fields.FOLLOWUP.extract('person_name')} AS person_name,"
        f" {json_fields.FOLLOWUP.extract('trigger_text')} AS trigger_text,"
        f" {json_fields.FOLLOWUP.extract('responsible_name')} AS responsible_name,"
        f" (SELECT name FROM org_units o WHERE o.id = {source}.branch_id) AS branch_name"
        f" FROM {source} WHERE status IN {OPEN_SQL} AND next_contact <= :today"
        " ORDER BY next_contact LIMIT :cap",
        params,
    )
    items: list[DueItem] = []
    for r in rows:
        due = date.fromisoformat(r["next_contact"])
        late = (today - due).days
        what = "回访" if r["status"] == Status.RESOLVED.value else "联系"
        when = f"{what}已逾期{late}天" if late > 0 else f"今天应{what}"
        if may_see(bool(r["private"]), r["branch_id"], r["responsible_id"] or ""):
            about = " · ".join(x for x in (r["person_name"], r["trigger_text"]) if x)
        else:
            about = "保密事项"
        items.append(
            DueItem(
                section=SECTION,
                text=f"{about}：{when}",
                due=due,
                urgency=Urgency.OVERDUE if late > 0 else Urgency.DUE,
                action=go(Place.FOLLOWUP, r["id"]),
                owner=r["responsible_name"] or "",
                branch=r["branch_name"] or "",
            )
        )
    items.sort(key=lambda i: (i.owner, i.due or today))
    if len(rows) == cap:
        total = int(
            store.scalar(
                f"SELECT count(*) FROM {TABLE} WHERE status IN {OPEN_SQL}"
                " AND next_contact <= :today",
                params,
            )
            or 0
        )
        if total > cap:
            items.append(
                DueItem(
                    section=SECTION,
                    text=f"另有 {total - cap} 件到期或逾期，打开一人一事列表查看",
                    urgency=Urgency.OVERDUE,
                    action=go(Place.FOLLOWUPS, "逾期"),
                )
            )
    return items
