"""季度党建工作报告 (.docx): one per branch, and a summary per 党总支.

Sections, as a quarterly 党建考核 checks them (seeds: 季度考核, 党费缴纳率):
一 “三会一课”开展情况, 二 党员参加组织生活情况, 三 党费收缴情况,
四 决议和待办落实情况, 五 党课开展情况.

The caller gathers the numbers (services.export_report reads storage) into the
dataclasses below; this module only lays them out, in docx_common's house
style. Tables use 五号 so nine columns fit a portrait page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

from docx.document import Document
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from domain.dues import format_yuan
from domain.periods import Period, PeriodKind, add_months, month_start
from exports.docx_common import (
    add_heading1,
    add_paragraph,
    add_table,
    add_title,
    cn_dates_in,
    fit_widths,
    keep_block,
    keep_with_next,
    new_document,
    save_atomic,
)

CELL_PT = 10.5  # 五号
PORTRAIT_TEXT_MM = 156.0  # A4 less docx_common's 28 + 26 mm side margins
_CN = "一二三四"
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def percent(numerator: int, denominator: int) -> str:
    if not denominator:
        return "—"
    return f"{float(Fraction(numerator, denominator) * 100):.1f}%"


def period_title(period: Period) -> str:
    if period.kind is PeriodKind.QUARTER:
        return f"{period.start.year}年第{_CN[(period.start.month - 1) // 3]}季度"
    return period.label


def _d(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# -- the data -----------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceLine:
    label: str  # 支部委员会 / 党小组会（采油一班党小组）
    key: str  # requirement key (branch_committee, party_group, …)
    cadence: str  # 每月 / 每季度 / 每年
    required: int  # slots required (× times), as on the home screen
    held: int  # slots met: two meetings in one month count once
    status: str  # 已完成 / 待完成 / 已逾期 / 无需开展
    missed: tuple[str, ...] = ()  # slots ended short, e.g. ("10月",)
    note: str = ""
    meetings: int = 0  # meetings held in the judged slots
    whole_slot: bool = False  # judged over a slot wider than the period (a yearly one)

    @property
    def text(self) -> str:
        """已开/应开 as the home table writes it: '✗2/3', '3/3', '-'."""
        if not self.required:
            return "-"
        return f"{'✗' if self.missed else ''}{self.held}/{self.required}"


@dataclass(frozen=True)
class MemberLine:
    name: str
    probationary: bool
    expected: int
    present: int
    leave: int
    absent: int
    rate_label: str
    make_ups_owed: int
    make_ups_done: int
    below: bool


@dataclass(frozen=True)
class DuesMonthLine:
    month: date
    members_due: int
    members_paid: int
    members_waived: int
    due_fen: int
    paid_fen: int

    @property
    def rate_label(self) -> str:
        return percent(self.members_paid, self.members_due)


def is_due(d: DuesMonthLine, as_of: date | None) -> bool:
    """Dues are settled by the end of their month (domain.dues): a month that
    has not ended by *as_of* is not yet due, and stays out of the totals."""
    if as_of is None:
        return True
    return as_of >= add_months(month_start(d.month), 1) - timedelta(days=1)


@dataclass(frozen=True)
class ArrearsLine:
    name: str
    months: int
    owed_fen: int
    lapse: bool  # six months: 视为自行脱党 to be decided by the 支部大会


@dataclass(frozen=True)
class LectureLine:
    held_on: date
    org_name: str
    title: str
    lecturer: str


@dataclass(frozen=True)
class WorkCounts:
    decisions_new: int
    decisions_open: int
    decisions_overdue: int
    make_ups_open: int
    followups_open: int
    followups_new: int
    make_ups_done: int = 0  # 补学 recorded as done in the period


@dataclass(frozen=True)
class TaskLine:
    """One 党总支 task of the branch due in the quarter (domain.tasks.BranchTask)."""

    title: str
    due: date
    state: str  # 按时完成 / 逾期完成 / 逾期n天 / 进行中 / 未报告
    measure: str = ""  # e.g. 线上缴纳党费比例 47.4%（目标 ≥ 95%，未达标）


@dataclass(frozen=True)
class TaskScoreLine:
    tasks: int
    on_time: int
    measures: int
    measures_met: int
    score: float | None


@dataclass(frozen=True)
class BranchReport:
    org_name: str
    period: Period
    as_of: date
    threshold: int
    compliance: list[ComplianceLine]
    members: list[MemberLine]
    dues: list[DuesMonthLine]
    arrears: list[ArrearsLine]
    work: WorkCounts
    lectures: list[LectureLine]
    # (rows, last hash) of the audit chain when the report was made: on paper,
    # it catches a chain rebuilt later (compare with `zhibu check`).
    audit_head: tuple[int, str] | None = None
    no_base: list[str] = field(default_factory=list)  # members with no dues base
    # 换届 and size rules, one sentence each (storage.branch_home), as of as_of.
    organisation: list[str] = field(default_factory=list)
    # 党总支任务 due in the quarter and the 工作检查 score computed from them.
    tasks: list[TaskLine] = field(default_factory=list)
    task_score: TaskScoreLine | None = None

    def total(self, attr: str) -> int:
        return sum(getattr(m, attr) for m in self.members)

    @property
    def attendance_rate(self) -> str:
        return percent(self.total("present"), self.total("expected"))

    @property
    def below(self) -> list[MemberLine]:
        return [m for m in self.members if m.below]

    def dues_total(self, attr: str) -> int:
        """Over the months already due by as_of, as the 合计 row."""
        return sum(getattr(d, attr) for d in self.dues if is_due(d, self.as_of))

    @property
    def dues_rate(self) -> str:
        return percent(self.dues_total("members_paid"), self.dues_total("members_due"))


@dataclass(frozen=True)
class GeneralReport:
    org_name: str
    period: Period
    as_of: date
    threshold: int
    branches: list[BranchReport] = field(default_factory=list)
    audit_head: tuple[int, str] | None = None


def _audit_head(doc: Document, head: tuple[int, str] | None) -> None:
    """The chain head on the last page, kept with what comes before it and
    small enough that the 64-digit hash stays on one line."""
    if head is None:
        return
    if doc.paragraphs:
        keep_with_next(doc.paragraphs[-1])
    para = add_paragraph(doc, f"审计链头：{head[0]} 条，{head[1]}（可与 zhibu check 核对）")
    for run in para.runs:
        run.font.size = Pt(8)


# -- layout helpers -----------------------------------------------------------------


def _table(doc: Document, rows: list[list[str]]) -> Table:
    widths = fit_widths(rows, PORTRAIT_TEXT_MM, CELL_PT)
    table = add_table(
        doc, rows, header=True, nowrap_numeric=True, widths_mm=widths, cell_pt=CELL_PT
    )
    return table


def _lead(*paras: Paragraph) -> None:
    """A section heading and the lines before its table keep with the table
    (whose header row keeps with its first row): none is left at a page bottom."""
    for p in paras:
        keep_with_next(p)


def _heading_block(
    doc: Document, title: str, period: Period, as_of: date, *, split_at: int | None = None
) -> None:
    add_title(doc, title, split_at=split_at)
    add_paragraph(
        doc,
        f"统计期间：{_d(period.start)}至{_d(period.end)}（数据截至{_d(as_of)}）",
        align="center",
        indent=False,
    )


def _sign_off(doc: Document, org_name: str, as_of: date) -> None:
    paras = [doc.paragraphs[-1]] if doc.paragraphs else []
    paras.append(add_paragraph(doc, ""))
    paras.append(add_paragraph(doc, org_name, align="right", indent=False))
    paras.append(add_paragraph(doc, _d(as_of), align="right", indent=False))
    keep_block(paras)


# -- branch report --------------------------------------------------------------------

COMPLIANCE_HEADERS = ["活动", "要求", "应开（次）", "已开（次）", "完成情况", "说明"]
MEMBER_HEADERS = ["序号", "姓名", "应到", "出席", "请假", "缺席", "出席率", "补学（已/应）", "备注"]
DUES_HEADERS = [
    "月份",
    "应缴人数",
    "已缴足人数",
    "免缴人数",
    "应缴金额（元）",
    "实缴金额（元）",
    "收缴率（按人数）",
    "收缴率（按金额）",
]
NOT_DUE = "未到期"
IN_PROGRESS = "收缴中"
_CADENCE_UNIT = {"每月": "月", "每季度": "季度", "每半年": "半年", "每年": "年"}
LECTURE_HEADERS = ["日期", "党课题目", "授课人"]


def compliance_rows(lines: Sequence[ComplianceLine]) -> list[list[str]]:
    rows = [COMPLIANCE_HEADERS]
    for c in lines:
        said = []
        if c.missed:
            said.append("逾期未开：" + "、".join(c.missed))
        unit = _CADENCE_UNIT.get(c.cadence, "")
        if c.whole_slot and c.required:
            said.append(f"按全{unit}统计，本{unit}已开{c.meetings}次")
        elif c.meetings > c.held and c.required:
            said.append(f"共召开{c.meetings}次，同一{unit}多开的只计一次")
        if c.note:
            said.append(c.note)
        rows.append([c.label, c.cadence, str(c.required), str(c.held), c.status, "；".join(said)])
    return rows


def member_rows(report: BranchReport) -> list[list[str]]:
    rows = [MEMBER_HEADERS]
    for i, m in enumerate(report.members, 1):
        notes = []
        if m.below:
            notes.append(f"低于{report.threshold}%")
        if m.probationary:
            notes.append("预备党员")
        rows.append([
            str(i), m.name, str(m.expected), str(m.present), str(m.leave), str(m.absent),
            m.rate_label, f"{m.make_ups_done}/{m.make_ups_owed}", "，".join(notes),
        ])  # fmt: skip
    rows.append([
        "合计", f"{len(report.members)}人", str(report.total("expected")),
        str(report.total("present")), str(report.total("leave")), str(report.total("absent")),
        report.attendance_rate,
        f"{report.total('make_ups_done')}/{report.total('make_ups_owed')}", "",
    ])  # fmt: skip
    return rows


def dues_rows(lines: Sequence[DuesMonthLine], as_of: date | None = None) -> list[list[str]]:
    """Per month, then the total of the months already due (see is_due)."""
    rows = [DUES_HEADERS]
    due_lines = [d for d in lines if is_due(d, as_of)]
    for d in lines:
        if not is_due(d, as_of) and not d.members_paid and not d.paid_fen:
            rows.append([f"{d.month.month}月", NOT_DUE, "—", "—", "—", "—", "—", "—"])
            continue
        rates = [d.rate_label, percent(d.paid_fen, d.due_fen)]
        rows.append([
            f"{d.month.month}月", str(d.members_due), str(d.members_paid), str(d.members_waived),
            format_yuan(d.due_fen), format_yuan(d.paid_fen),
            *(rates if is_due(d, as_of) else [IN_PROGRESS, IN_PROGRESS]),
        ])  # fmt: skip
    due = sum(d.members_due for d in due_lines)
    paid = sum(d.members_paid for d in due_lines)
    due_fen = sum(d.due_fen for d in due_lines)
    paid_fen = sum(d.paid_fen for d in due_lines)
    rows.append([
        "合计" if len(due_lines) == len(lines) else "已到期合计", str(due), str(paid),
        str(sum(d.members_waived for d in due_lines)),
        format_yuan(due_fen), format_yuan(paid_fen), percent(paid, due), percent(paid_fen, due_fen),
    ])  # fmt: skip
    return rows


def _not_yet_due_text(report: BranchReport) -> str:
    """「（11月尚在收缴中、12月未到期，未计入）」 when the totals leave months out."""
    parts = []
    for d in report.dues:
        if is_due(d, report.as_of):
            continue
        state = "尚在收缴中" if d.members_paid or d.paid_fen else "未到期"
        parts.append(f"{d.month.month}月{state}")
    return f"（{'、'.join(parts)}，未计入）" if parts else ""


def _compliance_summary(lines: Sequence[ComplianceLine]) -> str:
    judged = [c for c in lines if c.status != "无需开展"]
    late = [c for c in judged if c.status == "已逾期"]
    todo = [c for c in judged if c.status == "待完成"]
    done = len(judged) - len(late) - len(todo)
    text = (
        f"本期应开展的{len(judged)}项中，已完成{done}项，待完成{len(todo)}项，已逾期{len(late)}项"
    )
    if late:
        text += "（" + "；".join(f"{c.label}{'、'.join(c.missed)}未开" for c in late) + "）"
    return text + "。"


def _work_text(w: WorkCounts) -> str:
    return (
        f"本期会议形成决议{w.decisions_new}项；目前未完成决议{w.decisions_open}项"
        f"（其中逾期{w.decisions_overdue}项）；本期完成补学{w.make_ups_done}人次，"
        f"未完成补学{w.make_ups_open}人次；"
        f"一人一事在办{w.followups_open}件（本期新登记{w.followups_new}件）。"
    )


def _arrears_text(report: BranchReport) -> str:
    if not report.arrears:
        return f"截至{_d(report.as_of)}，没有连续欠缴3个月以上的党员。"
    parts = [
        f"{a.name}（连续{a.months}个月，欠缴{format_yuan(a.owed_fen)}元"
        + ("，应核实有无正当理由，由支部大会研究处理" if a.lapse else "")
        + "）"
        for a in report.arrears
    ]
    return (
        f"截至{_d(report.as_of)}，连续欠缴3个月以上的党员{len(parts)}人：" + "；".join(parts) + "。"
    )


def build_branch(report: BranchReport) -> Document:
    # No names in metadata beyond the organisation's.
    doc = new_document(
        title="季度党建工作报告", subject=f"{report.org_name}{period_title(report.period)}"
    )
    _heading_block(doc, f"{report.org_name}{period_title(report.period)}党建工作报告",
                   report.period, report.as_of, split_at=len(report.org_name))  # fmt: skip

    _lead(
        add_heading1(doc, "一、“三会一课”开展情况"),
        add_paragraph(doc, _compliance_summary(report.compliance)),
    )
    _table(doc, compliance_rows(report.compliance))

    h2 = add_heading1(doc, "二、党员参加组织生活情况")
    below = report.below
    summary = (
        f"支部党员{len(report.members)}人，本期应到{report.total('expected')}人次，"
        f"出席{report.total('present')}人次，请假{report.total('leave')}人次，"
        f"缺席{report.total('absent')}人次，出席率{report.attendance_rate}；"
        f"应补学{report.total('make_ups_owed')}人次，已补学{report.total('make_ups_done')}人次。"
    )
    if below:
        summary += f"出席率低于{report.threshold}%的党员{len(below)}人：" + "、".join(
            f"{m.name}（{m.rate_label}）" for m in below
        )
        summary += "，应谈心提醒。"
    else:
        summary += f"没有出席率低于{report.threshold}%的党员。"
    _lead(h2, add_paragraph(doc, summary))
    _table(doc, member_rows(report))

    h3 = add_heading1(doc, "三、党费收缴情况")
    dues_text = add_paragraph(
        doc,
        f"本期应缴{report.dues_total('members_due')}人次，已缴足{report.dues_total('members_paid')}"
        f"人次，按人次计收缴率{report.dues_rate}；"
        f"应缴{format_yuan(report.dues_total('due_fen'))}元，"
        f"实缴{format_yuan(report.dues_total('paid_fen'))}元，按金额计收缴率"
        f"{percent(report.dues_total('paid_fen'), report.dues_total('due_fen'))}"
        f"{_not_yet_due_text(report)}。",
    )
    _lead(h3, dues_text)
    _table(doc, dues_rows(report.dues, report.as_of))
    add_paragraph(doc, _arrears_text(report))
    if report.no_base:
        add_paragraph(
            doc,
            f"未设基数的党员{len(report.no_base)}人：{'、'.join(report.no_base)}。"
            "其应缴党费无法计算，未计入上表，应尽快核定计算基数。",
        )

    _lead(add_heading1(doc, "四、决议和待办落实情况"))
    add_paragraph(doc, _work_text(report.work))

    h5 = add_heading1(doc, "五、党课开展情况")
    if report.lectures:
        _lead(h5, add_paragraph(doc, f"本期开展党课{len(report.lectures)}次。"))
        rows = [LECTURE_HEADERS]
        rows += [[_d(x.held_on), x.title, x.lecturer or "未记录"] for x in report.lectures]
        _table(doc, rows)
    else:
        add_paragraph(doc, "本期未开展党课。")
    if report.organisation:
        _lead(add_heading1(doc, "六、组织建设情况"))
        for line in report.organisation:
            # The sentences come from the branch view, which shows ISO dates.
            add_paragraph(doc, cn_dates_in(line))
    if report.tasks:
        _tasks_section(doc, report, "七" if report.organisation else "六")
    _sign_off(doc, report.org_name, report.as_of)
    _audit_head(doc, report.audit_head)
    return doc


TASK_HEADERS = ["任务", "完成时限", "完成情况", "考核指标"]


def _score_text(s: TaskScoreLine) -> str:
    text = f"本季度到期任务{s.tasks}项，按时完成{s.on_time}项"
    if s.measures:
        text += f"，考核指标{s.measures}项、达标{s.measures_met}项"
    return text + (f"，工作检查得分{s.score:g}分。" if s.score is not None else "。")


def _tasks_section(doc: Document, report: BranchReport, number: str) -> None:
    head = add_heading1(doc, f"{number}、党总支任务完成情况")
    if report.task_score is not None:
        _lead(head, add_paragraph(doc, _score_text(report.task_score)))
    else:
        _lead(head)
    rows = [TASK_HEADERS]
    rows += [[t.title, _d(t.due), t.state, t.measure or "—"] for t in report.tasks]
    _table(doc, rows)


def general_task_rows(report: GeneralReport) -> list[list[str]]:
    rows = [["支部", "到期任务", "按时完成", "指标达标", "检查得分"]]
    for b in report.branches:
        s = b.task_score
        if s is None:
            continue
        rows.append([b.org_name, str(s.tasks), str(s.on_time),
                     f"{s.measures_met}/{s.measures}" if s.measures else "—",
                     f"{s.score:g}" if s.score is not None else "—"])  # fmt: skip
    return rows


# -- general-branch summary -----------------------------------------------------------

SUMMARY_KEYS = (
    ("branch_committee", "支委会"),
    ("party_group", "小组会"),
    ("theme_day", "主题党日"),
    ("member_assembly", "党员大会"),
    ("party_lecture", "党课"),
)


def _met_cell(lines: Sequence[ComplianceLine], key: str) -> str:
    return next((c.text for c in lines if c.key == key), "-")


def general_compliance_rows(report: GeneralReport) -> list[list[str]]:
    rows = [["支部", *(label for _, label in SUMMARY_KEYS)]]
    for b in report.branches:
        rows.append([b.org_name, *(_met_cell(b.compliance, k) for k, _ in SUMMARY_KEYS)])
    return rows


def general_participation_rows(report: GeneralReport) -> list[list[str]]:
    rows = [["支部", "党员", "应到", "出席", "请假", "缺席", "出席率", f"低于{report.threshold}%",
             "补学（已/应）"]]  # fmt: skip
    for b in report.branches:
        rows.append([
            b.org_name, str(len(b.members)), str(b.total("expected")), str(b.total("present")),
            str(b.total("leave")), str(b.total("absent")), b.attendance_rate, str(len(b.below)),
            f"{b.total('make_ups_done')}/{b.total('make_ups_owed')}",
        ])  # fmt: skip
    bs = report.branches
    expected = sum(b.total("expected") for b in bs)
    present = sum(b.total("present") for b in bs)
    rows.append([
        "合计", str(sum(len(b.members) for b in bs)), str(expected), str(present),
        str(sum(b.total("leave") for b in bs)), str(sum(b.total("absent") for b in bs)),
        percent(present, expected), str(sum(len(b.below) for b in bs)),
        f"{sum(b.total('make_ups_done') for b in bs)}/{sum(b.total('make_ups_owed') for b in bs)}",
    ])  # fmt: skip
    return rows


def general_dues_rows(report: GeneralReport) -> list[list[str]]:
    rows = [["支部", "应缴人次", "已缴足人次", "免缴人次", "应缴金额（元）", "实缴金额（元）",
             "收缴率（按人次）", "欠缴3个月以上", "其中6个月以上"]]  # fmt: skip
    for b in report.branches:
        rows.append([
            b.org_name, str(b.dues_total("members_due")), str(b.dues_total("members_paid")),
            str(b.dues_total("members_waived")), format_yuan(b.dues_total("due_fen")),
            format_yuan(b.dues_total("paid_fen")), b.dues_rate, str(len(b.arrears)),
            str(sum(1 for a in b.arrears if a.lapse)),
        ])  # fmt: skip
    bs = report.branches
    due = sum(b.dues_total("members_due") for b in bs)
    paid = sum(b.dues_total("members_paid") for b in bs)
    rows.append([
        "合计", str(due), str(paid), str(sum(b.dues_total("members_waived") for b in bs)),
        format_yuan(sum(b.dues_total("due_fen") for b in bs)),
        format_yuan(sum(b.dues_total("paid_fen") for b in bs)), percent(paid, due),
        str(sum(len(b.arrears) for b in bs)),
        str(sum(1 for b in bs for a in b.arrears if a.lapse)),
    ])  # fmt: skip
    return rows


def general_work_rows(report: GeneralReport) -> list[list[str]]:
    rows = [["支部", "新形成决议", "未完成决议", "其中逾期", "完成补学", "未完成补学",
             "一人一事在办"]]  # fmt: skip
    for b in report.branches:
        w = b.work
        rows.append([b.org_name, str(w.decisions_new), str(w.decisions_open),
                     str(w.decisions_overdue), str(w.make_ups_done), str(w.make_ups_open),
                     str(w.followups_open)])  # fmt: skip
    return rows


def build_general(report: GeneralReport) -> Document:
    doc = new_document(
        title="季度党建工作报告（汇总）",
        subject=f"{report.org_name}{period_title(report.period)}",
    )
    _heading_block(doc, f"{report.org_name}{period_title(report.period)}党建工作报告",
                   report.period, report.as_of, split_at=len(report.org_name))  # fmt: skip
    add_paragraph(
        doc, f"本报告汇总所属{len(report.branches)}个党支部的情况，各支部明细见其季度报告。"
    )

    _lead(
        add_heading1(doc, "一、“三会一课”开展情况"),
        add_paragraph(
            doc, "表中为已开/应开（按月、季计次，小组会按各党小组计），✗ 表示有逾期未开。"
        ),
    )
    _table(doc, general_compliance_rows(report))
    late = [
        f"{b.org_name}："
        + "；".join(f"{c.label}{'、'.join(c.missed)}" for c in b.compliance if c.missed)
        for b in report.branches
        if any(c.missed for c in b.compliance)
    ]
    add_paragraph(
        doc, ("逾期未开：" + "。".join(late) + "。") if late else "各支部均无逾期未开的活动。"
    )

    _lead(add_heading1(doc, "二、党员参加组织生活情况"))
    _table(doc, general_participation_rows(report))

    _lead(add_heading1(doc, "三、党费收缴情况"))
    _table(doc, general_dues_rows(report))
    unset = [f"{b.org_name}{len(b.no_base)}人" for b in report.branches if b.no_base]
    if unset:
        add_paragraph(doc, "未设基数（党费无法计算）的党员：" + "、".join(unset) + "。")

    _lead(add_heading1(doc, "四、决议和待办落实情况"))
    _table(doc, general_work_rows(report))

    h5 = add_heading1(doc, "五、党课开展情况")
    lectures = [x for b in report.branches for x in b.lectures]
    if lectures:
        _lead(h5)
        rows = [["支部", "日期", "党课题目", "授课人"]]
        rows += [
            [x.org_name, _d(x.held_on), x.title, x.lecturer or "未记录"]
            for x in sorted(lectures, key=lambda x: (x.held_on, x.org_name))
        ]
        _table(doc, rows)
    else:
        add_paragraph(doc, "本期各支部未开展党课。")
    task_rows = general_task_rows(report)
    if len(task_rows) > 1:
        _lead(add_heading1(doc, "六、党总支任务完成情况（季度工作检查）"))
        _table(doc, task_rows)
        # A closing line: the sign-off keeps with it, not alone on a new page.
        add_paragraph(doc, "检查得分按各支部本季度到期任务的按时完成和考核指标达标情况折算为百分制。")
    _sign_off(doc, report.org_name, report.as_of)
    _audit_head(doc, report.audit_head)
    return doc


# -- files ------------------------------------------------------------------------------


def file_name(org_name: str, period: Period) -> str:
    """季度报告_<组织>_<2026Q4>.docx with characters file systems dislike removed."""
    parts = ("季度报告", org_name, period.label)
    stem = "_".join(_UNSAFE_NAME.sub("", p) for p in parts)
    return f"{stem.strip('_.')[:120]}.docx"


def export_branch(report: BranchReport, out_dir: str | Path, name: str | None = None) -> Path:
    """Build and save atomically (0600) into *out_dir*; returns the path."""
    path = Path(out_dir) / (name or file_name(report.org_name, report.period))
    return save_atomic(build_branch(report), path)


def export_general(report: GeneralReport, out_dir: str | Path, name: str | None = None) -> Path:
    path = Path(out_dir) / (name or file_name(report.org_name, report.period))
    return save_atomic(build_general(report), path)
