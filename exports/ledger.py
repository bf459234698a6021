"""一人一事台账 (worker follow-up ledger) as a landscape A4 Word document.

One row per follow-up with the columns a printed ledger carries
(docs/DOCUMENTS.md#ledger). The worker's 班组岗位 is not stored on FollowUp (it changes,
and the case should hold no more personal data than it needs, PIPL Art. 6),
so the caller passes ``team_posts``: person_id → "班组/岗位" text, read from
the roster at export time. Missing ids give an empty cell.

The caller picks which cases belong to the period (see ``for_period``) and
which the reader may see in full (``domain.followups.visible``);
``redact_private=True`` additionally blanks every private case, for a copy
that leaves the branch committee. ``internal=True`` marks the 内部版 (private
details in full) in the header of every page (docs/DOCUMENTS.md#ledger).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from domain.followups import (
    ACTIVE_STATUSES,
    FollowUp,
    FollowUpConfig,
    Status,
    add_days,
    add_months,
    redacted,
)
from exports import xlsx_common as xl
from exports.docx_common import (
    add_paragraph,
    add_sign_off,
    add_table,
    add_title,
    cn_date,
    new_document,
    save_atomic,
)
from exports.xlsx_common import Cell

HEADERS = [
    "编号",
    "对象",
    "班组岗位",
    "发现时间/来源",
    "触发情形",
    "问题描述",
    "责任人",
    "帮扶措施及谈访记录",
    "级别",
    "状态",
    "办理时限",
    "办理结果",
]
# Landscape A4 less docx_common's 28 + 26 mm side margins leaves 243 mm. The
# date columns are as wide as 2026年12月28日 at 小五 plus cell margins, so a
# date never breaks.
WIDTHS_MM = [11.0, 14.0, 17.0, 34.0, 17.0, 22.0, 13.0, 36.0, 14.0, 14.0, 34.0, 17.0]
NOWRAP_COLS = frozenset({0, 3, 8, 10})
# 小五: twelve columns at the house 四号 table size would wrap every word.
CELL_PT = 9
REDACTED_TEXT = "保密，详见内部版"
INTERNAL_HEADER = "内部版 含保密内容"
SIGN_OFF = ["填报人", "审核人"]

PRIVACY_NOTE = "注：本台账含职工个人信息，仅限支部书记、支委查阅，不得公开（保密原则）。"
EMPTY_ROW = "本期无一人一事记录"


def for_period(followups: Iterable[FollowUp], start: date, end: date) -> list[FollowUp]:
    """Cases that belong in a ledger for start..end: found by *end* and not
    closed (销号) before *start*."""

    def closed_before_start(fu: FollowUp) -> bool:
        if fu.status is not Status.CLOSED:
            return False
        closes = [c.on for c in fu.status_changes if c.to_status is Status.CLOSED]
        return bool(closes) and closes[-1] < start

    return [fu for fu in followups if fu.found_on <= end and not closed_before_start(fu)]


def _timeline_lines(fu: FollowUp) -> list[str]:
    """Dated one-liners for contacts, return visits and escalations, oldest first."""
    entries: list[tuple[date, str]] = []
    for c in fu.contacts:
        what = "回访" if c.return_visit else str(c.method)
        parts = [c.content.replace("\n", " ").strip()]
        if c.attitude:
            parts.append(f"态度：{c.attitude}")
        if c.help_given:
            parts.append(f"帮扶：{c.help_given.replace(chr(10), ' ').strip()}")
        body = "；".join(p for p in parts if p)
        entries.append(
            (c.on, f"{cn_date(c.on)} {what}（{c.by_name}）{'：' + body if body else ''}")
        )
    for e in fu.escalations:
        entries.append((e.on, f"{cn_date(e.on)} 上报{e.to_whom}：{e.reason}"))
    entries.sort(key=lambda item: item[0])
    return [text for _, text in entries]


def _measures_cell(fu: FollowUp) -> str:
    lines = [f"措施：{fu.measures.strip()}"] if fu.measures.strip() else []
    return "\n".join(lines + _timeline_lines(fu))


def _status_cell(fu: FollowUp) -> str:
    lines = [str(fu.status)]
    if fu.is_bangjiao:
        lines.append("帮教")
    return "\n".join(lines)


def _deadline(fu: FollowUp, config: FollowUpConfig) -> date | None:
    """The 办理时限 that applied (also for closed cases); None for 长期跟踪."""
    if fu.status is Status.LONG_TERM:
        return None
    if fu.is_bangjiao:
        return add_months(fu.start_date, config.bangjiao_months)
    return add_days(fu.found_on, config.resolve_days[fu.level])


def _deadline_cell(fu: FollowUp, config: FollowUpConfig) -> str:
    """办理时限 (the one that applied, also for closed cases) and the next contact."""
    due = _deadline(fu, config)
    lines: list[str] = [cn_date(due) if due else "长期跟踪"]
    if fu.next_contact is not None and fu.status in ACTIVE_STATUSES:
        lines += ["下次谈访", cn_date(fu.next_contact)]
    return "\n".join(lines)


def _description_cell(fu: FollowUp) -> str:
    if fu.is_redacted:
        return REDACTED_TEXT
    return f"［{fu.category}］{fu.description.strip()}"


def _outcome_cell(fu: FollowUp) -> str:
    lines = [fu.outcome.strip()] if fu.outcome.strip() else []
    if fu.appraisal:
        lines.append(f"评价：{fu.appraisal}")
    return "\n".join(lines)


def row(
    number: int, fu: FollowUp, team_post: str, config: FollowUpConfig | None = None
) -> list[str]:
    """The twelve ledger cells for one follow-up; a redacted case says where
    the details are instead of leaving blanks nobody can explain."""
    config = config or FollowUpConfig()
    hidden = REDACTED_TEXT if fu.is_redacted else ""
    return [
        str(number),
        fu.person_name,
        hidden or team_post,
        f"{cn_date(fu.found_on)}\n{fu.source}",
        hidden or fu.trigger_text,
        _description_cell(fu),
        fu.responsible_name,
        hidden or _measures_cell(fu),
        f"{fu.level}级",
        _status_cell(fu),
        _deadline_cell(fu, config),
        hidden or _outcome_cell(fu),
    ]


def _summary(followups: Sequence[FollowUp]) -> str:
    counts = Counter(fu.status for fu in followups)
    parts = [f"{status}{counts[status]}件" for status in Status if counts[status]]
    return f"共{len(followups)}件" + (f"，其中{'、'.join(parts)}。" if parts else "。")


def build(
    branch_name: str,
    followups: Iterable[FollowUp],
    period_label: str,
    *,
    team_posts: Mapping[str, str] | None = None,
    redact_private: bool = False,
    internal: bool = False,
    config: FollowUpConfig | None = None,
    today: date | None = None,
) -> Document:
    """The ledger document; rows ordered by found date, then name."""
    team_posts = team_posts or {}
    cases = sorted(followups, key=lambda fu: (fu.found_on, fu.person_name, fu.id))
    if redact_private:
        cases = [redacted(fu) if fu.private else fu for fu in cases]

    # No names in metadata: the branch and the period are enough to file it.
    doc = new_document(
        landscape=True, title="一人一事思想政治工作台账", subject=f"{branch_name} {period_label}"
    )
    if internal:
        _mark_internal(doc)
    add_title(doc, f"{branch_name}一人一事思想政治工作台账")
    add_paragraph(doc, f"（{period_label}）", align="center", indent=False)
    add_paragraph(doc, _summary(cases), indent=False)

    rows = [HEADERS]
    rows += [
        row(i, fu, team_posts.get(fu.person_id, ""), config) for i, fu in enumerate(cases, 1)
    ]
    if not cases:
        rows.append([EMPTY_ROW])  # a short row spans the whole table
    add_table(doc, rows, header=True, widths_mm=WIDTHS_MM, nowrap_cols=NOWRAP_COLS, cell_pt=CELL_PT)

    add_paragraph(doc, PRIVACY_NOTE, indent=False)
    add_sign_off(doc, SIGN_OFF, on=today)
    return doc


# The spreadsheet splits the document's stacked cells (date + source, status
# + 帮教, deadline + next contact) into columns of their own, so each can be
# sorted and filtered, dates as dates and 编号 as a number.
XLSX_HEADERS = [
    "编号",
    "对象",
    "班组岗位",
    "发现时间",
    "来源",
    "触发情形",
    "问题描述",
    "责任人",
    "帮扶措施及谈访记录",
    "级别",
    "状态",
    "帮教",
    "办理时限",
    "下次谈访",
    "办理结果",
]
SHEET_NAME = "一人一事台账"


def xlsx_row(
    number: int, fu: FollowUp, team_post: str, config: FollowUpConfig | None = None
) -> list[Cell]:
    config = config or FollowUpConfig()
    hidden = REDACTED_TEXT if fu.is_redacted else ""
    due = _deadline(fu, config)
    active = fu.status in ACTIVE_STATUSES
    return [
        number,
        fu.person_name,
        hidden or team_post,
        fu.found_on,
        fu.source,
        hidden or fu.trigger_text,
        _description_cell(fu),
        fu.responsible_name,
        hidden or _measures_cell(fu),
        f"{fu.level}级",
        str(fu.status),
        "是" if fu.is_bangjiao else "",
        due if due else "长期跟踪",
        fu.next_contact if active else None,
        hidden or _outcome_cell(fu),
    ]


def build_xlsx(
    branch_name: str,
    followups: Iterable[FollowUp],
    period_label: str,
    *,
    team_posts: Mapping[str, str] | None = None,
    redact_private: bool = False,
    internal: bool = False,
    config: FollowUpConfig | None = None,
) -> Any:
    """The ledger as a workbook: the same cases in the same order as ``build``."""
    team_posts = team_posts or {}
    cases = sorted(followups, key=lambda fu: (fu.found_on, fu.person_name, fu.id))
    if redact_private:
        cases = [redacted(fu) if fu.private else fu for fu in cases]
    title = f"{branch_name}一人一事思想政治工作台账（{period_label}）"
    if internal:
        title += f"　{INTERNAL_HEADER}"
    wb = xl.new_workbook()
    ws = xl.add_table(
        wb,
        SHEET_NAME,
        XLSX_HEADERS,
        [
            xlsx_row(i, fu, team_posts.get(fu.person_id, ""), config)
            for i, fu in enumerate(cases, 1)
        ],
        title=title,
        empty_text=EMPTY_ROW,
    )
    last = ws.max_row
    ws.cell(row=last + 2, column=1, value=_summary(cases))
    ws.cell(row=last + 3, column=1, value=PRIVACY_NOTE)
    wb.properties.title = "一人一事思想政治工作台账"
    return wb



def _mark_internal(doc: Document) -> None:
    """「内部版 含保密内容」 in the page header: a section header repeats on
    every page, so no printed sheet of the full version can pass for the 外发版."""
    for section in doc.sections:
        header = section.header
        header.is_linked_to_previous = False
        p = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        p.text = ""
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        run = p.add_run(INTERNAL_HEADER)
        run.font.size = Pt(CELL_PT + 1.5)
        run.bold = True


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def file_name(
    branch_name: str, period_label: str, *, internal: bool = False, suffix: str = ".docx"
) -> str:
    """一人一事台账_<支部>_<期间>[_内部版].docx with characters no file system
    likes removed; the 内部版 has a name of its own so it never replaces the
    外发版 (or passes for it) in a folder listing."""
    stem = "_".join(
        _UNSAFE_NAME.sub("", part) for part in ("一人一事台账", branch_name, period_label)
    )
    return f"{stem.strip('_.')[:120]}{'_内部版' if internal else ''}{suffix}"


def export(
    branch_name: str,
    followups: Iterable[FollowUp],
    period_label: str,
    out_dir: str | Path,
    *,
    team_posts: Mapping[str, str] | None = None,
    redact_private: bool = False,
    internal: bool = False,
    fmt: str = "docx",
) -> Path:
    """Build and save atomically (0600) into *out_dir*; returns the file path.
    *fmt* "xlsx" writes the spreadsheet instead of the document."""
    if fmt == "xlsx":
        wb = build_xlsx(
            branch_name,
            followups,
            period_label,
            team_posts=team_posts,
            redact_private=redact_private,
            internal=internal,
        )
        name = file_name(branch_name, period_label, internal=internal, suffix=".xlsx")
        return xl.save_atomic(wb, Path(out_dir) / name)
    doc = build(
        branch_name,
        followups,
        period_label,
        team_posts=team_posts,
        redact_private=redact_private,
        internal=internal,
    )
    name = file_name(branch_name, period_label, internal=internal)
    return save_atomic(doc, Path(out_dir) / name)
