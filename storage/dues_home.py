"""The 党费 lines of the home screen: members 3 or 6 months in arrears, and
members whose dues cannot be computed because no base is on record.

Reads (person, month) of the unpaid records of the home branches and counts
the run with domain.arrears, so the home screen needs no DuesRecord models.
"""

from __future__ import annotations

from datetime import date

from domain.arrears import ArrearsLevel, arrears_level, run_ending_at
from domain.dashboard import DueItem, Urgency
from domain.navigation import Place, go
from domain.people_codes import PoliticalStatus
from domain.periods import add_months, month_start
from storage.compliance import home_branch_ids
from storage.db import Store
from storage.dues_sql import has_base_sql as _has_base_sql
from storage.dues_sql import unpaid_sql
from storage.in_lists import chunks, marks

TABLE = "dues"
SECTION = "党费"
ARREARS_LOOKBACK_MONTHS = 24  # a longer unbroken run is still ≥6: enough to alert
NO_BASE = "未设基数"


def has_base(store: Store, person_id: str) -> bool:
    """True when some record of the person carries a base (or a flat amount, or a waiver)."""
    return bool(
        store.scalar(
            f"SELECT EXISTS (SELECT 1 FROM {TABLE} d WHERE d.person_id=?"
            f" AND ({_has_base_sql(store.dialect)}))",
            (person_id,),
        )
    )


def no_base(store: Store, branch_ids: list[str], month: date) -> list[tuple[str, str, str]]:
    """(person id, name, branch id) of the members of *branch_ids* who owe dues
    in *month* but have no record with a base: their grid line would read as
    paid 0.00. 预备党员 count from the month they were adopted."""
    next_month = add_months(month_start(month), 1).isoformat()
    out: list[tuple[str, str, str]] = []
    for part in chunks(branch_ids):
        out += [
            (r["id"], r["name"], r["branch_id"])
            for r in store.query(
                f"SELECT p.id, p.name, p.branch_id FROM people p"
                f" WHERE p.branch_id IN ({marks(part)})"
                " AND (p.status=? OR (p.status=? AND (p.joined_party IS NULL"
                " OR p.joined_party < ?)))"
                f" AND NOT EXISTS (SELECT 1 FROM {TABLE} d WHERE d.person_id=p.id"
                f" AND ({_has_base_sql(store.dialect)}))"
                " ORDER BY p.sort_key, p.name",
                (*part, PoliticalStatus.FULL.value, PoliticalStatus.PROBATIONARY.value,
                 next_month),
            )
        ]  # fmt: skip
    return out


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
            f" AND month BETWEEN ? AND ? AND {unpaid_sql(store.dialect)}",
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
    items: list[DueItem] = no_base_items(store, ids, today)
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
            )
        )
    return items


def no_base_items(store: Store, branch_ids: list[str], today: date) -> list[DueItem]:
    """One line per member without a base: their dues cannot be computed."""
    return [
        DueItem(
            section=SECTION,
            text=f"{name}{NO_BASE}，无法计算应缴党费，请在党费录入中按 b 设置",
            urgency=Urgency.DUE,
            action=go(Place.DUES, branch_id),
        )
        for _pid, name, branch_id in no_base(store, branch_ids, today)
    ]
