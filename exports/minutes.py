"""会议记录 (.docx) in the layout of docs/DOCUMENTS.md#minutes: header table, numbered
topics, speakers with dissent kept, votes and elections with their arithmetic,
decisions with owner and deadline, signature lines."""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
from collections.abc import Sequence
from itertools import count
from pathlib import Path

import docx
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from domain.make_up import MakeUpRecord
from domain.meeting_kinds import (
    ContentKind,
    HeaderField,
    MeetingKind,
    Phase,
    RecordKind,
    VoteRule,
    kind_spec,
)
from domain.meeting_rules import AttendanceCount, AttendanceState
from domain.meetings import (
    Decision,
    Election,
    Meeting,
    StepRecord,
    Vote,
    attendance_summary,
    election_result,
    grade_check,
    make_up_items,
    quorum,
    vote_outcome,
)
from domain.problems import Entry
from domain.procedures import GateCheck
from exports.docx_common import (
    HEADING_FONT,
    SIGN_LINE,
    add_heading1,
    add_paragraph,
    add_table,
    add_title,
    cn_date,
    keep_block,
    keep_with_next,
    new_document,
    save_atomic,
    xml_safe,
)
from exports.sittings_minutes import add_sittings

# 156 mm = A4 minus 28 + 26 mm margins; a label column fits 请假人员及原因 at 四号.
_HEADER_WIDTHS_MM = [39.0, 39.0, 39.0, 39.0]
_NARROW_MAX_CHARS = 6  # what a 39 mm value cell holds at 四号 without wrapping
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


def minutes_title(meeting: Meeting, branch_name: str = "") -> str:
    """中共××第一党支部党员大会会议记录 — without repeating 支部/党小组."""
    return "".join(_title_parts(meeting, branch_name))


def _title_parts(meeting: Meeting, branch_name: str = "") -> tuple[str, str]:
    """The title as (organisation, record's kind); a long title breaks
    between the two (…党支部 / 党员大会会议记录), never inside the name.

    A 党小组's name alone (第一党小组) does not say whose group it is, so a
    group meeting's title is led by its branch when one is given.
    """
    org = meeting.org_name
    if branch_name and meeting.kind is MeetingKind.GROUP and not org.startswith(branch_name):
        org = f"{branch_name}{org}"
    prefix = "" if org.startswith(("中共", "中国共产党")) else "中共"
    template = kind_spec(meeting.kind).minutes
    suffix = template.title_suffix
    if template.title_when_org_ends and org.endswith(template.title_when_org_ends[0]):
        suffix = template.title_when_org_ends[1]
    return f"{prefix}{org}", suffix


def _hm(t: dt.time) -> str:
    return f"{t.hour}时{t.minute:02d}分"


def _date(d: dt.date) -> str:
    return cn_date(d)


def _time_text(m: Meeting) -> str:
    # No weekday: with it the line no longer fits the value cell.
    text = cn_date(m.date)
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


def _by_state(m: Meeting, state: AttendanceState) -> tuple[str, ...]:
    return tuple(e.label() for e in m.attendance if e.state is state and e.counts)


def _name_of(m: Meeting, person_id: str) -> str:
    for e in m.attendance:
        if e.person_id == person_id:
            return e.name
    return ""


def _probation(m: Meeting) -> str:
    """预备期 start to end; an extension already resolved moves the end, one
    this meeting resolves is stated with the new end."""
    from domain.development import add_months
    from domain.meetings import ConfirmationResult

    start = m.probation_start
    assert start is not None
    if m.probation_extended_months:
        end = add_months(start, 12 + m.probation_extended_months)
        return f"{cn_date(start)}至{cn_date(end)}（已延长{m.probation_extended_months}个月）"
    text = f"{cn_date(start)}至{cn_date(_one_year_later(start))}"
    if m.confirmation_result is ConfirmationResult.EXTENDED and m.extension_months:
        end = add_months(start, 12 + m.extension_months)
        text += f"，决议延长{m.extension_months}个月至{cn_date(end)}"
    return text


