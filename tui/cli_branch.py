"""`zhibu branch status [NAME]` and `zhibu branch term NAME [--last DATE] [--years 3|5]`.

Parsing and exit codes only; the rules are in domain.branch_rules.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import err, say

if TYPE_CHECKING:
    from services.branch_term import BranchStatus
    from services.database import DbTarget
    from services.settings import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser("branch", help="支部换届与设置检查")
    b_sub = b.add_subparsers(dest="branch_command", required=True)
    st = b_sub.add_parser("status", help="各支部的任期和设置（人数、支委会）")
    st.add_argument("name", nargs="?", metavar="NAME", help="支部名称（默认：全部）")
    t = b_sub.add_parser("term", help="设置支部上次换届日期和任期")
    t.add_argument("name", metavar="NAME", help="支部名称")
    t.add_argument("--last", metavar="YYYY-MM-DD", help="上次换届选举日期")
    t.add_argument("--years", type=int, choices=(3, 5), help="任期年数（村、社区党支部为 5）")


def _print(statuses: list[BranchStatus]) -> None:
    for s in statuses:
        say(f"{s.facts.branch_name}：{s.term.message}")
        for f in s.size:
            say(f"  {f.level.value}：{f.text}")


def run(args: argparse.Namespace, db_path: DbTarget, settings: Settings | None = None) -> int:
    from services import branch_term
    from services.database import open_existing
    from services.settings import Settings

    rules = (settings or Settings()).rules.branch

    store = open_existing(db_path)
    try:
        today = date.today()
        if args.branch_command == "term":
            last = None
            if args.last:
                try:
                    last = date.fromisoformat(args.last)
                except ValueError:
                    err(f"日期应写作 YYYY-MM-DD：{args.last}")
                    return exit_codes.USAGE
            _print([branch_term.set_term(store, args.name, last_election=last,
                                         term_years=args.years, today=today, config=rules)])  # fmt: skip
        else:
            rows = branch_term.statuses(store, today, config=rules)
            if args.name:
                rows = [s for s in rows if s.facts.branch_name == args.name]
                if not rows:
                    err(f"没有名为「{args.name}」的党支部")
                    return exit_codes.DATA
            _print(rows)
        return exit_codes.OK
    finally:
        store.close()
