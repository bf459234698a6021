"""`zhibu export development`: the 发展党员 ledger (.docx, .xlsx) of each
branch and one 发展党员工作记实表 per person (services.export_development)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import OUTPUT_HELP, add_format_option, formats_of, output_dir, say

if TYPE_CHECKING:
    from services.database import DbTarget
    from services.settings import Settings

EXPORT_NAME = "development"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "development", help="发展党员台账（.docx、.xlsx）和每人一份发展党员工作记实表"
    )
    p.add_argument("-o", "--output", metavar="DIR", help=OUTPUT_HELP)
    p.add_argument("--branch", metavar="NAME", help="只导出这个支部（默认：有记录的所有支部）")
    # The 记实表 is a form, not a table: it is always .docx; --format picks the ledger's.
    add_format_option(p, default=("docx", "xlsx"))


def run(args: argparse.Namespace, db_path: DbTarget, settings: Settings | None = None) -> int:
    from services.database import open_existing
    from services.export_development import export_for_command

    store = open_existing(db_path)
    try:
        result = export_for_command(
            store,
            output_dir(args.output),
            branch_name=args.branch,
            progress=say,
            formats=formats_of(args),
            config=settings.rules.development if settings else None,
        )
    finally:
        store.close()
    if not result.files:
        print("没有发展党员记录，未生成文件。")
        return exit_codes.OK
    print(f"共导出 {len(result.files)} 个文件（{result.people} 份记实表）。")
    return exit_codes.OK
