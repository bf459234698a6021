"""Site -> 党委 sync at the storage level (docs/SYNC.md), on either engine.

A site reads its records (``snapshot``), the hub says what it already holds
of that site (``hub_state``: each record's hash and the head of the site's
audit chain), the difference travels (``plan``), and the hub takes it in one
transaction (``apply``): the site's audit rows are re-verified link by link
from the stored head before anything is written, records are written by id
with their version, records gone at the site are deleted (tombstones), and
each record's origin is kept in ``record_sites``. A bundle (storage/
sync_bundle.py) carries a full snapshot and goes through the same ``apply``.

Why hashes and not versions decide "changed": some writes change a record
without a new version (a correction sets ``superseded`` on the original,
action items are closed with it), and ``branch_terms`` and the child rows
(person_keys, task_branches) have no version at all. The hash covers every
column as sent, so nothing is missed, and a change of what is sent (the
private-details setting) re-sends the records it affects.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.org_codes import OrgKind
from storage import audit
from storage.db import Store, now_iso
from storage.errors import SyncRefusedError
from storage.sql import Connection, dialect_of
from storage.sync_schema import CHILDREN, KEY_OF, SELF_REFS, SYNCED

SITE_KEY = "site"
# Audit rows as sent: the columns of storage.audit's chain.
AUDIT_COLUMNS = (
    "seq", "at", "actor", "action", "table_name", "record_id", "detail",
    "prev_hash", "hash", "content_hash",
)  # fmt: skip
# PostgreSQL's stand-in for SQLite's rowid is no content (storage/audit.py).
NOT_SENT = frozenset({"rowid"})

Row = dict[str, Any]
# (table, row) -> the row as the hub may receive it (services decide privacy).
Transform = Callable[[str, Row], Row]


# -- the site's identity ---------------------------------------------------------


@dataclass(frozen=True)
class Site:
    id: str
    name: str


def _load_site(raw: object) -> Site | None:
    if raw is None:
        return None
    try:
        data = json.loads(str(raw))
        return Site(id=str(data["id"]), name=str(data.get("name") or ""))
    except (ValueError, KeyError, TypeError):
        return None


def _default_name(c: Connection) -> str:
    row = c.execute(
        "SELECT name FROM org_units WHERE kind=? ORDER BY sort_order, name LIMIT 1",
        (OrgKind.GENERAL_BRANCH.value,),
    ).fetchone()
    return str(row[0]) if row else "未命名作业区"


def _put_site(store: Store, c: Connection, site: Site) -> None:
    now = now_iso()
    data = json.dumps({"id": site.id, "name": site.name}, ensure_ascii=False)
    c.execute(
        "INSERT INTO settings(key, data, created_at, updated_at, updated_by, version)"
        " VALUES (?,?,?,?,?,1) ON CONFLICT(key) DO UPDATE SET data=excluded.data,"
        " updated_at=excluded.updated_at, updated_by=excluded.updated_by,"
        " version=settings.version+1",
        (SITE_KEY, data, now, now, store.actor),
    )
    audit.append(c, store.actor, "update", "settings", SITE_KEY, "site")


def site_identity(store: Store) -> Site:
    """This database's site id (a uuid) and name, created on first use."""
    found = _load_site(store.scalar("SELECT data FROM settings WHERE key=?", (SITE_KEY,)))
    if found is not None:
        return found
    with store.write() as c:
        row = c.execute("SELECT data FROM settings WHERE key=?", (SITE_KEY,)).fetchone()
        found = _load_site(row[0] if row else None)
        if found is not None:  # another session created it meanwhile
            return found
        site = Site(id=uuid.uuid4().hex, name=_default_name(c))
        _put_site(store, c, site)
    return site


def set_site_name(store: Store, name: str) -> Site:
    site = site_identity(store)
    renamed = Site(id=site.id, name=name)
    with store.write() as c:
        _put_site(store, c, renamed)
    return renamed


# -- what a site holds -------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    table: str
    key: str
    version: int | None
    row: Row
    children: dict[str, list[Row]]
    hash: str


@dataclass(frozen=True)
class Snapshot:
    site: Site
    schema_version: int
    records: list[Record]
    audit: list[Row]


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def record_hash(table: str, row: Row, children: dict[str, list[Row]]) -> str:
    import hashlib

    return hashlib.sha256(_canonical([table, row, children]).encode("utf-8")).hexdigest()


