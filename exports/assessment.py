"""党员考核表: one branch, one quarter or year, as .docx and .xlsx
(docs/DOCUMENTS.md#党员考核表). Built from plain data the caller gathers.

The document has three tables: the scores (quarter: each item of the
breakdown; year: each quarter and the mean), the manual adjustments with
their reasons, and the 考核细则 the scores were computed with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docx.document import Document
from docx.table import Table

from domain.assessment import AssessmentConfig
from exports.docx_common import (
    add_heading1,
    add_paragraph,
    add_sign_off,
    add_table,
    add_title,
    fit_widths,
    new_document,
    save_atomic,
)
from exports.quarterly_report import period_title
from exports.xlsx_common import Cell, new_workbook, save_workbook, write_table

CELL_PT = 10.5  # 五号: twelve columns on a landscape page
LANDSCAPE_TEXT_MM = 297.0 - 28 - 26
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')

QUARTER_HEADERS = [
    "序号", "姓名", "基础分", "组织生活", "党费", "其他活动", "承诺兑现",
    "扣分", "计算得分", "调整", "最终得分", "星级",
]  # fmt: skip
YEAR_HEADERS = ["序号", "姓名", "一季度", "二季度", "三季度", "四季度", "年度得分", "星级"]
ADJUST_HEADERS = ["季度", "姓名", "分值", "理由", "调整人"]
RULE_HEADERS = ["项目", "计分办法"]


@dataclass(frozen=True)
class QuarterLine:
    name: str
    base: int
    attendance: int
    dues: int
    activities: int
    pledge: int
    deductions: int
    computed: int
    adjustment: int
    final: int
    star: str


@dataclass(frozen=True)
class YearLine:
    name: str
    quarters: tuple[int | None, ...]  # Q1..Q4; None: not assessed yet
    mean: float | None
    star: str


@dataclass(frozen=True)
class AdjustLine:
    quarter: str
    name: str
    points: int
    reason: str
    by: str


@dataclass(frozen=True)
class AssessmentSheet:
    branch_name: str
    general_name: str
    period_label: str  # 2026年第四季度 / 2026年
    config: AssessmentConfig
    quarter_lines: list[QuarterLine] = field(default_factory=list)
    year_lines: list[YearLine] = field(default_factory=list)
    adjustments: list[AdjustLine] = field(default_factory=list)
    yearly: bool = False  # year_lines are the scores, not quarter_lines


def _clean(part: str) -> str:
    return _UNSAFE_NAME.sub("", part).strip("_.")


def file_stem(sheet: AssessmentSheet) -> str:
    return f"党员考核表_{_clean(sheet.branch_name)}_{_clean(sheet.period_label)}"


def rule_rows(c: AssessmentConfig) -> list[list[str]]:
    s = c.stars
    return [
        ["基础分", f"{c.base_points} 分"],
        ["参加组织生活", f"每出席一次 {c.attend_points} 分，每季度最多 {c.attend_cap} 分"],
        ["按时交纳党费", f"每按时交纳一个月 {c.dues_points} 分，每季度最多 {c.dues_cap} 分"],
        ["党内其他活动", f"讲党课、一人一事谈心走访每次 {c.activity_points} 分，"
                         f"每季度最多 {c.activity_cap} 分"],
        ["责任区/先锋岗承诺", f"季度评议兑现 {c.pledge_kept_points} 分，"
                             f"未兑现扣 {c.pledge_broken_deduct} 分"],
        ["扣分", f"请假未补学每次 {c.leave_missed_deduct} 分；缺席已补学每次 "
                 f"{c.absent_made_up_deduct} 分、未补学每次 {c.absent_missed_deduct} 分；"
                 f"党费补缴每月 {c.dues_late_deduct} 分、未缴每月 {c.dues_unpaid_deduct} 分；"
                 f"扣分合计最多 {c.deduction_cap} 分"],
        ["总分", f"0–{c.max_total} 分；人工调整另计并写明理由；年度得分为各季度得分的平均"],
        ["星级", f"五星 ≥{s.five}，四星 ≥{s.four}，三星 ≥{s.three}，二星 ≥{s.two}，"
                 f"其余一星"],
    ]  # fmt: skip


def score_rows(sheet: AssessmentSheet) -> tuple[list[str], list[list[Cell]]]:
    """Headers and body of the score table, numbers as numbers."""
    if sheet.yearly:
        return YEAR_HEADERS, [
            [i, y.name, *y.quarters, None if y.mean is None else round(y.mean, 1), y.star]
            for i, y in enumerate(sheet.year_lines, 1)
        ]
    return QUARTER_HEADERS, [
        [i, q.name, q.base, q.attendance, q.dues, q.activities, q.pledge, -q.deductions,
         q.computed, q.adjustment, q.final, q.star]
        for i, q in enumerate(sheet.quarter_lines, 1)
    ]  # fmt: skip


def _text(v: Cell) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


def _signed(v: int) -> str:
    return f"+{v}" if v > 0 else str(v)


def _table(doc: Document, rows: list[list[str]], total_mm: float) -> Table:
    widths = fit_widths(rows, total_mm, CELL_PT)
    table = add_table(
        doc, rows, header=True, nowrap_numeric=True, widths_mm=widths, cell_pt=CELL_PT
    )
    return table


def build(sheet: AssessmentSheet) -> Document:
    doc = new_document(landscape=True, title="党员考核表", subject=sheet.branch_name)
    add_title(doc, f"{sheet.branch_name}党员考核表")
    where = f"　　所属：{sheet.general_name}" if sheet.general_name else ""
    add_paragraph(doc, f"考核期间：{sheet.period_label}{where}", indent=False)
    headers, body = score_rows(sheet)
    rows = [headers, *([_text(v) for v in r] for r in body)]
    if not body:
        rows.append(["本支部尚无党员"])
    if not sheet.yearly:
        for r, q in zip(rows[1:], sheet.quarter_lines, strict=False):
            r[9] = _signed(q.adjustment) if q.adjustment else "0"
    add_heading1(doc, "一、考核得分")
    _table(doc, rows, LANDSCAPE_TEXT_MM)
    add_heading1(doc, "二、人工调整")
    adj = [ADJUST_HEADERS, *([a.quarter, a.name, _signed(a.points), a.reason, a.by]
                             for a in sheet.adjustments)]  # fmt: skip
    if not sheet.adjustments:
        adj.append(["本期无人工调整"])
    _table(doc, adj, LANDSCAPE_TEXT_MM)
    add_heading1(doc, "三、考核细则")
    _table(doc, [RULE_HEADERS, *rule_rows(sheet.config)], LANDSCAPE_TEXT_MM)
    add_paragraph(
        doc,
        "本表得分由支部工作台根据会议签到、党费交纳、党内活动和责任区承诺评议记录计算，"
        "可作为民主评议党员的参考依据。",
    )
    add_sign_off(doc, ["支部书记（签字）", "党总支审核（签字）"])
    return doc


def export(sheet: AssessmentSheet, out_dir: Path, fmt: str = "both") -> list[Path]:
    """Write the .docx, the .xlsx or both ("docx" / "xlsx" / "both")."""
    stem = file_stem(sheet)
    out: list[Path] = []
    if fmt in ("docx", "both"):
        out.append(save_atomic(build(sheet), out_dir / f"{stem}.docx"))
    if fmt in ("xlsx", "both"):
        out.append(_export_xlsx(sheet, out_dir / f"{stem}.xlsx"))
    return out


def _export_xlsx(sheet: AssessmentSheet, path: Path) -> Path:
    wb = new_workbook()
    ws = wb.active
    ws.title = "考核得分"
    headers, body = score_rows(sheet)
    title = f"{sheet.branch_name}党员考核表（{sheet.period_label}）"
    write_table(ws, title, headers, body)
    adj: Sequence[Sequence[Cell]] = [
        [a.quarter, a.name, a.points, a.reason, a.by] for a in sheet.adjustments
    ]
    write_table(wb.create_sheet("人工调整"), f"{title}人工调整", ADJUST_HEADERS, adj)
    write_table(wb.create_sheet("考核细则"), "考核细则", RULE_HEADERS, rule_rows(sheet.config))
    return save_workbook(wb, path)


__all__ = [
    "AdjustLine",
    "AssessmentSheet",
    "QuarterLine",
    "YearLine",
    "build",
    "export",
    "file_stem",
    "period_title",
]
