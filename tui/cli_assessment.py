"""`zhibu export assessment --quarter 2026Q4 -o DIR [--format docx|xlsx] [--branch NAME]`:
党员考核表 of each branch (services.export_assessment; the assessment screen
runs the same code)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import OUTPUT_HELP, as_of, err, output_dir, say

if TYPE_CHECKING:
    from services.database import DbTarget
    from services.settings import Settings

EXPORT_NAME = "assessment"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        EXPORT_NAME, help="党员考核表（每个支部一份 .docx 和 .xlsx）：季度或年度得分、调整、细则"
    )
    p.add_argument("-o", "--output", metavar="DIR", help=OUTPUT_HELP)
    p.add_argument(
        "--quarter", help="季度，如 2026Q4 或 2026年第四季度；写 2026 为全年（默认本季度）"
    )
    p.add_argument(
        "--format", dest="fmt", choices=("docx", "xlsx"), help="只导出一种格式（默认两种都导出）"
    )
    p.add_argument("--branch", metavar="NAME", help="只导出这个支部（默认：所有支部）")
    p.add_argument("--as-of", dest="as_of", help="数据截至日期（默认今天），如 2026-12-31")


def run(args: argparse.Namespace, db_path: DbTarget, settings: Settings | None = None) -> int:
    from domain.periods import PeriodKind, PeriodParseError, parse_period, quarter_of
    from services.database import open_existing
    from services.export_assessment import export_for_command

    today = as_of(args)
    if today is None:
        return exit_codes.USAGE
    try:
        period = parse_period(args.quarter) if args.quarter else quarter_of(today)
    except PeriodParseError:
        # The parser's own hint offers months too, which this command refuses.
        err(f"季度有误：“{args.quarter}”，请写成 2026Q4、2026年第四季度，或 2026（全年）")
        return exit_codes.USAGE
    if period.kind not in (PeriodKind.QUARTER, PeriodKind.YEAR):
        err(f"“{args.quarter}”不是季度或年度，请写成 2026Q4 或 2026")
        return exit_codes.USAGE
    if period.start > today:
        # Nothing to score yet: the sheet would show every member at the base score.
        err(f"{period.label} 尚未开始（截至 {today.isoformat()}），没有可导出的考核得分")
        return exit_codes.USAGE
    store = open_existing(db_path)
    try:
        files = export_for_command(
            store, output_dir(args.output), period=period, today=today,
            fmt=args.fmt or "both", branch_name=args.branch, progress=say,
        )  # fmt: skip
    finally:
        store.close()
    if not files:
        print("没有支部，未生成文件。")
        return exit_codes.OK
    for f in files:
        print(f)
    print(f"共导出 {len(files)} 个文件。")
    return exit_codes.OK
