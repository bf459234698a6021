"""`zhibu export ledger`: the 一人一事台账 as .docx (or .xlsx, --format), one per branch
(services.export_ledger; the follow-up list screen runs the same code).
The 外发版 (private cases redacted) unless --internal; into the export
folder unless -o."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import OUTPUT_HELP, add_format_option, err, formats_of, output_dir, say

if TYPE_CHECKING:
    from services.database import DbTarget
    from services.settings import Settings

EXPORT_NAME = "ledger"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("ledger", help="一人一事台账（每个支部一个 .docx 或 .xlsx）")
    p.add_argument("-o", "--output", metavar="DIR", help=OUTPUT_HELP)
    p.add_argument(
        "--branch", metavar="NAME", help="只导出这个支部（默认：期间内有记录的所有支部）"
    )
    p.add_argument(
        "--from", dest="date_from", metavar="DATE", help="开始日期（默认当年1月1日），如 2026-01-01"
    )
    p.add_argument(
        "--to", dest="date_to", metavar="DATE", help="结束日期（默认今天），如 2026-03-31"
    )
    version = p.add_mutually_exclusive_group()
    version.add_argument(
        "--internal",
        action="store_true",
        help="内部版：含保密事项详情，每页页眉注明「内部版 含保密内容」（仅限本支部书记）",
    )
    version.add_argument(
        "--redact-private",
        action="store_true",
        help="外发版：隐去所有保密事项的详情（默认）",
    )
    add_format_option(p)


def run(args: argparse.Namespace, db_path: DbTarget, settings: Settings | None = None) -> int:
    from domain.dates import DateParseError, parse_date
    from services.database import open_existing
    from services.export_ledger import default_range, export_for_command

    today = date.today()
    try:
        start, end = default_range(
            parse_date(args.date_from, today=today) if args.date_from else None,
            parse_date(args.date_to, today=today) if args.date_to else None,
            today,
        )
    except DateParseError as e:
        err(f"日期有误：{e}")
        return exit_codes.USAGE
    store = open_existing(db_path)
    try:
        result = export_for_command(
            store,
            output_dir(args.output),
            start=start,
            end=end,
            branch_name=args.branch,
            internal=args.internal,
            progress=say,
            formats=formats_of(args),
        )
    finally:
        store.close()
    if not result.files:
        print("该期间没有一人一事记录，未生成文件。")
        return exit_codes.OK
    if result.hidden:
        print(f"外发版：{result.hidden} 件保密事项已隐去详情（本支部书记可用 --internal 导出内部版）。")
    print(f"共导出 {sum(len(f.paths) for f in result.files)} 个文件。")
    return exit_codes.OK
