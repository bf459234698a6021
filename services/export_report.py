"""Export the 季度党建工作报告 (.docx): one per branch and one summary per
党总支. The numbers are gathered from storage here, the layout lives in
exports.quarterly_report. The participation screen runs ``export_reports`` in
a thread worker; `zhibu export report` runs ``export_for_command``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import InvalidInput, service, write_error
from services.org_lookup import check_out_dir, find_unit
from services.progress import Step, Tracker

if TYPE_CHECKING:  # keep `zhibu` start-up light: storage/docx load on use
    from domain.org import OrgUnit
    from domain.periods import Period
    from exports.quarterly_report import BranchReport, TaskLine, TaskScoreLine
    from exports.report_xlsx import DuesDetailLine
    from storage.db import Store


@dataclass(frozen=True)
class ReportFile:
    org_name: str
    path: Path
    kind: str  # 党支部 / 党总支


def branch_report(store: Store, branch: OrgUnit, period: Period, today: date) -> BranchReport:
    """Every number of one branch's quarterly report, read from storage."""
    from domain.compliance import ComplianceConfig, ComplianceStatus
    from domain.dues import ArrearsLevel
    from domain.people import PoliticalStatus
    from exports import quarterly_report as qr
    from storage import compliance, compliance_report, dues, participation, people

    facts = compliance.branch_facts(store, [branch.id])
    cells = compliance.branch_cells(store, facts, period, today)[branch.id] if facts else []
    cadence = {r.key: r.cadence.value for r in ComplianceConfig().requirements}
    n_groups = len(facts[0].info.group_ids) if facts else 0
    lines = [
        qr.ComplianceLine(
            label=f"{c.label}（{n_groups}个党小组）"
            if c.key == "party_group" and n_groups
            else c.label,
            key=c.key,
            cadence=cadence.get(c.key, ""),
            required=c.required,
            held=c.held,
            status=c.status.value,
            missed=tuple(m.strip() for m in c.missed),
            note=c.note if c.status is not ComplianceStatus.MET else "",
            meetings=c.meetings,
            whole_slot=c.beyond_window,
        )
        for c in cells
    ]
    part = participation.branch_participation(store, branch.id, period)
    members = [
        qr.MemberLine(
            name=m.person.name,
            probationary=m.person.status is PoliticalStatus.PROBATIONARY,
            expected=m.stats.expected,
            present=m.stats.present,
            leave=m.stats.leave,
            absent=m.stats.absent,
            rate_label=m.stats.rate_label,
            make_ups_owed=m.stats.make_ups_owed,
            make_ups_done=m.stats.make_ups_done,
            below=m.below,
        )
        for m in part.rows
    ]
    months = [
        qr.DuesMonthLine(
            month=s.month,
            members_due=s.members_due,
            members_paid=s.members_paid,
            members_waived=s.members_waived,
            due_fen=s.due_fen,
            paid_fen=s.paid_fen,
        )
        for s in dues.months_summary(store, [branch.id], period.start, period.end)
    ]
    alerts = dues.branch_arrears(store, [branch.id], today)
    names = {p.id: p.name for p in people.get_many(store, [a.person_id for a in alerts])}
    arrears = [
        qr.ArrearsLine(
            name=names.get(a.person_id, "（已不在花名册）"),
            months=a.consecutive_months,
            owed_fen=a.owed_fen,
            lapse=a.alert is not None and a.alert.level is ArrearsLevel.LAPSE,
        )
        for a in alerts
    ]
    from services.dues import members_without_base

    # As of the report's last month (or today, for the current quarter).
    no_base = members_without_base(store, [branch.id], min(period.end, today))
    ft = compliance_report.follow_through(store, branch.id, period, today)
    org_ids = [branch.id, *(facts[0].info.group_ids if facts else [])]
    lectures = [
        qr.LectureLine(x.held_on, x.org_name, x.title, x.lecturer_name)
        for x in compliance_report.lectures(store, org_ids, period)
    ]
    tasks, task_score = _tasks(store, branch.id, period, today)
    return qr.BranchReport(
        org_name=branch.name,
        period=period,
        as_of=today,
        threshold=part.config.threshold_percent,
        compliance=lines,
        members=members,
        dues=months,
        arrears=arrears,
        no_base=no_base,
        work=qr.WorkCounts(
            decisions_new=ft.decisions_new,
            decisions_open=ft.decisions_open,
            decisions_overdue=ft.decisions_overdue,
            make_ups_open=ft.make_ups_open,
            make_ups_done=ft.make_ups_done,
            followups_open=ft.followups_open,
            followups_new=ft.followups_new,
        ),
        lectures=lectures,
        organisation=_organisation(store, branch.id, today),
        tasks=tasks,
        task_score=task_score,
    )


