"""Granted roles, mapping requests, PINs and the root-acting audit
(services.identity; docs/SECURITY.md)."""

from __future__ import annotations

import pwd
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from domain.people_codes import CommitteePost
from domain.roles import Role
from services import identity
from services.errors import InvalidInput, NotPermitted, Refused
from storage import audit, people
from storage.db import SqliteStore, Store, open_store
from tests import factories as f

pytestmark = pytest.mark.both_engines


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def site(db_path: Path):
    """A branch, with the database file's owner as the acting administrator
    (tests run as whoever owns the file they create)."""
    s = open_store(db_path, actor=me())
    _, (b1, b2) = f.org_tree(s)
    yield s, b1, b2
    s.close()


def me() -> str:
    import os

    return pwd.getpwuid(os.getuid()).pw_name


def as_actor(store: Store, actor: str) -> Store:
    """The same database, another account at the keyboard."""
    from storage.pg import PgStore

    if isinstance(store, PgStore):
        return PgStore(store.url, actor=actor)
    return SqliteStore(store.path, actor=actor)


def test_owner_or_root_is_the_first_administrator_then_only_granted_ones(site) -> None:
    s, b1, _ = site
    import os

    owner = me()
    if os.getuid() == 0:  # root is always administrator: let someone else own the file
        nobody = pwd.getpwnam("nobody")
        os.chown(s.path, nobody.pw_uid, nobody.pw_gid)
        owner = "nobody"
    assert identity.acting_roles(s).is_admin
    assert identity.acting_roles(as_actor(s, owner)).is_admin  # owns it, nothing granted yet
    stranger = as_actor(s, "mallory")
    assert not identity.acting_roles(stranger).is_admin
    with pytest.raises(NotPermitted, match="不是管理员"):
        identity.grant(stranger, "mallory", role="管理员", person=None, branch=None)
    identity.grant(s, "alice", role="管理员", person=b1.members[0].name, branch=None)
    alice = identity.acting_roles(as_actor(s, "alice"))
    assert alice.is_admin and alice.person_id == b1.members[0].id
    # Once an administrator is granted, owning the file is not enough.
    assert not identity.acting_roles(as_actor(s, owner)).is_admin
    assert identity.acting_roles(as_actor(s, "root")).is_admin
    assert identity.acting_roles(as_actor(s, "root(as mallory)")).is_admin


def test_roster_post_secretary_grants_nothing(site) -> None:
    """The issue's impostor: claim a member, set their 职务 to 书记."""
    s, b1, _ = site
    real = b1.with_post(CommitteePost.SECRETARY)
    plain = next(p for p in b1.members if p.post is None and p.is_member)
    identity.grant(s, "sec", role="书记", person=real.name, branch=b1.unit.name)
    mallory = as_actor(s, "mallory")
    identity.request_mapping(mallory, plain.id)
    # Until approved the account is nobody.
    me = identity.acting_roles(mallory)
    assert me.person_id is None and me.grants == ()
    identity.approve_account(s, "mallory")
    # The impostor makes themself 书记 in the roster.
    people.save(mallory, plain.model_copy(update={"post": CommitteePost.SECRETARY}))
    assert people.get(s, plain.id).post is CommitteePost.SECRETARY
    me = identity.acting_roles(mallory)
    assert me.person_id == plain.id
    assert not me.acts_as(Role.SECRETARY, b1.id) and me.secretary_branches() == frozenset()
    assert me.acts_as(Role.MEMBER, b1.id)
    sec = identity.acting_roles(as_actor(s, "sec"))
    assert sec.acts_as(Role.SECRETARY, b1.id) and sec.person_id == real.id
    from storage.roles import secretary_person_ids

    assert secretary_person_ids(s, [b1.id]) == {b1.id: real.id}


def test_one_secretary_per_branch_and_revoke_keeps_the_row(site) -> None:
    s, b1, _ = site
    a, b = b1.members[0], b1.members[1]
    identity.grant(s, "sec", role="书记", person=a.name, branch=b1.unit.name)
    with pytest.raises(Refused, match="已有书记"):
        identity.grant(s, "other", role="书记", person=b.name, branch=b1.unit.name)
    identity.revoke(s, "sec", role="书记", branch=b1.unit.name)
    identity.grant(s, "other", role="书记", person=b.name, branch=b1.unit.name)
    rows = s.query("SELECT account, revoked_at, revoked_by FROM role_grants ORDER BY granted_at")
    assert [r["account"] for r in rows] == ["sec", "other"]
    assert rows[0]["revoked_at"] and rows[0]["revoked_by"] == s.actor and not rows[1]["revoked_at"]
    acts = [r["action"] for r in s.query("SELECT action FROM audit WHERE table_name='role_grants'")]
    assert acts == ["grant", "revoke", "grant"]
    assert audit.problems(s.conn) == []
    assert not identity.acting_roles(as_actor(s, "sec")).holds(Role.SECRETARY)


