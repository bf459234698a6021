"""发展党员 documents: one 发展党员工作记实表 per person (.docx) and the
branch's 发展党员 ledger (.docx and .xlsx). Built from domain records only."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docx.document import Document

from domain.development import (
    DEFAULT_CONFIG,
    DOCUMENT_OF,
    DevelopmentConfig,
    DevelopmentRecord,
    Stage,
    StageEvent,
    current_stage,
    documents_received,
    party_standing_since,
)
from domain.development import probation_end as probation_end_of
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

LEDGER_HEADERS = ["序号", "姓名", "申请入党", "积极分子", "发展对象", "接收预备", "预备期满", "转正", "所处阶段"]  # fmt: skip
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


@dataclass(frozen=True)
class PersonSheet:
    record: DevelopmentRecord
    branch_name: str
    sex: str = ""
    birth_date: date | None = None
    config: DevelopmentConfig = DEFAULT_CONFIG  # the configuration's [rules.development]


def _clean(part: str) -> str:
    return _UNSAFE_NAME.sub("", part).strip("_.")


def _stage_detail(record: DevelopmentRecord, stage: Stage) -> str:
    e = record.first(stage)
    if e is None:
        return ""
    bits = [cn_date(e.on)]
    if e.people:
        bits.append("、".join(e.people))
    return "  ".join(bits)


# 记实表 tables fill the portrait text width (A4 less the 28 + 26 mm margins), the
# ledger the landscape one (243 mm).
_LEDGER_PT = 9  # six dates a row, each on one line of a landscape page
# 序号, 姓名, six dates, 所处阶段: LibreOffice spaces digits from 年/月/日, so a
# date needs about 33 mm at 9 pt (measured on the rendered PDF); the stage
# name may wrap, a date may not.
_LEDGER_MM = [11.0, 15.0, *[33.0] * 6, 19.0]
# 记实表 columns at the table text size (四号): the widest date and the longest
# stage name (确定入党积极分子) each on one line.
_INFO_MM = [28.0, 50.0, 28.0, 50.0]
_TIMELINE_MM = [54.0, 46.0, 56.0]
_COUNTED = re.compile(r" ×(\d+)$")


def _on_file(name: str) -> str:
    """思想汇报 ×9 → 思想汇报（9份）: a document counts in words, not signs."""
    return _COUNTED.sub(lambda m: f"（{m[1]}份）", name)


def _event_detail(e: StageEvent) -> str:
    """人员/说明 of one row; with nothing recorded, the paper the stage leaves."""
    bits = ["、".join(e.people)] if e.people else []
    if e.days:
        bits.append(f"{e.days}天")
    if e.hours:
        bits.append(f"{e.hours}学时")
    if e.months:
        bits.append(f"延长预备期{e.months}个月")
    if e.note:
        bits.append(e.note)
    return "；".join(bits) or DOCUMENT_OF[e.stage]


def build_sheet(sheet: PersonSheet) -> Document:
    r = sheet.record
    doc = new_document(title="发展党员工作记实表", subject=sheet.branch_name)
    add_title(doc, "发展党员工作记实表")
    add_paragraph(doc, f"支部：{sheet.branch_name}", indent=False)
    stage = current_stage(r)
    ends = probation_end_of(r, sheet.config) if r.has(Stage.ADMITTED) else None
    standing = party_standing_since(r, sheet.config)
    rows = [
        ["姓名", r.person_name, "性别", sheet.sex or "—"],
        ["出生日期", cn_date(sheet.birth_date) or "—", "所处阶段", stage.value if stage else "—"],
        ["预备期满", cn_date(ends) or "—", "党龄起算", cn_date(standing) or "—"],
    ]
    add_table(doc, rows, header=False, widths_mm=_INFO_MM)
    rows = [["日期", "环节", "人员/说明"]]
    rows += [[cn_date(e.on), e.stage.value, _event_detail(e)] for e in r.timeline()]
    if len(rows) == 1:
        rows.append(["（尚无记录）"])
    add_table(doc, rows, header=True, widths_mm=_TIMELINE_MM)
    contacts = r.first(Stage.ACTIVIST)
    sponsors = r.first(Stage.ADMITTED)
    add_paragraph(
        doc, f"培养联系人：{'、'.join(contacts.people) if contacts else '—'}", indent=False
    )
    add_paragraph(
        doc, f"入党介绍人：{'、'.join(sponsors.people) if sponsors else '—'}", indent=False
    )
    received = "、".join(_on_file(n) for n in documents_received(r)) or "—"
    add_paragraph(doc, f"已收材料：{received}", indent=False)
    add_sign_off(doc, ["支部书记（签字）"])
    return doc


def sheet_file_name(sheet: PersonSheet) -> str:
    return f"发展党员工作记实表_{_clean(sheet.branch_name)}_{_clean(sheet.record.person_name)}.docx"


def ledger_rows(
    records: Sequence[DevelopmentRecord], config: DevelopmentConfig = DEFAULT_CONFIG
) -> list[list[str]]:
    out: list[list[str]] = []
    for i, r in enumerate(records, 1):
        stage = current_stage(r)
        ends = probation_end_of(r, config) if r.has(Stage.ADMITTED) else None
        out.append(
            [
                str(i),
                r.person_name,
                *(
                    cn_date(d) if (d := r.date_of(s)) else ""
                    for s in (Stage.APPLIED, Stage.ACTIVIST, Stage.CANDIDATE, Stage.ADMITTED)
                ),
                cn_date(ends) if ends else "",
                cn_date(d) if (d := r.date_of(Stage.CONFIRMED)) else "",
                stage.value if stage else "",
            ]
        )
    return out


def build_ledger(
    branch_name: str,
    records: Sequence[DevelopmentRecord],
    config: DevelopmentConfig = DEFAULT_CONFIG,
) -> Document:
    doc = new_document(landscape=True, title="发展党员工作台账", subject=branch_name)
    add_title(doc, f"{branch_name}发展党员工作台账")
    rows = [LEDGER_HEADERS, *ledger_rows(records, config)]
    if not records:
        rows.append(["本支部尚无发展党员记录"])
    add_table(doc, rows, header=True, widths_mm=_LEDGER_MM, nowrap_numeric=True, cell_pt=_LEDGER_PT)
    add_sign_off(doc, ["填表人（签字）", "支部书记（签字）"])
    return doc


def ledger_stem(branch_name: str) -> str:
    return f"发展党员台账_{_clean(branch_name)}"


def ledger_cells(
    records: Sequence[DevelopmentRecord], config: DevelopmentConfig = DEFAULT_CONFIG
) -> list[list[Cell]]:
    """The ledger rows for a spreadsheet: 序号 a number, dates as dates."""
    out: list[list[Cell]] = []
    for i, r in enumerate(records, 1):
        stage = current_stage(r)
        out.append(
            [
                i,
                r.person_name,
                *(
                    r.date_of(s)
                    for s in (Stage.APPLIED, Stage.ACTIVIST, Stage.CANDIDATE, Stage.ADMITTED)
                ),
                probation_end_of(r, config) if r.has(Stage.ADMITTED) else None,
                r.date_of(Stage.CONFIRMED),
                stage.value if stage else "",
            ]
        )
    return out


def build_ledger_xlsx(
    branch_name: str,
    records: Sequence[DevelopmentRecord],
    config: DevelopmentConfig = DEFAULT_CONFIG,
) -> Any:
    wb = xl.new_workbook()
    xl.add_table(
        wb,
        "发展党员台账",
        LEDGER_HEADERS,
        ledger_cells(records, config),
        title=f"{branch_name}发展党员工作台账",
        empty_text="本支部尚无发展党员记录",
    )
    return wb


def export_ledger(
    branch_name: str,
    records: Sequence[DevelopmentRecord],
    out_dir: Path,
    formats: Sequence[str] = ("docx", "xlsx"),
    config: DevelopmentConfig = DEFAULT_CONFIG,
) -> list[Path]:
    """The ledger in each of *formats* (docx, xlsx), each written atomically."""
    stem = ledger_stem(branch_name)
    out: list[Path] = []
    if "docx" in formats:
        doc = build_ledger(branch_name, records, config)
        out.append(save_atomic(doc, out_dir / f"{stem}.docx"))
    if "xlsx" in formats:
        book = build_ledger_xlsx(branch_name, records, config)
        out.append(xl.save_atomic(book, out_dir / f"{stem}.xlsx"))
    return out


def export_sheet(sheet: PersonSheet, out_dir: Path) -> Path:
    return save_atomic(build_sheet(sheet), out_dir / sheet_file_name(sheet))
