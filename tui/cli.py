"""`zhibu` command line: the app, plus demo / import / check / backup."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TextIO

from tui import exit_codes

if TYPE_CHECKING:
    from services.database import DbTarget
    from services.settings import Settings


def _err(msg: str) -> None:
    print(f"zhibu: {msg}", file=sys.stderr)


DB_HELP = (
    "数据库：SQLite 文件（默认 ~/.local/share/zhibu/zhibu.db），或 PostgreSQL 地址"
    " postgresql://用户@主机/库名；也可用环境变量 ZHIBU_DB"
)


def _add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """--db on the top parser and, with no default, on every subcommand, so
    it works before or after the subcommand (a value given later wins)."""
    parser.add_argument(
        "--db", default=None if top else argparse.SUPPRESS, help=DB_HELP if top else DB_HELP
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _add_global_options(sub, top=False)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("zhibu")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "（未安装，版本未知）"


def build_parser() -> argparse.ArgumentParser:
    from tui.argparse_cn import install

    install()  # argparse's own "usage:", "error:"… in Chinese
    p = argparse.ArgumentParser(
        prog="zhibu",
        description="支部工作台 — 党支部工作终端",
        epilog="退出码：" + "；".join(f"{code} {what}" for code, what in exit_codes.TABLE.items()),
    )
    sub = p.add_subparsers(dest="command")

    d = sub.add_parser("demo", help="生成演示数据库")
    d.add_argument("--people", type=int, default=120, help="人数（默认 120）")
    d.add_argument("--force", action="store_true", help="数据库已有数据时也覆盖")
    d.add_argument("--years", type=int, default=1, help="历史年数（含今年，默认 1）")
    d.add_argument("--branches", type=int, default=None, help="支部数（默认 4，或按人数每支部 30 人）")

    imp = sub.add_parser("import", help="导入数据")
    imp_sub = imp.add_subparsers(dest="what", required=True)
    ip = imp_sub.add_parser("people", help="从 .csv / .xlsx 导入人员")
    ip.add_argument("file")
    ip.add_argument("--branch", help="表中没有“支部”列时，导入到这个支部")
    ip.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    ip.add_argument(
        "--on-duplicate",
        choices=("skip", "update"),
        default="skip",
        help="与花名册中已有的人相同（姓名相同，且出生日期或电话相同）时："
        "skip 跳过（默认），update 用表中的内容更新",
    )

    ex = sub.add_parser("export", help="导出 Word 文档（会议记录 / 党课计划 / 台账 / 季度报告）")
    ex_sub = ex.add_subparsers(dest="what", required=True)
    for module in _export_modules():
        module.add_parser(ex_sub)

    sub.add_parser("check", help="检查数据库完整性和结构版本")
    b = sub.add_parser("backup", help="在线备份数据库")
    b.add_argument(
        "-o", "--output", required=True,
        help="备份文件路径；是文件夹（已存在，或以 / 结尾）时在其中写入 数据库名-日期-时间.db",
    )  # fmt: skip
    b.add_argument("--force", action="store_true", help="覆盖已有的备份文件")
    b.add_argument(
        "--keep", type=int, metavar="N",
        help="（-o 为文件夹时）只保留最新的 N 份备份，更早的删除（每晚定时备份用）",
    )  # fmt: skip
    from tui import cli_admin

    cli_admin.add_parser(sub)
    from tui import cli_holidays

    cli_holidays.add_parser(sub)
    from tui import cli_branch

    cli_branch.add_parser(sub)
    from tui import cli_config

    cli_config.add_parser(sub)
    from tui import cli_remind

    cli_remind.add_parser(sub)
    from tui import cli_sync

    cli_sync.add_parser(sub)
    _add_global_options(p, top=True)
    p.add_argument("--version", action="version", version=f"zhibu {_version()}",
                   help="显示版本号并退出")  # fmt: skip
    p.add_argument(
        "--theme",
        choices=("default", "ansi16", "ascii"),
        help="界面主题：default 默认，ansi16 只用 16 种 ANSI 颜色，ascii 用 ASCII 字符画边框"
        "（覆盖配置文件的 theme）",
    )
    return p


# Each export lives in its own module with add_parser(subparsers) and
# run(args, db_path) -> int; the parser's "what" names the module.
EXPORT_MODULES = (
    "tui.cli_minutes", "tui.cli_rota", "tui.cli_ledger", "tui.cli_report", "tui.cli_development",
    "tui.cli_assessment",
    "tui.cli_problems",
)  # fmt: skip


def _export_modules() -> list[ModuleType]:
    import importlib

    found: list[ModuleType] = []
    for name in EXPORT_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as e:
            if e.name != name:  # a real import error inside the module
                raise
    return found


def _quiet_unraisable(unraisable: object) -> None:
    """An error in a __del__ (e.g. a half-closed ZipFile after a full disk)
    would print "Exception ignored in …" with a traceback over the screen;
    the failure itself was already reported where it happened."""


class _ClosedStdoutIsQuiet:
    """sys.stdout for the commands: once the reader has gone (`zhibu config |
    head -3`), further output is dropped instead of raising BrokenPipeError,
    so the command still finishes its work and returns its own exit code."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def _gone(self) -> None:
        # Point the descriptor at /dev/null so the interpreter's own flush at
        # exit finds nothing to complain about either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        finally:
            os.close(devnull)

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._gone()

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def _key_spec_ok(spec: str) -> bool:
    """A key as Textual names it ("ctrl+x", "f2", "x", "question_mark", a
    comma-separated list of them); a typo such as "ctrl+blah" would leave the
    action on no key at all."""
    from textual.keys import Keys, key_to_character

    names = {k.value for k in Keys if "+" not in k.value and not k.value.startswith("<")}
    for one in spec.split(","):
        *mods, base = one.strip().split("+")
        if any(m not in _MODIFIERS for m in mods) or len(set(mods)) != len(mods):
            return False
        single = len(base) == 1 and base.isprintable() and not base.isspace()
        if not (single or base in names or key_to_character(base) is not None):
            return False
    return True


