"""`zhibu export report --quarter 2026Q4 -o DIR`: 季度党建工作报告 (.docx, or its tables as .xlsx with --format xlsx)
(services.export_report; the participation screen runs the same code)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import OUTPUT_HELP, add_format_option, as_of, err, formats_of, output_dir, say

if TYPE_CHECKING:
    from services.database import DbTarget
    from services.settings import Settings

EXPORT_NAME = "report"


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        EXPORT_NAME, help="季度党建工作报告（每个支部一个 .docx，党总支另有汇总）"
    )
    p.add_argument("-o", "--output", help=OUTPUT_HELP)
    p.add_argument("--quarter", help="季度，如 2026Q4 或 2026年第四季度（默认本季度）")
    p.add_argument("--org", help="只导出这个支部或党总支（写名称；党总支含其所属支部）")
    p.add_argument("--as-of", dest="as_of", help="数据截至日期（默认今天），如 2026-12-31")
    add_format_option(p)  # xlsx: the report's tables (三会一课、组织生活、党费…), one sheet each
    return p


def run(args: argparse.Namespace, db_path: DbTarget, settings: Settings | None = None) -> int:
    from domain.periods import PeriodKind, PeriodParseError, parse_period, quarter_of
    from services.database import open_existing
    from services.export_report import export_for_command
    from tui.cli_progress import progress_line

    today = as_of(args)
    if today is None:
        return exit_codes.USAGE
    try:
        period = parse_period(args.quarter) if args.quarter else quarter_of(today)
    except PeriodParseError as e:
        err(f"季度有误：{e}")
        return exit_codes.USAGE
    if period.kind is not PeriodKind.QUARTER:
        err(f"“{args.quarter}”不是季度，请写成 2026Q4 或 2026年第四季度")
        return exit_codes.USAGE
    store = open_existing(db_path)
    try:
        files = export_for_command(
            store, output_dir(args.output), period=period, today=today, org_name=args.org, progress=say,
            step=progress_line("导出季度报告"), formats=formats_of(args),
        )
    finally:
        store.close()
    if not files:
        print("没有支部，未生成文件。")
        return exit_codes.OK
    print(f"共导出 {len(files)} 个文件。")
    return exit_codes.OK
