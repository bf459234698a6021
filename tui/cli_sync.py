"""`zhibu site [--name N]` and `zhibu sync push|export|import|sites`: site -> 党委.

Parsing and exit codes only; the work is services.sync (docs/SYNC.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import say

if TYPE_CHECKING:
    from services.settings import Settings
    from services.sync import Pushed
    from storage.paths import DbTarget


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    s = sub.add_parser("site", help="本作业区的标识（编号与名称），汇总到党委时用")
    s.add_argument("--name", help="设置作业区名称，如 第一作业区")
    y = sub.add_parser("sync", help="把作业区的数据汇总到党委的数据库（docs/SYNC.md）")
    y_sub = y.add_subparsers(dest="sync_command", required=True)
    p = y_sub.add_parser("push", help="把上次推送以来新建或改动的记录推送到党委汇总库")
    p.add_argument("--to", required=True, metavar="URL", help="汇总库，如 postgresql://…")
    e = y_sub.add_parser("export", help="没有网络时：把本作业区的数据写成带校验的数据包")
    e.add_argument("-o", "--output", required=True, metavar="FILE", help="数据包文件")
    i = y_sub.add_parser("import", help="在党委汇总库导入作业区的数据包")
    i.add_argument("file", metavar="FILE")
    y_sub.add_parser("sites", help="汇总库中的各作业区：最近推送、记录数、审计链头")


def _hub(value: str) -> str | Path:
    from storage.sql import is_database_url

    return value if is_database_url(value) else Path(value).expanduser()


def run_site(args: argparse.Namespace, db_path: DbTarget) -> int:
    from services import sync

    site = sync.site(db_path, name=args.name)
    if args.name is not None:
        say(f"已将作业区名称设为：{site.name}")
    say(f"作业区：{site.name}")
    say(f"编号：{site.id}")
    return exit_codes.OK


def run(args: argparse.Namespace, db_path: DbTarget, settings: Settings) -> int:
    from services import sync

    cmd = args.sync_command
    where = db_path
    if cmd == "push":
        pushed = sync.push(where, _hub(args.to), settings)
        say(_pushed_line(pushed))
    elif cmd == "export":
        done = sync.export_bundle(where, Path(args.output).expanduser(), settings)
        say(
            f"已写入数据包 {done.path}：{done.records} 条记录，审计链 {done.audit_rows} 条，"
            f"{done.size} 字节。请在党委运行 zhibu --db 汇总库 sync import {done.path.name}"
        )
    elif cmd == "import":
        say(_pushed_line(sync.import_bundle(where, Path(args.file).expanduser())))
    elif cmd == "sites":
        rows = sync.sites(where)
        if not rows:
            say("汇总库中还没有作业区的数据。")
        for s in rows:
            say(
                f"{s.name}  最近推送 {s.last_push_at}  最近联系 {s.last_seen_at}  "
                f"记录 {s.records} 条  审计链头 第 {s.audit_seq} 条 {s.audit_hash[:12]}"
            )
    return exit_codes.OK


def _pushed_line(p: Pushed) -> str:
    if not p.changed:
        return f"{p.site_name}：汇总库已是最新，没有要写入的内容。"
    return (
        f"{p.site_name}：写入 {p.written} 条记录，删除 {p.deleted} 条，"
        f"审计链新增 {p.audit_rows} 条（链头 第 {p.head_seq} 条），已校验。"
    )
