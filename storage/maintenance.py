"""`zhibu check` and `zhibu backup`."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from storage.audit import verify_chain
from storage.db import check_file_is_sqlite
from storage.errors import StorageError
from storage.migrations import SCHEMA_VERSION, backup_to


@dataclass
class CheckReport:
    ok: bool = True
    lines: list[str] = field(default_factory=list)


def _readonly(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=15)
    conn.execute("PRAGMA busy_timeout=15000")
    return conn


def check(path: Path) -> CheckReport:
    """Integrity, schema version and the audit hash chain; writes nothing."""
    report = CheckReport()
    try:
        check_file_is_sqlite(path)
        conn = _readonly(path)
    except (StorageError, sqlite3.DatabaseError) as e:
        return CheckReport(False, [f"错误：{e}"])
    try:
        integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if integrity == ["ok"]:
            report.lines.append("完整性：ok")
        else:
            report.ok = False
            report.lines.append("完整性：有问题")
            report.lines += [f"  {r}" for r in integrity[:20]]
        report.lines.append(f"结构版本：{version}（程序支持 {SCHEMA_VERSION}）")
        if version != SCHEMA_VERSION:
            report.ok = report.ok and version < SCHEMA_VERSION
        has_audit = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='audit'"
        ).fetchone()
        if has_audit:
            bad = verify_chain(conn)
            n = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
            if bad:
                report.ok = False
                report.lines.append(f"审计日志：{len(bad)} 条记录被篡改（序号 {', '.join(map(str, bad[:10]))}）")
            else:
                report.lines.append(f"审计日志：{n} 条，哈希链完整")
    except sqlite3.DatabaseError as e:
        report.ok = False
        report.lines.append(f"错误：数据库损坏（{e}）")
    finally:
        conn.close()
    return report


def backup(path: Path, output: Path) -> Path:
    """Online backup, consistent while others write; verified afterwards."""
    check_file_is_sqlite(path)
    src = sqlite3.connect(str(path), timeout=15)
    try:
        src.execute("PRAGMA busy_timeout=15000")
        output.parent.mkdir(parents=True, exist_ok=True)
        backup_to(src, output)
    finally:
        src.close()
    dst = sqlite3.connect(str(output))
    try:
        result = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
    if result != "ok":
        raise StorageError(f"备份文件完整性检查失败：{result}")
    return output