def _one_year_later(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 2月29日
        return d.replace(year=d.year + 1, day=28)


_CONTENT_STEPS = ("lecture", "study", "items", "report")


def _content(m: Meeting) -> str:
    """主要内容: the notes of the lecture (or study) step, as recorded."""
    for key in _CONTENT_STEPS:
        for r in m.steps:
            if r.step_key == key and r.notes and not _boilerplate(r.notes):
                return r.notes
    return ""


def _hours(m: Meeting) -> str:
    if not (m.start_time and m.end_time):
        return ""
    minutes = (m.end_time.hour * 60 + m.end_time.minute) - (
        m.start_time.hour * 60 + m.start_time.minute
    )
    if minutes <= 0:
        return ""
    # One 学时 is 45 minutes in most party-school schemes; shown to one decimal.
    hours = round(minutes / 45, 1)
    return f"{hours:g}学时"


def _audience(m: Meeting, a: AttendanceCount) -> str:
    text = f"{m.org_name}全体党员（{a.expected}名）"
    if a.observers:
        text += f"，列席{len(a.observers)}名"
    return text


def _written(m: Meeting, a: AttendanceCount) -> str:
    n = sum(v.written for v in m.votes)
    if not n and not a.absent_voting_written:
        return "无"
    return f"未到会有表决权党员书面意见{n or a.absent_voting_written}份，已计入票数"


def _header_value(m: Meeting, a: AttendanceCount, f: HeaderField, branch: str = "") -> str:
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
    if f is HeaderField.VOTING:
        return f"应到{a.expected_voting}人，实到{a.present_voting}人"
    if f is HeaderField.EXPECTED_MEMBERS:
        return f"{a.expected}人（正式党员{a.expected_full}人、预备党员{a.expected_probationary}人）"
    if f is HeaderField.PRESENT_MEMBERS:
        return f"{a.present}人（正式党员{a.present_full}人、预备党员{a.present_probationary}人）"
    if f is HeaderField.ABSENTEES:
        return _list(_by_state(m, AttendanceState.ABSENT))
    if f is HeaderField.ON_LEAVE:
        return _list(_by_state(m, AttendanceState.LEAVE))
    if f is HeaderField.CONTENT:
        return _content(m)
    if f is HeaderField.HOURS:
        return _hours(m)
    if f is HeaderField.AUDIENCE:
        return _audience(m, a)
    if f is HeaderField.CANDIDATE:
        return m.candidate_name
    if f is HeaderField.SPONSORS:
        return _list(tuple(_name_of(m, pid) for pid in m.sponsor_ids))
    if f is HeaderField.PROBATION:
        if m.probation_start is None:
            return ""
        return _probation(m)
    if f is HeaderField.WRITTEN:
        return _written(m, a)
    if f is HeaderField.BRANCH:
        return branch
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
    {
        HeaderField.ABSENTEES,
        HeaderField.ON_LEAVE,
        HeaderField.OBSERVERS,
        HeaderField.TOPICS,
        HeaderField.LECTURER,
    }
)
# Fields that read 未记录 when empty: the record should have them.
_UNRECORDED_WHEN_EMPTY = frozenset(
    {
        HeaderField.CONTENT,
        HeaderField.HOURS,
        HeaderField.CANDIDATE,
        HeaderField.SPONSORS,
        HeaderField.PROBATION,
        HeaderField.BRANCH,
    }
)


def _header_rows(m: Meeting, branch: str = "") -> list[list[str]]:
    """The kind's header template laid out: narrow items two to a row."""
    a = attendance_summary(m)
    rows: list[list[str]] = []
    pending: list[str] = []
    for item in kind_spec(m.kind).minutes.header:
        value = _header_value(m, a, item.field, branch)
        if not value:
            if item.optional:
                continue
            if item.field in _NONE_WHEN_EMPTY:
                value = "无"
            elif item.field in _UNRECORDED_WHEN_EMPTY:
                value = "未记录"
        # A long value in a narrow cell would wrap mid-name or mid-date.
        if item.wide or len(value) > _NARROW_MAX_CHARS or "\n" in value:
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

# What the app writes when a step is ticked off without notes; it says nothing
# about the meeting, so the record leaves it out.
_BOILERPLATE = re.compile(r"^\s*(按程序完成|已完成|完成)[。.]?\s*$")
_CLOSING_KEYS = ("close", "review", "summarise")


