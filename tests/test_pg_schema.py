"""storage.pg_schema against a throwaway database on the PostgreSQL dev server.

The SQLite schema (storage.migrations) is the reference: every table, column,
index and trigger it has must exist in PostgreSQL, read from a fresh SQLite
file rather than from a list kept here. Skipped only when ZHIBU_TEST_PG_URL is
unset and the default dev server does not answer.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is not installed")

from domain.meeting_kinds import MeetingStatus  # noqa: E402
from domain.org_codes import OrgKind  # noqa: E402
from storage import migrations, pg_schema  # noqa: E402
from storage.db import open_store  # noqa: E402
from storage.errors import SchemaTooNewError, StorageError  # noqa: E402

DEFAULT_URL = "postgresql://postgres@/postgres?host=/tmp/pgdev&port=54329"
ADMIN_URL = os.environ.get("ZHIBU_TEST_PG_URL") or DEFAULT_URL


def _unreachable() -> str:
    """Why the module is skipped; "" when it runs."""
    if os.environ.get("ZHIBU_TEST_PG_URL"):
        return ""  # asked for explicitly: a dead server must fail, not skip
    try:
        psycopg.connect(DEFAULT_URL, connect_timeout=3).close()
    except psycopg.OperationalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return f"ZHIBU_TEST_PG_URL unset and the dev server {DEFAULT_URL} is unreachable: {first}"
    return ""


_SKIP = _unreachable()
pytestmark = pytest.mark.skipif(bool(_SKIP), reason=_SKIP or "-")


@pytest.fixture(scope="module")
def pg_dbname() -> Iterator[str]:
    name = f"pgschema_{secrets.token_hex(6)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def installed(pg_dbname: str) -> str:
    """The module database with the schema installed once (and committed)."""
    with psycopg.connect(ADMIN_URL, dbname=pg_dbname) as conn:
        assert pg_schema.current_version(conn) == 0
        assert pg_schema.install(conn) == pg_schema.SCHEMA_VERSION
        conn.commit()
    return pg_dbname


@pytest.fixture
def pg(installed: str) -> Iterator[Any]:
    """A connection whose work is rolled back after the test."""
    conn = psycopg.connect(ADMIN_URL, dbname=installed)
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture
def fresh_pg() -> Iterator[Any]:
    """A database of its own, empty, for tests that install or break things."""
    name = f"pgschema_{secrets.token_hex(6)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    conn = psycopg.connect(ADMIN_URL, dbname=name)
    try:
        yield conn
    finally:
        conn.close()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    store = open_store(tmp_path / "ref.db", actor="tester")
    try:
        yield store.conn
    finally:
        store.close()


def _sqlite_tables(c: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]


def _pg_columns(pg: Any, table: str) -> dict[str, tuple[str, str | None, bool]]:
    """name -> (type, collation, not null)."""
    rows = pg.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), co.collname, a.attnotnull"
        " FROM pg_attribute a LEFT JOIN pg_collation co ON co.oid = a.attcollation"
        " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        (table,),
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


# --- install -------------------------------------------------------------


def test_version_matches_sqlite_migrations() -> None:
    assert pg_schema.SCHEMA_VERSION == migrations.SCHEMA_VERSION == 19
    assert pg_schema.STEPS[0][0] == 17  # a database is born at the full-schema step


def test_install_on_empty_then_noop(fresh_pg: Any) -> None:
    assert pg_schema.current_version(fresh_pg) == 0
    assert pg_schema.install(fresh_pg) == 19
    fresh_pg.commit()
    assert pg_schema.current_version(fresh_pg) == 19
    before = fresh_pg.execute("SELECT count(*) FROM pg_class").fetchone()[0]
    assert pg_schema.install(fresh_pg) == 19
    fresh_pg.commit()
    assert fresh_pg.execute("SELECT count(*) FROM pg_class").fetchone()[0] == before
    # one row per step: the full schema (17), sync (18), private details under RLS (19)
    assert fresh_pg.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(
        pg_schema.STEPS
    )


def test_newer_database_is_refused(fresh_pg: Any) -> None:
    pg_schema.install(fresh_pg)
    fresh_pg.execute("INSERT INTO schema_version(version) VALUES (99)")
    with pytest.raises(SchemaTooNewError, match="数据库结构版本 99 比本程序支持的 19 新"):
        pg_schema.install(fresh_pg)


def test_tables_without_version_are_refused(fresh_pg: Any) -> None:
    fresh_pg.execute("CREATE TABLE people (id text)")
    with pytest.raises(StorageError, match="people"):
        pg_schema.install(fresh_pg)


def test_autocommit_connection_is_refused(fresh_pg: Any) -> None:
    fresh_pg.autocommit = True
    with pytest.raises(ValueError, match="transaction"):
        pg_schema.install(fresh_pg)
    assert pg_schema.current_version(fresh_pg) == 0


def test_rolled_back_install_leaves_nothing(fresh_pg: Any) -> None:
    pg_schema.install(fresh_pg)
    fresh_pg.rollback()
    assert pg_schema.current_version(fresh_pg) == 0
    assert fresh_pg.execute("SELECT to_regclass('people')").fetchone()[0] is None


# --- the schema matches SQLite's -------------------------------------------


def test_every_sqlite_table_and_column(lite: sqlite3.Connection, pg: Any) -> None:
    types = {"TEXT": "text", "INTEGER": "bigint", "REAL": "double precision", "BLOB": "bytea"}
    tables = _sqlite_tables(lite)
    assert len(tables) >= 30
    extra: dict[str, set[str]] = {}
    for table in tables:
        cols = _pg_columns(pg, table)
        seen = set()
        for _cid, name, decl, notnull, _default, pk in lite.execute(f"PRAGMA table_info({table})"):
            seen.add(name)
            assert name in cols, f"{table}.{name} missing"
            pg_type, collation, pg_notnull = cols[name]
            assert pg_type == types[decl], f"{table}.{name}: {pg_type}"
            if decl == "TEXT":
                assert collation == "C", f"{table}.{name} collates {collation}"
            if notnull or pk:
                assert pg_notnull, f"{table}.{name} should be NOT NULL"
        if set(cols) - seen:
            extra[table] = set(cols) - seen
    assert extra == {t: {"rowid"} for t in pg_schema.ROWID_TABLES}
    pg_tables = {
        r[0]
        for r in pg.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
    }
    # followup_private: PostgreSQL's row-level-secured private details (step 19)
    assert pg_tables - set(tables) == {"audit_head", "schema_version", "followup_private"}


def test_primary_keys_and_foreign_keys(lite: sqlite3.Connection, pg: Any) -> None:
    for table in _sqlite_tables(lite):
        pk = [r[1] for r in sorted(lite.execute(f"PRAGMA table_info({table})"), key=lambda r: r[5])
              if r[5]]  # fmt: skip
        pg_pk = [
            r[0]
            for r in pg.execute(
                "SELECT a.attname FROM pg_index i"
                " JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, n) ON true"
                " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                " WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY k.n",
                (table,),
            ).fetchall()
        ]
        assert pg_pk == pk, table
        fks = {(r[3], r[2], r[4], r[6]) for r in lite.execute(f"PRAGMA foreign_key_list({table})")}
        pg_fks = {
            (r[0], r[1], r[2], r[3])
            for r in pg.execute(
                "SELECT a.attname, c.confrelid::regclass::text, af.attname,"
                " CASE c.confdeltype WHEN 'c' THEN 'CASCADE' ELSE 'NO ACTION' END"
                " FROM pg_constraint c"
                " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
                " JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]"
                " WHERE c.conrelid = %s::regclass AND c.contype = 'f'",
                (table,),
            ).fetchall()
        }
        assert pg_fks == fks, table


def test_every_sqlite_index_by_name(lite: sqlite3.Connection, pg: Any) -> None:
    named = lite.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"
    ).fetchall()
    assert len(named) >= 40
    for name, table in named:
        row = pg.execute(
            "SELECT i.indrelid::regclass::text, i.indisunique, i.indpred IS NOT NULL"
            " FROM pg_index i WHERE i.indexrelid = to_regclass(%s)",
            (name,),
        ).fetchone()
        assert row is not None, f"index {name} missing"
        unique, partial = next(
            (r[2], r[4]) for r in lite.execute(f"PRAGMA index_list({table})") if r[1] == name
        )
        assert row == (table, bool(unique), bool(partial)), name
        lite_cols = [r[2] for r in lite.execute(f"PRAGMA index_info({name})")]
        pg_cols = [
            r[0]
            for r in pg.execute(
                "SELECT pg_get_indexdef(%s::regclass, k.n::int, true)"
                " FROM generate_series(1, (SELECT indnatts FROM pg_index"
                "  WHERE indexrelid = %s::regclass)) k(n) ORDER BY k.n",
                (name, name),
            ).fetchall()
        ]
        # an expression column (coalesce(branch_id, '')) is None in SQLite
        assert len(pg_cols) == len(lite_cols), name
        for lc, pc in zip(lite_cols, pg_cols, strict=True):
            if lc is not None:
                assert pc == lc, name
    # UNIQUE constraints of SQLite (its autoindexes) are unique in PostgreSQL
    for table in _sqlite_tables(lite):
        for r in lite.execute(f"PRAGMA index_list({table})"):
            if r[3] != "u":
                continue
            cols = [c[2] for c in lite.execute(f"PRAGMA index_info('{r[1]}')")]
            found = pg.execute(
                "SELECT count(*) FROM pg_index i WHERE i.indrelid = %s::regclass"
                " AND i.indisunique AND i.indpred IS NULL AND"
                " ARRAY(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)"
                "  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                "  ORDER BY k.n) = %s",
                (table, cols),
            ).fetchone()[0]
            assert found == 1, (table, cols)


def test_every_sqlite_trigger_by_name(lite: sqlite3.Connection, pg: Any) -> None:
    lite_triggers = {
        (r[0], r[1])
        for r in lite.execute("SELECT name, tbl_name FROM sqlite_master WHERE type='trigger'")
    }
    assert len(lite_triggers) >= 12  # the audit and counter triggers, and the hub's read-only ones
    pg_triggers = {
        (r[0], r[1])
        for r in pg.execute(
            "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
        ).fetchall()
    }
    # The hub's triggers (storage/sync_schema.py: read-only site records, the
    # append-only sync_audit) are one per table on PostgreSQL, two (update,
    # delete) on SQLite: tests/test_sync.py covers them.
    def ours(triggers: set[tuple[str, str]]) -> set[tuple[str, str]]:
        return {t for t in triggers if "_site_read_only" not in t[0] and t[1] != "sync_audit"}

    assert ours(pg_triggers) == ours(lite_triggers) | {("audit_no_truncate", "audit")}


def test_no_sqlite_only_sql_in_module() -> None:
    text = Path(pg_schema.__file__).read_text(encoding="utf-8")
    for word in ("PRAGMA", "sqlite_sequence", "WITHOUT ROWID", "AUTOINCREMENT"):
        assert word not in text


# --- audit ------------------------------------------------------------------


def _audit_row(pg: Any, seq: int) -> None:
    pg.execute(
        "INSERT INTO audit(seq, at, actor, action, table_name, record_id, prev_hash, hash)"
        " VALUES (%s, 'at', 'a', 'create', 'people', 'p1', 'x', 'y')",
        (seq,),
    )


def test_audit_head_seeded(pg: Any) -> None:
    assert pg.execute("SELECT id, seq, hash FROM audit_head").fetchall() == [(1, 0, "0" * 64)]
    with pytest.raises(psycopg.errors.CheckViolation):
        pg.execute("INSERT INTO audit_head VALUES (2, 0, 'x')")


def test_audit_has_no_default_seq(pg: Any) -> None:
    """Sequences leave gaps on rollback, which `zhibu check` reports."""
    default = pg.execute(
        "SELECT column_default, is_identity FROM information_schema.columns"
        " WHERE table_name = 'audit' AND column_name = 'seq'"
    ).fetchone()
    assert default == (None, "NO")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit SET actor = 'x'",
        "DELETE FROM audit",
        "TRUNCATE audit",
        "INSERT INTO audit(seq, at, actor, action, table_name, record_id, prev_hash, hash)"
        " VALUES (1, 'at', 'a', 'create', 'people', 'p1', 'x', 'y')",
        "INSERT INTO audit(seq, at, actor, action, table_name, record_id, prev_hash, hash)"
        " VALUES (0, 'at', 'a', 'create', 'people', 'p1', 'x', 'y')",
        "INSERT INTO audit(seq, at, actor, action, table_name, record_id, prev_hash, hash)"
        " VALUES (1, 'at', 'a', 'create', 'people', 'p1', 'x', 'y')"
        " ON CONFLICT (seq) DO UPDATE SET actor = 'x'",
    ],
)
def test_audit_is_append_only(pg: Any, sql: str) -> None:
    _audit_row(pg, 1)
    _audit_row(pg, 2)
    with pytest.raises(psycopg.errors.RaiseException, match="audit is append-only"):
        pg.execute(sql)
    pg.rollback()


def test_audit_appends(pg: Any) -> None:
    _audit_row(pg, 1)
    _audit_row(pg, 2)
    assert pg.execute("SELECT seq FROM audit ORDER BY seq").fetchall() == [(1,), (2,)]


# --- counters ----------------------------------------------------------------

BRANCH, GROUP = OrgKind.BRANCH.value, OrgKind.GROUP.value
DONE = MeetingStatus.FINISHED.value
META = "'2026-01-01', '2026-01-01', 't'"
UPSERT_ORG = (
    f"INSERT INTO org_units(id, name, kind, created_at, updated_at, updated_by) VALUES (?, ?, ?, {META})"
    " ON CONFLICT(id) DO UPDATE SET name=excluded.name, kind=excluded.kind"
)
UPSERT_PERSON = (
    "INSERT INTO people(id, name, status, branch_id, created_at, updated_at, updated_by)"
    f" VALUES (?, ?, '正式党员', ?, {META}) ON CONFLICT(id) DO UPDATE SET name=excluded.name"
)
UPSERT_MEETING = (
    "INSERT INTO meetings(id, kind, org_id, date, status, superseded, data,"
    f" created_at, updated_at, updated_by) VALUES (?, '支委会', 'b1', '2026-01-02', ?, ?, '{{}}', {META})"
    " ON CONFLICT(id) DO UPDATE SET status=excluded.status, superseded=excluded.superseded"
)
COUNTER_STEPS: list[tuple[str, Sequence[Any]]] = [
    (UPSERT_ORG, ("g0", "总支", "党总支")),
    (UPSERT_ORG, ("b1", "一支部", BRANCH)),
    (UPSERT_ORG, ("b2", "二支部", BRANCH)),
    (UPSERT_ORG, ("b3", "三支部", BRANCH)),
    (UPSERT_ORG, ("x1", "小组", GROUP)),
    (UPSERT_ORG, ("b2", "二支部改名", BRANCH)),  # upsert, kind unchanged
    (UPSERT_ORG, ("b3", "三支部成小组", GROUP)),  # upsert, branch -> group
    (UPSERT_ORG, ("x1", "小组成支部", BRANCH)),  # upsert, group -> branch
    ("UPDATE org_units SET kind=? WHERE id=?", (GROUP, "b2")),
    ("UPDATE org_units SET kind=? WHERE id=?", (BRANCH, "b2")),
    ("UPDATE org_units SET kind=kind", ()),
    ("UPDATE org_units SET name='n' WHERE id='b1'", ()),
    ("DELETE FROM org_units WHERE id='b3'", ()),
    (UPSERT_PERSON, ("p1", "甲", "b1")),
    (UPSERT_PERSON, ("p2", "乙", "b1")),
    (UPSERT_PERSON, ("p3", "丙", "b2")),
    (UPSERT_PERSON, ("p2", "乙改", "b1")),  # upsert of an existing person
    ("UPDATE people SET branch_id='b2' WHERE id='p1'", ()),
    ("DELETE FROM people WHERE id='p3'", ()),
    (UPSERT_MEETING, ("m1", DONE, 0)),
    (UPSERT_MEETING, ("m2", "草稿", 0)),
    (UPSERT_MEETING, ("m3", DONE, 1)),
    (UPSERT_MEETING, ("m4", DONE, 0)),
    (UPSERT_MEETING, ("m2", DONE, 0)),  # upsert: draft finished
    (UPSERT_MEETING, ("m1", DONE, 0)),  # upsert: unchanged
    ("UPDATE meetings SET superseded=1 WHERE id='m4'", ()),
    ("UPDATE meetings SET superseded=0 WHERE id='m3'", ()),
    ("UPDATE meetings SET status='草稿' WHERE id='m1'", ()),
    ("UPDATE meetings SET data='{\"a\": 1}'", ()),
    ("UPDATE meetings SET status=status, superseded=superseded", ()),
    ("DELETE FROM meetings WHERE id='m2'", ()),
    ("DELETE FROM meetings WHERE id='m4'", ()),
]


def test_counters_match_sqlite(lite: sqlite3.Connection, pg: Any) -> None:
    def counts_lite() -> dict[str, int]:
        return dict(lite.execute("SELECT name, n FROM counters").fetchall())

    def counts_pg() -> dict[str, int]:
        return dict(pg.execute("SELECT name, n FROM counters").fetchall())

    assert counts_lite() == counts_pg() == {"people": 0, "branches": 0, "finished_meetings": 0}
    for i, (sql, params) in enumerate(COUNTER_STEPS):
        lite.execute(sql, params)
        pg.execute(sql.replace("?", "%s"), params)
        assert counts_pg() == counts_lite(), f"after step {i}: {sql} {params}"
    lite.rollback()
    final = counts_pg()
    assert final == {
        "people": pg.execute("SELECT count(*) FROM people").fetchone()[0],
        "branches": pg.execute(
            "SELECT count(*) FROM org_units WHERE kind=%s", (BRANCH,)
        ).fetchone()[0],
        "finished_meetings": pg.execute(
            "SELECT count(*) FROM meetings WHERE status=%s AND superseded=0", (DONE,)
        ).fetchone()[0],
    }
    assert final == {"people": 2, "branches": 3, "finished_meetings": 1}


def test_constants_spelled_out_match_domain() -> None:
    assert pg_schema.BRANCH_KIND == OrgKind.BRANCH.value
    assert pg_schema.FINISHED == MeetingStatus.FINISHED.value


def test_rowid_orders_by_insertion(pg: Any) -> None:
    pg.execute(f"INSERT INTO org_units(id, name, kind, created_at, updated_at, updated_by)"
               f" VALUES ('g', 'g', '党总支', {META})")  # fmt: skip
    for tid in ("t-z", "t-a", "t-m"):
        pg.execute(
            f"INSERT INTO tasks(id, general_id, due, data, created_at, updated_at, updated_by)"
            f" VALUES (%s, 'g', '2026-01-01', '{{}}', {META})",
            (tid,),
        )
    rows = pg.execute("SELECT id FROM tasks ORDER BY due, rowid").fetchall()
    assert [r[0] for r in rows] == ["t-z", "t-a", "t-m"]


def test_text_sorts_bytewise(pg: Any) -> None:
    for k in ("b", "B", "a", "中", "_", "Z"):
        pg.execute("INSERT INTO counters(name, n) VALUES (%s, 0)", (k,))
    rows = pg.execute(
        "SELECT name FROM counters WHERE name IN ('b','B','a','中','_','Z') ORDER BY name"
    ).fetchall()
    assert [r[0] for r in rows] == sorted(["b", "B", "a", "中", "_", "Z"])


def test_remind_outbox_id_assigned(pg: Any) -> None:
    pg.execute(
        "INSERT INTO remind_outbox(day, recipient, channel, created_at) VALUES ('d', 'r', 'c', 'x')"
    )
    assert pg.execute("SELECT id FROM remind_outbox").fetchone()[0] is not None


# --- json_extract / json_each --------------------------------------------------

DOC = (
    '{"s": "文本 \\"q\\"", "n": 3, "f": 1.5, "t": true, "no": false, "z": null,'
    ' "o": {"b": [1, 2], "c": "x y"}, "topics": ["第一", "第二"], "e": []}'
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.s", '文本 "q"'),
        ("$.n", "3"),
        ("$.f", "1.5"),
        ("$.t", "1"),
        ("$.no", "0"),
        ("$.z", None),
        ("$.missing", None),
        ("$.o.c", "x y"),
        ("$.o.b[1]", "2"),
        ("$.o.b[5]", None),
        ("$.topics[0]", "第一"),
        ("$.o", '{"b":[1,2],"c":"x y"}'),
        ("$.o.b", "[1,2]"),
        ("$.e", "[]"),
        ("$.s.deeper", None),
    ],
)
def test_json_extract_like_sqlite(pg: Any, path: str, expected: str | None) -> None:
    lite = sqlite3.connect(":memory:")
    assert lite.execute("SELECT CAST(json_extract(?, ?) AS TEXT)", (DOC, path)).fetchone()[0] == (
        expected
    )
    text = pg.execute("SELECT json_extract(%s::text, %s)", (DOC, path)).fetchone()[0]
    binary = pg.execute("SELECT json_extract(%s::jsonb, %s)", (DOC, path)).fetchone()[0]
    assert text == expected
    if path not in ("$.o",):  # jsonb keeps its own key order; same keys here
        assert binary == expected


def test_json_extract_nulls_and_bad_paths(pg: Any) -> None:
    assert pg.execute("SELECT json_extract(NULL, '$.a')").fetchone()[0] is None
    assert pg.execute("SELECT json_extract(NULL::jsonb, '$.a')").fetchone()[0] is None
    assert pg.execute("SELECT json_extract('{\"a\": 1}', NULL)").fetchone()[0] is None
    assert pg.execute("SELECT json_extract('[5, 6]', '$[1]')").fetchone()[0] == "6"
    with pytest.raises(psycopg.errors.RaiseException, match="bad JSON path"):
        pg.execute("SELECT json_extract('{}', 'a')")


def test_json_functions_are_immutable(pg: Any) -> None:
    rows = pg.execute(
        "SELECT p.proname, p.provolatile FROM pg_proc p"
        " WHERE p.proname IN ('json_extract', 'json_each')"
        " AND p.pronamespace = current_schema()::regnamespace"
    ).fetchall()
    assert {r[0] for r in rows} == {"json_extract", "json_each"}
    assert {r[1] for r in rows} == {"i"}


@pytest.mark.parametrize(
    ("doc", "root"),
    [
        (
            '{"attendance": [{"person_id": "p1", "state": "出席"}, {"person_id": "p2"},'
            ' 7, 1.5, "x", true, false, null, [1, 2]]}',
            "$.attendance",
        ),
        ('{"a": 1, "b c": "x", "d": {"e": [3]}}', "$"),
        ('{"a": {"k": null}}', "$.a"),
        ("[10]", "$[0]"),
        ('{"a": []}', "$.a"),
        ('{"a": 1}', "$.missing"),
    ],
)
def test_json_each_like_sqlite(pg: Any, doc: str, root: str) -> None:
    """Every column as SQLite gives it, read as text; an object or array
    element is its JSON (not compacted, see storage.pg_schema)."""
    sql = "SELECT key, value, type, atom, fullkey, path FROM json_each(?, ?)"
    lite = sqlite3.connect(":memory:")

    def norm(row: Sequence[Any]) -> tuple[Any, ...]:
        key, value, kind, *rest = (None if v is None else str(v) for v in row)
        if kind in ("object", "array"):
            value = json.loads(value or "")
        return (key, value, kind, *rest)

    want = [norm(r) for r in lite.execute(sql, (doc, root))]
    got = [norm(r) for r in pg.execute(sql.replace("?", "%s"), (doc, root)).fetchall()]
    assert got == want


def test_json_each_feeds_json_extract(pg: Any) -> None:
    doc = (
        '{"attendance": [{"person_id": "p1", "state": "出席"}, {"name": "x"}, {"person_id": "p2"}]}'
    )
    person = pg.execute(
        "SELECT json_extract(a.value, '$.person_id') FROM json_each(%s, '$.attendance') a"
        " WHERE json_extract(a.value, '$.person_id') IS NOT NULL ORDER BY a.id",
        (doc,),
    ).fetchall()
    assert person == [("p1",), ("p2",)]
    top = pg.execute("SELECT key FROM json_each(%s)", (doc,)).fetchall()
    assert top == [("attendance",)]


def test_dues_unpaid_index_is_used(pg: Any) -> None:
    pg.execute(f"INSERT INTO org_units(id, name, kind, created_at, updated_at, updated_by)"
               f" VALUES ('b', 'b', '党支部', {META})")  # fmt: skip
    pg.execute(f"INSERT INTO people(id, name, status, created_at, updated_at, updated_by)"
               f" VALUES ('p', 'p', 's', {META})")  # fmt: skip
    for i, (waived, paid, due) in enumerate(
        [("false", 0, 100), ("true", 0, 100), ("false", 100, 100), ("false", 99, 100)]
    ):
        pg.execute(
            "INSERT INTO dues(id, person_id, branch_id, month, data, created_at, updated_at,"
            f" updated_by) VALUES (%s, 'p', 'b', %s, %s, {META})",
            (f"d{i}", f"2026-0{i + 1}-01",
             f'{{"waived": {waived}, "paid_fen": {paid}, "due_fen": {due}}}'),
        )  # fmt: skip
    where = pg_schema.DUES_UNPAID_WHERE
    rows = pg.execute(f"SELECT id FROM dues WHERE {where} ORDER BY id").fetchall()
    assert rows == [("d0",), ("d3",)]
    pg.execute("SET LOCAL enable_seqscan = off")
    plan = "\n".join(
        r[0]
        for r in pg.execute(
            f"EXPLAIN SELECT id FROM dues WHERE branch_id = 'b' AND month >= '2026-01-01'"
            f" AND {where}"
        ).fetchall()
    )
    assert "dues_unpaid" in plan


# --- other SQLite habits -------------------------------------------------------


def test_sum_of_comparisons_and_unary_plus_like_sqlite(lite: sqlite3.Connection, pg: Any) -> None:
    """storage.branch_home counts with sum(status = ?); storage.participation
    writes +kind=? to steer SQLite's planner."""
    steps = [
        (UPSERT_ORG, ("b1", "一支部", BRANCH)),
        (UPSERT_PERSON, ("p1", "甲", "b1")),
        (UPSERT_PERSON, ("p2", "乙", "b1")),
        (UPSERT_PERSON, ("p3", "丙", None)),
        ("UPDATE people SET post='书记' WHERE id='p1'", ()),
    ]
    for sql, params in steps:
        lite.execute(sql, params)
        pg.execute(sql.replace("?", "%s"), params)
    queries = [
        (
            "SELECT branch_id, sum(status = ?) AS full, sum(status IN (?, ?)) AS members,"
            " sum(post IN (?)) AS committee, sum(NULL = 1) AS none_known, count(*) AS n"
            # coalesce: SQLite sorts NULL first, PostgreSQL last
            " FROM people GROUP BY branch_id ORDER BY coalesce(branch_id, '')",
            ("正式党员", "正式党员", "预备党员", "书记"),
        ),
        ("SELECT sum(status = ?) FROM people WHERE id = 'nobody'", ("正式党员",)),
        ("SELECT id FROM people WHERE +name = ? ORDER BY id", ("乙",)),
        ("SELECT count(*) FROM org_units WHERE +kind=? AND +id = 'b1'", (BRANCH,)),
    ]
    for sql, params in queries:
        want = [tuple(r) for r in lite.execute(sql, params)]
        got = [tuple(r) for r in pg.execute(sql.replace("?", "%s"), params).fetchall()]
        assert got == want, sql
        assert all(type(v) in (int, str, type(None)) for r in got for v in r), got
    lite.rollback()
