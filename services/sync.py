"""Site -> 党委 sync: the use cases behind ``zhibu site`` and ``zhibu sync`` (docs/SYNC.md).

push: the site's records and audit chain go to the hub over the network,
only what the hub does not hold yet; export/import: the same through a
checksummed bundle file. Every refusal is a BadData with a Chinese message
(exit 65) and leaves the hub as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import BadData, CannotWrite, InputMissing, InvalidInput, storage_errors

if TYPE_CHECKING:
    from services.settings import Settings
    from storage.db import Store
    from storage.sync import Applied, Payload, Site, SiteSummary, Snapshot

MAX_NAME = 40


@contextmanager
def _opened(target: Path | str, *, create: bool = False) -> Iterator[Store]:
    """A database by path or postgresql:// URL; a missing file is refused
    (nothing created) unless *create*."""
    from services.database import open_existing, open_or_create
    from storage.db import open_store
    from storage.sql import is_database_url

    if is_database_url(target):
        with storage_errors():
            store = open_store(str(target))
    elif create:
        store = open_or_create(Path(target))
    else:
        store = open_existing(Path(target))
    try:
        yield store
    finally:
        store.close()


def site(target: Path | str, *, name: str | None = None) -> Site:
    """This database's site identity, created on first use; *name* renames it."""
    from storage import sync

    if name is not None:
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InvalidInput(f"作业区名称不能为空，且不超过 {MAX_NAME} 个字。")
    with _opened(target) as store, storage_errors():
        return sync.set_site_name(store, name) if name is not None else sync.site_identity(store)


def _snapshot(store: Store, settings: Settings) -> Snapshot:
    """What this site sends: private follow-up details redacted unless the
    config says otherwise (services.private_details decides)."""
    from services.private_details import for_hub
    from storage import sync

    problems = sync.chain_problems(store.conn)
    if problems:
        shown = "、".join(map(str, problems[:10]))
        raise BadData(
            f"本作业区数据库的审计链校验未通过（序号 {shown}）：记录被绕过程序改动过，不能推送。"
            "请运行 zhibu check 查看，并联系管理员。"
        )
    send_private = settings.sync.send_private_details

    def transform(table: str, row: dict[str, object]) -> dict[str, object]:
        return for_hub(row, send_private=send_private) if table == "followups" else row

    return sync.snapshot(store, transform)


@dataclass(frozen=True)
class Pushed:
    site_name: str
    written: int
    deleted: int
    audit_rows: int
    head_seq: int

    @property
    def changed(self) -> bool:
        return bool(self.written or self.deleted or self.audit_rows)


def _pushed(a: Applied) -> Pushed:
    return Pushed(a.site.name, a.written, a.deleted, a.audit_rows, a.head_seq)


def _apply(hub: Store, payload: Payload) -> Applied:
    """A refusal (storage.errors.SyncRefusedError) arrives as StorageFailed,
    a BadData: exit 65."""
    from storage import sync

    with storage_errors():
        return sync.apply(hub, payload, expected_schema=sync.schema_version(hub))


def push(site_db: Path | str, hub: str | Path, settings: Settings) -> Pushed:
    """Send what the hub does not hold of this site yet, in one hub transaction."""
    from storage import sync

    with _opened(site_db) as store:
        with storage_errors():
            snap = _snapshot(store, settings)
    with _opened(hub) as hub_store:
        with storage_errors():
            state = sync.hub_state(hub_store.conn, snap.site.id)
        return _pushed(_apply(hub_store, sync.plan(snap, state)))


@dataclass(frozen=True)
class Exported:
    path: Path
    records: int
    audit_rows: int
    size: int


def export_bundle(site_db: Path | str, out: Path, settings: Settings) -> Exported:
    """Write the site's full snapshot to *out* (the offline route)."""
    from storage import sync_bundle

    with _opened(site_db) as store, storage_errors():
        snap = _snapshot(store, settings)
    if out.is_dir():
        out = out / f"zhibu-sync-{snap.site.id[:8]}.zsync"
    try:
        size = sync_bundle.write(out, snap)
    except OSError as e:
        raise CannotWrite(f"无法写入数据包 {out}：{e.strerror or e}。") from None
    return Exported(out, len(snap.records), len(snap.audit), size)


def import_bundle(hub: str | Path, bundle: Path) -> Pushed:
    """Load a bundle at the hub with the same checks as a push."""
    from storage import sync_bundle

    if not bundle.is_file():
        raise InputMissing(f"数据包不存在：{bundle}")
    try:
        data = bundle.read_bytes()
    except OSError as e:
        raise InputMissing(f"无法读取数据包 {bundle}：{e.strerror or e}") from None
    with storage_errors():
        payload = sync_bundle.decode(bundle, data)
    with _opened(hub) as hub_store:
        return _pushed(_apply(hub_store, payload))


def sites(hub: str | Path) -> list[SiteSummary]:
    from storage import sync

    with _opened(hub) as store, storage_errors():
        return sync.sites(store)


def reverify(hub: str | Path) -> dict[str, list[int]]:
    """Each site's chain re-walked at the hub: site name -> seqs that fail."""
    from storage import sync

    with _opened(hub) as store, storage_errors():
        return {s.name: sync.reverify(store, s.id) for s in sync.sites(store)}
