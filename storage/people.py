"""Repository for people, with indexed pinyin search."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from domain.people import COMMITTEE_POSTS, CommitteePost, Person, PoliticalStatus
from domain.records import new_id
from domain.search_keys import (
    RANK_FULL,
    RANK_GIVEN,
    RANK_INITIALS,
    RANK_NAME,
    has_cjk,
    normalise_query,
    person_keys,
    sort_key,
)
from domain.text import clean_text
from storage import audit, counters, drafts
from storage.db import Store, now_iso, utils_db
from storage.records import save_row, to_db
from storage.sql import Connection

FIELDS = (
    "name", "sex", "birth_date", "status", "branch_id", "group_id", "post", "team", "job",
    "shift", "phone", "joined_party", "confirmed_on", "on_party_probation", "note",
)  # fmt: skip
_TOP = "\U0010ffff"
_MEMBER_SQL = f"('{PoliticalStatus.FULL.value}','{PoliticalStatus.PROBATIONARY.value}')"
# Roster order: committee posts in their enum order, then political status.
_POST_ORDER = " ".join(f"WHEN '{p.value}' THEN {i}" for i, p in enumerate(CommitteePost))
_STATUS_ORDER = " ".join(
    f"WHEN '{s.value}' THEN {i}"
    for i, s in enumerate(
        (
            PoliticalStatus.FULL,
            PoliticalStatus.PROBATIONARY,
            PoliticalStatus.CANDIDATE,
            PoliticalStatus.ACTIVIST,
        )
    )
)


def _to_person(row: dict[str, Any]) -> Person:
    row = {k: v for k, v in row.items() if k in Person.model_fields}  # drops sort_key, _rank
    try:
        return Person.model_validate(row)
    except ValidationError:
        return _salvage(row)


def _salvage(row: dict[str, Any]) -> Person:
    """A row that today's rules reject (written by sqlite3, a script or an older
    version): shown cut to the limits, invalid values dropped, instead of
    ending the app. Saving it again goes through full validation."""
    fixed = dict(row)
    for name, field in Person.model_fields.items():
        limit = next((m.max_length for m in field.metadata if getattr(m, "max_length", None)), None)
        if limit and isinstance(fixed.get(name), str):
            fixed[name] = clean_text(fixed[name])[:limit]
    try:
        return Person.model_validate(fixed)
    except ValidationError as e:
        for err in e.errors():
            name = str(err["loc"][0])
            fixed[name] = "（无效）" if name == "name" else Person.model_fields[name].get_default()
    return Person.model_validate(fixed)


def _write_keys(c: Connection, person: Person) -> None:
    c.execute("DELETE FROM person_keys WHERE person_id=?", (person.id,))
    c.executemany(
        "INSERT INTO person_keys(key, person_id, rank) VALUES (?,?,?) ON CONFLICT DO NOTHING",
        [(k, person.id, r) for k, r in person_keys(person.name)],
    )


def save(
    store: Store,
    person: Person,
    *,
    conn: Connection | None = None,
    draft: drafts.DraftRef | None = None,
) -> Person:
    """Insert or update; *draft* (the form's) goes in the same transaction, so
    a kill can never leave both the saved person and a draft that saves it again."""
    cols = {**{k: getattr(person, k) for k in FIELDS}, "sort_key": sort_key(person.name)}

    def run(c: Connection) -> Person:
        saved = save_row(store, "people", person, cols, conn=c)
        _write_keys(c, saved)
        drafts.discard_in(c, draft)
        return saved

    if conn is not None:
        return run(conn)
    with store.write() as c:
        return run(c)


IMPORT_CHUNK = 200  # people per progress report in a bulk insert


def insert_many(
    store: Store,
    people: Iterable[Person],
    *,
    conn: Connection,
    done: Callable[[int], None] | None = None,
) -> int:
    """Bulk insert new people inside the caller's transaction (import, demo).

    sqlite-utils batches the rows into multi-row INSERTs; inside our
    BEGIN IMMEDIATE its atomic() is a SAVEPOINT, so the caller's transaction
    still decides commit or rollback. *done* hears how many are in so far,
    every IMPORT_CHUNK people (a long import shows its progress)."""
    now, actor = now_iso(), store.actor
    cols = ("id", *FIELDS, "sort_key", "created_at", "updated_at", "updated_by", "version")
    db = utils_db(conn) if isinstance(conn, sqlite3.Connection) else None
    items = list(people)
    n = 0
    for start in range(0, len(items), IMPORT_CHUNK):
        rows: list[dict[str, object]] = []
        keys: list[dict[str, object]] = []
        for p in items[start : start + IMPORT_CHUNK]:
            pid = p.id or new_id()
            values = (pid, *(to_db(getattr(p, k)) for k in FIELDS), sort_key(p.name), now, now,
                      actor, 1)  # fmt: skip
            rows.append(dict(zip(cols, values, strict=True)))
            keys.extend({"key": k, "person_id": pid, "rank": r} for k, r in person_keys(p.name))
        if db is not None:
            db.table("people").insert_all(rows)
            db.table("person_keys").insert_all(keys, ignore=True)
        else:  # psycopg pipelines executemany: one round trip per chunk
            conn.executemany(
                f"INSERT INTO people ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [tuple(r.values()) for r in rows],
            )
            conn.executemany(
                "INSERT INTO person_keys(key, person_id, rank) VALUES (:key, :person_id, :rank)"
                " ON CONFLICT DO NOTHING",
                keys,
            )
        n += len(rows)
        if done is not None:
            done(n)
    audit.append(conn, actor, "import", "people", f"{n} rows", f"{n} people")
    return n


def get(store: Store, person_id: str) -> Person | None:
    row = store.query_one("SELECT * FROM people WHERE id=?", (person_id,))
    return None if row is None else _to_person(row)


def get_many(store: Store, ids: list[str]) -> list[Person]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = store.query(f"SELECT * FROM people WHERE id IN ({marks})", tuple(ids))
    return [_to_person(r) for r in rows]


def search(
    store: Store,
    text: str,
    *,
    branch_id: str | None = None,
    members_only: bool = False,
    limit: int = 30,
) -> list[Person]:
    """Ranked pinyin/character search; index range scans on person_keys.

    Order: people with a key equal to the query first, then by their best
    (lowest) key rank among the keys the query is a prefix of, then shorter
    names, then sort_key and name."""
    q = normalise_query(text)
    if not q or limit <= 0:
        return []
    filters: list[str] = []
    params: dict[str, str | int] = {"q": q, "hi": q + _TOP}
    if branch_id:
        filters.append("p.branch_id = :b")
        params["b"] = branch_id
    if members_only:
        filters.append(f"p.status IN {_MEMBER_SQL}")
    found = [_to_person(r) for r in _ranked(store, filters, params, limit)]
    if has_cjk(q) and len(found) < limit:
        # Characters in the middle of a name ("伟" in 李伟明): a bounded scan.
        seen = {p.id for p in found}
        params["like"] = f"%{q}%"
        params["limit"] = limit - len(found) + len(seen)
        for r in store.query(
            f"SELECT p.* FROM people p WHERE {' AND '.join(['p.name LIKE :like', *filters])}"
            " ORDER BY length(p.name), p.sort_key LIMIT :limit",
            params,
        ):
            if r["id"] not in seen and len(found) < limit:
                found.append(_to_person(r))
    return found


_KEY_RANKS = (RANK_NAME, RANK_FULL, RANK_INITIALS, RANK_GIVEN)
_ORDER = "length(p.name), p.sort_key, p.name"


def _ranked(store: Store, filters: list[str], params: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """The rows of search(), best first, one rank tier at a time.

    A one-letter query at 50,000 people matches ~30,000 keys of ~10,000 people;
    ranking them all at once (group by person, join, sort) took ~40 ms. Here
    each step fetches only what can still make the first *limit*:

    1. people with a key equal to the query, by best rank among the matching
       keys, then name order;
    2. for each rank r, best first: people with a matching key of rank r, in
       name order, leaving out those already found.

    Step 2 is exact because it moves on to rank r only when the earlier steps
    found fewer than *limit* people, i.e. found *all* (filtered) people with an
    equal key or a better-ranked matching key: leaving out the found ones
    leaves exactly those whose best matching rank is r."""
    where = " AND ".join(filters)
    rows = store.query(
        "SELECT p.* FROM people p WHERE p.id IN"
        " (SELECT person_id FROM person_keys WHERE key = :q)"
        f"{' AND ' + where if where else ''}"
        " ORDER BY (SELECT MIN(k.rank) FROM person_keys k WHERE k.person_id = p.id"
        f" AND k.key >= :q AND k.key < :hi), {_ORDER} LIMIT :limit",
        {**params, "limit": limit},
    )
    for rank in _KEY_RANKS:
        if len(rows) >= limit:
            break
        found = {f"f{i}": r["id"] for i, r in enumerate(rows)}
        skip = f" AND p.id NOT IN ({','.join(':' + k for k in found)})" if found else ""
        rows += store.query(
            "SELECT p.* FROM people p WHERE p.id IN"
            " (SELECT person_id FROM person_keys WHERE key >= :q AND key < :hi AND rank = :r)"
            f"{skip}{' AND ' + where if where else ''} ORDER BY {_ORDER} LIMIT :limit",
            {**params, **found, "r": rank, "limit": limit - len(rows)},
        )
    return rows


def list_branch(store: Store, branch_id: str, *, offset: int = 0, limit: int = 200) -> list[Person]:
    rows = store.query(
        f"SELECT * FROM people WHERE branch_id=? ORDER BY CASE post {_POST_ORDER} ELSE 9 END,"
        f" CASE status {_STATUS_ORDER} ELSE 4 END, sort_key LIMIT ? OFFSET ?",
        (branch_id, limit, offset),
    )
    return [_to_person(r) for r in rows]


def count_branch(store: Store, branch_id: str) -> int:
    return int(store.scalar("SELECT count(*) FROM people WHERE branch_id=?", (branch_id,)) or 0)


def count_all(store: Store) -> int:
    """Kept by triggers (migration 3): no scan of the people table."""
    return counters.people(store)


def members_of(store: Store, branch_id: str, *, group_id: str | None = None) -> list[Person]:
    sql = f"SELECT * FROM people WHERE branch_id=? AND status IN {_MEMBER_SQL}"
    params: tuple[str, ...] = (branch_id,)
    if group_id:
        sql += " AND group_id=?"
        params = (branch_id, group_id)
    return [_to_person(r) for r in store.query(sql + " ORDER BY sort_key", params)]


def committee_of(store: Store, branch_id: str) -> list[Person]:
    posts = ",".join(f"'{p.value}'" for p in COMMITTEE_POSTS)
    rows = store.query(
        f"SELECT * FROM people WHERE branch_id=? AND post IN ({posts}) ORDER BY sort_key",
        (branch_id,),
    )
    return [_to_person(r) for r in rows]


def secretary_of(store: Store, branch_id: str) -> Person | None:
    row = store.query_one(
        "SELECT * FROM people WHERE branch_id=? AND post=? LIMIT 1",
        (branch_id, CommitteePost.SECRETARY.value),
    )
    return None if row is None else _to_person(row)


def status_counts(store: Store, branch_id: str) -> dict[PoliticalStatus, int]:
    rows = store.query(
        "SELECT status, count(*) AS n FROM people WHERE branch_id=? GROUP BY status", (branch_id,)
    )
    return {PoliticalStatus(r["status"]): r["n"] for r in rows}


def move(store: Store, person: Person, branch_id: str, group_id: str | None) -> Person:
    moved = person.model_copy(update={"branch_id": branch_id, "group_id": group_id})
    return save(store, moved)


def import_people(
    store: Store,
    new_people: list[Person],
    updates: Iterable[Person] = (),
    *,
    done: Callable[[int], None] | None = None,
) -> int:
    """All or nothing: one transaction for the whole file (new people inserted,
    *updates* saved with their version check); the number inserted."""
    with store.write() as c:
        for person in updates:
            save(store, person, conn=c)
        return insert_many(store, new_people, conn=c, done=done)


def same_name_candidates(store: Store, names: Iterable[str]) -> list[Person]:
    """People whose name reads like one of *names* (the indexed whole-name key:
    case, width, spaces and invisible characters aside), for import matching."""
    keys = sorted({k for k in (normalise_query(n) for n in names) if k})
    out: dict[str, Person] = {}
    for i in range(0, len(keys), 500):
        part = keys[i : i + 500]
        marks = ",".join("?" * len(part))
        rows = store.query(
            f"SELECT p.* FROM people p WHERE p.id IN (SELECT person_id FROM person_keys"
            f" WHERE rank={RANK_NAME} AND key IN ({marks}))",
            tuple(part),
        )
        out.update({r["id"]: _to_person(r) for r in rows})
    return list(out.values())
