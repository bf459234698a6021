"""Demo 发展党员 records for the four demo branches.

Called by storage.demo.build_demo inside its transaction. Every stage goes
through storage.development.record, so the demo obeys the same time gates as
real data. Each branch gets someone at every stage of the main line, and
one 积极分子 whose 思想汇报 is late; in the first branch one 积极分子 reaches
the year today and one probation ends within the warning window, so 今日
shows every kind of 发展党员 line.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from domain.development import MAIN_LINE, Stage, StageEvent, add_months
from domain.people import Person, PoliticalStatus
from storage import development
from storage.db import Store
from storage.sql import Connection

S = Stage
# Days after the application at which each stage happens (the one-year gate
# and the probation year are met with a little room).
_OFFSET: dict[Stage, int] = {
    S.APPLIED: 0,
    S.TALK: 20,
    S.ACTIVIST: 60,
    S.CANDIDATE: 60 + 370,
    S.VETTING: 430 + 30,
    S.TRAINING: 430 + 40,
    S.COMMITTEE_REVIEW: 430 + 60,
    S.PRE_REVIEW: 430 + 75,
    S.NOTICE: 430 + 80,
    S.ADMITTED: 430 + 95,
}
_AFTER_ADMISSION: dict[Stage, int] = {S.APPROVED: 45, S.OATH: 55}
CONTACTS = ("培养联系人甲", "培养联系人乙")


def _schedule(applied: date) -> dict[Stage, date]:
    out = {s: applied + timedelta(days=d) for s, d in _OFFSET.items()}
    admitted = out[S.ADMITTED]
    out.update({s: admitted + timedelta(days=d) for s, d in _AFTER_ADMISSION.items()})
    confirmed = add_months(admitted, 12) + timedelta(days=3)
    out[S.CONFIRMED] = confirmed
    out[S.CONFIRM_APPROVED] = confirmed + timedelta(days=40)
    return out


def _events(
    applied: date, cap: Stage, today: date, *, names: tuple[str, ...], late: bool = False
) -> list[StageEvent]:
    when = _schedule(applied)
    stages = [s for s in MAIN_LINE[: MAIN_LINE.index(cap) + 1] if when[s] <= today]
    out: list[StageEvent] = []
    for s in stages:
        kw: dict[str, object] = {}
        if s is S.ACTIVIST:
            kw["people"] = CONTACTS
        elif s is S.TRAINING:
            kw.update(days=3, hours=24)
        elif s is S.ADMITTED:
            kw["people"] = names
        out.append(StageEvent(stage=s, on=when[s], **kw))
    if S.ACTIVIST in stages:
        stop = when[S.CONFIRMED] if S.CONFIRMED in stages else today
        if late:
            stop = today - timedelta(days=150)  # the last report ~5 months ago
        d = add_months(when[S.ACTIVIST], 3)
        while d <= stop:
            out.append(StageEvent(stage=S.REPORT, on=d))
            d = add_months(d, 3)
        end_obs = when[S.ADMITTED] if S.ADMITTED in stages else stop
        d = add_months(when[S.ACTIVIST], 6)
        while d <= end_obs:
            out.append(StageEvent(stage=S.OBSERVATION, on=d))
            d = add_months(d, 6)
    order = {s: i for i, s in enumerate(Stage)}
    return sorted(out, key=lambda e: (e.on, order[e.stage]))


def _start_for(cap: Stage, on: date) -> date:
    """The application date that puts *cap* on *on*."""
    return on - (_schedule(on)[cap] - on)


def add_demo_development(
    store: Store,
    c: Connection,
    *,
    today: date,
    rng: random.Random,
    branches: list[str],
    roster: dict[str, list[Person]],
) -> int:
    """Returns the number of people given a development record."""
    n = 0
    for bid in branches:
        members = roster.get(bid, [])
        full = [p for p in members if p.status is PoliticalStatus.FULL and p.post is None]
        sponsors = tuple(p.name for p in full[:2]) or ("介绍人甲", "介绍人乙")
        plan: list[tuple[Person, Stage, date, bool]] = []
        # The branch's 群众 as applicants, one per stage before 接收预备党员
        # (the demo keeps its head count: no one is added).
        masses = [p for p in members if p.status is PoliticalStatus.MASSES]
        caps = (
            S.NOTICE,
            S.PRE_REVIEW,
            S.COMMITTEE_REVIEW,
            S.TRAINING,
            S.VETTING,
            S.TALK,
            S.APPLIED,
        )
        for p, cap in zip(masses, caps, strict=False):
            plan.append((p, cap, today - timedelta(days=5 + rng.randrange(10)), False))
        first = bid == branches[0]
        activists = [p for p in members if p.status is PoliticalStatus.ACTIVIST]
        for k, p in enumerate(activists):
            on = today - timedelta(days=200 + 40 * k)
            if first and k == 1:
                on = add_months(today, -12)  # 今日: one year as 积极分子 reached today
            plan.append((p, S.ACTIVIST, on, k == 0))
        for p in (q for q in members if q.status is PoliticalStatus.CANDIDATE):
            plan.append((p, S.CANDIDATE, today - timedelta(days=20), False))
        probationers = [p for p in members if p.status is PoliticalStatus.PROBATIONARY]
        for k, p in enumerate(probationers):
            admitted = p.joined_party or today - timedelta(days=120)
            if first and k == 1:
                # 今日: a probation that ends within the 30-day warning window.
                admitted = add_months(today, -12) + timedelta(days=20)
                # The roster follows, so the dues built next start at this date.
                members[members.index(p)] = p.model_copy(update={"joined_party": admitted})
            plan.append((p, S.ADMITTED if k == 0 else S.OATH, admitted, False))
        # Two 正式党员 with their history: one 转正 awaiting 上级审批, one approved.
        if len(full) > 3:
            plan.append((full[2], S.CONFIRM_APPROVED, today - timedelta(days=60), False))
            plan.append((full[3], S.CONFIRMED, today - timedelta(days=15), False))
        for person, cap, on, late in plan:
            anchor = {S.OATH: S.ADMITTED, S.CONFIRM_APPROVED: S.CONFIRMED}.get(cap, cap)
            applied = _start_for(anchor, on)
            for e in _events(applied, cap, today, names=sponsors, late=late):
                development.record(store, person.id, e, conn=c)
            n += 1
    return n