def _boilerplate(text: str) -> bool:
    return bool(_BOILERPLATE.match(text))


def _quorum_text(m: Meeting) -> str:
    """应到有表决权党员18名，实到17名，超过半数，会议有效."""
    a = attendance_summary(m)
    q = quorum(m)
    rule = kind_spec(m.kind).vote_rule
    if rule is VoteRule.COMMITTEE:
        who, share = "委员", "超过半数"
    elif rule is VoteRule.ELECTION:
        who, share = "有选举权党员", "超过五分之四"
    elif rule is VoteRule.DEVELOPMENT:
        who, share = "有表决权的正式党员", "超过半数"
    else:
        who, share = "有表决权党员", "超过半数"
    if a.unsigned:
        return f"应到{who}{a.expected_voting}名，尚有{a.unsigned}名未签到，会议有效性待定。"
    verdict = f"{share}，会议有效" if q.ok else f"未{share.removeprefix('超过')}，会议不能进行表决"
    if not q.ok and share == "超过半数":
        verdict = "未超过半数，会议不能进行表决"
    elif not q.ok:
        verdict = "未超过五分之四，不能进行选举"
    return f"应到{who}{a.expected_voting}名，实到{a.present_voting}名，{verdict}。"


def _attendance_text(m: Meeting) -> str:
    a = attendance_summary(m)
    return f"应到{a.expected}名，实到{a.present}名。"


