"""`zhibu export minutes -o DIR [--branch NAME] [--from DATE] [--to DATE]`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import OUTPUT_HELP, err, output_dir, say

if TYPE_CHECKING:
    from services.database import DbTarget
    from services.settings import Settings

EXPORT_NAME = "minutes"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(EXPORT_NAME, help="导出已完成会议的会议记录（每次会议一个 .docx）")
    p.add_argument("-o", "--output", help=OUTPUT_HELP)
    p.add_argument("--branch", help="只导出这个支部（含其党小组）")
    p.add_argument("--from", dest="date_from", help="起始日期，如 2026-01-01")
    p.add_argument("--to", dest="date_to", help="截止日期")


def run(args: argparse.Namespace, db_path: DbTarget, settings: Settings | None = None) -> int:
    from domain.dates import DateParseError, parse_optional_date
    from services.database import open_existing
    from services.export_minutes import export_minutes
    from tui.cli_progress import progress_line

    try:
        date_from = parse_optional_date(args.date_from or "")
        date_to = parse_optional_date(args.date_to or "")
    except DateParseError as e:
        err(str(e))
        return exit_codes.USAGE
    store = open_existing(db_path)
    try:
        result = export_minutes(
            store,
            output_dir(args.output),
            branch_name=args.branch,
            date_from=date_from,
            date_to=date_to,
            progress=say,
            problem=err,
            step=progress_line("导出会议记录"),
        )
    finally:
        store.close()
    if not result.total:
        print("没有符合条件的已完成会议")
        return exit_codes.OK
    failed = len(result.failed)
    print(
        f"完成：{len(result.written)} 个文件写入 {result.out_dir}"
        + (f"，{failed} 个失败" if failed else "")
    )
    return exit_codes.IO if failed else exit_codes.OK
