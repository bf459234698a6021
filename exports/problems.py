"""整改台账: the 问题清单 (filed problems and the meetings' 决议) as .docx
(landscape, on the house style of exports.docx_common) and .xlsx (the house
style of exports.xlsx_common). Built from domain entries only
(docs/DOCUMENTS.md#整改台账)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx.document import Document

from domain.problems import Entry
from exports.docx_common import (
    add_paragraph,
    add_table,
    add_title,
    cn_date,
    cn_dates_in,
    new_document,
)
from exports.docx_common import save_atomic as save_docx
from exports.xlsx_common import Cell, new_workbook, save_workbook
from exports.xlsx_common import add_table as add_sheet

HEADERS = [
    "序号", "支部", "来源", "发现日期", "问题", "整改措施", "责任人", "整改时限", "验证人",
    "状态", "逾期天数",
]  # fmt: skip
# The .docx folds 发现日期 into 来源 and 逾期天数 into 状态: eleven columns at
# 四号 do not fit a landscape A4 page. Widths sum to the text width (243 mm).
DOC_HEADERS = ["序号", "支部", "来源", "问题", "整改措施", "责任人", "整改时限", "验证人", "状态"]
DOC_WIDTHS_MM = [11.0, 22.0, 34.0, 44.0, 44.0, 17.0, 33.0, 17.0, 21.0]
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def _clean(part: str) -> str:
    return _UNSAFE_NAME.sub("", part).strip("_.") or "全部支部"


def _source(e: Entry) -> str:
    note = cn_dates_in(e.source_text)
    return f"{e.source}（{note}）" if note else str(e.source)


def _state(e: Entry, today: dt.date) -> str:
    late = e.days_overdue(today)
    return f"{e.state}（逾期）" if late else str(e.state)


def _measures(e: Entry) -> str:
    parts = [e.measures]
    if e.progress:
        parts.append(f"整改情况：{e.progress}")
    return "\n".join(p for p in parts if p)


def _doc_source(e: Entry) -> str:
    """来源 and its note on the next line (the branch, already in its own
    column, left out), then the day found unless the note already says it."""
    note = cn_dates_in(e.source_text).replace(f"（{e.branch_name}）", "")
    out = f"{e.source}\n{note}" if note else str(e.source)
    found = cn_date(e.found_on)
    return out if not found or found in note else f"{out}\n发现于{found}"


def _two_lines(d: dt.date | None, empty: str = "") -> str:
    """2026年 / 10月11日: a date broken where a reader expects, not mid-number."""
    if d is None:
        return empty
    return f"{d.year}年\n{d.month}月{d.day}日"


def _doc_state(e: Entry, today: dt.date) -> str:
    late = e.days_overdue(today)
    return f"{e.state}\n逾期{late}天" if late else str(e.state)


def doc_rows(entries: Sequence[Entry], today: dt.date) -> list[list[str]]:
    return [
        [
            str(i), e.branch_name, _doc_source(e),
            e.text, _measures(e), e.owner_name, _two_lines(e.deadline, "无时限"),
            e.verifier_name or ("书记" if e.is_decision else ""), _doc_state(e, today),
        ]
        for i, e in enumerate(entries, 1)
    ]  # fmt: skip


def cells(entries: Sequence[Entry], today: dt.date) -> list[list[Cell]]:
    """Spreadsheet rows: 序号 and 逾期天数 numbers, dates as dates."""
    return [
        [
            i, e.branch_name, _source(e), e.found_on, e.text, _measures(e), e.owner_name,
            e.deadline, e.verifier_name, _state(e, today), e.days_overdue(today),
        ]
        for i, e in enumerate(entries, 1)
    ]  # fmt: skip


def title_of(scope: str) -> str:
    return f"{scope}问题整改台账"


def _counts(entries: Sequence[Entry], today: dt.date) -> str:
    open_ = sum(1 for e in entries if e.is_open)
    late = sum(1 for e in entries if e.days_overdue(today))
    closed = len(entries) - open_
    return f"共 {len(entries)} 项：未关闭 {open_} 项（其中逾期 {late} 项），已验证关闭 {closed} 项。"


def build_docx(scope: str, entries: Sequence[Entry], today: dt.date) -> Document:
    doc = new_document(landscape=True, title="问题整改台账", subject=scope)
    add_title(doc, title_of(scope))
    add_paragraph(doc, f"截至{cn_date(today)}。{_counts(entries, today)}", indent=False)
    rows = [DOC_HEADERS, *doc_rows(entries, today)]
    if not entries:
        rows.append(["尚无问题清单记录"])
    # 五号: eleven facts a row; at the house 四号 a page held three entries.
    add_table(
        doc, rows, header=True, widths_mm=DOC_WIDTHS_MM, nowrap_cols=frozenset({0}), cell_pt=10.5
    )
    return doc


def build_xlsx(scope: str, entries: Sequence[Entry], today: dt.date) -> Any:
    wb = new_workbook()
    add_sheet(
        wb, "整改台账", HEADERS, cells(entries, today),
        title=f"{title_of(scope)}（截至{cn_date(today)}）", empty_text="尚无问题清单记录",
    )  # fmt: skip
    return wb


def stem(scope: str) -> str:
    return f"问题整改台账_{_clean(scope)}"


def export(
    scope: str, entries: Sequence[Entry], out_dir: Path, today: dt.date,
    formats: Sequence[str] = ("docx", "xlsx"),
) -> list[Path]:  # fmt: skip
    """The 整改台账 in each of *formats*, each written atomically."""
    base = stem(scope)
    out: list[Path] = []
    if "docx" in formats:
        out.append(save_docx(build_docx(scope, entries, today), out_dir / f"{base}.docx"))
    if "xlsx" in formats:
        out.append(save_workbook(build_xlsx(scope, entries, today), out_dir / f"{base}.xlsx"))
    return out
