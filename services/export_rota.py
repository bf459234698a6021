"""Export 党课计划表 (.docx, or .xlsx): one plan (the plan screen) or every plan in a
scope (`zhibu export rota`). python-docx loads only when a file is written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import CannotWrite, InvalidInput, NotFound, os_reason, service
from services.org_lookup import check_out_dir, find_unit

if TYPE_CHECKING:
    from domain.rota import RotaPlan
    from storage.db import Store


@dataclass(frozen=True)
class PlanFile:
    path: Path
    org_name: str
    period_label: str
    lectures: int


@service
def write_plan_docx(store: Store, plan_id: str, out_dir: str | Path, fmt: str = "docx") -> Path:
    """Write one plan's 党课计划表 into *out_dir* as *fmt* (docx, or xlsx for
    the spreadsheet); returns the file written.

    OSError is left to the caller (the screen words it for its dialog)."""
    from exports import rota_plan as export
    from services.export_folder import ensure_export_dir
    from storage import rota

    record = rota.get_plan(store, plan_id)
    if record is None:
        raise NotFound("这份党课计划已被删除。")
    rows = export.rows_from_plan(record.plan, rota.lectures_of_plan(store, plan_id))
    folder = ensure_export_dir(out_dir)  # holds names: 0700, this account's own
    subtitle = f"编制单位：{record.org_name}" if record.org_name else ""
    return export.export(
        rows,
        record.title,
        folder,
        subtitle=subtitle,
        holiday_note=_holiday_note(store, record.plan),
        fmt=fmt,
    )


def _holiday_note(store: Store, plan: RotaPlan) -> str:
    """Where the plan's dates were checked: as planned, else (older plans) as of now."""
    from domain.holidays import source_note

    sources = plan.holiday_sources
    if not sources:
        from services.holidays import calendar

        cal = calendar(store)
        years = sorted({s.date.year for s in plan.slots} | {plan.request.period.year})
        sources = {y: cal.source(y).value for y in years}
    return "".join(source_note(y, src) for y, src in sorted(sources.items()))


@service
def export_plans(
    store: Store,
    out_dir: Path,
    *,
    year: int | None = None,
    org_name: str | None = None,
    progress: Callable[[PlanFile], None] | None = None,
    formats: Sequence[str] = ("docx",),
) -> list[PlanFile]:
    """Every plan of *year* / the unit named *org_name* into *out_dir*, in
    each of *formats*."""
    from services.errors import BadData
    from storage import rota

    if year is not None and not 2000 <= year <= 2100:
        raise InvalidInput("--year 应为 2000–2100 之间的年份")
    out_dir = Path(out_dir).expanduser()
    check_out_dir(out_dir)
    org_id = find_unit(store, org_name).id if org_name else None
    plans = rota.list_plans(store, org_id=org_id, year=year, limit=500)
    if not plans:
        scope = f"{year} 年" if year else "任何年度"
        raise BadData(f"没有{scope}的党课计划（可在程序中按党课计划新建）")
    files = []
    for record in plans:
        for fmt in formats:
            try:
                path = write_plan_docx(store, record.id, out_dir, fmt)
            except OSError as e:
                raise CannotWrite(f"写入 {out_dir} 失败：{os_reason(e)}") from e
            f = PlanFile(path, record.org_name, record.period.label, len(record.plan.slots))
            files.append(f)
            if progress:
                progress(f)
    return files