def _tasks(
    store: Store, branch_id: str, period: Period, today: date
) -> tuple[list[TaskLine], TaskScoreLine | None]:
    """The branch's 党总支任务 due in *period* and its 工作检查 score."""
    from domain.tasks import in_quarter, score_branch
    from exports import quarterly_report as qr
    from services.tasks import branch_tasks

    items = [i for i in branch_tasks(store, branch_id=branch_id) if in_quarter(i.task, period)]
    if not items:
        return [], None
    lines = []
    for i in items:
        measure = ""
        if i.task.measure is not None:
            value = "无数据" if i.measure_value is None else f"{i.measure_value:g}%"
            met = "达标" if i.measure_met else "未达标"
            measure = f"{i.task.measure} {value}（目标 ≥ {i.task.threshold_pct:g}%，{met}）"
        lines.append(qr.TaskLine(i.task.title, i.task.due, i.state(today), measure))
    s = score_branch(items, branch_id, "")
    score = qr.TaskScoreLine(s.tasks, s.on_time, s.measures, s.measures_met, s.score)
    return lines, score


def _organisation(store: Store, branch_id: str, today: date) -> list[str]:
    """The term (warned from six months ahead) and the size rules, as sentences."""
    from domain.branch_rules import Level, TermState
    from storage import branch_home

    rows = branch_home.statuses(store, today, [branch_id])
    if not rows:
        return []
    s = rows[0]
    term = s.term.message + "。"
    if s.term.state in (TermState.DUE_SOON, TermState.EXPIRED):
        term = "【提醒】" + term
    size = [
        f"{f.text}。" if f.level is Level.OK else f"{f.level.value}：{f.text}。" for f in s.size
    ]
    return [term, *size]


def dues_detail(store: Store, branch_id: str, period: Period) -> list[DuesDetailLine]:
    """Every dues record the branch holds for the period's months, named."""
    from exports.report_xlsx import DuesDetailLine
    from storage import dues, people

    records = dues.for_branch(store, branch_id, period.start, period.end)
    names = {p.id: p.name for p in people.get_many(store, sorted({r.person_id for r in records}))}
    return [
        DuesDetailLine(
            month=r.month, name=names.get(r.person_id, ""), kind=r.kind.value,
            base_fen=r.base_fen, rate_bp=r.rate_bp, due_fen=r.due_fen, paid_fen=r.paid_fen,
            paid_on=r.paid_on, method=r.method, waived=r.waived, note=r.waiver_note,
        )
        for r in records
    ]  # fmt: skip


def _unique(name: str, used: set[str]) -> str:
    stem, n = name.removesuffix(".docx"), 1
    while name in used:
        n += 1
        name = f"{stem}_{n}.docx"
    used.add(name)
    return name