def load(args: argparse.Namespace) -> Settings:
    """The configuration files, the environment and the flags, read once
    (services.settings); ConfigError when a file cannot be used."""
    from services.export_folder import configure
    from services.settings import load_settings

    settings = load_settings({"database": args.db, "theme": getattr(args, "theme", None)})
    if settings.keys:
        from services.settings import key_error
        from tui.app import remappable_keys

        known = remappable_keys()
        for bid in settings.keys:
            if bid not in known:
                names = "、".join(known)
                raise key_error(settings, f"keys.{bid}", f"没有这个按键名称（可用：{names}）")
        for bid, spec in settings.keys.items():
            if not _key_spec_ok(spec):
                raise key_error(settings, f"keys.{bid}",
                                f"“{spec}”不是有效的按键写法（如 ctrl+x、f2、x，小写）")  # fmt: skip
        # Two keys on one key: one of them could never be pressed.
        owner: dict[str, str] = {}
        for bid, binding in known.items():
            for one in (settings.keys.get(bid) or binding.key).split(","):
                other = owner.setdefault(one.strip(), bid)
                if other != bid:
                    remapped = bid if bid in settings.keys else other
                    clash = other if remapped == bid else bid
                    raise key_error(
                        settings, f"keys.{remapped}",
                        f"按键 {one.strip()} 已用于“{known[clash].description}”"
                        f"（[keys] 中的名称 {clash}），两项不能用同一个键",
                    )  # fmt: skip
    configure(settings)
    return settings


def main(argv: list[str] | None = None) -> int:
    sys.unraisablehook = _quiet_unraisable  # never a traceback on the terminal
    stdout = sys.stdout
    quiet = _ClosedStdoutIsQuiet(stdout)
    sys.stdout = quiet
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            sys.stdout = stdout  # the app owns the terminal
        return _main(args)
    finally:
        quiet.flush()
        sys.stdout = stdout