class _Body:
    """The record in meeting order; paragraphs are collected so the last one
    can be kept on the page of the signature block."""

    def __init__(self, doc: DocumentObject, m: Meeting) -> None:
        self.doc = doc
        self.m = m
        self.last: Paragraph | None = None
        self.placed: set[str] = set()
        during = [s for s in m.procedure.steps if s.phase is Phase.DURING]
        keys = {s.key for s in during}

        def home(kind: RecordKind) -> str | None:
            return next((s.key for s in during if kind in s.records), None)

        # An item recorded without a step (or with one this procedure lacks)
        # belongs where the procedure records such items: a vote at 表决.
        self.home = {
            Vote: home(RecordKind.VOTE),
            Election: home(RecordKind.ELECTION),
            Decision: home(RecordKind.DECISION) or home(RecordKind.VOTE),
        }
        self.keys = keys
        self.single = len(m.topics) == 1

    def _step_of(self, x: Vote | Election | Decision) -> str | None:
        if x.step_key in self.keys:
            return x.step_key
        return self.home[type(x)]

    def para(self, text: str) -> Paragraph:
        p = add_paragraph(self.doc, text)
        self.last = p
        return p

    def heading(self, text: str) -> Paragraph:
        p = add_heading1(self.doc, text)
        keep_with_next(p)
        self.last = p
        return p

    def step(self, rec: StepRecord) -> None:
        title = self.m.procedure.step(rec.step_key).title
        if rec.skipped:
            self.para(f"{title}：未进行（{rec.skip_reason}）。")
            return
        notes = "" if _boilerplate(rec.notes) else rec.notes
        if notes:
            self.para(f"{title}：{notes}")
        elif rec.speakers:
            keep_with_next(self.para(f"{title}："))
        for s in rec.speakers:
            who = f"{s.name}（持不同意见）" if s.dissent else s.name
            self.para(f"{who}发言：{s.remark}")

    def vote(self, v: Vote) -> None:
        m = self.m
        a = attendance_summary(m)
        out = v.outcome or vote_outcome(m, v)
        present = a.present_voting if v.present_voting is None else v.present_voting
        verdict = "通过" if out.passed else "未通过"
        lines = [
            self.para(f"表决事项：{v.subject}。"),
            self.para(
                f"表决方式：{v.method}。应到有表决权党员{a.expected_voting}名，"
                f"实到{present}名。"
            ),
        ]
        counts = f"赞成{v.yes}票，反对{v.no}票，弃权{v.abstain}票"
        if v.written and v.rule in (VoteRule.ASSEMBLY, VoteRule.DEVELOPMENT):
            counts += (
                f"；另有未到会党员书面意见{v.written}份（赞成{v.written_yes}票，"
                f"反对{v.written_no}票，弃权{v.written_abstain}票），计入表决"
            )
        lines.append(self.para(f"表决结果：{counts}，{verdict}。"))
        keep_block(lines)
        self.placed.add(v.id)

    def election(self, e: Election) -> None:
        out = e.outcome or election_result(self.m, e)
        kind = "差额选举" if e.competitive else "等额选举"
        nominated = [c for c in e.candidates if not c.write_in]
        lines = [
            self.para(f"选举事项：{e.subject}（应选{e.seats}名，{kind}，无记名投票）。"),
            self.para("候选人：" + ("、".join(c.name for c in nominated) or "无") + "。"),
            self.para(
                f"监票人：{'、'.join(e.scrutineers) or '无'}；"
                f"计票人：{'、'.join(e.counters) or '无'}。"
            ),
            self.para(
                f"发出选票{e.ballots_issued}张，收回{e.ballots_returned}张，"
                f"其中有效票{e.ballots_valid}张、无效票{e.ballots_invalid}张。"
            ),
        ]
        votes = "，".join(f"{c.name}得{c.votes}票" for c in nominated)
        write_ins = "，".join(f"{c.name}得{c.votes}票" for c in e.candidates if c.write_in)
        if write_ins:
            votes += f"；另选他人：{write_ins}"
        lines.append(self.para(f"得票情况：{votes or '无'}。"))
        if out.void:
            result = "本次选举无效，另行组织选举"
        else:
            names = "、".join(e.candidate_name(k) for k in out.elected)
            parts = [f"{names}得票超过实到会有选举权党员的半数，当选" if names else "无人当选"]
            if out.tied:
                tied = "、".join(e.candidate_name(k) for k in out.tied)
                parts.append(f"{tied}得票相等，就{out.tied_seats}个名额重新投票")
            if out.shortfall:
                parts.append(f"尚差{out.shortfall}名，另行选举")
            result = "；".join(parts)
        lines.append(self.para(f"选举结果：{result}。"))
        keep_block(lines)
        self.placed.add(e.id)

    def decisions(self, decisions: list[Decision]) -> None:
        if not decisions:
            return
        lines = [self.para("会议决定：")]
        for n, d in enumerate(decisions, 1):
            extra = []
            if d.owner_name:
                extra.append(f"责任人：{d.owner_name}")
            if d.deadline:
                extra.append(f"完成时限：{_date(d.deadline)}")
            tail = f"（{'；'.join(extra)}）" if extra else ""
            lines.append(self.para(f"{n}. {d.text}{tail}"))
            self.placed.add(d.id)
        keep_with_next(lines[0])

    def content(self, step_key: str | None) -> None:
        """The kind's own fields placed after *step_key* (None: those not yet printed)."""
        for f in kind_spec(self.m.kind).content:
            if f.key in self.placed or (step_key is not None and f.step != step_key):
                continue
            self.placed.add(f.key)
            value = self.m.content.get(f.key)
            if value is None or value.empty:
                self.para(f"{f.label}：未记录。")
            elif f.kind is ContentKind.PEOPLE:
                lines = [self.para(f"{f.label}：")]
                lines += [self.para(f"{p.name}：{p.remark}") for p in value.people]
                keep_with_next(lines[0])
            elif f.kind is ContentKind.COUNTS:
                counts = "，".join(f"{o}{value.counts.get(o, 0)}名" for o in f.options)
                lines = [self.para(f"{f.label}：{counts}。")]
                check = grade_check(self.m, f.key)
                if check is not None:
                    lines.append(self.para(check.text))
                keep_block(lines)
            else:
                self.para(f"{f.label}：{value.text.strip()}")

    def attached(self, step_key: str | None, topic_no: int | None) -> None:
        m = self.m
        def here(x: Vote | Election | Decision) -> bool:
            return (
                x.id not in self.placed
                and self._step_of(x) == step_key
                and (x.topic_no == topic_no or (self.single and topic_no == 1 and x.topic_no is None))
            )

        for v in m.votes:
            if here(v):
                self.vote(v)
        for e in m.elections:
            if here(e):
                self.election(e)
        self.decisions([d for d in m.decisions if here(d)])

    def leftovers(self, topic_no: int | None) -> None:
        m = self.m
        for v in m.votes:
            if v.id not in self.placed and v.topic_no == topic_no:
                self.vote(v)
        for e in m.elections:
            if e.id not in self.placed and e.topic_no == topic_no:
                self.election(e)
        self.decisions([d for d in m.decisions if d.id not in self.placed and d.topic_no == topic_no])


