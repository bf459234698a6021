"""`zhibu` command line: the app, plus demo / import / check / backup."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_USAGE = 2
EXIT_DATA = 65  # EX_DATAERR
EXIT_IO = 74  # EX_IOERR


def _err(msg: str) -> None:
    print(f"zhibu: {msg}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zhibu", description="支部工作台 — 党支部工作终端")
    p.add_argument(
        "--db", help="数据库文件（默认 ~/.local/share/zhibu/zhibu.db，或环境变量 ZHIBU_DB）"
    )
    sub = p.add_subparsers(dest="command")

    d = sub.add_parser("demo", help="生成演示数据库")
    d.add_argument("--db", dest="sub_db", help=argparse.SUPPRESS)
    d.add_argument("--people", type=int, default=120, help="人数（默认 120）")
    d.add_argument("--force", action="store_true", help="数据库已有数据时也覆盖")

    imp = sub.add_parser("import", help="导入数据")
    imp_sub = imp.add_subparsers(dest="what", required=True)
    ip = imp_sub.add_parser("people", help="从 .csv / .xlsx 导入人员")
    ip.add_argument("file")
    ip.add_argument("--branch", help="表中没有“支部”列时，导入到这个支部")
    ip.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    ex = sub.add_parser("export", help="导出 Word 文档（会议记录 / 党课计划 / 台账 / 季度报告）")
    ex_sub = ex.add_subparsers(dest="what", required=True)
    for module in _export_modules():
        module.add_parser(ex_sub)

    sub.add_parser("check", help="检查数据库完整性和结构版本")
    b = sub.add_parser("backup", help="在线备份数据库")
    b.add_argument("-o", "--output", required=True, help="备份文件路径")
    return p


# Each export lives in its own module with add_parser(subparsers) and
# run(args, db_path) -> int; the parser's "what" names the module.
EXPORT_MODULES = ("tui.cli_minutes", "tui.cli_rota", "tui.cli_ledger", "tui.cli_report")


def _export_modules() -> list:  # type: ignore[type-arg]
    import importlib

    found = []
    for name in EXPORT_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as e:
            if e.name != name:  # a real import error inside the module
                raise
    return found


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    db_arg = getattr(args, "sub_db", None) or args.db
    from storage.paths import resolve_db_path

    db_path = resolve_db_path(db_arg)
    try:
        if args.command is None:
            return run_app(db_path)
        if args.command == "demo":
            return cmd_demo(db_path, args.people, args.force)
        if args.command == "import":
            return cmd_import_people(db_path, Path(args.file), args.branch, args.dry_run)
        if args.command == "export":
            for module in _export_modules():
                if module.EXPORT_NAME == args.what:
                    return int(module.run(args, db_path))
        if args.command == "check":
            return cmd_check(db_path)
        if args.command == "backup":
            return cmd_backup(db_path, Path(args.output))
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # noqa: BLE001 - last line of defence: no tracebacks
        from storage.errors import StorageError

        if isinstance(e, StorageError):
            _err(str(e))
            return EXIT_DATA
        from tui.crash import write_crash_log

        log = write_crash_log(db_path, e) if db_path.parent.exists() else None
        _err(f"意外错误（{type(e).__name__}）。" + (f"详情见 {log}" if log else ""))
        return 1
    return EXIT_USAGE


def _open(db_path: Path, *, must_exist: bool = False):  # type: ignore[no-untyped-def]
    from storage.db import open_store

    if must_exist and not db_path.exists():
        raise FileNotFoundError(db_path)
    return open_store(db_path)


UI_FPS = "120"


def frame_rate() -> None:
    """Let Textual draw up to 120 frames a second instead of 60 (TEXTUAL_FPS,
    read when Textual is imported; an administrator's own setting wins).

    The cap is the longest a change waits for its frame: a search list that
    is ready 5 ms after the key's echo waited up to 17 ms, now 8. Frames are
    drawn only when something changed, so idle output stays at zero and a
    keystroke still costs the same bytes.
    """
    os.environ.setdefault("TEXTUAL_FPS", UI_FPS)


def run_app(db_path: Path) -> int:
    from storage.errors import StorageError

    try:
        store = _open(db_path)
    except StorageError as e:
        _err(str(e))
        return EXIT_DATA
    frame_rate()
    from tui.app import make_app
    from tui.terminal import harden_terminal

    harden_terminal()  # GBK input, dead terminal after hang-up, control chars in output
    app = make_app(db_path, store=store)
    # One app per process here (not in tests, where freezing would keep every
    # finished app's objects alive).
    app.freeze_heap_after_warm_up = True
    app.run()
    store.close()
    if not app.return_code:
        from storage.db import mark_verified

        mark_verified(db_path)  # a clean exit: only SQLite wrote to the file
    return app.return_code or 0


def cmd_demo(db_path: Path, n: int, force: bool) -> int:
    if n < 1 or n > 200_000:
        _err("--people 应在 1 到 200000 之间")
        return EXIT_USAGE
    if db_path.exists() and db_path.stat().st_size > 0:
        store = _open(db_path)
        from storage import people

        if people.count_all(store) and not force:
            store.close()
            _err(f"{db_path} 已有数据；如确要重建请先删除该文件，或加 --force")
            return EXIT_USAGE
        store.close()
        if force:
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
    store = _open(db_path)
    from storage.demo import build_demo

    counts = build_demo(store, people_count=n, progress=lambda m: print(m, flush=True))
    store.close()
    labels = {
        "meetings": "次会议",
        "lectures": "次党课",
        "followups": "件一人一事",
        "dues": "条党费记录",
    }
    extra = "".join(
        f"，{v} {labels.get(k, k)}" for k, v in counts.items() if k not in ("branches", "people")
    )
    print(
        f"演示数据库已生成：{db_path}（{counts['branches']} 个支部，{counts['people']} 人{extra}）"
    )
    return 0


def cmd_import_people(db_path: Path, file: Path, branch: str | None, dry_run: bool) -> int:
    from domain.people_import import ImportFileError, build_preview, read_table
    from storage import org, people

    store = _open(db_path)
    try:
        branch_ids, group_ids = org.lookup_maps(store)
        default = None
        if branch:
            if branch not in branch_ids:
                _err(f"找不到支部“{branch}”")
                return EXIT_USAGE
            default = branch_ids[branch]
        try:
            table = read_table(file)
        except ImportFileError as e:
            _err(str(e))
            return EXIT_DATA
        preview = build_preview(
            table, branch_ids=branch_ids, group_ids=group_ids, default_branch_id=default
        )
        for err in preview.errors:
            print(f"第 {err.row} 行：{err.message}", file=sys.stderr)
        if preview.errors:
            _err(f"{len(preview.errors)} 行有错误，未导入任何数据（共读取 {preview.rows_read} 行）")
            return EXIT_DATA
        if dry_run:
            print(f"检查通过：{len(preview.people)} 人可以导入（未写入）")
            return 0
        n = people.import_people(store, preview.people)
        print(f"已导入 {n} 人")
        return 0
    finally:
        store.close()


def cmd_check(db_path: Path) -> int:
    from storage.maintenance import check

    if not db_path.exists():
        _err(f"数据库不存在：{db_path}")
        return EXIT_DATA
    report = check(db_path)
    for line in report.lines:
        print(line)
    return 0 if report.ok else EXIT_DATA


def cmd_backup(db_path: Path, output: Path) -> int:
    from storage.maintenance import backup

    if not db_path.exists():
        _err(f"数据库不存在：{db_path}")
        return EXIT_DATA
    if output.resolve() == db_path.resolve():
        _err("备份文件不能是数据库本身")
        return EXIT_USAGE
    out = backup(db_path, output)
    print(f"已备份到 {out}（完整性检查通过）")
    return 0


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    sys.exit(main())