def _main(args: argparse.Namespace) -> int:
    from services.settings import ConfigError
    from storage.paths import local_path, resolve_db_target

    try:
        settings = load(args)
    except ConfigError as e:
        _err(str(e))
        return exit_codes.CONFIG
    db_path = resolve_db_target(settings.database)
    try:
        return _dispatch(args, db_path, settings)
    except KeyboardInterrupt:
        return exit_codes.INTERRUPTED
    except Exception as e:  # noqa: BLE001 - last line of defence: no tracebacks
        from services.errors import DomainError
        from storage.errors import StorageError

        if isinstance(e, DomainError):
            _err(str(e))
            return exit_codes.for_error(e)
        if isinstance(e, StorageError):  # a storage call outside a service
            _err(str(e))
            return exit_codes.DATA
        from tui.crash import write_crash_log

        near = local_path(db_path)  # a URL's: its local state folder
        try:
            log = write_crash_log(near, e) if near.parent.exists() else None
        except OSError:
            log = None
        _err(f"意外错误（{type(e).__name__}）。" + (f"详情见 {log}" if log else ""))
        return exit_codes.SOFTWARE


def _dispatch(args: argparse.Namespace, db_path: DbTarget, settings: Settings) -> int:
    if args.command is None:
        from services.settings import Source

        # A path named by a flag or a file is never created silently: a typo
        # there must not leave a new empty database behind.
        named = settings.origin("database") in (Source.FLAG, Source.SYSTEM, Source.USER)
        return run_app(db_path, explicit=named, settings=settings)
    if args.command == "demo":
        return cmd_demo(db_path, args.people, args.force, years=args.years, branches=args.branches)
    if args.command == "import":
        return cmd_import_people(
            db_path, Path(args.file), args.branch, args.dry_run, args.on_duplicate
        )
    if args.command == "export":
        for module in _export_modules():
            if module.EXPORT_NAME == args.what:
                return int(module.run(args, db_path, settings))
    if args.command == "check":
        return cmd_check(db_path)
    if args.command == "backup":
        return cmd_backup(db_path, args.output, force=args.force, keep=args.keep)
    if args.command == "admin":
        from tui import cli_admin

        return cli_admin.run(args, db_path)
    if args.command == "holidays":
        from tui import cli_holidays

        return cli_holidays.run(args, db_path)
    if args.command == "branch":
        from tui import cli_branch

        return cli_branch.run(args, db_path, settings)
    if args.command == "config":
        from tui import cli_config

        return cli_config.run_config(settings)
    if args.command == "help":
        from tui import cli_config

        return cli_config.run_help(args.topic, settings)
    if args.command == "remind":
        from tui import cli_remind

        return cli_remind.run(args, db_path, settings)
    if args.command in ("site", "sync"):
        from tui import cli_sync

        if args.command == "site":
            return cli_sync.run_site(args, db_path)
        return cli_sync.run(args, db_path, settings)
    return exit_codes.USAGE


CREATE_PROMPT = "数据库 {path} 不存在，新建吗？[y/N] "


CREATE_PG_PROMPT = "数据库 {path} 中还没有 zhibu 的数据，在其中新建吗？[y/N] "


def confirm_create(db_path: DbTarget) -> bool:
    """Ask on the terminal, before Textual starts, whether to create *db_path*
    (a PostgreSQL database: whether to install the schema in it).

    Without a terminal to ask on, refuse: a mistyped --db in a script must
    not leave a new empty database behind."""
    from services.database import DbUrl, missing_message, target_label

    label = target_label(db_path)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _err(missing_message(db_path))
        return False
    prompt = CREATE_PG_PROMPT if isinstance(db_path, DbUrl) else CREATE_PROMPT
    try:
        answer = input(prompt.format(path=label))
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes", "是"):
        return True
    _err(f"没有新建数据库 {label}。")
    return False


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


def run_app(
    db_path: DbTarget, *, explicit: bool = False, settings: Settings | None = None
) -> int:
    """The app. A database named with --db that does not exist (a PostgreSQL
    one without the schema) is created only after the user says so; the
    default one is created on first start."""
    from services.database import exists, open_existing, open_or_create

    if explicit and not exists(db_path):
        if not confirm_create(db_path):
            return exit_codes.NO_INPUT
        store = open_or_create(db_path)
    elif explicit:
        store = open_existing(db_path)
    else:
        store = open_or_create(db_path)
    frame_rate()
    from tui.app import make_app
    from tui.terminal import harden_terminal

    harden_terminal()  # GBK input, dead terminal after hang-up, control chars in output
    app = make_app(db_path, store=store, settings=settings)
    # One app per process here (not in tests, where freezing would keep every
    # finished app's objects alive).
    app.freeze_heap_after_warm_up = True
    app.run()
    store.close()
    if not app.return_code and isinstance(db_path, Path):
        from storage.db import mark_verified

        mark_verified(db_path)  # a clean exit: only SQLite wrote to the file
    return app.return_code or 0


