"""Export the 一人一事台账 (.docx), one file per branch.

Who may read what (services.private_details, docs/SECURITY.md): the default
is the 外发版, every private case redacted (「保密，详见内部版」). The 内部版
(``internal=True``) shows private details in full, says 「内部版 含保密内容」
in every page header, and is refused unless the one exporting is 书记 of each
branch exported. The follow-up list screen runs ``export_ledgers`` in a
thread worker; `zhibu export ledger` runs ``export_for_command``.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import InvalidInput, service, write_error
from services.org_lookup import check_out_dir, find_unit

if TYPE_CHECKING:  # keep `zhibu` start-up light: storage/docx load on use
    from services.private_details import ActingRoles
    from storage.db import Store

_QUARTERS = "一二三四"


@dataclass(frozen=True)
class LedgerFile:
    branch_name: str
    path: Path
    cases: int
    redacted: int  # private cases written without details
    internal: bool = False  # the 内部版, private details in full
    paths: tuple[Path, ...] = ()  # every file written for the branch (.docx, .xlsx), path first


@dataclass(frozen=True)
class LedgerExport:
    files: list[LedgerFile]

    @property
    def hidden(self) -> int:
        return sum(f.redacted for f in self.files)


def period_label(start: date, end: date) -> str:
    """2026年 / 2026年第一季度 / 2026年3月 when the range is exactly one, else
    2026年1月5日至2026年3月31日 (archived documents carry no ISO dates)."""
    last = calendar.monthrange(end.year, end.month)[1]
    if start.year == end.year and start.day == 1 and end.day == last:
        if start.month == 1 and end.month == 12:
            return f"{start.year}年"
        if start.month == end.month:
            return f"{start.year}年{start.month}月"
        if start.month % 3 == 1 and end.month == start.month + 2:
            return f"{start.year}年第{_QUARTERS[start.month // 3]}季度"
    return (
        f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日"
    )


def default_range(date_from: date | None, date_to: date | None, today: date) -> tuple[date, date]:
    """To: today unless given; from: 1 January of the end's year unless given."""
    end = date_to or today
    start = date_from or date(end.year, 1, 1)
    if start > end:
        raise InvalidInput(f"开始日期 {start.isoformat()} 晚于结束日期 {end.isoformat()}")
    return start, end


@service
def export_ledgers(
    store: Store,
    out_dir: Path,
    *,
    start: date,
    end: date,
    who: ActingRoles | None = None,
    branch_ids: list[str] | None = None,
    internal: bool = False,
    progress: Callable[[str], None] | None = None,
    formats: Sequence[str] = ("docx",),
) -> list[LedgerFile]:
    """Write one ledger per branch into *out_dir* (created 0700 if missing),
    in each of *formats* ("docx", "xlsx").

    ``branch_ids`` None: every branch with a case in the period, in tree
    order; given ids are exported even when empty (the ledger says so).
    *who* defaults to whoever runs this process. OSError is left to the caller.
    """
    from exports import ledger
    from services import private_details
    from services.export_folder import ensure_export_dir
    from storage import followups as fu_store
    from storage import org, people

    say = progress or (lambda _m: None)
    label = period_label(start, end)
    branches = org.branches(store)
    if branch_ids is None:
        with_cases = set(fu_store.branches_with_cases(store, end))
        chosen = [b for b in branches if b.id in with_cases]
    else:
        wanted = set(branch_ids)
        chosen = [b for b in branches if b.id in wanted]
    who = who or private_details.reader(store)
    if internal:
        private_details.check_internal(who, [(b.id, b.name) for b in chosen])
    out_dir = ensure_export_dir(out_dir)
    results: list[LedgerFile] = []
    for branch in chosen:
        shown = private_details.ledger_cases(
            store, branch.id, start, end, who, internal=internal
        )
        if branch_ids is None and not shown:
            continue  # found by *end* but closed before *start*
        hidden = sum(1 for fu in shown if fu.is_redacted)
        ids = sorted({fu.person_id for fu in shown if fu.person_id})
        team_posts = {
            p.id: "/".join(x for x in (p.team, p.job) if x) for p in people.get_many(store, ids)
        }
        paths = tuple(
            ledger.export(
                branch.name,
                shown,
                label,
                out_dir,
                team_posts=team_posts,
                internal=internal,
                fmt=fmt,
            )
            for fmt in formats
        )
        kind = "ledger-internal" if internal else "ledger"
        for fmt in formats:
            suffix = "" if fmt == "docx" else f"-{fmt}"
            fu_store.log_access(store, "export", branch.id, f"{kind}{suffix},{len(shown)} rows")
        results.append(LedgerFile(branch.name, paths[0], len(shown), hidden, internal, paths))
        say(f"已导出 {branch.name}：{'、'.join(map(str, paths))}（{len(shown)} 件）")
    return results


@service
def export_for_command(
    store: Store,
    out_dir: Path,
    *,
    start: date,
    end: date,
    branch_name: str | None = None,
    internal: bool = False,
    progress: Callable[[str], None] | None = None,
    formats: Sequence[str] = ("docx",),
) -> LedgerExport:
    """`zhibu export ledger`: one branch or all, 外发版 unless *internal*."""
    from domain.org import OrgKind

    out_dir = Path(out_dir).expanduser()
    check_out_dir(out_dir)
    branch_ids = None
    if branch_name:
        branch_ids = [find_unit(store, branch_name, (OrgKind.BRANCH,), "支部").id]
    if progress:
        progress(f"一人一事台账：{period_label(start, end)}")
    try:
        files = export_ledgers(
            store,
            out_dir,
            start=start,
            end=end,
            branch_ids=branch_ids,
            internal=internal,
            progress=progress,
            formats=formats,
        )
    except OSError as e:
        raise write_error(out_dir, e) from e
    return LedgerExport(files)
