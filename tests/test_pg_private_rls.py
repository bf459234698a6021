"""PostgreSQL holds to the private-details rule itself: row-level security on
followup_private, keyed to the connection's role (docs/SECURITY.md#postgresql).

Real login roles on the test server, the schema owned by a third role (the
migration role): what each role reads through raw SQL and through the
storage readers, called directly as if the app's own check were bypassed.
Needs PostgreSQL (tests/pg_fixtures.py's pg_server: skipped without one,
failed under ZHIBU_REQUIRE_PG=1 as in CI).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is not installed")

from domain import followups as fx  # noqa: E402
from domain.followups import Actor, FollowUp, FollowUpConfig, redacted  # noqa: E402
from domain.people import CommitteePost, Person, PoliticalStatus  # noqa: E402
from domain.roles import Role  # noqa: E402
from storage import accounts, pg_schema, roles  # noqa: E402
from storage import followups as fu_store  # noqa: E402
from storage.db import Store, open_store  # noqa: E402
from storage.records import META_FIELDS  # noqa: E402
from tests import factories  # noqa: E402
from tests.factories import TODAY  # noqa: E402
from tests.pg_fixtures import with_database  # noqa: E402

SECRET = "妻子住院手术，借了外债"
NOTE = "去医院看望，带去慰问金"
PLACE = "市第三人民医院"
PUBLIC = "班组长反映近期情绪低落，公开事项"


@dataclass
class Site:
    admin: str  # the superuser URL of the server
    db: str
    owner: Store
    sec: Store  # 书记 of 一支部
    resp: Store  # the responsible member of the private case
    other: Store  # 书记 of 二支部, also a member of no standing in 一支部
    roles: dict[str, str]
    private: FollowUp
    public: FollowUp
    worker: Person

    def url(self, role: str) -> str:
        return _role_url(self.admin, self.db, role)


def _role_url(admin: str, db: str, role: str) -> str:
    from sqlalchemy.engine import make_url

    return (
        make_url(with_database(admin, db)).set(username=role).render_as_string(hide_password=False)
    )


@pytest.fixture
def site(pg_server: str) -> Iterator[Site]:
    prefix = f"pgrls_{secrets.token_hex(4)}"
    names = {k: f"{prefix}_{k}" for k in ("owner", "users", "sec", "resp", "other")}
    db = prefix
    opened: list[Store] = []
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{names["owner"]}" LOGIN')
        admin.execute(f'CREATE ROLE "{names["users"]}" NOLOGIN')
        for k in ("sec", "resp", "other"):
            admin.execute(f'CREATE ROLE "{names[k]}" LOGIN IN ROLE "{names["users"]}"')
        admin.execute(f'CREATE DATABASE "{db}" OWNER "{names["owner"]}"')
    try:

        def store_as(key: str) -> Store:
            s = open_store(_role_url(pg_server, db, names[key]), actor=names[key])
            opened.append(s)
            return s

        owner = store_as("owner")  # the migration role builds the schema
        with owner.write() as c:
            for sql in (
                f'GRANT USAGE ON SCHEMA public TO "{names["users"]}"',
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public"
                f' TO "{names["users"]}"',
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{names["users"]}"',
                # what later schema steps create (docs/SECURITY.md#postgresql)
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE,"
                f' DELETE ON TABLES TO "{names["users"]}"',
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES"
                f' TO "{names["users"]}"',
            ):
                c.execute(sql)
        members = (*factories.DEFAULT_MEMBERS, (PoliticalStatus.MASSES, None))
        _top, (b1, b2) = factories.org_tree(owner, ("一支部", "二支部"), members=members)
        sec_p = b1.with_post(CommitteePost.SECRETARY)
        plain = [p for p in b1.with_status(PoliticalStatus.FULL) if p.post is None]
        resp_p = plain[0]
        worker = b1.with_status(PoliticalStatus.MASSES)[0]
        factories.grant_secretary(owner, names["sec"], sec_p)
        factories.grant_secretary(owner, names["other"], b2.with_post(CommitteePost.SECRETARY))
        accounts.map_account(owner, names["resp"], resp_p.id)

        sec = store_as("sec")
        # Filed by the secretary's own account, as the app would.
        fu = factories.followup(
            sec, b1, worker, responsible=resp_p, private=True, description=SECRET,
            found_on=TODAY - timedelta(days=4),
        )  # fmt: skip
        talk = fx.make_contact(TODAY, Actor(resp_p.id, resp_p.name), content=NOTE, place=PLACE)
        fu = fu_store.save(sec, fx.log_contact(fu, talk, FollowUpConfig()))
        public = factories.followup(sec, b1, plain[1], responsible=resp_p, description=PUBLIC)
        yield Site(
            pg_server, db, owner, sec, store_as("resp"), store_as("other"), names, fu, public,
            worker,
        )  # fmt: skip
    finally:
        for s in opened:
            s.close()
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            for k in ("sec", "resp", "other", "users", "owner"):
                admin.execute(f'DROP ROLE IF EXISTS "{names[k]}"')


def _raw(site: Site, key: str) -> Any:
    return psycopg.connect(site.url(site.roles[key]), autocommit=True)


def test_the_secretary_and_the_responsible_member_read_it_in_full(site: Site) -> None:
    for store in (site.sec, site.resp):
        got = fu_store.get(store, site.private.id)
        assert got is not None and not got.is_redacted
        assert got.description == SECRET and got.person_id == site.worker.id
        assert [c.content for c in got.contacts] == [NOTE]
        assert got == site.private
    with _raw(site, "sec") as c:
        rows = c.execute("SELECT id, data FROM followup_private").fetchall()
    assert [r[0] for r in rows] == [site.private.id] and SECRET in rows[0][1]


def test_another_role_gets_the_redacted_case_through_the_storage_readers(site: Site) -> None:
    """As if the app's own check (services.private_details) were bypassed."""
    expected = redacted(site.private)
    readers = {
        "get": fu_store.get(site.other, site.private.id),
        "list_page": next(
            f
            for f in fu_store.list_page(
                site.other,
                fu_store.ListQuery(),
                today=TODAY,
                viewer=accounts.Viewer(site.roles["other"]),
            )
            if f.id == site.private.id  # fmt: skip
        ),
        "for_ledger": next(
            f
            for f in fu_store.for_ledger(site.other, site.private.branch_id or "", TODAY)
            if f.id == site.private.id
        ),
    }
    for name, got in readers.items():
        assert got is not None and got.is_redacted, name
        dumped = got.model_dump_json()
        for leak in (SECRET, NOTE, PLACE, site.worker.name, site.worker.id):
            assert leak not in dumped, (name, leak)
        assert got.model_dump(exclude=set(META_FIELDS)) == expected.model_dump(
            exclude=set(META_FIELDS)
        ), name
    assert fu_store.not_closed_for_person(site.other, site.worker.id) == []
    # The owner of the tables is held to the policy too (FORCE ROW LEVEL SECURITY).
    owned = fu_store.get(site.owner, site.private.id)
    assert owned is not None and owned.is_redacted