def make_record(table: str, row: Row, children: dict[str, list[Row]]) -> Record:
    kids = {t: sorted(rows, key=_canonical) for t, rows in children.items()}
    version = row.get("version")
    return Record(
        table=table,
        key=str(row[KEY_OF[table]]),
        version=int(version) if version is not None else None,
        row=row,
        children=kids,
        hash=record_hash(table, row, kids),
    )


def _select_all(conn: Connection, table: str, order: str) -> list[Row]:
    cur = conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}')
    cols = [d[0] for d in cur.description]
    return [
        {c: v for c, v in zip(cols, r, strict=True) if c not in NOT_SENT} for r in cur.fetchall()
    ]


def schema_version(store: Store) -> int:
    """The schema version of an open (migrated) store; PostgreSQL's steps are
    numbered as SQLite's migrations (storage/pg_schema.py)."""
    from storage.migrations import SCHEMA_VERSION

    if store.dialect == "postgresql":
        return SCHEMA_VERSION  # open_store brought it to the current version
    return int(store.scalar("PRAGMA user_version") or 0)


def chain_problems(conn: Connection) -> list[int]:
    """Sequence numbers of the site's own chain that do not verify, or are missing."""
    return sorted(set(audit.verify_chain(conn)) | set(audit.gaps(conn)))


def snapshot(store: Store, transform: Transform | None = None) -> Snapshot:
    """Every record this site holds, in the form the hub receives, and the
    whole audit chain. One read transaction, so records and chain agree."""
    site = site_identity(store)
    conn = store.conn
    pg = dialect_of(conn) == "postgresql"
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" if pg else "BEGIN")
    try:
        records: list[Record] = []
        for table, key in SYNCED:
            kids: dict[str, dict[str, list[Row]]] = {}
            if table in CHILDREN:
                child, parent_col = CHILDREN[table]
                by_parent: dict[str, list[Row]] = {}
                for r in _select_all(conn, child, parent_col):
                    by_parent.setdefault(str(r[parent_col]), []).append(r)
                kids[child] = by_parent
            for row in _select_all(conn, table, key):
                sent = transform(table, row) if transform else row
                children = {t: by.get(str(row[key]), []) for t, by in kids.items()}
                records.append(make_record(table, sent, children))
        cur = conn.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit ORDER BY seq")
        chain = [dict(zip(AUDIT_COLUMNS, r, strict=True)) for r in cur.fetchall()]
        for r in chain:
            r["content_hash"] = r["content_hash"] or ""
    finally:
        conn.execute("COMMIT")
    return Snapshot(site=site, schema_version=schema_version(store), records=records, audit=chain)


# -- what the hub holds of a site ---------------------------------------------------


@dataclass(frozen=True)
class HubState:
    known: bool
    head_seq: int
    head_hash: str
    hashes: dict[tuple[str, str], str] = field(default_factory=dict)


def hub_state(conn: Connection, site_id: str) -> HubState:
    row = conn.execute(
        "SELECT audit_seq, audit_hash FROM sync_sites WHERE site_id=?", (site_id,)
    ).fetchone()
    hashes = {
        (str(t), str(r)): str(h)
        for t, r, h in conn.execute(
            "SELECT table_name, record_id, row_hash FROM record_sites WHERE site_id=?", (site_id,)
        )
    }
    if row is None:
        return HubState(known=False, head_seq=0, head_hash=audit.GENESIS, hashes=hashes)
    return HubState(True, int(row[0]), str(row[1]), hashes)


@dataclass(frozen=True)
class Payload:
    """What travels: records to write, records deleted at the site, and the
    audit rows from the hub's known head on (that row included, as the anchor).
    ``full``: the site's every record, so what the hub has and this lacks was
    deleted (a bundle)."""

    site: Site
    schema_version: int
    records: list[Record]
    tombstones: list[tuple[str, str]]
    audit: list[Row]
    full: bool = False


