"""The tables and triggers of site -> 党委 sync (docs/SYNC.md), for both engines.

Kept in one module so the schema step can be moved as a whole: SQLite runs
``sqlite_ddl()`` as migration 18 (storage/migrations.py), PostgreSQL runs
``PG_DDL`` as its version-18 step (storage/pg_schema.py).

Which tables travel and in which order is declared here too, because the
read-only triggers are generated from the same list.
"""

from __future__ import annotations

# Record tables that travel from a site to the hub, parents before children
# (foreign keys), with the column that names a record.
SYNCED: tuple[tuple[str, str], ...] = (
    ("org_units", "id"),
    ("branch_terms", "branch_id"),
    ("branch_stations", "id"),
    ("branch_templates", "id"),
    ("people", "id"),
    ("meetings", "id"),
    ("action_items", "id"),
    ("make_ups", "id"),
    ("rota_plans", "id"),
    ("lectures", "id"),
    ("followups", "id"),
    ("dues", "id"),
    ("development_records", "id"),
    ("development_events", "id"),
    ("assessment_pledges", "id"),
    ("assessment_reviews", "id"),
    ("assessment_adjustments", "id"),
    ("handovers", "id"),
    ("problems", "id"),
    ("tasks", "id"),
    ("task_reports", "id"),
)
KEY_OF = dict(SYNCED)
# Rows derived from one record, with no identity of their own: they travel
# with their parent record and are replaced with it.
CHILDREN: dict[str, tuple[str, str]] = {
    "people": ("person_keys", "person_id"),
    "tasks": ("task_branches", "task_id"),
}
# A record that names another record of its own table: that one goes first.
SELF_REFS: dict[str, str] = {"org_units": "parent_id", "meetings": "supersedes_id"}
# Tables that stay where they are: the site's own chain (sent separately, as
# sync_audit rows), sessions, accounts and secrets, counters the triggers keep,
# the site's settings and calendar, the reminder outbox, and sync's own.
LOCAL: frozenset[str] = frozenset({
    "audit", "drafts", "settings", "accounts", "counters", "corrections", "role_grants",
    "account_requests", "account_pins", "shared_accounts", "holiday_arrangements",
    "remind_outbox", "sync_sites", "sync_audit", "record_sites", "sync_applying",
    # PostgreSQL's own bookkeeping (storage/pg_schema.py)
    "audit_head", "schema_version",
})  # fmt: skip

READ_ONLY_MESSAGE = "在党委汇总库中只读"
SQLITE_READ_ONLY = f"这是作业区的记录，{READ_ONLY_MESSAGE}。"

_TABLES = """
-- The sites that pushed to this hub, and the head of each one's audit chain.
CREATE TABLE sync_sites (
    site_id {T} PRIMARY KEY,
    name {T} NOT NULL,
    schema_version {I} NOT NULL,
    audit_seq {I} NOT NULL DEFAULT 0,
    audit_hash {T} NOT NULL,
    first_push_at {T} NOT NULL,
    last_push_at {T} NOT NULL,
    last_seen_at {T} NOT NULL,
    pushes {I} NOT NULL DEFAULT 0
);
-- Each site's audit rows, as the site wrote them, re-verified on arrival.
CREATE TABLE sync_audit (
    site_id {T} NOT NULL REFERENCES sync_sites(site_id),
    seq {I} NOT NULL,
    at {T} NOT NULL,
    actor {T} NOT NULL,
    action {T} NOT NULL,
    table_name {T} NOT NULL,
    record_id {T} NOT NULL,
    detail {T} NOT NULL DEFAULT '',
    prev_hash {T} NOT NULL,
    hash {T} NOT NULL,
    content_hash {T} NOT NULL DEFAULT '',
    PRIMARY KEY (site_id, seq)
);
-- Which site a record at the hub came from (a record belongs to the site
-- that created it), and the hash of the form it was sent in.
CREATE TABLE record_sites (
    table_name {T} NOT NULL,
    record_id {T} NOT NULL,
    site_id {T} NOT NULL REFERENCES sync_sites(site_id),
    version {I},
    row_hash {T} NOT NULL,
    PRIMARY KEY (table_name, record_id)
);
CREATE INDEX record_sites_site ON record_sites(site_id, table_name);
-- Holds a row only inside a sync transaction: the read-only triggers let
-- that transaction write site records, and nobody else sees the row.
CREATE TABLE sync_applying (token {T} PRIMARY KEY);
"""


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def sqlite_ddl() -> list[str]:
    """Migration 18 for SQLite, statement by statement."""
    out = _statements(_TABLES.format(T="TEXT", I="INTEGER"))
    for verb in ("UPDATE", "DELETE"):
        out.append(
            f"CREATE TRIGGER sync_audit_no_{verb.lower()} BEFORE {verb} ON sync_audit"
            " BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END"
        )
    for table, key in SYNCED:
        for verb in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER {table}_site_read_only_{verb.lower()} BEFORE {verb} ON {table}"
                f" WHEN EXISTS (SELECT 1 FROM record_sites WHERE table_name = '{table}'"
                f" AND record_id = OLD.{key}) AND NOT EXISTS (SELECT 1 FROM sync_applying)"
                f" BEGIN SELECT RAISE(ABORT, '{SQLITE_READ_ONLY}'); END"
            )
    return out


_PG_FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION zhibu_sync_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit is append-only';
END $$
""",
    # TG_ARGV[0]: the table's key column. The site's name is in the message,
    # which reaches the user as it is (storage.db.storage_error).
    f"""
CREATE OR REPLACE FUNCTION zhibu_site_read_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    rid text;
    site text;
BEGIN
    IF EXISTS (SELECT 1 FROM sync_applying) THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    EXECUTE format('SELECT ($1).%I::text', TG_ARGV[0]) USING OLD INTO rid;
    SELECT s.name INTO site FROM record_sites r JOIN sync_sites s ON s.site_id = r.site_id
        WHERE r.table_name = TG_TABLE_NAME AND r.record_id = rid;
    IF FOUND THEN
        RAISE EXCEPTION '这是%的记录，{READ_ONLY_MESSAGE}。', site;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$
""",
]


def pg_ddl() -> list[str]:
    """The version-18 step for PostgreSQL, statement by statement (run on the
    raw psycopg connection, no placeholders)."""
    # text and integers as storage/pg_schema.py carries SQLite's over
    tables = _TABLES.format(T='text COLLATE "C"', I="bigint")
    out = _statements(tables) + [f.strip() for f in _PG_FUNCTIONS]
    out.append(
        "CREATE TRIGGER sync_audit_append_only BEFORE UPDATE OR DELETE ON sync_audit"
        " FOR EACH ROW EXECUTE FUNCTION zhibu_sync_audit_append_only()"
    )
    for table, key in SYNCED:
        out.append(
            f"CREATE TRIGGER {table}_site_read_only BEFORE UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION zhibu_site_read_only('{key}')"
        )
    return out