def test_secretary_approves_only_their_branch_and_not_themself(site) -> None:
    s, b1, b2 = site
    identity.grant(s, "sec1", role="书记", person=b1.members[0].name, branch=b1.unit.name)
    sec1 = as_actor(s, "sec1")
    newbie = as_actor(s, "newbie")
    req = identity.request_mapping(newbie, b1.members[3].id)
    far = identity.request_mapping(as_actor(s, "far"), b2.members[3].id)
    assert [r.id for r in identity.requests_i_may_decide(sec1)] == [req.id]
    with pytest.raises(NotPermitted):
        identity.decide_request(sec1, far.id, approve=True)
    with pytest.raises(NotPermitted):
        identity.decide_request(newbie, req.id, approve=True)
    identity.decide_request(sec1, req.id, approve=True)
    me = identity.acting_roles(newbie)
    assert me.person_id == b1.members[3].id and me.acts_as(Role.MEMBER, b1.id)
    actions = s.query("SELECT actor, action FROM audit WHERE table_name='account_requests'")
    assert {"actor": "sec1", "action": "approve"} in actions


def test_pin_is_salted_scrypt_rate_limited_and_survives_a_restart(site) -> None:
    s, *_ = site
    with pytest.raises(InvalidInput, match="太短"):
        identity.set_pin(s, "shared", "123")
    identity.set_pin(s, "shared", "246810")
    identity.set_pin(s, "other", "246810")
    rows = s.query("SELECT salt, hash FROM account_pins ORDER BY account")
    assert rows[0]["salt"] != rows[1]["salt"] and rows[0]["hash"] != rows[1]["hash"]
    assert b"246810" not in rows[0]["hash"]
    shared = as_actor(s, "shared")
    session = identity.PinSession()
    t0 = datetime(2026, 12, 1, 9, 0, 0)
    for _ in range(identity.MAX_FAILURES):
        r = identity.verify_pin(shared, "000000", session, now=t0)
        assert not r.ok
    assert r.locked_until == t0 + identity.LOCKOUT
    # A restart (a new connection) does not reset the lockout; the right PIN waits too.
    shared.close()
    again = as_actor(s, "shared")
    assert not identity.verify_pin(again, "246810", session, now=t0 + timedelta(minutes=4)).ok
    assert not session.verified_for("shared")
    assert identity.verify_pin(again, "246810", session, now=t0 + timedelta(minutes=6)).ok
    assert session.verified_for("shared")
    actions = [r["action"] for r in s.query("SELECT action FROM audit WHERE table_name='account_pins'"
                                            " AND record_id='shared'")]  # fmt: skip
    assert actions == ["pin_set"] + ["pin_fail"] * 4 + ["pin_lockout", "pin_ok"]


def test_pin_gates_the_person_and_roles_and_expires_when_idle(site) -> None:
    s, b1, _ = site
    identity.grant(s, "shared", role="书记", person=b1.members[0].name, branch=b1.unit.name)
    identity.set_pin(s, "shared", "135792")
    shared = as_actor(s, "shared")
    clock = Clock()
    session = identity.PinSession(clock=clock, idle_limit=600)
    me = identity.acting_roles(shared, session=session)
    assert me.holds(Role.SECRETARY, b1.id) and not me.acts_as(Role.SECRETARY, b1.id)
    assert me.acting_person_id is None
    assert identity.verify_pin(shared, "135792", session).ok
    assert identity.acting_roles(shared, session=session).acts_as(Role.SECRETARY, b1.id)
    clock.t += 599
    session.touch()  # activity keeps it
    clock.t += 599
    assert identity.acting_roles(shared, session=session).acting_person_id == b1.members[0].id
    clock.t += 601  # ten idle minutes
    assert not identity.acting_roles(shared, session=session).proven
    session.touch()  # too late: activity after expiry does not revive it
    assert identity.needs_pin(shared, session)


def test_root_with_sudo_uid_is_recorded_as_both(
    monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    import storage.identity as ident

    nobody = pwd.getpwnam("nobody")
    monkeypatch.setattr(ident.os, "getuid", lambda: 0)
    monkeypatch.setenv("SUDO_UID", str(nobody.pw_uid))
    actor = ident.current_actor()
    assert actor == "root(as nobody)"
    s = open_store(db_path)
    try:
        assert s.actor == "root(as nobody)"
        f.branch(s)
        actors = {r["actor"] for r in s.query("SELECT actor FROM audit")}
        assert actors == {"root(as nobody)"}  # never the claimed account alone
        me = identity.acting_roles(s)
        assert me.account == "nobody" and me.actor == "root(as nobody)" and me.is_admin
    finally:
        s.close()


def test_who_am_i_for_a_person_already_mapped_is_refused(site) -> None:
    s, b1, _ = site
    identity.grant(s, "sec", role="书记", person=b1.members[0].name, branch=b1.unit.name)
    with pytest.raises(Refused, match="已对应另一个账户"):
        identity.request_mapping(as_actor(s, "mallory"), b1.members[0].id)
    assert s.query("SELECT * FROM account_requests") == []
