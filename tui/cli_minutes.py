"""`zhibu export minutes -o DIR [--branch NAME] [--from DATE] [--to DATE]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.cli_common import EXIT_USAGE, find_unit

EXPORT_NAME = "minutes"


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(EXPORT_NAME, help="导出已完成会议的会议记录（每次会议一个 .docx）")
    p.add_argument("-o", "--output", required=True, help="输出文件夹")
    p.add_argument("--branch", help="只导出这个支部（含其党小组）")
    p.add_argument("--from", dest="date_from", help="起始日期，如 2026-01-01")
    p.add_argument("--to", dest="date_to", help="截止日期")


def run(args: argparse.Namespace, db_path: Path) -> int:
    from domain.dates import DateParseError, parse_optional_date
    from domain.org import OrgKind
    from exports.minutes import export
    from storage import meetings, org
    from storage.db import open_store
    from storage.paths import ensure_private_dir

    try:
        date_from = parse_optional_date(args.date_from or "")
        date_to = parse_optional_date(args.date_to or "")
    except DateParseError as e:
        print(f"zhibu: {e}", file=sys.stderr)
        return 2
    store = open_store(db_path)
    try:
        org_ids: set[str] | None = None
        if args.branch:
            branch = find_unit(store, args.branch, (OrgKind.BRANCH,), "支部")
            if branch is None:
                return EXIT_USAGE
            org_ids = {branch.id} | {u.id for u in org.children(store, branch.id)}
        out = Path(args.output)
        ensure_private_dir(out)
        summaries = []
        offset = 0
        while True:
            page = meetings.list_finished(
                store, date_from=date_from, date_to=date_to, offset=offset, limit=500
            )
            summaries += [s for s in page if org_ids is None or s.org_id in org_ids]
            if len(page) < 500:
                break
            offset += 500
        if not summaries:
            print("没有符合条件的已完成会议")
            return 0
        failed = 0
        for i, s in enumerate(sorted(summaries, key=lambda s: (s.date, s.kind)), 1):
            meeting = meetings.get(store, s.id)
            try:
                path = export(meeting, out)  # type: ignore[arg-type]
            except OSError as e:
                failed += 1
                print(f"[{i}/{len(summaries)}] 失败：{s.date} {s.org_name} {s.kind}（{e.strerror or type(e).__name__}）",
                      file=sys.stderr)  # fmt: skip
                continue
            print(f"[{i}/{len(summaries)}] {path.name}", flush=True)
        print(
            f"完成：{len(summaries) - failed} 个文件写入 {out}"
            + (f"，{failed} 个失败" if failed else "")
        )
        return 1 if failed else 0
    finally:
        store.close()
