"""`zhibu export rota -o DIR [--year YYYY] [--org 名称]`: 党课计划表 as .docx (or .xlsx, --format)
(services.export_rota; the plan screen writes the same document)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import OUTPUT_HELP, add_format_option, formats_of, output_dir

if TYPE_CHECKING:
    from services.database import DbTarget
    from services.settings import Settings

EXPORT_NAME = "rota"


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    p = subparsers.add_parser(EXPORT_NAME, help="党课计划表（轮讲计划及课件审核状态）")
    p.add_argument("-o", "--output", help=OUTPUT_HELP)
    p.add_argument("--year", type=int, help="只导出该年度的计划，如 2027（默认全部）")
    p.add_argument("--org", help="只导出该党总支（或支部）的计划，写名称")
    add_format_option(p)
    return p


def run(args: argparse.Namespace, db_path: DbTarget, settings: Settings | None = None) -> int:
    from services.database import open_existing
    from services.export_rota import PlanFile, export_plans

    def done(f: PlanFile) -> None:
        print(f"已导出：{f.path}（{f.org_name} {f.period_label}，{f.lectures} 次党课）", flush=True)

    store = open_existing(db_path)
    try:
        export_plans(
            store, output_dir(args.output), year=args.year, org_name=args.org, progress=done,
            formats=formats_of(args),
        )  # fmt: skip
    finally:
        store.close()
    return exit_codes.OK
