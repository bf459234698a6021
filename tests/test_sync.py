"""Site -> 党委 sync (docs/SYNC.md): two demo sites gathered into a PostgreSQL hub.

Site A goes over the network (a postgresql:// URL), site B by bundle; every
assertion reads what reached the hub's tables.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import date
from pathlib import Path
from types import MappingProxyType

import pytest

from domain.org import OrgKind
from services.errors import DomainError
from services.settings import Settings
from storage import compliance, counters, org
from storage import sync as sync_store
from storage.db import Store, open_store
from storage.demo import build_demo
from storage.migrations import SCHEMA_VERSION
from storage.sync_schema import CHILDREN, LOCAL, SYNCED
from tests.demo_cache import demo_db
from tui.cli import main

DEFAULT = Settings()
SEND_PRIVATE = Settings(merged=MappingProxyType({"sync": {"send_private_details": True}}))


def _site_b(path: Path, today: date) -> Path:
    """A second demo site with its own ids and its own names (第二作业区)."""
    store = open_store(path, actor="tester")
    build_demo(store, today=today, seed=11)
    for unit in org.all_units(store):
        if unit.kind in (OrgKind.GENERAL_BRANCH, OrgKind.BRANCH):
            renamed = unit.name.replace("第一作业区", "第二作业区").replace("党支部", "二党支部")
            org.save(store, unit.model_copy(update={"name": renamed}))
    store.close()
    return path


@pytest.fixture
def sites(tmp_path: Path, today: date) -> tuple[Path, Path]:
    a = demo_db(tmp_path / "a" / "site.db", actor="tester", today=today)
    b = _site_b(tmp_path / "b" / "site.db", today)
    assert main(["--db", str(a), "site", "--name", "第一作业区"]) == 0
    assert main(["--db", str(b), "site", "--name", "第二作业区"]) == 0
    return a, b


def content_hash(store: Store) -> str:
    """Everything the hub holds of the sites, and its own audit trail."""
    h = hashlib.sha256()
    tables = [t for t, _ in SYNCED] + [c for c, _ in CHILDREN.values()]
    tables += ["record_sites", "sync_audit", "audit", "counters"]
    for table in tables:
        for row in store.query(f'SELECT * FROM "{table}"'):
            row.pop("rowid", None)
            h.update(json.dumps(row, sort_keys=True, default=str).encode())
            h.update(b"\n")
    for row in store.query("SELECT site_id, name, audit_seq, audit_hash FROM sync_sites"):
        h.update(json.dumps(row, sort_keys=True).encode())
    return h.hexdigest()


def counts(store: Store) -> dict[str, int]:
    one = store.scalar
    return {
        "people": counters.people(store),  # services.home.headline's count
        "branches": counters.branches(store),
        "meetings": int(one("SELECT count(*) FROM meetings") or 0),
        "finished": counters.count(store, "finished_meetings"),
        "followups": int(one("SELECT count(*) FROM followups") or 0),
        "dues": int(one("SELECT count(*) FROM dues") or 0),
    }


def compliance_by_branch(store: Store, today: date) -> dict[str, tuple[object, ...]]:
    ids = [u.id for u in org.branches(store)]
    return {r.branch_id: r.cells for r in compliance.rows_for(store, ids, today)}


def test_every_table_is_synced_kept_at_the_site_or_a_child(tmp_path: Path) -> None:
    store = open_store(tmp_path / "x.db")
    names = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type='table'")}
    names -= {"sqlite_sequence"}
    classified = {t for t, _ in SYNCED} | {c for c, _ in CHILDREN.values()} | LOCAL
    assert names - classified == set(), "classify each new table in storage/sync_schema.py"


def test_two_sites_gather_into_the_hub_and_a_second_push_changes_nothing(
    sites: tuple[Path, Path], pg_url: str, tmp_path: Path, today: date
) -> None:
    a, b = sites
    bundle = tmp_path / "b.zsync"
    assert main(["--db", str(a), "sync", "push", "--to", pg_url]) == 0
    assert main(["--db", str(b), "sync", "export", "-o", str(bundle)]) == 0
    assert main(["--db", pg_url, "sync", "import", str(bundle)]) == 0
    hub = open_store(pg_url, actor="党委")
    try:
        before = content_hash(hub)
        rows = {t: hub.scalar(f"SELECT count(*) FROM {t}") for t, _ in SYNCED}
        # again, both ways: nothing changes
        assert main(["--db", str(a), "sync", "push", "--to", pg_url]) == 0
        assert main(["--db", pg_url, "sync", "import", str(bundle)]) == 0
        assert content_hash(hub) == before
        assert {t: hub.scalar(f"SELECT count(*) FROM {t}") for t, _ in SYNCED} == rows

        listed = sync_store.sites(hub)
        assert [s.name for s in listed] == ["第一作业区", "第二作业区"]
        assert all(sync_store.reverify(hub, s.id) == [] for s in listed)
        site_stores = [open_store(p) for p in (a, b)]
        try:
            for s, st in zip(listed, site_stores, strict=True):
                seq, digest = st.conn.execute(
                    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                assert (s.audit_seq, s.audit_hash) == (seq, digest)
            sums = {k: sum(counts(st)[k] for st in site_stores) for k in counts(hub)}
            assert counts(hub) == sums
            assert counts(hub)["people"] > 200 and counts(hub)["finished"] > 0
            expected: dict[str, tuple[object, ...]] = {}
            for st in site_stores:
                expected.update(compliance_by_branch(st, today))
            assert compliance_by_branch(hub, today) == expected
            assert len(expected) == 8
        finally:
            for st in site_stores:
                st.close()
    finally:
        hub.close()


def test_changes_and_deletions_at_a_site_reach_the_hub(
    sites: tuple[Path, Path], pg_url: str
) -> None:
    a, _ = sites
    assert main(["--db", str(a), "sync", "push", "--to", pg_url]) == 0
    site = open_store(a, actor="tester")
    unit = org.branches(site)[0]
    org.save(site, unit.model_copy(update={"name": "采油一队联合党支部"}))
    handover = site.scalar("SELECT id FROM handovers LIMIT 1")
    assert handover is not None
    from storage import sittings

    sittings.delete_handover(site, str(handover))
    site.close()
    from services import sync

    pushed = sync.push(a, pg_url, DEFAULT)
    assert (pushed.written, pushed.deleted) == (1, 1)
    hub = open_store(pg_url)
    try:
        assert (
            hub.scalar("SELECT name FROM org_units WHERE id=?", (unit.id,)) == "采油一队联合党支部"
        )
        assert hub.scalar("SELECT count(*) FROM handovers WHERE id=?", (handover,)) == 0
        assert hub.scalar("SELECT count(*) FROM record_sites WHERE record_id=?", (handover,)) == 0
    finally:
        hub.close()


def _private_case(store: Store) -> tuple[str, str]:
    row = store.query_one("SELECT id, person_id FROM followups WHERE private=1 ORDER BY id")
    assert row is not None
    return str(row["id"]), str(row["person_id"])


def test_private_details_stay_at_the_site_unless_the_config_sends_them(
    sites: tuple[Path, Path], pg_url: str
) -> None:
    from services import sync

    a, _ = sites
    site = open_store(a)
    case_id, person_id = _private_case(site)
    full = json.loads(str(site.scalar("SELECT data FROM followups WHERE id=?", (case_id,))))
    site.close()
    assert full["description"] and full["person_name"]
    sync.push(a, pg_url, DEFAULT)
    hub = open_store(pg_url)
    try:
        row = hub.query_one("SELECT person_id, data FROM followups WHERE id=?", (case_id,))
        assert row is not None and row["person_id"] is None
        sent = json.loads(row["data"])
        assert sent["is_redacted"] is True
        assert full["description"] not in row["data"] and full["person_name"] not in row["data"]
        assert sent["contacts"] == [] and sent["responsible_id"] == full["responsible_id"]
        # the setting on: the same push sends the whole case
        pushed = sync.push(a, pg_url, SEND_PRIVATE)
        assert pushed.written >= 1
        row = hub.query_one("SELECT person_id, data FROM followups WHERE id=?", (case_id,))
        assert row is not None and row["person_id"] == person_id
        assert json.loads(row["data"])["description"] == full["description"]
    finally:
        hub.close()


def test_a_site_record_is_read_only_at_the_hub(sites: tuple[Path, Path], pg_url: str) -> None:
    from services import roster, sync

    a, _ = sites
    sync.push(a, pg_url, DEFAULT)
    hub = open_store(pg_url, actor="党委")
    try:
        pid = str(hub.scalar("SELECT id FROM people ORDER BY id LIMIT 1"))
        person = roster.get_person(hub, pid)
        assert person is not None
        with pytest.raises(DomainError) as refused:
            roster.save_person(hub, person.model_copy(update={"phone": "13900000000"}))
        assert str(refused.value) == "这是第一作业区的记录，在党委汇总库中只读。"
        assert hub.scalar("SELECT phone FROM people WHERE id=?", (pid,)) == person.phone
        with pytest.raises(DomainError):  # a delete behind the app's back too
            from services.errors import storage_errors

            with storage_errors(), hub.write() as c:
                c.execute("DELETE FROM handovers")
    finally:
        hub.close()


def test_the_cli_shows_the_read_only_message_not_a_traceback(
    sites: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The CLI opens files by path today (a URL --db for every command is
    # storage.pg's work), so this one runs on a SQLite hub.
    a, _ = sites
    hub = tmp_path / "hub.db"
    open_store(hub).close()
    assert main(["--db", str(a), "sync", "push", "--to", str(hub)]) == 0
    capsys.readouterr()
    code = main(["--db", str(hub), "branch", "term", "采油一队党支部", "--last", "2025-01-01"])
    err = capsys.readouterr().err
    assert code == 65, err
    assert "在党委汇总库中只读" in err and "Traceback" not in err


def test_a_tampered_site_audit_row_is_refused_and_nothing_written(
    sites: tuple[Path, Path], pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a, _ = sites
    hub = open_store(pg_url)
    before = content_hash(hub)
    site = open_store(a)
    with site.write() as c:
        c.execute("DROP TRIGGER audit_no_update")
        c.execute("UPDATE audit SET detail='x' WHERE seq=5")
    site.close()
    capsys.readouterr()
    assert main(["--db", str(a), "sync", "push", "--to", pg_url]) == 65
    assert "审计链校验未通过" in capsys.readouterr().err
    assert content_hash(hub) == before
    assert hub.scalar("SELECT count(*) FROM sync_sites") == 0
    hub.close()


def _rewrite(bundle: Path, change: object) -> None:
    """Edit a bundle's content and give it a correct checksum again (what a
    forger without the site's database could do)."""
    raw = gzip.decompress(bundle.read_bytes())
    head, _, body = raw.partition(b"\n")
    content = json.loads(body)
    assert callable(change)
    change(content)
    body = json.dumps(content, ensure_ascii=False).encode()
    header = json.loads(head)
    header.update(sha256=hashlib.sha256(body).hexdigest(), bytes=len(body))
    bundle.write_bytes(gzip.compress(json.dumps(header).encode() + b"\n" + body))


