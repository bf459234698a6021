"""会议记录 (.docx) in the layout of docs/DOCUMENTS.md#minutes: header table, numbered
topics, speakers with dissent kept, votes and elections with their arithmetic,
decisions with owner and deadline, signature lines."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from itertools import count
from pathlib import Path

import docx
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table

from domain.dates import format_date_cn
from domain.make_up import MakeUpRecord
from domain.meeting_kinds import HeaderField, VoteRule, kind_spec
from domain.meeting_rules import AttendanceCount
from domain.meetings import (
    Decision,
    Election,
    Meeting,
    StepRecord,
    Vote,
    attendance_summary,
    election_result,
    make_up_items,
    quorum,
    vote_outcome,
)
from domain.procedures import GateCheck
from exports.docx_common import (
    HEADING_FONT,
    add_heading1,
    add_paragraph,
    add_table,
    add_title,
    new_document,
    save_atomic,
    xml_safe,
)

_HEADER_WIDTHS_MM = [30.0, 48.0, 30.0, 48.0]  # 156 mm = A4 minus 28 + 26 mm margins
_SIGN = "____________"
_DIGITS = "零一二三四五六七八九"


def cn_numeral(n: int) -> str:
    """1 → 一, 12 → 十二, 35 → 三十五 (the 一、二、… of topic headings)."""
    if n < 1 or n >= 100:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else f"{_DIGITS[tens]}十"
    return head + (_DIGITS[ones] if ones else "")


def minutes_title(meeting: Meeting) -> str:
    """中共××第一党支部党员大会会议记录 — without repeating 支部/党小组."""
    org = meeting.org_name
    prefix = "" if org.startswith(("中共", "中国共产党")) else "中共"
    template = kind_spec(meeting.kind).minutes
    suffix = template.title_suffix
    if template.title_when_org_ends and org.endswith(template.title_when_org_ends[0]):
        suffix = template.title_when_org_ends[1]
    return f"{prefix}{org}{suffix}"


def _hm(t: dt.time) -> str:
    return f"{t.hour}时{t.minute:02d}分"


def _date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _time_text(m: Meeting) -> str:
    text = format_date_cn(m.date)
    if m.start_time and m.end_time:
        text += f" {_hm(m.start_time)}至{_hm(m.end_time)}"
    elif m.start_time:
        text += f" {_hm(m.start_time)}起"
    return text


def _with_post(m: Meeting, name: str, person_id: str | None) -> str:
    for e in m.attendance:
        if person_id and e.person_id == person_id and e.post:
            return f"{name}（{e.post}）"
    return name


def _meeting_name(m: Meeting) -> str:
    if m.title:
        return m.title
    if m.sequence:
        return f"{m.date.year}年第{m.sequence}次{m.kind}"
    return ""


def _list(names: tuple[str, ...]) -> str:
    return "、".join(names)


def _header_value(m: Meeting, a: AttendanceCount, f: HeaderField) -> str:
    """The text of one header field; "" means nothing to show."""
    if f is HeaderField.NAME:
        return _meeting_name(m)
    if f is HeaderField.TIME:
        return _time_text(m)
    if f is HeaderField.PLACE:
        return m.place
    if f is HeaderField.CHAIR:
        return _with_post(m, m.chair_name, m.chair_id)
    if f is HeaderField.RECORDER:
        return _with_post(m, m.recorder_name, m.recorder_id)
    if f is HeaderField.LECTURER:
        return _with_post(m, m.lecturer_name, m.lecturer_id)
    if f is HeaderField.EXPECTED:
        return (
            f"{a.expected}人（正式党员{a.expected_full}人、预备党员{a.expected_probationary}人；"
            f"有表决权{a.expected_voting}人）"
        )
    if f is HeaderField.PRESENT:
        return (
            f"{a.present}人（正式党员{a.present_full}人、预备党员{a.present_probationary}人；"
            f"有表决权{a.present_voting}人）"
        )
    if f is HeaderField.EXPECTED_MEMBERS:
        return f"{a.expected}人（正式党员{a.expected_full}人、预备党员{a.expected_probationary}人）"
    if f is HeaderField.PRESENT_MEMBERS:
        return f"{a.present}人（正式党员{a.present_full}人、预备党员{a.present_probationary}人）"
    if f is HeaderField.ABSENTEES:
        return _list(a.absentees)
    if f is HeaderField.EXCLUDED:
        return _list(a.excluded)
    if f is HeaderField.OBSERVERS:
        return _list(a.observers)
    if f is HeaderField.SUPERVISORS:
        return _list(a.supervisors)
    if f is HeaderField.TOPICS:
        return "\n".join(f"{i}. {t}" for i, t in enumerate(m.topics, 1))
    raise KeyError(f"minutes header field without a renderer: {f}")


# Fields that read 无 rather than blank when empty.
_NONE_WHEN_EMPTY = frozenset(
    {HeaderField.ABSENTEES, HeaderField.OBSERVERS, HeaderField.TOPICS, HeaderField.LECTURER}
)


def _header_rows(m: Meeting) -> list[list[str]]:
    """The kind's header template laid out: narrow items two to a row."""
    a = attendance_summary(m)
    rows: list[list[str]] = []
    pending: list[str] = []
    for item in kind_spec(m.kind).minutes.header:
        value = _header_value(m, a, item.field)
        if not value:
            if item.optional:
                continue
            value = "无" if item.field in _NONE_WHEN_EMPTY else ""
        if item.wide:
            if pending:
                rows.append(pending)
                pending = []
            rows.append([item.label, value])
        else:
            pending += [item.label, value]
            if len(pending) == 4:
                rows.append(pending)
                pending = []
    if pending:
        rows.append(pending)
    return rows