def _tied_items(m: Meeting) -> list[Vote | Election | Decision]:
    """Votes, elections and decisions: each may belong to a step and a topic."""
    return [*m.votes, *m.elections, *m.decisions]


def _topic_has_content(m: Meeting, topic_no: int) -> bool:
    return any(
        r.topic_no == topic_no and ((r.notes and not _boilerplate(r.notes)) or r.speakers)
        for r in m.steps
    ) or any(x.topic_no == topic_no for x in _tied_items(m))


def _body(doc: DocumentObject, m: Meeting) -> Paragraph | None:
    """Only what happened in the meeting (会中), in the order of the procedure;
    the secretary's 会前/会后 steps are the app's, not the record's."""
    b = _Body(doc, m)
    during = [s for s in m.procedure.steps if s.phase is Phase.DURING]
    keys = [s.key for s in during]
    recs = {(r.step_key, r.topic_no): r for r in m.steps}
    closing = next((k for k in reversed(keys) if k in _CLOSING_KEYS), None)
    ntopics = len(m.topics)
    tied_positions = [
        keys.index(x.step_key)
        for x in (*m.steps, *_tied_items(m))
        if x.topic_no is not None and x.step_key in keys
    ]
    first_tied = min(tied_positions) if tied_positions else None
    topics_done = False

    def topics() -> None:
        shown = 0
        for n, topic in enumerate(m.topics, 1):
            if not _topic_has_content(m, n):
                continue
            shown += 1
            b.heading(f"{cn_numeral(shown)}、{topic}")
            for k in keys:
                r = recs.get((k, n))
                if r is not None:
                    b.step(r)
                b.attached(k, n)
            b.leftovers(n)

    quorum_shown = False
    if (m.votes or m.elections) and not any(
        step.gate_check is GateCheck.QUORUM for step in during
    ):
        # No quorum step in this procedure: validity is still stated, where a
        # meeting states it, before anything is discussed or voted on.
        b.para(_quorum_text(m))
        quorum_shown = True
    for i, step in enumerate(during):
        if first_tied is not None and i == first_tied and not topics_done:
            topics()
            topics_done = True
        if step.gate_check is GateCheck.QUORUM and not quorum_shown:
            b.para(_quorum_text(m))
            quorum_shown = True
        if step.key == closing and m.summary:
            b.para(f"主持人总结：{m.summary}")
        r = recs.get((step.key, None))
        if r is not None:
            b.step(r)
        b.attached(step.key, 1 if ntopics == 1 else None)
        b.attached(step.key, None)
        b.content(step.key)
    if not topics_done:
        topics()
    b.leftovers(None)
    b.content(None)
    if closing is None and m.summary:
        b.para(f"主持人总结：{m.summary}")
    if m.end_time:
        b.para(f"会议于{_hm(m.end_time)}结束。")
    return b.last


def _signatures(doc: DocumentObject, m: Meeting, last: Paragraph | None) -> None:
    """Signature lines and the date, on the page of the record's last paragraph."""
    lines = [("主持人（签字）", "记录人（签字）")]
    if kind_spec(m.kind).minutes.secretary_signs:
        lines.append(("支部书记（签字）", ""))
    if m.elections:
        lines.append(("监票人（签字）", "计票人（签字）"))
    paras: list[Paragraph] = [] if last is None else [last]
    paras.append(add_paragraph(doc, "", indent=False))
    for left, right in lines:
        for label in (left, right):
            if label:
                paras.append(add_paragraph(doc, f"{label}：{SIGN_LINE}", indent=False))
    paras.append(add_paragraph(doc, _date(m.date), align="right", indent=False))
    for p in paras[1:-1]:
        p.paragraph_format.left_indent = Pt(16 * 8)
    keep_block(paras)


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


