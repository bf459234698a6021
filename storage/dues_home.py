"""The 党费 lines of the home screen: members 3 or 6 months in arrears.

Reads (person, month) of the unpaid records of the home branches and counts
the run with domain.arrears, so the home screen needs no DuesRecord models.
"""

from __future__ import annotations

from datetime import date

from domain import json_fields
from domain.arrears import ArrearsLevel, arrears_level, run_ending_at
from domain.dashboard import DueItem, Urgency
from domain.navigation import Place, go
from domain.periods import add_months, month_start
from storage.compliance import home_branch_ids
from storage.db import Store
from storage.in_lists import chunks, marks

TABLE = "dues"
SECTION = "党费"
ARREARS_LOOKBACK_MONTHS = 24  # a longer unbroken run is still ≥6: enough to alert
# Still unpaid today (not waived, paid < due): a settled month and a missing
# month both break a run, so only these rows are needed.
_WAIVED, _PAID, _DUE = (json_fields.DUES.extract(f) for f in ("waived", "paid_fen", "due_fen"))
UNPAID_SQL = f"NOT {_WAIVED} AND {_PAID} < {_DUE}"


def arrears_month(today: date) -> date:
    """The last month whose dues are in arrears when unpaid: last month."""
    return add_months(today, -1)


def home_items(store: Store, today: date) -> list[DueItem]:
    """Arrears alerts (3 and 6 consecutive months) for the home branches,
    longest run first."""
    cutoff = month_start(arrears_month(today))
    start = add_months(cutoff, -ARREARS_LOOKBACK_MONTHS)
    months: dict[str, list[date]] = {}
    ids = home_branch_ids(store)
    for part in chunks(ids):
        for r in store.query(
            f"SELECT person_id, month FROM {TABLE} WHERE branch_id IN ({marks(part)})"
            f" AND month BETWEEN ? AND ? AND {UNPAID_SQL}",
            (*part, start.isoformat(), cutoff.isoformat()),
        ):
            months.setdefault(r["person_id"], []).append(date.fromisoformat(r["month"]))
    runs = {p: run_ending_at(ms, cutoff) for p, ms in months.items()}
    alerts = sorted(
        ((p, n, level) for p, n in runs.items() if (level := arrears_level(n)) is not None),
        key=lambda x: (-x[1], x[0]),
    )
    names: dict[str, str] = {}
    people = [p for p, _, _ in alerts]
    for part in chunks(people):
        for r in store.query(f"SELECT id, name FROM people WHERE id IN ({marks(part)})", part):
            names[r["id"]] = r["name"]
    items: list[DueItem] = []
    for person_id, run, level in alerts:
        lapse = level is ArrearsLevel.LAPSE
        tail = "，请核实有无正当理由" if lapse else "，应限期交纳"
        name = names.get(person_id, "（已不在花名册）")
        items.append(
            DueItem(
                section=SECTION,
                text=f"{name}已连续{run}个月未交纳党费{tail}",
                due=add_months(cutoff, 1),
                urgency=Urgency.OVERDUE if lapse else Urgency.DUE,
                action=go(Place.MEMBER_RECORD, person_id),
                owner=names.get(person_id, ""),
            )
        )
    return items
