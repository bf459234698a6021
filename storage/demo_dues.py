"""A year of demo 党费 for the four seed branches: collected at each month's
主题党日 (first Friday), with the cases a secretary meets — one member three
months in arrears, one six (the 自行脱党 alert), a back payment, a hardship
waiver, and two members who have not yet paid this month."""

from __future__ import annotations

import random
from datetime import date, timedelta

from domain.dues import DuesRecord, make_record, record_payment, waive
from domain.org import OrgUnit
from domain.people import Person, PoliticalStatus
from domain.periods import add_months, month_start
from storage import dues
from storage.db import Store
from storage.sql import Connection

BASES_YUAN = (2800, 3400, 4200, 4800, 5600, 6300, 7200, 8500, 9600, 11800)
METHODS = ("现金", "线上缴纳")
WARN_RUN = 4  # unpaid months up to this one: 3 of them are over → 欠缴提醒
LAPSE_RUN = 7  # → 6 months over: 连续欠缴6个月


def collection_day(month: date) -> date:
    """The first Friday: the demo branches' 主题党日, when dues are collected."""
    d = month_start(month)
    return d + timedelta(days=(4 - d.weekday()) % 7)


def _plain_members(people: list[Person]) -> list[Person]:
    return [p for p in people if p.post is None and p.status is PoliticalStatus.FULL]


def add_demo_dues(store: Store, conn: Connection, *, today: date, rng: random.Random,
                  branches: list[OrgUnit], roster: dict[str, list[Person]]) -> int:  # fmt: skip
    """Insert the records inside the caller's transaction; returns the count."""
    current = month_start(today)
    if collection_day(current) >= today:
        current = add_months(current, -1)  # this month's collection is still to come
    first = min(date(today.year, 1, 1), add_months(current, -(LAPSE_RUN - 1)))
    rows: list[tuple[str | None, DuesRecord]] = []
    for n, b in enumerate(branches):
        members = [p for p in roster[b.id] if p.is_member]
        plain = _plain_members(members)
        unpaid_runs: dict[str, int] = {}
        if plain and n == 0:
            unpaid_runs[plain[-1].id] = WARN_RUN
        if plain and n == 1:
            unpaid_runs[plain[-1].id] = LAPSE_RUN
        late_payer = plain[-2].id if len(plain) > 1 and n == 2 else None
        waived = plain[-1].id if plain and n == 3 else None
        not_yet = {p.id for p in plain[-3:-1]} if n == 3 else set()
        for p in members:
            base = (rng.choice(BASES_YUAN) + rng.randrange(10) * 10) * 100
            method = rng.choice(METHODS)
            m = first
            while m <= current:
                if (
                    p.status is PoliticalStatus.PROBATIONARY
                    and p.joined_party
                    and (month_start(p.joined_party) > m)
                ):
                    m = add_months(m, 1)
                    continue
                rec = make_record(p.id, m, base)
                months_left = (current.year - m.year) * 12 + current.month - m.month
                if p.id in unpaid_runs and months_left < unpaid_runs[p.id]:
                    pass  # in arrears
                elif p.id in not_yet and m == current:
                    pass  # on night shift at the 主题党日; will pay later
                elif p.id == waived and months_left in (3, 4):
                    rec = waive(rec, "家庭困难，经党委批准免交")
                elif p.id == late_payer and months_left == 4:
                    # Paid two months late (补缴), within the six-month limit.
                    rec = record_payment(rec, rec.due_fen, collection_day(add_months(m, 2)), method,
                                         online=method == "线上缴纳")
                else:
                    rec = record_payment(
                        rec, rec.due_fen, collection_day(m), method, online=method == "线上缴纳"
                    )
                rows.append((b.id, rec))
                m = add_months(m, 1)
    return dues.insert_many(store, rows, conn=conn)
