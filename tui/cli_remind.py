"""`zhibu remind [--dry-run] [--to NAME]`: send each 党支部 or person the
config file's ``[remind]`` section names a digest of what is due or late
(services.reminders; docs/REMINDERS.md has the cron line and systemd timer).

A separate, short process: it opens the database like the other reading
commands and writes only the outbox, one short transaction at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING

from tui import exit_codes
from tui.cli_common import err, say

if TYPE_CHECKING:
    from services.database import DbTarget
    from services.settings import Settings


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "remind", help="把到期和逾期的事项发给各支部、责任人（企业微信、钉钉、邮件）"
    )
    p.add_argument("--dry-run", action="store_true", help="只显示每份提醒的内容，不发送")
    p.add_argument("--to", metavar="NAME", help="只处理这个支部或这个人")
    p.add_argument(
        "--date", metavar="YYYY-MM-DD", type=_day, help="按这一天计算到期和逾期（默认今天）"
    )


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from None


def run(args: argparse.Namespace, db_path: DbTarget, settings: Settings) -> int:
    from services import reminders
    from services.database import open_existing

    config = settings.remind
    if not args.dry_run:
        reminders.require_config(config)
    today = args.date or dt.date.today()
    store = open_existing(db_path)
    try:
        report = reminders.run(
            store,
            today,
            config,
            to=args.to,
            dry_run=args.dry_run,
            branch_rules=settings.rules.branch,
        )
    finally:
        store.close()
    if args.dry_run:
        for d in report.digests:
            ways = [o.line() for o in report.outcomes if o.digest is d]
            say("=" * 8 + f" {d.kind.value} {d.name} " + "=" * 8)
            for w in ways:
                say(w)
            say("")
            say(d.text())
            say("")
        if not report.digests:
            say("今天没有需要提醒的事项。")
        return exit_codes.OK
    if not report.digests:
        say("今天没有需要提醒的事项。")
    for o in report.outcomes:
        if o.result in (reminders.Result.FAILED, reminders.Result.GAVE_UP):
            err(o.line())
        else:
            say(o.line())
    if report.failed:
        print("部分提醒未能发出，已记入发送记录，下次运行时重试。", file=sys.stderr)
        return exit_codes.TEMP_FAIL
    return exit_codes.OK