@service
def export_reports(
    store: Store,
    out_dir: Path,
    *,
    period: Period,
    today: date,
    org_ids: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    step: Step | None = None,
    formats: Sequence[str] = ("docx",),
) -> list[ReportFile]:
    """Write the reports into *out_dir* (created 0700 if missing), each in
    every one of *formats* ("docx", "xlsx": the report's tables as a
    workbook); OSError is left to the caller. *step* hears after each unit
    how many of how many are done.

    ``org_ids`` None: every branch and every 党总支. A branch id gives that
    branch's report; a 党总支 id its summary and its branches' reports; a
    党委 id everything below it.
    """
    from domain.org import OrgKind
    from exports import quarterly_report as qr
    from exports import report_xlsx
    from services.export_folder import ensure_export_dir
    from storage import org

    say = progress or (lambda _m: None)
    units = org.all_units(store)
    by_id = {u.id: u for u in units}
    children: dict[str | None, list[OrgUnit]] = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)

    def below(unit_id: str) -> list[OrgUnit]:
        out: list[OrgUnit] = []
        for c in children.get(unit_id, []):
            out.append(c)
            out += below(c.id)
        return out

    if org_ids is None:
        chosen = [u for u in units if u.kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)]
    else:
        picked: dict[str, OrgUnit] = {}
        for oid in org_ids:
            unit = by_id.get(oid)
            if unit is None:
                continue
            for u in (unit, *below(unit.id)):
                if u.kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
                    picked[u.id] = u
        chosen = [u for u in units if u.id in picked]
    out_dir = ensure_export_dir(out_dir)
    cache: dict[str, BranchReport] = {}

    from dataclasses import replace

    from storage import audit
    from storage.compliance import cells_line

    head = audit.head(store.conn)

    def report_of(b: OrgUnit) -> BranchReport:
        if b.id not in cache:
            cache[b.id] = replace(branch_report(store, b, period, today), audit_head=head)
        return cache[b.id]

    used: set[str] = set()
    files: list[ReportFile] = []
    tracker = Tracker(len(chosen), step)
    # Branches first, then the summaries that reuse their numbers.
    for unit in [u for u in chosen if u.kind is OrgKind.BRANCH]:
        name = _unique(qr.file_name(unit.name, period), used)
        report = report_of(unit)
        for fmt in formats:
            if fmt == "xlsx":
                detail = dues_detail(store, unit.id, period)
                path = report_xlsx.export_branch(report, out_dir, name, detail)
            else:
                path = qr.export_branch(report, out_dir, name)
            files.append(ReportFile(unit.name, path, unit.kind.value))
            say(f"已导出 {unit.name}：{path}")
        say(f"  三会一课（已开/应开）：{cells_line(report.compliance)}")
        tracker.advance()
    for unit in [u for u in chosen if u.kind is OrgKind.GENERAL_BRANCH]:
        branches = [u for u in children.get(unit.id, []) if u.kind is OrgKind.BRANCH]
        reports = [report_of(b) for b in branches]
        threshold = reports[0].threshold if reports else 80
        general = qr.GeneralReport(unit.name, period, today, threshold, reports, head)
        name = _unique(qr.file_name(unit.name, period), used)
        for fmt in formats:
            write_general = report_xlsx.export_general if fmt == "xlsx" else qr.export_general
            path = write_general(general, out_dir, name)
            files.append(ReportFile(unit.name, path, unit.kind.value))
            say(f"已导出 {unit.name}（汇总 {len(branches)} 个支部）：{path}")
        tracker.advance()
    return files


@service
def export_for_command(
    store: Store,
    out_dir: Path,
    *,
    period: Period,
    today: date,
    org_name: str | None = None,
    progress: Callable[[str], None] | None = None,
    step: Step | None = None,
    formats: Sequence[str] = ("docx",),
) -> list[ReportFile]:
    """`zhibu export report`: one quarter, one unit (with what is below it) or all."""
    from domain.org import OrgKind
    from domain.periods import PeriodKind

    if period.kind is not PeriodKind.QUARTER:
        raise InvalidInput(f"“{period.label}”不是季度，请写成 2026Q4 或 2026年第四季度")
    out_dir = Path(out_dir).expanduser()
    check_out_dir(out_dir)
    org_ids = None
    if org_name:
        kinds = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE)
        org_ids = [find_unit(store, org_name, kinds, "支部或党总支").id]
    if period.start > today:
        raise InvalidInput(f"{period.label} 还没有开始（截至 {today.isoformat()}）")
    if progress:
        progress(f"季度党建工作报告：{period.label}（数据截至 {today.isoformat()}）")
    try:
        return export_reports(
            store, out_dir, period=period, today=today, org_ids=org_ids, progress=progress,
            step=step, formats=formats,
        )
    except OSError as e:
        raise write_error(out_dir, e) from e