def test_a_damaged_or_altered_bundle_is_refused_and_nothing_written(
    sites: tuple[Path, Path], pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, b = sites
    good = tmp_path / "b.zsync"
    assert main(["--db", str(b), "sync", "export", "-o", str(good)]) == 0
    data = good.read_bytes()
    hub = open_store(pg_url)
    before = content_hash(hub)

    truncated = tmp_path / "cut.zsync"
    truncated.write_bytes(data[: len(data) // 2])
    flipped = tmp_path / "flip.zsync"
    raw = bytearray(gzip.decompress(data))
    raw[len(raw) // 2] ^= 0x01
    flipped.write_bytes(gzip.compress(bytes(raw)))
    chain = tmp_path / "chain.zsync"
    chain.write_bytes(data)
    _rewrite(chain, lambda c: c["audit"][10].update(actor="别人"))
    reordered = tmp_path / "gap.zsync"
    reordered.write_bytes(data)
    _rewrite(reordered, lambda c: c["audit"].pop(3))
    capsys.readouterr()
    for bad, why in (
        (truncated, "不完整"),
        (flipped, "sha256"),
        (chain, "第 11 条校验未通过"),
        (reordered, "校验未通过"),
    ):
        assert main(["--db", pg_url, "sync", "import", str(bad)]) == 65, bad
        err = capsys.readouterr().err
        assert why in err and "没有写入任何内容" in err, err
        assert content_hash(hub) == before
    assert main(["--db", pg_url, "sync", "import", str(good)]) == 0
    assert hub.scalar("SELECT count(*) FROM sync_sites") == 1
    hub.close()


def test_a_killed_push_leaves_the_hub_unchanged_and_the_next_one_completes(
    sites: tuple[Path, Path], pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services import sync

    a, _ = sites
    real = sync_store._write_children
    calls = {"n": 0}

    def dies_midway(conn: object, table: str, r: object) -> None:
        calls["n"] += 1
        if calls["n"] == 150:
            raise KeyboardInterrupt  # the push is killed halfway through its records
        real(conn, table, r)  # type: ignore[arg-type]

    hub = open_store(pg_url)
    before = content_hash(hub)
    monkeypatch.setattr(sync_store, "_write_children", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        sync.push(a, pg_url, DEFAULT)
    assert calls["n"] == 150
    assert content_hash(hub) == before
    assert hub.scalar("SELECT count(*) FROM org_units") == 0
    monkeypatch.setattr(sync_store, "_write_children", real)
    pushed = sync.push(a, pg_url, DEFAULT)
    site = open_store(a)
    assert pushed.written == sum(
        int(site.scalar(f"SELECT count(*) FROM {t}") or 0) for t, _ in SYNCED
    )
    assert counts(hub) == counts(site)
    site.close()
    hub.close()


def test_a_bundle_from_another_schema_version_is_refused(
    sites: tuple[Path, Path], pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, b = sites
    bundle = tmp_path / "b.zsync"
    assert main(["--db", str(b), "sync", "export", "-o", str(bundle)]) == 0
    _rewrite(bundle, lambda c: c.update(schema_version=SCHEMA_VERSION - 1))
    capsys.readouterr()
    assert main(["--db", pg_url, "sync", "import", str(bundle)]) == 65
    assert "结构版本" in capsys.readouterr().err


def test_site_shows_and_names_the_site(
    tmp_path: Path, today: date, capsys: pytest.CaptureFixture[str]
) -> None:
    db = demo_db(tmp_path / "s.db", actor="tester", today=today)
    assert main(["--db", str(db), "site"]) == 0
    first = capsys.readouterr().out
    assert "作业区：第一作业区党总支" in first
    assert main(["--db", str(db), "site", "--name", "第一作业区"]) == 0
    assert main(["--db", str(db), "site"]) == 0
    again = capsys.readouterr().out
    site_id = first.split("编号：")[1].split()[0]
    assert "作业区：第一作业区" in again and f"编号：{site_id}" in again
    assert len(site_id) == 32
