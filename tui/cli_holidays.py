"""`zhibu holidays load FILE | show [YEAR] | remove YEAR`: the yearly 放假安排.

Parsing and exit codes only; the format is in docs/RULES.md#holidays.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import say

if TYPE_CHECKING:
    from services.database import DbTarget


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    h = sub.add_parser("holidays", help="导入国务院当年放假安排（放假日与调休上班日）")
    h_sub = h.add_subparsers(dest="holidays_command", required=True)
    ld = h_sub.add_parser("load", help="从文本文件导入一年的放假安排（格式见 docs/RULES.md）")
    ld.add_argument("file", metavar="FILE")
    sh = h_sub.add_parser("show", help="各年节假日数据的来源")
    sh.add_argument("year", type=int, nargs="?", metavar="YEAR")
    rm = h_sub.add_parser("remove", help="删除已导入的某年放假安排")
    rm.add_argument("year", type=int, metavar="YEAR")


def run(args: argparse.Namespace, db_path: DbTarget) -> int:
    from datetime import date

    from services import holidays
    from services.database import open_existing

    store = open_existing(db_path)
    try:
        cmd = args.holidays_command
        if cmd == "load":
            arr = holidays.load_file(store, Path(args.file))
            say(
                f"已导入 {arr.year} 年放假安排：放假 {len(arr.days_off)} 天，"
                f"调休上班 {len(arr.workdays)} 天"
            )
        elif cmd == "show":
            this = date.today().year
            years = [args.year] if args.year else [this, this + 1]
            for _year, _source, statement in holidays.summary(store, years):
                say(statement)
        elif cmd == "remove":
            if holidays.remove(store, args.year):
                say(f"已删除 {args.year} 年的放假安排")
            else:
                say(f"{args.year} 年没有导入过放假安排")
        return exit_codes.OK
    finally:
        store.close()
