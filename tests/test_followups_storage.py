"""一人一事 storage: saving, lists paged in SQL, privacy, home items, the
trigger catalogue, account mapping and the demo year — asserted on SQLite."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest

from domain import followups as fx
from domain.dashboard import Urgency
from domain.followups import Actor, FollowUp, FollowUpConfig, Level, QuickForm, Status
from domain.navigation import Place, go
from domain.people import Person, PoliticalStatus
from domain.triggers import TriggerKind, add_trigger
from storage import accounts, followup_home, org, people
from storage import followups as fu_store
from storage.accounts import AccountError, Viewer
from storage.demo_followups import add_demo_followups
from storage.errors import StaleRecordError, StorageError
from storage.followups import ListQuery, Scope
from tests import factories
from tests.factories import TODAY

pytestmark = pytest.mark.both_engines

CONFIG = FollowUpConfig()


@pytest.fixture
def fu_db(store):
    """Two branches, each with a secretary, members and two workers (群众)."""
    members = (*factories.DEFAULT_MEMBERS, (PoliticalStatus.MASSES, None))
    factories.org_tree(store, ("一支部", "二支部"), members=members)
    return store


@pytest.fixture
def branch(fu_db):
    return org.branches(fu_db)[0]


@pytest.fixture
def cast(fu_db, branch):
    """The secretary, two other members and two workers of the first branch."""
    roster = people.list_branch(fu_db, branch.id)
    secretary = people.secretary_of(fu_db, branch.id)
    members = [p for p in roster if p.is_member and p.id != secretary.id]
    workers = [p for p in roster if p.status is PoliticalStatus.MASSES]
    return {
        "sec": secretary,
        "m1": members[0],
        "m2": members[1],
        "w1": workers[0],
        "w2": workers[1],
    }


def _file(store, branch_id, worker: Person, resp: Person, *, found=TODAY, **extra) -> FollowUp:
    form = QuickForm(
        person_id=worker.id,
        person_name=worker.name,
        trigger_code=extra.pop("trigger_code", "T2"),
        summary=extra.pop("summary", "井下未戴安全帽"),
        responsible_id=resp.id,
        responsible_name=resp.name,
        found_on=found,
        **extra,
    )
    cat = fu_store.catalogue(store, branch_id)
    fu = fx.quick_file(form, cat, today=TODAY, config=CONFIG)
    return fu_store.save(store, fu)


def _row(store, fu_id: str) -> dict:
    return store.query_one("SELECT * FROM followups WHERE id=?", (fu_id,))


def _viewer(store, person: Person | None) -> Viewer:
    if person is None:
        return Viewer("nobody")
    return Viewer("acct-" + person.id[:6], person.id, person.name, person.branch_id)


# --- saving -------------------------------------------------------------------


def test_save_copies_index_columns_and_round_trips(fu_db, branch, cast) -> None:
    fu = _file(fu_db, branch.id, cast["w1"], cast["m1"], level=Level.SIGNIFICANT)
    row = _row(fu_db, fu.id)
    assert row["branch_id"] == branch.id
    assert row["person_id"] == cast["w1"].id
    assert row["responsible_id"] == cast["m1"].id
    assert (row["status"], row["level"]) == ("待办", "较大")
    assert row["found_on"] == "2026-11-22"
    assert row["next_contact"] == "2026-11-23"  # 较大: first contact within 1 day
    assert row["private"] == 0 and row["version"] == 1
    assert json.loads(row["data"])["description"] == "井下未戴安全帽"
    assert fu_store.get(fu_db, fu.id) == fu
    audit = fu_db.query("SELECT action, detail FROM audit WHERE record_id=?", (fu.id,))
    assert audit == [{"action": "create", "detail": ",".join(fu_store._index_columns(fu))}]
    assert "井下" not in audit[0]["detail"]


def test_stale_save_is_refused(fu_db, branch, cast) -> None:
    fu = _file(fu_db, branch.id, cast["w1"], cast["m1"])
    contact = fx.make_contact(TODAY, Actor(cast["m1"].id, cast["m1"].name), content="谈心")
    fu_store.save(fu_db, fx.log_contact(fu, contact, CONFIG))
    with pytest.raises(StaleRecordError):
        fu_store.save(fu_db, fx.log_contact(fu, contact, CONFIG))
    assert len(fu_store.get(fu_db, fu.id).contacts) == 1


def test_redacted_copy_cannot_be_saved(fu_db, branch, cast) -> None:
    fu = _file(fu_db, branch.id, cast["w1"], cast["m1"], private=True)
    with pytest.raises(StorageError):
        fu_store.save(fu_db, fx.redacted(fu))
    assert fu_store.get(fu_db, fu.id).person_name == cast["w1"].name


def test_file_new_adds_the_worker_and_the_case_together(fu_db, branch, cast) -> None:
    newcomer = Person(name="新来的", status=PoliticalStatus.MASSES, branch_id=branch.id)
    form = QuickForm(
        person_id=newcomer.id,
        person_name=newcomer.name,
        trigger_code="V4",
        summary="家里困难",
        responsible_id=cast["m1"].id,
        responsible_name=cast["m1"].name,
    )
    fu = fx.quick_file(form, fu_store.catalogue(fu_db, branch.id), today=TODAY, config=CONFIG)
    saved, person = fu_store.file_new(fu_db, fu, new_person=newcomer)
    assert person is not None
    row = fu_db.query_one("SELECT * FROM people WHERE id=?", (newcomer.id,))
    assert (row["name"], row["status"], row["branch_id"]) == ("新来的", "群众", branch.id)
    assert _row(fu_db, saved.id)["person_id"] == newcomer.id
    # Both or neither: a failing case leaves no orphan person behind.
    other = Person(name="不该留下", branch_id=branch.id)
    bad = fu.model_copy(update={"id": saved.id, "version": 0})  # duplicate primary key
    with pytest.raises(StorageError, match="未能保存"):
        fu_store.file_new(fu_db, bad, new_person=other)
    assert people.get(fu_db, other.id) is None


def test_logging_a_contact_moves_the_due_date_in_sqlite(fu_db, branch, cast) -> None:
    fu = _file(fu_db, branch.id, cast["w1"], cast["m1"], found=TODAY - timedelta(days=10))
    assert _row(fu_db, fu.id)["next_contact"] == "2026-11-15"  # 3 days after finding
    m1 = Actor(cast["m1"].id, cast["m1"].name)
    fu = fu_store.save(
        fu_db, fx.log_contact(fu, fx.make_contact(TODAY - timedelta(days=2), m1), CONFIG)
    )
    row = _row(fu_db, fu.id)
    assert (row["status"], row["next_contact"]) == ("跟进中", "2026-11-27")  # latest + 7
    # A back-filled older talk does not pull the date back.
    fu = fu_store.save(
        fu_db, fx.log_contact(fu, fx.make_contact(TODAY - timedelta(days=8), m1), CONFIG)
    )
    assert _row(fu_db, fu.id)["next_contact"] == "2026-11-27"
    # The overdue list no longer shows it.
    overdue = fu_store.list_page(
        fu_db, ListQuery(Scope.OVERDUE, branch.id), today=TODAY, viewer=Viewer("x")
    )
    assert fu.id not in {c.id for c in overdue}


# --- lists --------------------------------------------------------------------


def test_lists_by_scope_and_filter(fu_db, branch, cast) -> None:
    w1, w2, m1, m2 = cast["w1"], cast["w2"], cast["m1"], cast["m2"]
    a = _file(fu_db, branch.id, w1, m1, found=TODAY - timedelta(days=20))  # overdue
    b = _file(fu_db, branch.id, w2, m2, level=Level.SIGNIFICANT)  # due tomorrow
    c = _file(fu_db, branch.id, w2, m1, found=TODAY - timedelta(days=5))  # overdue
    other_branch = org.branches(fu_db)[1]
    ob_worker = next(p for p in people.list_branch(fu_db, other_branch.id) if not p.is_member)
    ob_member = next(p for p in people.list_branch(fu_db, other_branch.id) if p.is_member)
    d = _file(fu_db, other_branch.id, ob_worker, ob_member, found=TODAY - timedelta(days=30))

    def ids(query: ListQuery, viewer: Viewer | None = None, **kw) -> list[str]:
        viewer = viewer or Viewer("x")
        mine = {a.id, b.id, c.id, d.id}
        rows = fu_store.list_page(fu_db, query, today=TODAY, viewer=viewer, **kw)
        return [fu.id for fu in rows if fu.id in mine]

    assert ids(ListQuery(Scope.BRANCH, branch.id)) == [b.id, c.id, a.id]  # newest found first
    assert ids(ListQuery(Scope.OVERDUE, None)) == [d.id, a.id, c.id]  # most overdue first
    assert ids(ListQuery(Scope.OVERDUE, branch.id)) == [a.id, c.id]
    assert ids(ListQuery(Scope.BRANCH, branch.id, level=Level.SIGNIFICANT)) == [b.id]
    assert ids(ListQuery(Scope.BRANCH, branch.id, responsible_id=m1.id)) == [c.id, a.id]
    assert ids(ListQuery(Scope.BRANCH, branch.id, status=Status.TODO)) == [b.id, c.id, a.id]
    assert ids(ListQuery(Scope.BRANCH, branch.id, status=Status.CLOSED)) == []
    # 我的: nothing without a mapped account, the member's own cases with one.
    assert ids(ListQuery(Scope.MINE)) == []
    assert fu_store.count(fu_db, ListQuery(Scope.MINE), today=TODAY, viewer=Viewer("x")) == 0
    assert ids(ListQuery(Scope.MINE), _viewer(fu_db, m1)) == [a.id, c.id]
    assert (
        fu_store.count(
            fu_db, ListQuery(Scope.MINE), today=TODAY, viewer=_viewer(fu_db, m1)
        )
        == 2
    )


@pytest.mark.sqlite_only
def test_pages_come_from_sql(fu_db, branch, cast) -> None:
    for i in range(7):
        _file(fu_db, branch.id, cast["w1"], cast["m1"], found=TODAY - timedelta(days=i))
    q = ListQuery(Scope.BRANCH, branch.id)
    total = fu_store.count(fu_db, q, today=TODAY, viewer=Viewer("x"))
    pages = [
        fu_store.list_page(fu_db, q, today=TODAY, viewer=Viewer("x"), offset=o, limit=3)
        for o in range(0, total, 3)
    ]
    assert [len(p) for p in pages][:2] == [3, 3]
    flat = [fu.id for page in pages for fu in page]
    assert len(flat) == len(set(flat)) == total
    plan = " ".join(
        r["detail"]
        for r in fu_db.query(
            "EXPLAIN QUERY PLAN SELECT * FROM followups WHERE branch_id=?"
            " ORDER BY found_on DESC, id LIMIT 3 OFFSET 3",
            (branch.id,),
        )
    )
    assert "followups_branch" in plan


# --- home ---------------------------------------------------------------------
# Who may read a private case: tests/test_private_details.py.


def _rule(*visible_to: str):
    """A stand-in for services.private_details.may_see: private cases are
    shown to the responsible ids in *visible_to* only."""
    return lambda private, _branch, responsible: not private or responsible in visible_to


def test_home_items_due_and_overdue_grouped_by_member_and_private_hidden(
    fu_db, branch, cast
) -> None:
    w1, w2, m1, m2 = cast["w1"], cast["w2"], cast["m1"], cast["m2"]
    late = _file(fu_db, branch.id, w1, m2, found=TODAY - timedelta(days=9))  # due 11-16
    today_ = _file(fu_db, branch.id, w2, m1, found=TODAY - timedelta(days=3))  # due today
    future = _file(fu_db, branch.id, w2, m2)  # due 11-25: not listed
    private = _file(
        fu_db, branch.id, w1, m1, found=TODAY - timedelta(days=4), summary="隐私", private=True
    )
    ours = {late.id, today_.id, future.id, private.id}
    items = [
        i
        for i in followup_home.home_items(fu_db, TODAY, may_see=_rule())
        if i.action and i.action.args and i.action.args[0] in ours
    ]
    by_id = {i.action.args[0]: i for i in items if i.action}
    assert set(by_id) == {late.id, today_.id, private.id}
    assert by_id[late.id].urgency is Urgency.OVERDUE and "联系已逾期6天" in by_id[late.id].text
    assert by_id[late.id].text.startswith(w1.name)
    assert by_id[today_.id].urgency is Urgency.DUE and "今天应联系" in by_id[today_.id].text
    assert by_id[private.id].text == "保密事项：联系已逾期1天"
    assert w1.name not in by_id[private.id].text
    assert by_id[private.id].owner == m1.name
    owners = [i.owner for i in items]
    assert owners == sorted(owners)  # grouped by member
    # The responsible member sees the name.
    mine = followup_home.home_items(fu_db, TODAY, may_see=_rule(m1.id))
    assert any(i.text.startswith(w1.name) and i.action is not None and private.id in i.action.args for i in mine)


@pytest.mark.sqlite_only
def test_home_items_are_capped_and_use_the_due_index(fu_db, branch, cast) -> None:
    for i in range(6):
        _file(fu_db, branch.id, cast["w1"], cast["m1"], found=TODAY - timedelta(days=5 + i))
    items = followup_home.home_items(fu_db, TODAY, may_see=_rule(), cap=4)
    assert len(items) == 5
    assert items[-1].text.startswith("另有 ") and items[-1].action == go(Place.FOLLOWUPS, "逾期")
    plan = " ".join(
        r["detail"]
        for r in fu_db.query(
            "EXPLAIN QUERY PLAN SELECT id FROM followups WHERE status IN"
            f" {followup_home.OPEN_SQL} AND next_contact <= ? ORDER BY next_contact LIMIT 4",
            (TODAY.isoformat(),),
        )
    )
    assert "USING INDEX followups_due" in plan and "SCAN followups" not in plan


# --- catalogue and config ----------------------------------------------------


def test_catalogue_is_seeded_once_and_edits_persist(fu_db, branch) -> None:
    def rows() -> int:
        return int(
            fu_db.scalar(
                "SELECT count(*) FROM branch_templates WHERE org_id=? AND kind='triggers'",
                (branch.id,),
            )
        )

    before = rows()
    cat = fu_store.catalogue(fu_db, branch.id)
    assert [t.code for t in cat.triggers][:2] == ["T1", "T2"]
    assert rows() == 1 and before in (0, 1)
    again = fu_store.catalogue(fu_db, branch.id)
    assert again.id == cat.id and rows() == 1
    edited = fu_store.save_catalogue(fu_db, add_trigger(again, TriggerKind.TALK, "转岗待岗"))
    assert fu_store.catalogue(fu_db, branch.id).triggers[-1].text == "转岗待岗"
    with pytest.raises(StaleRecordError):
        fu_store.save_catalogue(fu_db, add_trigger(again, TriggerKind.TALK, "另一条"))
    assert edited.version == again.version + 1


def test_config_defaults_and_stored_override(fu_db, branch) -> None:
    assert fu_store.config(fu_db, branch.id) == FollowUpConfig()
    with fu_db.write() as c:
        c.execute(
            "INSERT INTO branch_templates(id, org_id, kind, data, created_at, updated_at,"
            " updated_by, version) VALUES ('cfg', ?, 'followup_config', ?, 'x', 'x', 'x', 1)",
            (branch.id, json.dumps({"return_visit_days": 20})),
        )
    assert fu_store.config(fu_db, branch.id).return_visit_days == 20


# --- accounts -----------------------------------------------------------------


def test_account_mapping(fu_db, cast) -> None:
    assert accounts.viewer(fu_db) == Viewer("tester")
    accounts.map_account(fu_db, "tester", cast["sec"].id)
    v = accounts.viewer(fu_db)
    assert (v.person_id, v.name, v.branch_id) == (
        cast["sec"].id,
        cast["sec"].name,
        cast["sec"].branch_id,
    )
    assert accounts.lookup(fu_db, "tester") == cast["sec"].id
    assert accounts.account_of(fu_db, cast["sec"].id) == "tester"
    # One person, one account: nobody else can claim the secretary.
    with pytest.raises(AccountError, match="已对应系统账户 tester"):
        accounts.map_account(fu_db, "intruder", cast["sec"].id)
    assert accounts.lookup(fu_db, "intruder") is None
    accounts.map_account(fu_db, "tester", cast["m1"].id)  # remap own account
    assert accounts.lookup(fu_db, "tester") == cast["m1"].id
    assert accounts.unmap_account(fu_db, "tester") is True
    assert accounts.viewer(fu_db) == Viewer("tester")
    actions = [
        r["action"]
        for r in fu_db.query(
            "SELECT action FROM audit WHERE table_name='accounts' ORDER BY seq"
        )
    ]
    assert actions == ["map", "map", "unmap"]
    with pytest.raises(AccountError):
        accounts.map_account(fu_db, "tester", "no-such-person")


def test_log_access_writes_an_audit_row(fu_db, branch, cast) -> None:
    fu = _file(fu_db, branch.id, cast["w1"], cast["m1"], private=True)
    fu_store.log_access(fu_db, "view", fu.id, "private")
    row = fu_db.query_one(
        "SELECT actor, action, detail FROM audit WHERE record_id=? ORDER BY seq DESC LIMIT 1",
        (fu.id,),
    )
    assert row == {"actor": "tester", "action": "view", "detail": "private"}


# --- demo ---------------------------------------------------------------------


def test_demo_year_has_every_status_level_and_one_escalated(demo_store) -> None:
    existing = int(demo_store.scalar("SELECT count(*) FROM followups"))
    if existing == 0:  # until build_demo calls it itself
        with demo_store.write() as c:
            n = add_demo_followups(demo_store, c, today=TODAY, rng=random.Random(7))
        assert n == int(demo_store.scalar("SELECT count(*) FROM followups"))
    rows = demo_store.query("SELECT * FROM followups")
    cases = [fu_store.get(demo_store, r["id"]) for r in rows]
    assert {fu.status for fu in cases} == set(Status)
    assert {fu.level for fu in cases} == set(Level)
    assert len({fu.branch_id for fu in cases}) == 4
    assert sum(1 for fu in cases if fu.status is Status.ESCALATED) == 1
    assert any(fu.escalations for fu in cases if fu.status is Status.CLOSED)
    assert sum(len(fu.contacts) for fu in cases) > 3 * len(cases) // 2
    assert any(fx.days_overdue(fu, TODAY) > 0 for fu in cases)
    assert any(fu.private for fu in cases) and any(fu.is_bangjiao for fu in cases)
    found = [fu.found_on for fu in cases]
    assert min(found) <= TODAY - timedelta(days=300) and max(found) <= TODAY
    # Index columns agree with the JSON body.
    for r, fu in zip(rows, cases, strict=True):
        assert r["status"] == fu.status.value
        assert r["next_contact"] == (fu.next_contact.isoformat() if fu.next_contact else None)
    # Each demo branch got its catalogue seeded in the same transaction.
    assert (
        int(demo_store.scalar("SELECT count(*) FROM branch_templates WHERE kind='triggers'")) >= 4
    )


def test_one_account_per_person_is_enforced_by_the_schema(fu_db) -> None:
    import sqlite3

    import pytest

    person_id = fu_db.scalar("SELECT id FROM people LIMIT 1")
    now = "2026-11-22T08:00:00"
    with fu_db.write() as c:
        c.execute(
            "INSERT INTO accounts(os_user, person_id, created_at, updated_at, updated_by)"
            " VALUES ('alice', ?, ?, ?, 't')", (person_id, now, now),
        )  # fmt: skip
    # Outside write(): the statement is its own transaction on either engine.
    with pytest.raises(sqlite3.IntegrityError):
        fu_db.conn.execute(
            "INSERT INTO accounts(os_user, person_id, created_at, updated_at, updated_by)"
            " VALUES ('mallory', ?, ?, ?, 't')", (person_id, now, now),
        )  # fmt: skip
