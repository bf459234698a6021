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
from exports import xlsx_common as xl
from exports.docx_common import add_paragraph, add_table, add_title, cn_date, new_document
from exports.docx_common import save_atomic as save_docx
from exports.xlsx_common import Cell

HEADERS = [
    "序号", "支部", "来源", "发现日期", "问题", "整改措施", "责任人", "整改时限", "验证人",
    "状态", "逾期天数",
]  # fmt: skip
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def _clean(part: str) -> str:
    return _UNSAFE_NAME.sub("", part).strip("_.") or "全部支部"


def _source(e: Entry) -> str:
    return f"{e.source}（{e.source_text}）" if e.source_text else str(e.source)


def _state(e: Entry, today: dt.date) -> str:
    late = e.days_overdue(today)
    return f"{e.state}（逾期）" if late else str(e.state)


def _measures(e: Entry) -> str:
    parts = [e.measures]
    if e.progress:
        parts.append(f"整改情况：{e.progress}")
    return "\n".join(p for p in parts if p)


def doc_rows(entries: Sequence[Entry], today: dt.date) -> list[list[str]]:
    return [
        [
            str(i), e.branch_name, _source(e), cn_date(e.found_on) if e.found_on else "",
            e.text, _measures(e), e.owner_name, cn_date(e.deadline) if e.deadline else "无时限",
            e.verifier_name, _state(e, today), str(e.days_overdue(today) or ""),
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
    rows = [HEADERS, *doc_rows(entries, today)]
    if not entries:
        rows.append(["尚无问题清单记录"])
    add_table(doc, rows, header=True)
    return doc


def build_xlsx(scope: str, entries: Sequence[Entry], today: dt.date) -> Any:
    wb = xl.new_workbook()
    xl.add_table(
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
        out.append(xl.save_atomic(build_xlsx(scope, entries, today), out_dir / f"{base}.xlsx"))
    return out