def plan(snap: Snapshot, state: HubState) -> Payload:
    present = {(r.table, r.key) for r in snap.records}
    return Payload(
        site=snap.site,
        schema_version=snap.schema_version,
        records=[r for r in snap.records if state.hashes.get((r.table, r.key)) != r.hash],
        tombstones=[k for k in state.hashes if k not in present],
        audit=[a for a in snap.audit if a["seq"] >= state.head_seq],
    )


def full_payload(snap: Snapshot) -> Payload:
    return Payload(snap.site, snap.schema_version, snap.records, [], snap.audit, full=True)


# -- the hub takes it ----------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    site: Site
    written: int
    deleted: int
    audit_rows: int
    head_seq: int
    head_hash: str

    @property
    def changed(self) -> bool:
        return bool(self.written or self.deleted or self.audit_rows)


def _refuse(message: str) -> SyncRefusedError:
    return SyncRefusedError(message + "汇总库没有写入任何内容。")


def verify_audit(conn: Connection, site: Site, rows: Sequence[Row], state: HubState) -> list[Row]:
    """The rows after the hub's head, once every link verifies; raises
    SyncRefusedError naming the first row that does not."""
    ordered = sorted(rows, key=lambda r: int(r["seq"]))
    old = [r for r in ordered if int(r["seq"]) <= state.head_seq]
    new = [r for r in ordered if int(r["seq"]) > state.head_seq]
    label = site.name or site.id
    if state.head_seq:
        stored = dict(
            conn.execute(
                "SELECT seq, hash FROM sync_audit WHERE site_id=? AND seq>=? AND seq<=?",
                (site.id, int(old[0]["seq"]) if old else state.head_seq, state.head_seq),
            ).fetchall()
        )
        if not old or int(old[-1]["seq"]) != state.head_seq:
            raise _refuse(
                f"{label}的审计链比汇总库已收到的短（汇总库已有到第 {state.head_seq} 条）："
                "作业区数据库可能被截断或从旧备份恢复。"
            )
        for r in old:
            if stored.get(int(r["seq"])) != r["hash"]:
                raise _refuse(
                    f"{label}的审计链第 {r['seq']} 条与汇总库已收到的不同：作业区的记录被改动过。"
                )
    prev, expected = state.head_hash, state.head_seq + 1
    for r in new:
        seq = int(r["seq"])
        digest = audit._digest(
            str(r["prev_hash"]), str(r["at"]), str(r["actor"]), str(r["action"]),
            str(r["table_name"]), str(r["record_id"]), str(r["detail"]),
            str(r.get("content_hash") or ""),
        )  # fmt: skip
        if seq != expected or r["prev_hash"] != prev or digest != r["hash"]:
            raise _refuse(f"{label}的审计链第 {seq} 条校验未通过（记录被改动、删除或顺序不对）。")
        prev, expected = str(r["hash"]), seq + 1
    return new


def _topological(records: list[Record], ref: str | None) -> list[Record]:
    """Records of one table, each after the one it names in *ref* (when that
    one is also being written)."""
    if ref is None:
        return records
    by_key = {r.key: r for r in records}
    done: set[str] = set()
    out: list[Record] = []

    def visit(r: Record, depth: int = 0) -> None:
        if r.key in done or depth > len(records):
            return
        parent = r.row.get(ref)
        if parent is not None and str(parent) in by_key and str(parent) != r.key:
            visit(by_key[str(parent)], depth + 1)
        if r.key not in done:
            done.add(r.key)
            out.append(r)

    for r in records:
        visit(r)
    return out


def _write_records(
    conn: Connection, site_id: str, records: list[Record], owned: dict[tuple[str, str], str]
) -> int:
    by_table: dict[str, list[Record]] = {}
    for r in records:
        if r.table not in KEY_OF:
            raise _refuse(f"数据中有不认识的表 {r.table}。")
        by_table.setdefault(r.table, []).append(r)
    written = 0
    for table, key in SYNCED:
        batch = _topological(by_table.get(table, []), SELF_REFS.get(table))
        for r in batch:
            cols = list(r.row)
            if (table, r.key) in owned:
                sets = ", ".join(f'"{c}"=?' for c in cols if c != key)
                conn.execute(
                    f'UPDATE "{table}" SET {sets} WHERE "{key}"=?',
                    [r.row[c] for c in cols if c != key] + [r.key],
                )
                conn.execute(
                    "UPDATE record_sites SET version=?, row_hash=? WHERE table_name=?"
                    " AND record_id=? AND site_id=?",
                    (r.version, r.hash, table, r.key, site_id),
                )
            else:
                marks = ", ".join("?" * len(cols))
                names = ", ".join(f'"{c}"' for c in cols)
                conn.execute(
                    f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(r.row.values())
                )
                # A record id another site (or the hub itself) holds fails here:
                # a record belongs to the site that created it.
                conn.execute(
                    "INSERT INTO record_sites(table_name, record_id, site_id, version, row_hash)"
                    " VALUES (?,?,?,?,?)",
                    (table, r.key, site_id, r.version, r.hash),
                )
            _write_children(conn, table, r)
            written += 1
    return written


