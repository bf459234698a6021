"""`zhibu export ledger`: the 一人一事台账 as .docx, one file per branch.

``export_ledgers`` is the one implementation; the follow-up list screen's
export key runs it in a thread worker. Who may read what: each case is
redacted unless the OS account is mapped to the branch secretary or the
responsible member (storage.followups.visible_for); ``--redact-private``
blanks every private case, for a copy that leaves the branch committee.
"""

from __future__ import annotations

import argparse
import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cli_common import EXIT_DATA, EXIT_IO, EXIT_USAGE, find_unit, preflight
from tui.cli_common import err as _err

if TYPE_CHECKING:  # keep `zhibu` start-up light: storage/docx load on use
    from storage.accounts import Viewer
    from storage.db import Store

EXPORT_NAME = "ledger"

_QUARTERS = "一二三四"


@dataclass(frozen=True)
class LedgerFile:
    branch_name: str
    path: Path
    cases: int
    redacted: int  # cases shown without details to this viewer


def period_label(start: date, end: date) -> str:
    """2026年 / 2026年第一季度 / 2026年3月 when the range is exactly one, else
    2026-01-05至2026-03-31."""
    last = calendar.monthrange(end.year, end.month)[1]
    if start.year == end.year and start.day == 1 and end.day == last:
        if start.month == 1 and end.month == 12:
            return f"{start.year}年"
        if start.month == end.month:
            return f"{start.year}年{start.month}月"
        if start.month % 3 == 1 and end.month == start.month + 2:
            return f"{start.year}年第{_QUARTERS[start.month // 3]}季度"
    return f"{start.isoformat()}至{end.isoformat()}"


def export_ledgers(
    store: Store,
    out_dir: Path,
    *,
    start: date,
    end: date,
    viewer: Viewer,
    branch_ids: list[str] | None = None,
    redact_private: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[LedgerFile]:
    """Write one ledger per branch into *out_dir* (created 0700 if missing).

    ``branch_ids`` None: every branch with a case in the period, in tree
    order; given ids are exported even when empty (the ledger says so).
    """
    from exports import ledger
    from storage import followups as fu_store
    from storage import org, people
    from storage.paths import ensure_private_dir

    say = progress or (lambda _m: None)
    label = period_label(start, end)
    branches = org.branches(store)
    if branch_ids is None:
        with_cases = set(fu_store.branches_with_cases(store, end))
        chosen = [b for b in branches if b.id in with_cases]
    else:
        wanted = set(branch_ids)
        chosen = [b for b in branches if b.id in wanted]
    out_dir = out_dir.expanduser()
    ensure_private_dir(out_dir)
    results: list[LedgerFile] = []
    for branch in chosen:
        cases = ledger.for_period(fu_store.for_ledger(store, branch.id, end), start, end)
        if branch_ids is None and not cases:
            continue  # found by *end* but closed before *start*
        shown = fu_store.visible_for(store, cases, viewer)
        hidden = sum(1 for fu in shown if fu.is_redacted)
        ids = sorted({fu.person_id for fu in shown if fu.person_id})
        team_posts = {
            p.id: "/".join(x for x in (p.team, p.job) if x) for p in people.get_many(store, ids)
        }
        path = ledger.export(
            branch.name,
            shown,
            label,
            out_dir,
            team_posts=team_posts,
            redact_private=redact_private,
        )
        fu_store.log_access(store, "export", branch.id, f"ledger,{len(shown)} rows")
        results.append(LedgerFile(branch.name, path, len(shown), hidden))
        say(f"已导出 {branch.name}：{path}（{len(shown)} 件）")
    return results


# --- command line -----------------------------------------------------------


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser("ledger", help="一人一事台账（每个支部一个 .docx）")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="输出文件夹（没有则新建）")
    p.add_argument(
        "--branch", metavar="NAME", help="只导出这个支部（默认：期间内有记录的所有支部）"
    )
    p.add_argument(
        "--from", dest="date_from", metavar="DATE", help="开始日期（默认当年1月1日），如 2026-01-01"
    )
    p.add_argument(
        "--to", dest="date_to", metavar="DATE", help="结束日期（默认今天），如 2026-03-31"
    )
    p.add_argument(
        "--redact-private",
        action="store_true",
        help="隐去所有保密事项的详情（外发版）",
    )


def _dates(args: argparse.Namespace, today: date) -> tuple[date, date]:
    from domain.dates import parse_date

    end = parse_date(args.date_to, today=today) if args.date_to else today
    start = parse_date(args.date_from, today=today) if args.date_from else date(end.year, 1, 1)
    return start, end


def run(args: argparse.Namespace, db_path: Path) -> int:
    from domain.dates import DateParseError
    from storage.errors import StorageError

    try:
        start, end = _dates(args, date.today())
    except DateParseError as e:
        _err(f"日期有误：{e}")
        return EXIT_USAGE
    if start > end:
        _err(f"开始日期 {start.isoformat()} 晚于结束日期 {end.isoformat()}")
        return EXIT_USAGE
    out_dir = Path(args.output).expanduser()
    if (code := preflight(db_path, out_dir)) is not None:
        return code

    from domain.org import OrgKind
    from storage import accounts
    from storage.db import open_store

    store = open_store(db_path)  # a StorageError becomes exit 65 with its message (tui.cli.main)
    try:
        branch_ids = None
        if args.branch:
            branch = find_unit(store, args.branch, (OrgKind.BRANCH,), "支部")
            if branch is None:
                return EXIT_USAGE
            branch_ids = [branch.id]
        viewer = accounts.viewer(store)
        print(f"一人一事台账：{period_label(start, end)}", flush=True)
        try:
            files = export_ledgers(
                store,
                out_dir,
                start=start,
                end=end,
                viewer=viewer,
                branch_ids=branch_ids,
                redact_private=args.redact_private,
                progress=lambda m: print(m, flush=True),
            )
        except OSError as e:
            _err(f"无法写入 {out_dir}：{e.strerror or type(e).__name__}")
            return EXIT_IO
        except StorageError as e:
            _err(str(e))
            return EXIT_DATA
        if not files:
            print("该期间没有一人一事记录，未生成文件。")
            return 0
        hidden = sum(f.redacted for f in files)
        if hidden and not args.redact_private:
            why = (
                f"{viewer.name} 不是其支部书记或责任人"
                if viewer.mapped
                else f"系统账户 {viewer.os_user} 尚未对应花名册人员（可在一人一事列表按 w 设置）"
            )
            print(f"注意：{hidden} 件保密事项已隐去详情：{why}。")
        print(f"共导出 {len(files)} 个文件。")
        return 0
    finally:
        store.close()