def cmd_demo(
    db_path: DbTarget, n: int, force: bool, *, years: int = 1, branches: int | None = None
) -> int:
    from services.demo import build

    counts = build(
        db_path, people_count=n, force=force, progress=lambda m: print(m, flush=True),
        years=years, branches=branches,
    )  # fmt: skip
    labels = {
        "meetings": "次会议",
        "lectures": "次党课",
        "followups": "件一人一事",
        "dues": "条党费记录",
        "development": "条发展党员记录",
        "problems": "项问题清单",
        "history_meetings": "次往年会议",
        "history_followups": "件往年一人一事",
        "history_lectures": "次往年轮讲党课",
        "history_development": "条往年发展党员记录",
    }
    # A count without a Chinese label is left out rather than printed in English.
    extra = "".join(f"，{v} {labels[k]}" for k, v in counts.items() if k in labels)
    from services.database import target_label

    print(
        f"演示数据库已生成：{target_label(db_path)}（{counts['branches']} 个支部，{counts['people']} 人{extra}）"
    )
    return exit_codes.OK


def cmd_import_people(
    db_path: DbTarget, file: Path, branch: str | None, dry_run: bool, on_duplicate: str = "skip"
) -> int:
    from services.database import open_existing
    from services.import_people import import_people
    from tui.cli_progress import progress_line

    store = open_existing(db_path)
    try:
        result = import_people(
            store, file, branch_name=branch, dry_run=dry_run, on_duplicate=on_duplicate,
            step=progress_line("导入人员"),
        )
    finally:
        store.close()
    preview = result.preview
    for e in preview.errors:
        print(f"第 {e.row} 行：{e.message}", file=sys.stderr)
    if preview.errors:
        _err(f"{len(preview.errors)} 行有错误，未导入任何数据（共读取 {preview.rows_read} 行）")
        return exit_codes.DATA
    dupes = len(preview.duplicates)
    for d in preview.duplicates[:20]:
        print(f"第 {d.row} 行：{d.existing.name} 已在花名册中（{d.by}相同）", file=sys.stderr)
    if dupes > 20:
        print(f"……另有 {dupes - 20} 行与花名册中已有的人相同", file=sys.stderr)
    if dry_run:
        print(
            f"检查通过：{len(preview.people) - dupes} 人可以导入，{dupes} 人与花名册中已有的人"
            "相同（未写入）"
        )
        return exit_codes.OK
    print(f"已导入 {result.imported} 人，更新 {result.updated} 人，跳过重复 {result.skipped} 人")
    return exit_codes.OK


def cmd_check(db_path: DbTarget) -> int:
    from services.backup import check

    report = check(db_path)
    for line in report.lines:
        print(line)
    return exit_codes.OK if report.ok else exit_codes.DATA


def cmd_backup(
    db_path: DbTarget, output: str | Path, *, force: bool = False, keep: int | None = None
) -> int:
    from services.backup import backup, backup_into_folder

    folder = Path(output).expanduser()
    if str(output).endswith("/") or folder.is_dir():
        done = backup_into_folder(db_path, folder, keep=keep)
        print(f"已备份到 {done.written}（完整性检查通过）")
        for old in done.removed:
            print(f"已删除较早的备份 {old}")
        print(f"{folder} 中共有 {len(done.kept)} 份备份")
        return exit_codes.OK
    if keep is not None:
        _err("--keep 需要 -o 是文件夹（例如 -o /var/backups/zhibu/）")
        return exit_codes.USAGE
    out = backup(db_path, folder, force=force)
    print(f"已备份到 {out}（完整性检查通过）")
    return exit_codes.OK


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    sys.exit(main())