def _style_labels(table: Table, rows: list[list[str]]) -> None:
    """Labels centred in 黑体; values stay 仿宋."""
    for r, values in enumerate(rows):
        for c in range(0, len(values), 2):
            if c == len(values) - 1 and c:  # a merged value, not a label
                continue
            for p in table.rows[r].cells[c].paragraphs:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in p.runs:
                    run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), HEADING_FONT)


# -- Body ------------------------------------------------------------------


def _step_record(doc: DocumentObject, m: Meeting, rec: StepRecord) -> None:
    title = m.procedure.step(rec.step_key).title
    if rec.skipped:
        add_paragraph(doc, f"{title}：未进行（{rec.skip_reason}）。")
        return
    if rec.notes:
        add_paragraph(doc, f"{title}：{rec.notes}")
    elif rec.speakers:
        add_paragraph(doc, f"{title}：")
    for s in rec.speakers:
        who = f"{s.name}（不同意见）" if s.dissent else s.name
        add_paragraph(doc, f"{who}：{s.remark}")


def _vote(doc: DocumentObject, m: Meeting, v: Vote) -> None:
    a = attendance_summary(m)
    out = v.outcome or vote_outcome(m, v)
    present = a.present_voting if v.present_voting is None else v.present_voting
    counts = f"赞成{v.yes}票，反对{v.no}票，弃权{v.abstain}票"
    if v.written and v.rule in (VoteRule.ASSEMBLY, VoteRule.DEVELOPMENT):
        counts += (
            f"；会前书面意见{v.written}份（赞成{v.written_yes}、反对{v.written_no}、"
            f"弃权{v.written_abstain}）"
        )
    add_paragraph(doc, f"表决事项：{v.subject}")
    add_paragraph(doc, f"表决方式：{v.method}（{v.rule}）")
    add_paragraph(doc, f"应到有表决权{a.expected_voting}人，实到有表决权{present}人；{counts}。")
    verdict = "通过" if out.passed else "未通过"
    add_paragraph(doc, f"表决结果：{verdict}（{out.explanation}）。")


