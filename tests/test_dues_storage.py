"""党费 storage: demo data, arrears alerts, the monthly grid, one-transaction saves."""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from domain.dues import (
    ArrearsLevel,
    DuesStatus,
    make_record,
    member_arrears,
    record_payment,
    waive,
)
from domain.navigation import Place, go
from domain.people import Person, PoliticalStatus
from storage import dues as dues_store
from storage import dues_home, org, people
from storage.db import Store
from storage.demo_dues import add_demo_dues
from storage.errors import StaleRecordError, StorageError
from tests import factories
from tests.factories import TODAY

pytestmark = pytest.mark.both_engines

def ensure_demo_dues(store: Store, today: date = TODAY) -> None:
    """The demo's dues, whether or not build_demo already calls the hook."""
    if store.scalar("SELECT count(*) FROM dues"):
        return
    branches = org.branches(store)[:4]
    roster = {b.id: people.list_branch(store, b.id, limit=1000) for b in branches}
    with store.write() as c:
        add_demo_dues(store, c, today=today, rng=random.Random(7), branches=branches, roster=roster)


@pytest.fixture
def dues_demo(demo_store: Store) -> Store:
    ensure_demo_dues(demo_store)
    return demo_store


@pytest.fixture
def dues_branch(store: Store) -> factories.Branch:
    """One branch paid Jan-Nov 2026, except a member owing Aug-Nov and one owing May-Nov."""
    b = factories.branch(store)
    factories.dues(store, b, factories.months(date(2026, 1, 1), date(2026, 11, 1)), unpaid={
        b.members[4].id: factories.months(date(2026, 8, 1), date(2026, 11, 1)),
        b.members[3].id: factories.months(date(2026, 5, 1), date(2026, 11, 1)),
    })  # fmt: skip
    return b


def _sql_unpaid(store: Store, person_id: str) -> list[str]:
    rows = store.query(
        "SELECT month, data FROM dues WHERE person_id=? ORDER BY month", (person_id,)
    )
    out = []
    for r in rows:
        d = json.loads(r["data"])
        if not d["waived"] and d["paid_fen"] < d["due_fen"]:
            out.append(r["month"])
    return out


def test_demo_dues_cover_every_member_month(dues_demo: Store) -> None:
    branches = org.branches(dues_demo)[:4]
    for b in branches:
        for p in people.members_of(dues_demo, b.id):
            months = [
                r["month"]
                for r in dues_demo.query(
                    "SELECT month FROM dues WHERE person_id=? ORDER BY month", (p.id,)
                )
            ]
            first = "2026-01-01"
            if p.status is PoliticalStatus.PROBATIONARY and p.joined_party:
                first = max(first, p.joined_party.replace(day=1).isoformat())
            assert months[0] == first
            assert months[-1] == "2026-11-01"  # the 11-06 collection day has passed
            assert len(months) == len(set(months))
    # Non-members never pay.
    assert not dues_demo.scalar(
        "SELECT count(*) FROM dues d JOIN people p ON p.id=d.person_id"
        " WHERE p.status NOT IN ('正式党员','预备党员')"
    )


def test_demo_has_one_member_at_three_months_and_one_at_six(dues_demo: Store) -> None:
    branches = org.branches(dues_demo)[:4]
    alerts = dues_store.branch_arrears(dues_demo, [b.id for b in branches], TODAY)
    by_level = {a.alert.level: a for a in alerts if a.alert}
    assert len(alerts) == 2
    warn, lapse = by_level[ArrearsLevel.WARN], by_level[ArrearsLevel.LAPSE]
    # Hand count from SQL: unpaid months up to October (last month).
    assert _sql_unpaid(dues_demo, warn.person_id) == [
        "2026-08-01",
        "2026-09-01",
        "2026-10-01",
        "2026-11-01",
    ]
    assert warn.consecutive_months == 3
    assert len(_sql_unpaid(dues_demo, lapse.person_id)) == 7
    assert lapse.consecutive_months == 6
    owed = sum(
        json.loads(r["data"])["due_fen"]
        for r in dues_demo.query(
            "SELECT data FROM dues WHERE person_id=? AND month BETWEEN '2026-05-01' AND '2026-10-01'",
            (lapse.person_id,),
        )
    )
    assert lapse.owed_fen == owed
    items = dues_home.home_items(dues_demo, TODAY)
    assert len(items) == 2
    assert "连续6个月" in items[0].text and items[0].action == go(
        Place.MEMBER_RECORD, lapse.person_id
    )


def test_back_payment_this_month_clears_current_arrears(
    store: Store, dues_branch: factories.Branch
) -> None:
    alerts = dues_store.branch_arrears(store, [dues_branch.id], TODAY)
    warn = next(a for a in alerts if a.alert and a.alert.level is ArrearsLevel.WARN)
    assert warn.person_id == dues_branch.members[4].id
    for m in (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1)):
        rec = dues_store.get(store, warn.person_id, m)
        assert rec is not None
        paid = record_payment(rec, rec.owed_fen, TODAY)
        assert paid.status is DuesStatus.BACK_PAID
        dues_store.save(store, paid, dues_branch.id)
    now = dues_store.arrears_of(store, [warn.person_id], TODAY)[warn.person_id]
    assert now.consecutive_months == 0 and now.alert is None
    # As of October's end (payments made then), the three months were owed.
    recs = dues_store.for_person(store, warn.person_id, date(2026, 1, 1), date(2026, 12, 1))
    assert member_arrears(recs, date(2026, 10, 31)).consecutive_months == 3


