"""`zhibu export problems`: the 整改台账 (问题清单 and 决议) as .docx and/or
.xlsx (services.export_problems)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import OUTPUT_HELP, add_format_option, formats_of, output_dir, say

if TYPE_CHECKING:
    from services.database import DbTarget
    from services.settings import Settings

EXPORT_NAME = "problems"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        EXPORT_NAME, help="问题整改台账（问题清单及会议决议，.docx、.xlsx）"
    )
    p.add_argument("-o", "--output", metavar="DIR", help=OUTPUT_HELP)
    p.add_argument("--branch", metavar="NAME", help="只导出这个支部（默认：所有支部）")
    add_format_option(p, default=("docx", "xlsx"))


def run(args: argparse.Namespace, db_path: DbTarget, settings: Settings | None = None) -> int:
    from services.database import open_existing
    from services.export_problems import export_problems

    store = open_existing(db_path)
    try:
        files = export_problems(
            store, output_dir(args.output), date.today(), branch_name=args.branch,
            formats=formats_of(args),
        )  # fmt: skip
    finally:
        store.close()
    for f in files:
        say(str(f))
    print(f"共导出 {len(files)} 个文件。")
    return exit_codes.OK
