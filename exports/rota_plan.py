"""党课计划表 (lecture plan) as a Word document.

Rows come from a rota plan joined with its lectures (topic, category, review
state) by ``rows_from_plan``; ``build`` only lays them out. Landscape, since
six columns with full Chinese dates do not fit a portrait A4 at 四号.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from docx.document import Document as DocumentObject
from pydantic import BaseModel

from domain.courseware import Lecture, ReviewState
from domain.dates import format_date_cn
from domain.rota import RotaPlan
from exports import xlsx_common as xl
from exports.docx_common import (
    add_paragraph,
    add_sign_off,
    add_table,
    add_title,
    cn_date,
    cn_dates_in,
    new_document,
    save_atomic,
    xml_safe,
)
from exports.xlsx_common import Cell

HEADER = [
    "序号", "计划日期", "授课人", "主题", "类别", "形式", "地点", "对象", "审核状态", "举办情况",
]  # fmt: skip
# The 243 mm of the landscape text width; the date columns fit 2026年12月28日
# at 五号 so a date never breaks.
WIDTHS_MM = [11.0, 33.0, 28.0, 37.0, 22.0, 16.0, 24.0, 20.0, 19.0, 33.0]
NOWRAP_COLS = frozenset({0, 1})
CELL_PT = 10.5
SIGN_OFF = ["制表", "审核", "党总支（盖章）"]


class PlanRow(BaseModel):
    number: int  # 序号, 1-based
    day: date
    lecturer: str = ""
    branch: str = ""
    topic: str = ""
    category: str = ""
    review_state: str = ReviewState.NOT_SUBMITTED.value
    note: str = ""  # e.g. why the date moved off a holiday
    form: str = ""  # 形式
    place: str = ""
    audience: str = ""
    given_on: date | None = None  # from the linked 党课 meeting
    held: bool = False


def _topic(lecture: Lecture | None, theme: str) -> str:
    if lecture is not None and lecture.topic:
        return lecture.topic
    return f"{theme}（题目待定）" if theme else "待定"


def _held_fields(lec: Lecture | None) -> dict[str, object]:
    if lec is None:
        return {}
    return {
        "form": lec.format.value,
        "place": lec.place,
        "audience": lec.audience,
        "given_on": lec.given_on,
        "held": lec.meeting_id is not None,
    }


def held_text(row: PlanRow, today: date) -> str:
    """举办情况: held (and when) from the linked meeting; else due or not yet."""
    if row.held:
        when = row.given_on or row.day
        moved = "" if when == row.day else "（改期）"
        return f"已举行{moved}\n{cn_date(when)}"
    if row.day < today:
        return "未举行"
    return "待举行"


def rows_from_plan(plan: RotaPlan, lectures: Iterable[Lecture] = ()) -> list[PlanRow]:
    """One row per slot; a lecture matches by slot index, else by date and lecturer."""
    by_index: dict[int, Lecture] = {}
    by_key: dict[tuple[date, str], Lecture] = {}
    for known in lectures:
        if known.slot_index is not None:
            by_index[known.slot_index] = known
        by_key[(known.lecture_date, known.lecturer_id)] = known
    rows = []
    for s in plan.slots:
        lec = by_index.get(s.index) or by_key.get((s.date, s.lecturer_id or ""))
        rows.append(
            PlanRow(
                number=s.index + 1,
                day=lec.lecture_date if lec else s.date,
                lecturer=lec.lecturer_name if lec else s.lecturer_name,
                branch=(lec.branch_name if lec else "") or s.lecturer_branch,
                topic=_topic(lec, s.theme),
                category=lec.category.value if lec else "",
                review_state=(lec.state if lec else ReviewState.NOT_SUBMITTED).value,
                note=s.move_reason,
                **_held_fields(lec),
            )
        )
    return rows


def rows_from_lectures(lectures: Iterable[Lecture]) -> list[PlanRow]:
    """Rows for lectures without a rota plan, in date order."""
    ordered = sorted(lectures, key=lambda lec: lec.lecture_date)
    return [
        PlanRow(
            number=k,
            day=lec.lecture_date,
            lecturer=lec.lecturer_name,
            branch=lec.branch_name,
            topic=_topic(lec, "专题党课" if lec.themed else ""),
            category=lec.category.value,
            review_state=lec.state.value,
            **_held_fields(lec),
        )
        for k, lec in enumerate(ordered, start=1)
    ]


def _lecturer_cell(row: PlanRow) -> str:
    if not row.lecturer:
        return "待定"
    return f"{row.lecturer}（{row.branch}）" if row.branch else row.lecturer


def build(
    plan_rows: Sequence[PlanRow],
    title: str,
    *,
    subtitle: str = "",
    today: date | None = None,
    holiday_note: str = "",
) -> DocumentObject:
    today = today or date.today()
    doc = new_document(landscape=True, title=title, subject=subtitle or "党课计划表")
    add_title(doc, title)
    if subtitle:
        add_paragraph(doc, subtitle, align="center", indent=False)
    table_rows = [HEADER] + [
        [
            str(r.number),
            f"{cn_date(r.day)}\n{format_date_cn(r.day)[-5:]}",
            _lecturer_cell(r),
            r.topic,
            r.category,
            r.form,
            r.place,
            r.audience,
            r.review_state,
            held_text(r, today),
        ]
        for r in plan_rows
    ]
    add_table(
        doc, table_rows, header=True, widths_mm=WIDTHS_MM, nowrap_cols=NOWRAP_COLS, cell_pt=CELL_PT
    )
    notes = [f"第{r.number}次：{cn_dates_in(r.note)}。" for r in plan_rows if r.note]
    if holiday_note:  # which source the dates were checked against
        notes.append(cn_dates_in(holiday_note))
    if notes:
        add_paragraph(doc, "说明：" + "".join(notes), indent=False)
    add_sign_off(doc, SIGN_OFF, on=today)
    return doc


XLSX_HEADER = [
    "序号", "计划日期", "星期", "授课人", "所在支部", "主题", "类别", "形式", "地点", "对象",
    "审核状态", "举办情况", "举行日期", "说明",
]  # fmt: skip


def xlsx_rows(plan_rows: Sequence[PlanRow], today: date) -> list[list[Cell]]:
    """The plan for a spreadsheet: 序号 a number, dates as dates, 举办情况
    without the date stacked under it (举行日期 has its own column)."""
    out: list[list[Cell]] = []
    for r in plan_rows:
        held = held_text(r, today).split("\n", 1)[0]
        out.append([
            r.number, r.day, format_date_cn(r.day)[-4:-1], r.lecturer or "待定", r.branch, r.topic,
            r.category, r.form, r.place, r.audience, r.review_state, held,
            (r.given_on or r.day) if r.held else None, cn_dates_in(r.note),
        ])  # fmt: skip
    return out


def build_xlsx(
    plan_rows: Sequence[PlanRow],
    title: str,
    *,
    subtitle: str = "",
    today: date | None = None,
    holiday_note: str = "",
) -> Any:
    wb = xl.new_workbook()
    ws = xl.add_table(wb, "党课计划表", XLSX_HEADER, xlsx_rows(plan_rows, today or date.today()),
                      title=f"{title}　{subtitle}".strip(), empty_text="计划中没有党课")  # fmt: skip
    if holiday_note:
        ws.cell(row=ws.max_row + 2, column=1, value="说明：" + cn_dates_in(holiday_note))
    return wb


_FILENAME_BAD = re.compile(r'[\\/:*?"<>|\s]+')


def file_name_for(title: str, suffix: str = ".docx") -> str:
    """A file name safe on Windows shares too: no path or reserved characters."""
    stem = _FILENAME_BAD.sub("_", xml_safe(title)).strip("._") or "党课计划表"
    return f"{stem[:80]}{suffix}"


def export(
    plan_rows: Sequence[PlanRow],
    title: str,
    out_dir: str | Path,
    *,
    subtitle: str = "",
    holiday_note: str = "",
    fmt: str = "docx",
) -> Path:
    """Build and save atomically into *out_dir*; returns the written path.
    *fmt* "xlsx" writes the spreadsheet instead of the document."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        wb = build_xlsx(plan_rows, title, subtitle=subtitle, holiday_note=holiday_note)
        return xl.save_atomic(wb, out / file_name_for(title, ".xlsx"))
    doc = build(plan_rows, title, subtitle=subtitle, holiday_note=holiday_note)
    return save_atomic(doc, out / file_name_for(title))