def _election(doc: DocumentObject, m: Meeting, e: Election) -> None:
    out = e.outcome or election_result(m, e)
    kind = "差额选举" if e.competitive else "等额选举"
    add_paragraph(doc, f"选举事项：{e.subject}（应选{e.seats}名，{kind}，无记名投票）")
    nominated = [c for c in e.candidates if not c.write_in]
    add_paragraph(doc, "候选人：" + ("、".join(c.name for c in nominated) or "无"))
    add_paragraph(
        doc,
        f"发出选票{e.ballots_issued}张，收回{e.ballots_returned}张，"
        f"其中有效票{e.ballots_valid}张、无效票{e.ballots_invalid}张。",
    )
    votes = "、".join(f"{c.name}{c.votes}票" for c in nominated)
    write_ins = "、".join(f"{c.name}{c.votes}票" for c in e.candidates if c.write_in)
    if write_ins:
        votes += f"；另选他人：{write_ins}"
    add_paragraph(doc, f"得票情况：{votes or '无'}。")
    if out.void:
        result = "选举无效"
    else:
        parts = []
        parts.append("当选：" + ("、".join(e.candidate_name(k) for k in out.elected) or "无"))
        if out.tied:
            tied = "、".join(e.candidate_name(k) for k in out.tied)
            parts.append(f"{tied}得票相等，就{out.tied_seats}个名额重新投票")
        if out.shortfall:
            parts.append(f"差{out.shortfall}名，另行选举")
        result = "；".join(parts)
    add_paragraph(doc, f"选举结果：{result}。")
    add_paragraph(doc, f"计票说明：{out.explanation}。")
    add_paragraph(
        doc,
        f"监票人：{'、'.join(e.scrutineers) or '无'}；计票人：{'、'.join(e.counters) or '无'}。",
    )


def _decisions(doc: DocumentObject, decisions: list[Decision]) -> None:
    if not decisions:
        return
    add_paragraph(doc, "决定事项：")
    for n, d in enumerate(decisions, 1):
        extra = []
        if d.owner_name:
            extra.append(f"责任人：{d.owner_name}")
        if d.deadline:
            extra.append(f"完成时限：{_date(d.deadline)}")
        tail = f"（{'；'.join(extra)}）" if extra else ""
        add_paragraph(doc, f"{n}. {d.text}{tail}")


def _section(doc: DocumentObject, m: Meeting, topic_no: int | None) -> None:
    order = {s.key: i for i, s in enumerate(m.procedure.steps)}
    recs = sorted(
        (r for r in m.steps if r.topic_no == topic_no and r.step_key in order),
        key=lambda r: order[r.step_key],
    )
    for r in recs:
        _step_record(doc, m, r)
    for v in m.votes:
        if v.topic_no == topic_no:
            _vote(doc, m, v)
    for e in m.elections:
        if e.topic_no == topic_no:
            _election(doc, m, e)
    _decisions(doc, [d for d in m.decisions if d.topic_no == topic_no])


def _has_content(m: Meeting, topic_no: int | None) -> bool:
    return any(
        (r.notes or r.speakers or r.skipped) and r.topic_no == topic_no for r in m.steps
    ) or topic_no in {x.topic_no for xs in (m.votes, m.elections, m.decisions) for x in xs}


def _signatures(doc: DocumentObject, m: Meeting) -> None:
    add_paragraph(doc, "")
    add_paragraph(
        doc, f"主持人（签字）：{_SIGN}　　记录人（签字）：{_SIGN}", align="right", indent=False
    )
    if kind_spec(m.kind).minutes.secretary_signs:
        add_paragraph(doc, f"支部书记（签字）：{_SIGN}", align="right", indent=False)
    if m.elections:
        add_paragraph(
            doc, f"监票人（签字）：{_SIGN}　　计票人（签字）：{_SIGN}", align="right", indent=False
        )
    add_paragraph(doc, _date(m.date), align="right", indent=False)