def test_member_arrears_payments_until_default_keeps_old_behaviour() -> None:
    recs = [make_record("p", date(2026, m, 1), 400_000) for m in (8, 9, 10)]
    late = [record_payment(r, r.due_fen, date(2026, 11, 6)) for r in recs]
    assert member_arrears(late, date(2026, 10, 1)).consecutive_months == 3
    assert member_arrears(late, date(2026, 10, 1), payments_until=TODAY).consecutive_months == 0


def test_month_grid_proposes_records_from_last_base(
    store: Store, dues_branch: factories.Branch
) -> None:
    # A base that differs per member shows the grid copies each one's own.
    nov1 = dues_store.get(store, dues_branch.members[0].id, date(2026, 11, 1))
    assert nov1 is not None
    dues_store.save(store, make_record(nov1.person_id, nov1.month, 820_000).model_copy(
        update={"id": nov1.id, "version": nov1.version}), dues_branch.id)  # fmt: skip
    grid = dues_store.month_grid(store, dues_branch.id, date(2026, 12, 1), TODAY)
    members = people.members_of(store, dues_branch.id)
    assert len(members) == 6
    assert [r.person.id for r in grid] == [p.id for p in members]
    for row in grid:
        assert row.record.version == 0 and row.base_known
        nov = dues_store.get(store, row.person.id, date(2026, 11, 1))
        assert nov is not None
        assert (row.record.base_fen, row.record.due_fen) == (nov.base_fen, nov.due_fen)
        assert row.record.paid_fen == 0
    assert {r.record.base_fen for r in grid} == {500_000, 820_000}
    # November: saved records, shown as they are.
    nov_grid = dues_store.month_grid(store, dues_branch.id, date(2026, 11, 1), TODAY)
    assert len(nov_grid) == 6
    assert all(r.record.version >= 1 for r in nov_grid)


def test_month_grid_probationary_member_pays_from_adoption(store: Store) -> None:
    from domain.org import OrgKind, OrgUnit

    branch = org.save(store, OrgUnit(name="测试党支部", kind=OrgKind.BRANCH))
    newbie = people.save(
        store,
        Person(
            name="新党员",
            status=PoliticalStatus.PROBATIONARY,
            branch_id=branch.id,
            joined_party=date(2026, 6, 20),
        ),
    )
    may = dues_store.month_grid(store, branch.id, date(2026, 5, 1), TODAY)
    june = dues_store.month_grid(store, branch.id, date(2026, 6, 1), TODAY)
    assert may == []
    assert [r.person.id for r in june] == [newbie.id]
    assert not june[0].base_known and june[0].record.due_fen == 0


def test_save_month_is_all_or_nothing(store: Store, dues_branch: factories.Branch) -> None:
    branch = dues_branch
    grid = dues_store.month_grid(store, branch.id, date(2026, 12, 1), TODAY)
    records = [record_payment(r.record, r.record.due_fen, TODAY) for r in grid]
    # Someone else saved one of these members' December meanwhile.
    dues_store.save(store, grid[3].record, branch.id)
    with pytest.raises(StorageError):
        dues_store.save_month(store, branch.id, records)
    assert store.scalar("SELECT count(*) FROM dues WHERE month='2026-12-01'") == 1
    # A stale update is refused the same way.
    nov = dues_store.get(store, grid[0].person.id, date(2026, 11, 1))
    assert nov is not None
    dues_store.save(store, nov.model_copy(update={"method": "微信"}), branch.id)
    with pytest.raises(StaleRecordError):
        dues_store.save_month(store, branch.id, [nov.model_copy(update={"method": "现金"})])


def test_months_summary_matches_sql(store: Store, dues_branch: factories.Branch) -> None:
    branch = dues_branch
    # A waived month and a part payment, so every column differs from the others.
    jul = dues_store.get(store, branch.members[3].id, date(2026, 7, 1))
    sep = dues_store.get(store, branch.members[4].id, date(2026, 9, 1))
    assert jul is not None and sep is not None
    dues_store.save(store, waive(jul, "家庭困难，经党委批准免交"), branch.id)
    dues_store.save(store, record_payment(sep, sep.due_fen // 2, date(2026, 9, 20)), branch.id)
    summaries = dues_store.months_summary(store, [branch.id], date(2026, 7, 1), date(2026, 9, 30))
    assert [s.month for s in summaries] == [date(2026, m, 1) for m in (7, 8, 9)]
    for s in summaries:
        rows = [
            json.loads(r["data"])
            for r in store.query(
                "SELECT data FROM dues WHERE branch_id=? AND month=?",
                (branch.id, s.month.isoformat()),
            )
        ]
        due = [d for d in rows if not d["waived"] and d["due_fen"] > 0]
        assert s.members_due == len(due)
        assert s.members_paid == sum(1 for d in due if d["paid_fen"] >= d["due_fen"])
        assert s.due_fen == sum(d["due_fen"] for d in due)
        assert s.paid_fen == sum(d["paid_fen"] for d in rows)
    # The figures themselves (6 paying members, 5 000 yuan base).
    jul_s, aug_s, sep_s = summaries
    assert (jul_s.members_due, jul_s.members_paid) == (5, 5)
    assert (aug_s.members_due, aug_s.members_paid) == (6, 4)
    assert (sep_s.members_due, sep_s.members_paid) == (6, 4)
    assert sep_s.paid_fen > aug_s.paid_fen