def _write_children(conn: Connection, table: str, r: Record) -> None:
    if table not in CHILDREN:
        return
    child, parent_col = CHILDREN[table]
    conn.execute(f'DELETE FROM "{child}" WHERE "{parent_col}"=?', (r.key,))
    rows = r.children.get(child, [])
    if rows:
        cols = list(rows[0])
        conn.executemany(
            f'INSERT INTO "{child}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})',
            [[row[c] for c in cols] for row in rows],
        )


def _delete_records(conn: Connection, site_id: str, gone: Iterable[tuple[str, str]]) -> int:
    by_table: dict[str, list[str]] = {}
    for table, rid in gone:
        by_table.setdefault(table, []).append(rid)
    deleted = 0
    for table, key in reversed(SYNCED):
        ids = by_table.get(table, [])
        ref = SELF_REFS.get(table)
        if ref and len(ids) > 1:  # children of the tree before their parents
            ids = sorted(ids, key=lambda i: _depth(conn, table, ref, i), reverse=True)
        for rid in ids:
            if table in CHILDREN:
                child, parent_col = CHILDREN[table]
                conn.execute(f'DELETE FROM "{child}" WHERE "{parent_col}"=?', (rid,))
            conn.execute(f'DELETE FROM "{table}" WHERE "{key}"=?', (rid,))
            conn.execute(
                "DELETE FROM record_sites WHERE table_name=? AND record_id=? AND site_id=?",
                (table, rid, site_id),
            )
            deleted += 1
    return deleted


def _depth(conn: Connection, table: str, ref: str, rid: str) -> int:
    depth, seen = 0, {rid}
    while True:
        row = conn.execute(f'SELECT "{ref}" FROM "{table}" WHERE id=?', (rid,)).fetchone()
        if row is None or row[0] is None or row[0] in seen:
            return depth
        rid = str(row[0])
        seen.add(rid)
        depth += 1