def make_up_text(m: Meeting, make_ups: Sequence[MakeUpRecord] = ()) -> str:
    """「补学：请假、缺席须补学 3 人，已补学 1 人（…），待补学 2 人（…）。」, or ''."""
    owed = make_up_items(m)
    if not owed:
        return ""
    done = {r.person_id: r for r in make_ups}
    did = [f"{r.name}（{_date(r.done_on)}，{r.method}，检查人{r.checked_by}）"
           for i in owed if (r := done.get(i.person_id))]  # fmt: skip
    left = [i.name for i in owed if i.person_id not in done]
    text = f"补学：请假、缺席须补学 {len(owed)} 人，已补学 {len(did)} 人"
    text += f"：{'；'.join(did)}" if did else ""
    text += f"；待补学 {len(left)} 人" + (f"：{'、'.join(left)}" if left else "")
    return text + "。"


def build(meeting: Meeting, make_ups: Sequence[MakeUpRecord] = ()) -> DocumentObject:
    """The minutes; *make_ups* are the 补学 recorded so far (the count is in the minutes)."""
    m = meeting
    doc = new_document()
    doc.core_properties.identifier = m.id  # lets export() recognise its own file
    add_title(doc, minutes_title(m))
    if not m.finished:
        add_paragraph(doc, "（草稿，未定稿）", align="center", indent=False)
    if m.supersedes_id:
        add_paragraph(
            doc, f"（更正稿，第{m.revision}版，替代此前版本）", align="center", indent=False
        )

    rows = _header_rows(m)
    table = add_table(doc, rows, header=False, widths_mm=_HEADER_WIDTHS_MM)
    _style_labels(table, rows)
    add_paragraph(doc, "")

    has_quorum_gate = any(s.gate_check is GateCheck.QUORUM for s in m.procedure.steps)
    if has_quorum_gate or m.votes or m.elections:
        q = quorum(m)
        add_paragraph(doc, f"到会情况：{q.explanation}。")

    # With a single topic, records not tied to a topic belong to it.
    single = len(m.topics) == 1
    n = 0
    for n, topic in enumerate(m.topics, 1):
        add_heading1(doc, f"{cn_numeral(n)}、{topic}")
        _section(doc, m, n)
        if single:
            _section(doc, m, None)
    if not single and _has_content(m, None):
        n += 1
        add_heading1(doc, f"{cn_numeral(n)}、会议过程")
        _section(doc, m, None)
    if m.summary:
        n += 1
        add_heading1(doc, f"{cn_numeral(n)}、主持人总结")
        add_paragraph(doc, m.summary)
    if m.end_time:
        add_paragraph(doc, f"散会时间：{_hm(m.end_time)}。")
    owed = make_up_text(m, make_ups)
    if owed:
        add_paragraph(doc, owed)
    _signatures(doc, m)
    return doc


# -- Saving ----------------------------------------------------------------

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')


def _safe_part(text: str, limit: int) -> str:
    s = _UNSAFE.sub("_", xml_safe(text)).strip("._ ")
    return s[:limit] or "未命名"


def file_name(meeting: Meeting) -> str:
    """2026-03-15_<branch>_<kind>.docx with characters unsafe in file names replaced."""
    org = _safe_part(meeting.org_name, 50)
    return f"{meeting.date.isoformat()}_{org}_{_safe_part(meeting.kind, 20)}.docx"


def _belongs_to(path: Path, meeting_id: str) -> bool:
    try:
        return docx.Document(str(path)).core_properties.identifier == meeting_id
    except Exception:  # unreadable or not ours: never overwrite it
        return False


def export(
    meeting: Meeting, out_dir: str | Path, make_ups: Sequence[MakeUpRecord] = ()
) -> Path:
    """Write the minutes into *out_dir*; a file of another meeting is never replaced."""
    out = Path(out_dir)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    base = file_name(meeting)
    stem = base.removesuffix(".docx")
    doc = build(meeting, make_ups)
    for n in count(1):
        path = out / (base if n == 1 else f"{stem}_{n}.docx")
        if not path.exists() or _belongs_to(path, meeting.id):
            return save_atomic(doc, path)
    raise AssertionError("unreachable")
