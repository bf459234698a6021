"""The offline bundle: a site's full snapshot in one checksummed file (docs/SYNC.md#how-it-works).

Layout: gzip of one header line (JSON: format, format version, the body's
sha256 and length) followed by the body (JSON: site id and name, schema
version, records, audit rows). A file cut short fails to decompress or
falls short of its length; a changed byte fails the sha256. The checksum
has no key: it catches damage on the way, and the audit chain, re-verified at
the hub, catches edited history (docs/SYNC.md#guarantees).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from pathlib import Path
from typing import Any

from storage.db import now_iso
from storage.errors import SyncRefusedError
from storage.sync import Payload, Site, Snapshot, full_payload, make_record

FORMAT = "zhibu-sync-bundle"
FORMAT_VERSION = 1


def _refuse(path: Path, why: str) -> SyncRefusedError:
    return SyncRefusedError(f"数据包 {path} 无法使用：{why}。汇总库没有写入任何内容。")


def encode(snap: Snapshot) -> bytes:
    body = json.dumps(
        {
            "created_at": now_iso(),
            "site": {"id": snap.site.id, "name": snap.site.name},
            "schema_version": snap.schema_version,
            "records": [[r.table, r.row, r.children] for r in snap.records],
            "audit": snap.audit,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    ).encode("utf-8")
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sha256": hashlib.sha256(body).hexdigest(),
        "bytes": len(body),
    }
    return gzip.compress(json.dumps(header).encode("ascii") + b"\n" + body, mtime=0)


def write(path: Path, snap: Snapshot) -> int:
    """Write the bundle atomically (a temp file renamed over), 0600; its size."""
    data = encode(snap)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(data)


def decode(path: Path, data: bytes) -> Payload:
    """The payload in *data*; SyncRefusedError when anything is off."""
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        raise _refuse(path, "文件已损坏或不完整（解压失败）") from None
    head, sep, body = raw.partition(b"\n")
    try:
        header = json.loads(head.decode("ascii")) if sep else None
    except (UnicodeDecodeError, ValueError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _refuse(path, "不是 zhibu 数据包")
    if header.get("format_version") != FORMAT_VERSION:
        raise _refuse(
            path, f"数据包格式版本 {header.get('format_version')}，本程序只认 {FORMAT_VERSION}"
        )
    if len(body) != header.get("bytes"):
        raise _refuse(path, "文件不完整（长度不符）")
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        raise _refuse(path, "校验值（sha256）不符，文件被改动或损坏")
    try:
        content: dict[str, Any] = json.loads(body.decode("utf-8"))
        site = Site(id=str(content["site"]["id"]), name=str(content["site"]["name"]))
        records = [
            make_record(str(t), dict(row), dict(kids)) for t, row, kids in content["records"]
        ]
        snap = Snapshot(site, int(content["schema_version"]), records, list(content["audit"]))
    except (ValueError, KeyError, TypeError):
        raise _refuse(path, "内容结构不对") from None
    return full_payload(snap)


def read(path: Path) -> Payload:
    return decode(path, path.read_bytes())
