"""The minutes of an activity held in several sittings: one section per
sitting (time, place, leader, who attended) and the coverage of the whole
activity — who attended, who is still missing (docs/SITTINGS.md)."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from domain.meetings import Meeting
from domain.sitting_records import Sitting
from domain.sittings import meeting_coverage
from exports.docx_common import add_heading1, add_paragraph, add_table, cn_date, keep_with_next

_WIDTHS_MM = [26.0, 52.0, 26.0, 52.0]
_NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    return _NUMERALS[n - 1] if 1 <= n <= len(_NUMERALS) else str(n)


def _count(n: int) -> str:
    """两场, not 二场, when counting."""
    return "两" if n == 2 else _numeral(n)


def _hm(s: Sitting) -> str:
    if s.start_time and s.end_time:
        return f"{s.start_time:%H:%M}—{s.end_time:%H:%M}"
    return f"{s.start_time:%H:%M}" if s.start_time else "未记录"


def _names(ids: list[str], names: dict[str, str]) -> str:
    return "、".join(names.get(i, "") for i in ids if names.get(i)) or "无"


def coverage_line(m: Meeting) -> str:
    """「本次活动分两场进行，应参加18名，已参加17名……」."""
    cov = meeting_coverage(m)
    names = {e.person_id: e.name for e in m.attendance if e.person_id}
    text = (
        f"本次活动分{_count(len(m.sittings))}场进行，合为一次活动统计：应参加{len(cov.expected)}名，"
        f"已参加{cov.covered}名"
    )
    if cov.repeated:
        text += f"（{_names(list(cov.repeated), names)}参加两场以上，只计一次）"
    if cov.full:
        return text + "，实现全覆盖。"
    return text + f"；未参加{len(cov.missing)}名：{_names(list(cov.missing), names)}。"


def add_sittings(doc: DocumentObject, m: Meeting) -> None:
    """The 分场情况 section; nothing for an activity held in one sitting."""
    if not m.sittings:
        return
    names = {e.person_id: e.name for e in m.attendance if e.person_id}
    keep_with_next(add_heading1(doc, "分场情况"))
    for i, s in enumerate(m.sittings, 1):
        head = add_paragraph(doc, f"第{_numeral(i)}场：{s.label}", indent=False)
        head.runs[0].bold = True
        keep_with_next(head)
        absent = [pid for pid in s.member_ids if pid not in s.present_ids]
        rows = [
            ["时间", f"{cn_date(s.date)} {_hm(s)}"],
            ["地点", s.place or "未记录", "带领人", s.leader_name or "未记录"],
            ["应到", f"{len(s.member_ids)}名", "实到", f"{len(s.present_ids)}名"],
            ["出席人员", _names(s.present_ids, names)],
            ["未到人员", _names(absent, names)],
        ]
        add_table(doc, rows, header=False, widths_mm=_WIDTHS_MM, keep_together=True)
    add_paragraph(doc, coverage_line(m))