def test_raw_sql_as_another_role_sees_no_private_row(site: Site) -> None:
    with _raw(site, "other") as c:
        assert c.execute("SELECT data FROM followup_private").fetchall() == []
        assert c.execute("SELECT count(*) FROM followup_private").fetchone()[0] == 0
        # Nor can it change or remove what it cannot read.
        assert c.execute("UPDATE followup_private SET data = 'x'").rowcount == 0
        assert c.execute("DELETE FROM followup_private").rowcount == 0
        row = c.execute(
            "SELECT person_id, data FROM followups WHERE id = %s", (site.private.id,)
        ).fetchone()
    assert row[0] is None  # who the case is about stays out of followups
    assert SECRET not in row[1] and NOTE not in row[1] and site.worker.name not in row[1]
    with _raw(site, "sec") as c:
        assert c.execute("SELECT data FROM followup_private").fetchone()[0].count(SECRET) == 1


def test_no_private_text_in_anything_another_role_can_read(site: Site) -> None:
    """Every table and view the other role may SELECT, every row as text."""
    with _raw(site, "other") as c:
        relations = [
            r[0]
            for r in c.execute(
                "SELECT c.oid::regclass::text FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm')"
                " AND has_table_privilege(current_user, c.oid, 'SELECT')"
            ).fetchall()
        ]
        assert {"followups", "followup_private", "followups_full", "audit"} <= set(relations)
        for rel in relations:
            for (text,) in c.execute(f"SELECT t::text FROM {rel} t"):
                for leak in (SECRET, NOTE, PLACE):
                    assert leak not in text, (rel, leak)
        # the non-private case is read in full, as before
        public = c.execute("SELECT data FROM followups_full WHERE id = %s", (site.public.id,))
        assert PUBLIC in public.fetchone()[0]