def apply(hub: Store, payload: Payload, *, expected_schema: int) -> Applied:
    """Take *payload* at the hub in one transaction: all of it or nothing."""
    site = payload.site
    if payload.schema_version != expected_schema:
        raise _refuse(
            f"作业区数据库的结构版本 {payload.schema_version} 与汇总库的 {expected_schema} 不同："
            "请先把两边的 zhibu 升级到同一版本。"
        )
    for r in payload.records:  # the hash is recomputed, never taken on trust
        if r.hash != record_hash(r.table, r.row, r.children):
            raise _refuse(f"记录 {r.table}/{r.key} 的内容与其校验值不符。")
    now = now_iso()
    with hub.write() as c:
        state = hub_state(c, site.id)
        new_audit = verify_audit(c, site, payload.audit, state)
        records = [r for r in payload.records if state.hashes.get((r.table, r.key)) != r.hash]
        gone = {k for k in payload.tombstones if k in state.hashes}
        if payload.full:
            present = {(r.table, r.key) for r in payload.records}
            gone |= {k for k in state.hashes if k not in present}
        head_seq = int(new_audit[-1]["seq"]) if new_audit else state.head_seq
        head_hash = str(new_audit[-1]["hash"]) if new_audit else state.head_hash
        result = Applied(site, len(records), len(gone), len(new_audit), head_seq, head_hash)
        if not state.known:
            c.execute(
                "INSERT INTO sync_sites(site_id, name, schema_version, audit_seq, audit_hash,"
                " first_push_at, last_push_at, last_seen_at, pushes) VALUES (?,?,?,?,?,?,?,?,0)",
                (site.id, site.name, payload.schema_version, 0, audit.GENESIS, now, now, now),
            )
        # Only what changed is written: a push with nothing new leaves every
        # table as it was but the site's 最近联系 time (docs/SYNC.md).
        c.execute("UPDATE sync_sites SET last_seen_at=? WHERE site_id=?", (now, site.id))
        renamed = state.known and _name_of(c, site.id) != site.name
        if not (result.changed or renamed or not state.known):
            return result
        token = uuid.uuid4().hex
        c.execute("INSERT INTO sync_applying(token) VALUES (?)", (token,))
        _delete_records(c, site.id, gone)
        _write_records(c, site.id, records, state.hashes)
        if new_audit:
            c.executemany(
                f"INSERT INTO sync_audit(site_id, {', '.join(AUDIT_COLUMNS)})"
                f" VALUES (?, {', '.join('?' * len(AUDIT_COLUMNS))})",
                [[site.id, *(a[k] for k in AUDIT_COLUMNS)] for a in new_audit],
            )
        c.execute(
            "UPDATE sync_sites SET name=?, schema_version=?, audit_seq=?, audit_hash=?,"
            " last_push_at=?, pushes=pushes+1 WHERE site_id=?",
            (site.name, payload.schema_version, head_seq, head_hash, now, site.id),
        )
        c.execute("DELETE FROM sync_applying WHERE token=?", (token,))
        audit.append(
            c, hub.actor, "sync", "sync_sites", site.id,
            f"records={result.written},deleted={result.deleted},audit={result.audit_rows}",
        )  # fmt: skip
    return result


def _name_of(c: Connection, site_id: str) -> str:
    row = c.execute("SELECT name FROM sync_sites WHERE site_id=?", (site_id,)).fetchone()
    return str(row[0]) if row else ""


# -- the hub's list of sites -----------------------------------------------------------


@dataclass(frozen=True)
class SiteSummary:
    id: str
    name: str
    last_push_at: str
    last_seen_at: str
    records: int
    audit_seq: int
    audit_hash: str


def sites(store: Store) -> list[SiteSummary]:
    rows = store.query(
        "SELECT s.site_id, s.name, s.last_push_at, s.last_seen_at, s.audit_seq, s.audit_hash,"
        " (SELECT count(*) FROM record_sites r WHERE r.site_id = s.site_id) AS records"
        " FROM sync_sites s ORDER BY s.name, s.site_id"
    )
    return [
        SiteSummary(
            id=r["site_id"],
            name=r["name"],
            last_push_at=r["last_push_at"],
            last_seen_at=r["last_seen_at"],
            records=int(r["records"]),
            audit_seq=int(r["audit_seq"]),
            audit_hash=r["audit_hash"],
        )  # fmt: skip
        for r in rows
    ]


def reverify(store: Store, site_id: str) -> list[int]:
    """Re-walk a site's chain as the hub stores it: the seqs that do not verify."""
    bad: list[int] = []
    prev, expected = audit.GENESIS, 1
    cur = store.conn.execute(
        f"SELECT {', '.join(AUDIT_COLUMNS)} FROM sync_audit WHERE site_id=? ORDER BY seq",
        (site_id,),
    )
    for seq, at, actor, action, table, rid, detail, prev_hash, digest, content in cur:
        if (
            seq != expected
            or prev_hash != prev
            or audit._digest(prev_hash, at, actor, action, table, rid, detail, content or "")
            != digest
        ):
            bad.append(int(seq))
        prev, expected = digest, int(seq) + 1
    head = store.query_one(
        "SELECT audit_seq, audit_hash FROM sync_sites WHERE site_id=?", (site_id,)
    )
    if head and (int(head["audit_seq"]) != expected - 1 or head["audit_hash"] != prev):
        bad.append(int(head["audit_seq"]))
    return bad


def site_of(store: Store, table: str, record_id: str) -> str | None:
    """The name of the site a hub record came from; None for the hub's own."""
    value = store.scalar(
        "SELECT s.name FROM record_sites r JOIN sync_sites s ON s.site_id = r.site_id"
        " WHERE r.table_name=? AND r.record_id=?",
        (table, record_id),
    )
    return None if value is None else str(value)
