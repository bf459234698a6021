"""The tables of the 季度党建工作报告 as a workbook (.xlsx): the same numbers
as the .docx (exports.quarterly_report lays those out), one sheet per table,
so the 党总支 can sort, filter and sum them: counts are numbers, rates are
fractions shown as percentages, money is yuan with two decimals, months and
dates are dates.

Branch workbook: 三会一课, 组织生活, 党费, 党费明细 (every member's record
of the quarter, as the dues grid shows it), 欠缴, 决议待办, 党课.
党总支 workbook: the same sheets with one row per branch (三会一课 one row per
branch and activity).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from exports import xlsx_common as xl
from exports.quarterly_report import (
    COMPLIANCE_HEADERS,
    IN_PROGRESS,
    NOT_DUE,
    SUMMARY_KEYS,
    BranchReport,
    ComplianceLine,
    GeneralReport,
    file_name,
    is_due,
    period_title,
)
from exports.xlsx_common import Cell

MONTH_FORMAT = 'yyyy"年"m"月"'
MEMBER_HEADERS = ["序号", "姓名", "预备党员", "应到", "出席", "请假", "缺席", "出席率",
                  "应补学", "已补学", "低于阈值"]  # fmt: skip
DUES_HEADERS = ["月份", "应缴人数", "已缴足人数", "免缴人数", "应缴金额（元）", "实缴金额（元）",
                "收缴率（按人数）", "收缴率（按金额）", "状态"]  # fmt: skip
DUES_DETAIL_HEADERS = ["月份", "姓名", "类别", "基数（元）", "比例", "应缴（元）", "实缴（元）",
                       "缴纳日期", "缴纳方式", "减免", "说明"]  # fmt: skip
ARREARS_HEADERS = ["姓名", "欠缴月数", "欠缴金额（元）", "满6个月"]
WORK_HEADERS = ["新形成决议", "未完成决议", "其中逾期", "完成补学", "未完成补学",
                "一人一事在办", "一人一事新增"]  # fmt: skip
LECTURE_HEADERS = ["日期", "组织", "党课题目", "授课人"]
GENERAL_COMPLIANCE_HEADERS = ["支部", "活动", "要求", "应开（次）", "已开（次）", "完成情况",
                              "逾期未开"]  # fmt: skip
GENERAL_MEMBER_HEADERS = ["支部", "党员", "应到", "出席", "请假", "缺席", "出席率", "低于阈值人数",
                          "应补学", "已补学"]  # fmt: skip
GENERAL_DUES_HEADERS = ["支部", "应缴人次", "已缴足人次", "免缴人次", "应缴金额（元）",
                        "实缴金额（元）", "收缴率（按人次）", "欠缴3个月以上", "其中6个月以上"]  # fmt: skip


@dataclass(frozen=True)
class DuesDetailLine:
    """One member's dues record for one month (the caller reads storage)."""

    month: date
    name: str
    kind: str
    base_fen: int
    rate_bp: int | None  # basis points: 50 = 0.5 %
    due_fen: int
    paid_fen: int
    paid_on: date | None
    method: str
    waived: bool
    note: str


def rate(numerator: int, denominator: int) -> float | None:
    """A fraction for a percent-formatted cell; None (empty) when nothing was due."""
    if not denominator:
        return None
    return float(Fraction(numerator, denominator))


def yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def _compliance(lines: Sequence[ComplianceLine], org: str | None = None) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for c in lines:
        lead: list[Cell] = [org] if org is not None else []
        rows.append([*lead, c.label, c.cadence, c.required, c.held, c.status,
                     "、".join(c.missed)])  # fmt: skip
    return rows


def _title(org_name: str, report: BranchReport | GeneralReport) -> str:
    return f"{org_name}{period_title(report.period)}党建工作报告（截至{report.as_of.isoformat()}）"


