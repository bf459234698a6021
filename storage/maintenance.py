"""`zhibu check` and `zhibu backup`."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from storage import audit
from storage.db import check_file_is_sqlite, maybe_in_use, open_read_only, utils_db
from storage.errors import ServerUnreachableError, StorageError
from storage.migrations import MIGRATIONS, SCHEMA_VERSION, backup_to


@dataclass
class CheckReport:
    ok: bool = True
    lines: list[str] = field(default_factory=list)


def check(path: Path) -> CheckReport:
    """Integrity, schema version and the audit trail; writes nothing.

    A database at rest is read immutable, so not even -wal/-shm files appear
    next to a damaged file (storage.db.open_read_only).
    """
    report = CheckReport()
    try:
        if not maybe_in_use(path):
            check_file_is_sqlite(path)
        conn = open_read_only(path)
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
        if version > SCHEMA_VERSION:
            report.ok = False
            report.lines.append("  数据库比本程序新，请升级 zhibu")
        else:
            missing, tables = schema_problems(conn, version)
            if missing:
                report.ok = False
                report.lines.append("结构：缺少表或列")
                report.lines += [f"  {m}" for m in missing[:20]]
            else:
                report.lines.append(f"结构：{tables} 张表，与版本 {version} 一致")
        has_audit = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='audit'"
        ).fetchone()
        if has_audit:
            problems = audit.problems(conn)
            n = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
            if problems:
                report.ok = False
                report.lines += [f"审计日志：{p}" for p in problems]
            else:
                report.lines.append(f"审计日志：{n} 条，哈希链完整")
            count, last = audit.head(conn)
            report.lines.append(f"审计链头：{count} 条，{last}")
    except sqlite3.DatabaseError as e:
        report.ok = False
        report.lines.append(f"错误：数据库损坏（{e}）")
    finally:
        conn.close()
    return report


def check_pg(url: str) -> CheckReport:
    """`zhibu check` on PostgreSQL: schema version and the audit trail, on one
    read-only snapshot. The server keeps its own pages sound (no quick_check);
    nothing is installed or written (docs/POSTGRES.md#check)."""
    from storage.pg import PgStore, pg_schema_version

    report = CheckReport()
    store = PgStore(url)
    try:
        conn = store.conn
        version = store.schema_version()
        supported = pg_schema_version()
        report.lines.append("完整性：由 PostgreSQL 服务器保证（不做 SQLite 的 quick_check）")
        report.lines.append(f"结构版本：{version}（程序支持 {supported}）")
        if version > supported:
            report.ok = False
            report.lines.append("  数据库比本程序新，请升级 zhibu")
        if store.scalar("SELECT to_regclass('audit')") is None:
            report.ok = False
            report.lines.append("审计日志：缺少 audit 表")
            return report
        problems = audit.problems(conn)
        n = int(store.scalar("SELECT count(*) FROM audit") or 0)
        if problems:
            report.ok = False
            report.lines += [f"审计日志：{p}" for p in problems]
        else:
            report.lines.append(f"审计日志：{n} 条，哈希链完整")
        count, last = audit.head(conn)
        report.lines.append(f"审计链头：{count} 条，{last}")
    except ServerUnreachableError:
        raise  # not a finding about the data: the caller exits "unavailable"
    except StorageError as e:
        return CheckReport(False, [f"错误：{e}"])
    except sqlite3.DatabaseError as e:  # storage.pg presents psycopg's errors as sqlite3's
        report.ok = False
        report.lines.append(f"错误：{e}")
    finally:
        store.close()
    return report


def _introspect(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """Table name -> column names, read through sqlite-utils."""
    db = utils_db(conn)
    return {t: set(db[t].columns_dict) for t in db.table_names()}


def schema_problems(conn: sqlite3.Connection, version: int) -> tuple[list[str], int]:
    """Tables and columns the migrations up to *version* create that *conn*
    lacks, and how many tables *conn* has. The expected schema is built by
    running those migrations on an in-memory database."""
    expected_conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for migration in MIGRATIONS[:version]:
            migration(expected_conn)
        expected = _introspect(expected_conn)
    finally:
        expected_conn.close()
    found = _introspect(conn)
    problems = []
    for table, columns in sorted(expected.items()):
        if table not in found:
            problems.append(f"缺少表 {table}")
            continue
        problems += [f"表 {table} 缺少列 {c}" for c in sorted(columns - found[table])]
    return problems, len(found)


def backup(path: Path, output: Path) -> Path:
    """Online backup, consistent while others write; verified afterwards.

    The copy is switched to rollback-journal mode so it is one self-contained
    file (no -wal/-shm to carry along), then integrity-checked.
    """
    if not maybe_in_use(path):
        check_file_is_sqlite(path)
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Built and verified under a temporary name, then renamed: a failure
    # (disk full, kill) leaves no partial file at *output*.
    tmp = output.with_name(f".{output.name}.{os.getpid()}.zhibu-backup-tmp")
    try:
        src = sqlite3.connect(str(path), timeout=15)
        try:
            src.execute("PRAGMA busy_timeout=15000")
            backup_to(src, tmp)
        finally:
            src.close()
        dst = sqlite3.connect(str(tmp))
        try:
            dst.execute("PRAGMA journal_mode=DELETE")
            result = [r[0] for r in dst.execute("PRAGMA integrity_check")]
        finally:
            dst.close()
        if result != ["ok"]:
            raise StorageError(f"备份文件完整性检查失败：{result[0]}")
        os.replace(tmp, output)
    finally:
        for leftover in (tmp, Path(str(tmp) + "-journal")):
            leftover.unlink(missing_ok=True)
    return output
