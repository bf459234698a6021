"""Export 党员考核表 (.docx and/or .xlsx) for one branch or every branch, for
a quarter or a year. `zhibu export assessment` runs ``export_for_command``;
the assessment screen runs ``export_branch``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import InvalidInput, service, write_error
from services.org_lookup import check_out_dir, find_unit

if TYPE_CHECKING:
    from domain.periods import Period
    from exports.assessment import AssessmentSheet
    from storage.db import Store

FORMATS = ("docx", "xlsx", "both")


def _sheet(store: Store, branch_id: str, period: Period, today: date) -> AssessmentSheet:
    from domain.periods import PeriodKind
    from exports import assessment as ax
    from services import assessment as svc
    from storage import assessment as store_assessment

    if period.kind is PeriodKind.YEAR:
        year = svc.branch_year(store, branch_id, period.start.year, today)
        branch, config = year.branch, year.config
        keys = year.quarters
        y_lines = [
            ax.YearLine(
                name=p.name,
                quarters=tuple(
                    next((q.final for q in s.quarters if q.quarter == f"{s.year}Q{i}"), None)
                    for i in range(1, 5)
                ),
                mean=None if s.mean is None else float(s.mean),
                star=s.star_label,
            )
            for p, s in year.rows
        ]
        adjustments = store_assessment.adjustments_of(store, branch_id, keys)
        q_lines: list[ax.QuarterLine] = []
    elif period.kind is PeriodKind.QUARTER:
        bq = svc.branch_quarter(store, branch_id, period, today)
        branch, config = bq.branch, bq.config
        q_lines = [
            ax.QuarterLine(
                name=r.person.name,
                base=r.score.base,
                attendance=r.score.attendance,
                dues=r.score.dues,
                activities=r.score.activities,
                pledge=r.score.pledge,
                deductions=r.score.deductions,
                computed=r.score.computed,
                adjustment=r.score.adjustment,
                final=r.score.final,
                star=r.score.star_label,
            )
            for r in bq.rows
        ]
        adjustments = [a for r in bq.rows for a in r.adjustments]
        y_lines = []
    else:
        raise InvalidInput("党员考核表按季度或年度导出，如 2026Q4 或 2026")
    general = svc.general_of(store, branch)
    return ax.AssessmentSheet(
        branch_name=branch.name,
        general_name=general.name if general else "",
        period_label=ax.period_title(period),
        config=config,
        adjustments=[
            ax.AdjustLine(a.quarter, a.person_name, a.points, a.reason, a.updated_by)
            for a in adjustments
        ],
        quarter_lines=q_lines,
        year_lines=y_lines,
        yearly=period.kind is PeriodKind.YEAR,
    )


@service
def sheet_for(store: Store, branch_id: str, period: Period, today: date) -> AssessmentSheet:
    return _sheet(store, branch_id, period, today)


@service
def export_branch(
    store: Store, branch_id: str, period: Period, today: date, out_dir: Path, fmt: str = "both"
) -> list[Path]:
    from exports import assessment as ax
    from services.export_folder import ensure_export_dir

    sheet = _sheet(store, branch_id, period, today)
    out_dir = Path(out_dir).expanduser()
    check_out_dir(out_dir)
    try:
        return ax.export(sheet, ensure_export_dir(out_dir), fmt)
    except OSError as e:
        raise write_error(out_dir, e) from e


@service
def export_for_command(
    store: Store,
    out_dir: Path,
    *,
    period: Period,
    today: date,
    fmt: str = "both",
    branch_name: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """One branch (by name) or every branch."""
    from domain.org import OrgKind
    from exports import assessment as ax
    from services.export_folder import ensure_export_dir
    from storage import org

    if fmt not in FORMATS:
        raise InvalidInput(f"格式只能是 docx 或 xlsx：{fmt}")
    say = progress or (lambda _m: None)
    out_dir = Path(out_dir).expanduser()
    check_out_dir(out_dir)
    branches = org.branches(store)
    if branch_name:
        wanted = find_unit(store, branch_name, (OrgKind.BRANCH,), "支部").id
        branches = [b for b in branches if b.id == wanted]
    sheets = [_sheet(store, b.id, period, today) for b in branches]
    files: list[Path] = []
    try:
        out_dir = ensure_export_dir(out_dir)
        for s in sheets:
            files += ax.export(s, out_dir, fmt)
            say(f"已导出 {s.branch_name}")
    except OSError as e:
        raise write_error(out_dir, e) from e
    return files