def branch_workbook(report: BranchReport, dues_detail: Sequence[DuesDetailLine] = ()) -> Any:
    wb = xl.new_workbook()
    title = _title(report.org_name, report)
    pct = xl.PERCENT_FORMAT
    xl.add_table(wb, "三会一课", [*COMPLIANCE_HEADERS[:5], "逾期未开"],
                 _compliance(report.compliance), title=title,
                 empty_text="本期无应开展的活动")  # fmt: skip
    members: list[list[Cell]] = [
        [i, m.name, "是" if m.probationary else "", m.expected, m.present, m.leave, m.absent,
         rate(m.present, m.expected), m.make_ups_owed, m.make_ups_done, "是" if m.below else ""]
        for i, m in enumerate(report.members, 1)
    ]  # fmt: skip
    xl.add_table(wb, "组织生活", MEMBER_HEADERS, members, title=title,
                 number_formats={7: pct}, empty_text="本支部没有党员")  # fmt: skip
    dues: list[list[Cell]] = []
    for d in report.dues:
        due = is_due(d, report.as_of)
        if not due and not d.members_paid and not d.paid_fen:
            dues.append([d.month, None, None, None, None, None, None, None, NOT_DUE])
            continue
        dues.append([
            d.month, d.members_due, d.members_paid, d.members_waived, yuan(d.due_fen),
            yuan(d.paid_fen), rate(d.members_paid, d.members_due) if due else None,
            rate(d.paid_fen, d.due_fen) if due else None, "已到期" if due else IN_PROGRESS,
        ])  # fmt: skip
    ws = xl.add_table(wb, "党费", DUES_HEADERS, dues, title=title,
                      number_formats={4: xl.YUAN_FORMAT, 5: xl.YUAN_FORMAT, 6: pct, 7: pct},
                      empty_text="本期无党费记录")  # fmt: skip
    for row in ws.iter_rows(min_row=3, max_col=1):
        row[0].number_format = MONTH_FORMAT
    detail: list[list[Cell]] = [
        [d.month, d.name, d.kind, yuan(d.base_fen),
         d.rate_bp / 10000 if d.rate_bp is not None else None, yuan(d.due_fen),
         yuan(d.paid_fen), d.paid_on, d.method, "是" if d.waived else None, d.note]
        for d in sorted(dues_detail, key=lambda d: (d.month, d.name))
    ]  # fmt: skip
    ws = xl.add_table(wb, "党费明细", DUES_DETAIL_HEADERS, detail, title=title,
                      number_formats={3: xl.YUAN_FORMAT, 4: "0.0%", 5: xl.YUAN_FORMAT,
                                      6: xl.YUAN_FORMAT},
                      empty_text="本期无党费记录")  # fmt: skip
    for row in ws.iter_rows(min_row=3, max_col=1):
        row[0].number_format = MONTH_FORMAT
    xl.add_table(wb, "欠缴", ARREARS_HEADERS,
                 [[a.name, a.months, yuan(a.owed_fen), "是" if a.lapse else ""]
                  for a in report.arrears],
                 title=title, number_formats={2: xl.YUAN_FORMAT},
                 empty_text="无欠缴3个月以上的党员")  # fmt: skip
    w = report.work
    xl.add_table(wb, "决议待办", WORK_HEADERS,
                 [[w.decisions_new, w.decisions_open, w.decisions_overdue, w.make_ups_done,
                   w.make_ups_open, w.followups_open, w.followups_new]], title=title)  # fmt: skip
    xl.add_table(wb, "党课", LECTURE_HEADERS,
                 [[x.held_on, x.org_name, x.title, x.lecturer or "未记录"]
                  for x in report.lectures],
                 title=title, empty_text="本期未开展党课")  # fmt: skip
    if report.tasks:
        xl.add_table(wb, "党总支任务", ["任务", "完成时限", "完成情况", "考核指标"],
                     [[t.title, t.due, t.state, t.measure or ""] for t in report.tasks],
                     title=title)  # fmt: skip
    return wb


def general_workbook(report: GeneralReport) -> Any:
    wb = xl.new_workbook()
    title = _title(report.org_name, report)
    pct = xl.PERCENT_FORMAT
    bs = report.branches
    keys = {k for k, _ in SUMMARY_KEYS}
    compliance: list[list[Cell]] = [
        row for b in bs
        for row in _compliance([c for c in b.compliance if c.key in keys], b.org_name)
    ]  # fmt: skip
    xl.add_table(wb, "三会一课", GENERAL_COMPLIANCE_HEADERS, compliance, title=title,
                 empty_text="没有所属支部")  # fmt: skip
    xl.add_table(wb, "组织生活", GENERAL_MEMBER_HEADERS, [
        [b.org_name, len(b.members), b.total("expected"), b.total("present"), b.total("leave"),
         b.total("absent"), rate(b.total("present"), b.total("expected")), len(b.below),
         b.total("make_ups_owed"), b.total("make_ups_done")]
        for b in bs
    ], title=title, number_formats={6: pct}, empty_text="没有所属支部")  # fmt: skip
    xl.add_table(wb, "党费", GENERAL_DUES_HEADERS, [
        [b.org_name, b.dues_total("members_due"), b.dues_total("members_paid"),
         b.dues_total("members_waived"), yuan(b.dues_total("due_fen")),
         yuan(b.dues_total("paid_fen")),
         rate(b.dues_total("members_paid"), b.dues_total("members_due")), len(b.arrears),
         sum(1 for a in b.arrears if a.lapse)]
        for b in bs
    ], title=title, number_formats={4: xl.YUAN_FORMAT, 5: xl.YUAN_FORMAT, 6: pct},
        empty_text="没有所属支部")  # fmt: skip
    xl.add_table(wb, "决议待办", ["支部", *WORK_HEADERS], [
        [b.org_name, b.work.decisions_new, b.work.decisions_open, b.work.decisions_overdue,
         b.work.make_ups_done, b.work.make_ups_open, b.work.followups_open,
         b.work.followups_new]
        for b in bs
    ], title=title, empty_text="没有所属支部")  # fmt: skip
    lectures = sorted((x for b in bs for x in b.lectures), key=lambda x: (x.held_on, x.org_name))
    xl.add_table(wb, "党课", LECTURE_HEADERS,
                 [[x.held_on, x.org_name, x.title, x.lecturer or "未记录"] for x in lectures],
                 title=title, empty_text="本期各支部未开展党课")  # fmt: skip
    scored = [b for b in bs if b.task_score is not None]
    if scored:
        # The quarterly 工作检查: numbers stay numbers (a branch without a score: empty).
        xl.add_table(wb, "工作检查", ["支部", "到期任务", "按时完成", "考核指标", "指标达标",
                                      "检查得分"], [
            [b.org_name, s.tasks, s.on_time, s.measures, s.measures_met, s.score]
            for b in scored if (s := b.task_score) is not None
        ], title=title)  # fmt: skip
    return wb


def xlsx_name(docx_name: str) -> str:
    return docx_name.removesuffix(".docx") + ".xlsx"


def export_branch(
    report: BranchReport,
    out_dir: str | Path,
    name: str | None = None,
    dues_detail: Sequence[DuesDetailLine] = (),
) -> Path:
    """*name* is the .docx name the caller chose; the workbook takes its stem."""
    stem = name or file_name(report.org_name, report.period)
    wb = branch_workbook(report, dues_detail)
    return xl.save_atomic(wb, Path(out_dir) / xlsx_name(stem))


def export_general(report: GeneralReport, out_dir: str | Path, name: str | None = None) -> Path:
    stem = name or file_name(report.org_name, report.period)
    return xl.save_atomic(general_workbook(report), Path(out_dir) / xlsx_name(stem))