def carried_lines(carried: Sequence[Entry], as_of: dt.date) -> list[str]:
    """遗留问题整改情况: the 问题清单 entries the meeting carried on its agenda."""
    out = []
    for i, e in enumerate(carried, 1):
        late = e.days_overdue(as_of)
        when = f"{_date(e.deadline)}前" if e.deadline else "无时限"
        who = f"责任人{e.owner_name}，" if e.owner_name else ""
        mark = f"，已逾期{late}天" if late else ""
        out.append(f"{i}. {e.text}（{e.source}；{who}{when}；{e.state}{mark}）")
    return out


def build(
    meeting: Meeting, make_ups: Sequence[MakeUpRecord] = (), *, branch_name: str = "",
    carried: Sequence[Entry] = (),
) -> DocumentObject:
    """The minutes; *make_ups* are the 补学 recorded so far (the count is in the minutes);
    *carried* the 遗留问题 on its agenda (their state when exported, lateness as of the
    meeting day)."""
    m = meeting
    head, kind_part = _title_parts(m, branch_name)
    title = head + kind_part
    doc = new_document(title=title, subject=f"{m.kind}会议记录 {_date(m.date)}")
    doc.core_properties.identifier = m.id  # lets export() recognise its own file
    doc.core_properties.keywords = f"第{m.revision}版"
    add_title(doc, title, split_at=len(xml_safe(head)))
    if not m.finished:
        add_paragraph(doc, "（草稿，未定稿）", align="center", indent=False)
    if m.supersedes_id or m.revision > 1:
        when = m.finished_at.date() if m.finished_at else m.date
        reason = _correction_reason(m)
        text = f"第{m.revision}版（更正），{_date(when)}更正"
        if reason:
            text += f"，更正原因：{reason}"
        add_paragraph(doc, f"（{text}）", align="center", indent=False)

    rows = _header_rows(m, branch_name)
    table = add_table(doc, rows, header=False, widths_mm=_HEADER_WIDTHS_MM)
    _style_labels(table, rows)
    add_paragraph(doc, "")
    add_sittings(doc, m)  # held in several sittings: one section each, and the coverage
    last = _body(doc, m)
    if carried:
        add_paragraph(doc, "遗留问题整改情况：", indent=False)
        # Late as of the meeting day: what the meeting heard, whenever exported.
        for line in carried_lines(carried, m.date):
            last = add_paragraph(doc, line)
    owed = make_up_text(m, make_ups)
    if owed:
        if last is not None:
            keep_with_next(last)  # the record's end, the 补学 line and the signatures stay together
        last = add_paragraph(doc, owed)
    _signatures(doc, m, last)
    return doc


def _correction_reason(m: Meeting) -> str:
    return m.correction_reason


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


def _mark_superseded(out: Path, stem: str, meeting: Meeting) -> None:
    """Rename the corrected version's file so nobody files it as the record:
    the plain name then belongs to the new version."""
    old_rev = meeting.revision - 1
    for path in sorted(out.glob(f"{glob.escape(stem)}*.docx")):
        if "已被更正" in path.name or not _belongs_to(path, meeting.supersedes_id or ""):
            continue
        target = out / f"{stem}_第{old_rev}版_已被更正.docx"
        n = 2
        while target.exists():
            target = out / f"{stem}_第{old_rev}版_已被更正_{n}.docx"
            n += 1
        os.replace(path, target)


def export(
    meeting: Meeting,
    out_dir: str | Path,
    make_ups: Sequence[MakeUpRecord] = (),
    *,
    branch_name: str = "",
    carried: Sequence[Entry] = (),
) -> Path:
    """Write the minutes into *out_dir*; a file of another meeting is never replaced."""
    out = Path(out_dir)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    base = file_name(meeting)
    stem = base.removesuffix(".docx")
    doc = build(meeting, make_ups, branch_name=branch_name, carried=carried)
    if meeting.supersedes_id:
        _mark_superseded(out, stem, meeting)
    for n in count(1):
        path = out / (base if n == 1 else f"{stem}_{n}.docx")
        if not path.exists() or _belongs_to(path, meeting.id):
            return save_atomic(doc, path)
    raise AssertionError("unreachable")
