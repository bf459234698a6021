"""Export the 会议记录 of finished meetings (.docx, one per meeting)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import (
    CannotWrite,
    InvalidInput,
    os_reason,
    out_of_space,
    service,
    write_error,
)
from services.org_lookup import check_out_dir, find_unit
from services.progress import Step, Tracker

if TYPE_CHECKING:
    from storage.db import Store

PAGE = 500


@dataclass
class MinutesExport:
    out_dir: Path
    written: list[Path] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line per meeting not written

    @property
    def total(self) -> int:
        return len(self.written) + len(self.failed)


@service
def export_minutes(
    store: Store,
    out_dir: Path,
    *,
    branch_name: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    progress: Callable[[str], None] | None = None,
    problem: Callable[[str], None] | None = None,
    step: Step | None = None,
    today: date | None = None,
) -> MinutesExport:
    """Every finished meeting in the range (of one branch and its groups, when
    named) into *out_dir*. A meeting whose file cannot be written is reported
    through *problem* and the rest still go out; the result lists both.
    *step* hears after each meeting how many of how many are done."""
    from domain.org import OrgKind
    from exports.minutes import export
    from services.export_folder import ensure_export_dir
    from services.problems import carried_for
    from storage import meetings, org

    if date_from and date_to and date_from > date_to:
        raise InvalidInput(f"开始日期 {date_from.isoformat()} 晚于结束日期 {date_to.isoformat()}")
    org_ids: set[str] | None = None
    if branch_name:
        branch = find_unit(store, branch_name, (OrgKind.BRANCH,), "支部")
        org_ids = {branch.id} | {u.id for u in org.children(store, branch.id)}
    out = Path(out_dir).expanduser().absolute()
    check_out_dir(out)
    try:
        ensure_export_dir(out)
    except OSError as e:
        raise write_error(out, e) from e
    result = MinutesExport(out)
    summaries = []
    offset = 0
    while True:
        page = meetings.list_finished(
            store, date_from=date_from, date_to=date_to, offset=offset, limit=PAGE
        )
        summaries += [s for s in page if org_ids is None or s.org_id in org_ids]
        if len(page) < PAGE:
            break
        offset += PAGE
    if not summaries:
        return result
    n = len(summaries)
    tracker = Tracker(n, step)
    for i, s in enumerate(sorted(summaries, key=lambda s: (s.date, s.kind)), 1):
        meeting = meetings.get(store, s.id)
        if meeting is None:  # deleted while the export ran
            tracker.advance()
            continue
        # A 党小组's record names its branch in the title.
        unit = org.get(store, s.org_id)
        parent = org.get(store, unit.parent_id) if unit and unit.parent_id else None
        try:
            carried = carried_for(store, meeting, today or date.today())
            path = export(meeting, out, branch_name=parent.name if parent else "",
                          carried=carried)  # fmt: skip
        except OSError as e:
            if out_of_space(e):  # every later file would fail the same way
                done = f"已写入 {len(result.written)} 个" if result.written else "未写入任何文件"
                raise CannotWrite(
                    f"{os_reason(e)}，导出已停止（{done}，共 {n} 个）；"
                    f"没有留下不完整的文件。请清理 {out} 所在磁盘的空间后重试。"
                ) from e
            line = f"[{i}/{n}] 失败：{s.date} {s.org_name} {s.kind}（{os_reason(e)}）"
            result.failed.append(line)
            if problem:
                problem(line)
            tracker.advance()
            continue
        result.written.append(path)
        tracker.advance()
        if progress:
            progress(f"[{i}/{n}] {path.name}")
    return result