def test_the_non_private_case_is_unaffected(site: Site) -> None:
    for store in (site.other, site.sec, site.owner):
        got = fu_store.get(store, site.public.id)
        assert got == site.public and got.description == PUBLIC
    with _raw(site, "sec") as c:
        assert (
            c.execute(
                "SELECT count(*) FROM followup_private WHERE id = %s", (site.public.id,)
            ).fetchone()[0]
            == 0
        )


def test_rights_follow_the_grants_at_once(site: Site) -> None:
    """The policy asks role_grants at every read: a revoked 书记 reads the
    redacted case at once, and the next one reads it in full."""
    roles.revoke(site.owner, site.roles["sec"], Role.SECRETARY, site.private.branch_id)
    got = fu_store.get(site.sec, site.private.id)
    assert got is not None and got.is_redacted
    roles.grant(
        site.owner, site.roles["other"], Role.SECRETARY, person_id=None,
        branch_id=site.private.branch_id,
    )  # fmt: skip
    now = fu_store.get(site.other, site.private.id)
    assert now is not None and now.description == SECRET


def test_a_case_made_public_leaves_followup_private(site: Site) -> None:
    full = fu_store.get(site.sec, site.private.id)
    assert full is not None
    opened = fu_store.save(site.sec, full.model_copy(update={"private": False}))
    with _raw(site, "sec") as c:
        assert c.execute("SELECT count(*) FROM followup_private").fetchone()[0] == 0
    got = fu_store.get(site.other, site.private.id)
    assert got == opened and got.description == SECRET


def test_step_18_moves_existing_private_cases(site: Site) -> None:
    """A database at version 17 with a private case: the step moves its
    details and leaves followups exactly the redacted copy."""
    with psycopg.connect(with_database(site.admin, site.db)) as c:
        # Back to version 17 as it was: the full record in followups. As the
        # superuser: the owner itself cannot read followup_private (FORCE).
        c.execute(
            "UPDATE followups f SET data = p.data, person_id = p.person_id"
            " FROM followup_private p WHERE p.id = f.id"
        )
        c.execute("DROP VIEW followups_full")
        c.execute("DROP TABLE followup_private")
        c.execute("DROP FUNCTION zhibu_may_read_private(text, text)")
        c.execute("DELETE FROM schema_version WHERE version = 19")
    with psycopg.connect(site.url(site.roles["owner"])) as c:
        c.execute("SELECT 1")  # psycopg opens the transaction install() runs in
        assert pg_schema.install(c) == pg_schema.SCHEMA_VERSION == 19
        c.commit()
    with _raw(site, "other") as c:
        data = c.execute("SELECT data FROM followups WHERE id = %s", (site.private.id,)).fetchone()[
            0
        ]
    import json

    stored = json.loads(data)
    assert stored == redacted(site.private).model_dump(mode="json", exclude=set(META_FIELDS))
    assert fu_store.get(site.sec, site.private.id) == site.private
    got = fu_store.get(site.other, site.private.id)
    assert got is not None and got.is_redacted


def test_constants_spelled_out_in_the_step_match_the_domain() -> None:
    from domain.followup_codes import Category
    from domain.followups import REDACTED_NAME

    assert pg_schema.SECRETARY_ROLE == Role.SECRETARY.value
    assert pg_schema.REDACTED_NAME == REDACTED_NAME
    assert pg_schema.OTHER_CATEGORY == Category.OTHER.value
