"""A year of demo meetings for the four seed branches, following the 条例
cadence, all finished through the same domain rules a user goes through —
plus one meeting left as an unfinished draft."""

from __future__ import annotations

import datetime as dt
import random

from domain.action_codes import ActionKind
from domain.courseware import Lecture, ReviewState
from domain.holidays import is_working_day
from domain.meeting_kinds import MeetingKind, VoteMethod, kind_spec
from domain.meeting_rules import AttendanceState
from domain.meetings import (
    Decision,
    Meeting,
    Speaker,
    finish,
    mark_step_done,
    new_meeting,
    new_vote,
    quorum,
)
from domain.org import OrgUnit
from domain.people import CommitteePost, Person, PoliticalStatus
from domain.procedures import GateCheck
from storage.db import Store
from storage.meetings import WORKFLOW, save_final
from storage.records import load_document
from storage.sql import Connection

LEAVE_REASONS = ("夜班", "病假", "外出培训", "事假", "倒班休息")
# Closing words vary as they do in real minutes; the dissenting ones are used
# only when someone did speak or vote against.
CLOSINGS = (
    "本次会议议题明确，大家发言踊跃，会后要抓好落实。",
    "会议内容已部署清楚，各班组结合实际抓好贯彻。",
    "请各位党员按分工推进，下次会议通报落实情况。",
    "会议开得紧凑务实，要把会议精神传达到每名党员。",
    "会后各责任人按时限办理，支委会跟踪督办。",
)
DISSENT_CLOSINGS = (
    "会议对不同意见作了记录，按少数服从多数原则作出决定，会后继续做好沟通。",
    "有同志保留不同意见，已如实记录；决定作出后全体党员要坚决执行。",
)
# Morning slots staggered by branch so no two meetings share a room and hour.
START_TIMES = (dt.time(8, 30), dt.time(9, 0), dt.time(14, 30), dt.time(15, 30), dt.time(10, 0))
LECTURE_CONTENT = (
    "围绕“{topic}”，结合本队生产实际讲了三个方面：一是认清形势任务，二是对照岗位职责查找差距，"
    "三是党员在安全生产和急难险重任务中带头。"
)


def _working_day(day: dt.date) -> dt.date:
    """主题党日 and other meetings move off 元旦、劳动节、国庆 and weekends."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _committee_day(base: dt.date) -> dt.date:
    """The month's 支委会: the Tuesday before its first Friday, or, when that
    Tuesday is still last month (the 1st is a Wednesday–Friday), the first
    working day after the Friday: it must count for its own month."""
    day = base - dt.timedelta(days=3)
    return day if day.month == base.month else _working_day(base + dt.timedelta(days=1))


def _first_friday(year: int, month: int) -> dt.date:
    d = dt.date(year, month, 1)
    return d + dt.timedelta(days=(4 - d.weekday()) % 7)


def _build(
    kind: MeetingKind,
    unit: OrgUnit,
    day: dt.date,
    roster: list[Person],
    rng: random.Random,
    *,
    topics: list[str],
    chair: Person | None,
    recorder: Person | None,
    slot: int = 0,
) -> Meeting:
    m = new_meeting(kind, unit.id, unit.name, day, people=roster)
    start = START_TIMES[slot % len(START_TIMES)]
    if kind is MeetingKind.GROUP:
        start = dt.time(16, 30)
    elif kind is MeetingKind.LECTURE:
        start = dt.time(start.hour + 2 if start.hour < 12 else start.hour - 5, start.minute)
    length = dt.timedelta(minutes=60 if kind is MeetingKind.GROUP else 90)
    end = (dt.datetime.combine(day, start) + length).time()
    place = f"{unit.name}会议室" if kind is not MeetingKind.GROUP else f"{unit.name}学习室"
    att = []
    keep = {p.id for p in (chair, recorder) if p}
    # A finished meeting's sheet is complete: everyone is marked, none 未签到.
    for e in m.attendance:
        state, reason = AttendanceState.PRESENT, ""
        if e.person_id not in keep and rng.random() < 0.12:
            state = rng.choice(
                (AttendanceState.LEAVE, AttendanceState.LEAVE, AttendanceState.ABSENT)
            )
            reason = rng.choice(LEAVE_REASONS)
        att.append(e.model_copy(update={"state": state, "reason": reason}))
    # A held meeting had its quorum: call back absentees (latest drawn first)
    # until it holds, so a small committee never "meets" with 2 of 5.
    away = [i for i, e in enumerate(att) if e.state is not AttendanceState.PRESENT]
    while away and not quorum(m.model_copy(update={"attendance": att})).ok:
        i = away.pop()
        att[i] = att[i].model_copy(update={"state": AttendanceState.PRESENT, "reason": ""})
    m = m.model_copy(
        update={
            "attendance": att,
            "topics": topics,
            "place": place,
            "start_time": start,
            "end_time": end,
            "chair_id": chair.id if chair else None,
            "chair_name": chair.name if chair else "组长",
            "recorder_id": recorder.id if recorder else None,
            "recorder_name": recorder.name if recorder else "记录员",
        }
    )
    has_vote = any(s.gate_check is GateCheck.VOTE for s in m.procedure.steps)
    # Dissent is recorded only where it shows in the vote, as it would.
    dissent = has_vote and rng.random() < 0.3
    if kind is MeetingKind.LECTURE and chair:
        m = m.model_copy(update={"lecturer_id": chair.id, "lecturer_name": chair.name})
    present = [e for e in m.attendance if e.present and e.person_id]
    for step in m.procedure.steps:
        at = dt.datetime.combine(day, m.start_time or dt.time(9))
        speakers = []
        if "discuss" in step.key and present:
            speakers = [
                Speaker(
                    person_id=present[0].person_id,
                    name=present[0].name,
                    remark="同意议题安排，建议结合班组实际抓落实。",
                )
            ]
            if len(present) > 2 and dissent:
                speakers.append(Speaker(person_id=present[2].person_id, name=present[2].name,
                                        remark="对时间安排有不同意见，建议避开倒班高峰。", dissent=True))  # fmt: skip
        notes = "按程序完成。"
        if step.key == "lecture":
            notes = LECTURE_CONTENT.format(topic=topics[0])
        m = mark_step_done(m, step.key, at, notes=notes, speakers=speakers)
        if step.gate_check is GateCheck.VOTE and not m.votes:
            voters = sum(1 for e in m.attendance if e.present and e.has_vote)
            no = 1 if voters > 5 and dissent else 0
            vote = new_vote(m, topics[-1], yes=voters - no, no=no, abstain=0)
            if kind in (MeetingKind.ADMISSION, MeetingKind.CONFIRMATION):
                vote = vote.model_copy(update={"method": VoteMethod.SECRET})
            m = m.model_copy(update={"votes": [vote]})
        if step.gate_check in (GateCheck.DECISION, GateCheck.VOTE) and not m.decisions:
            owner = chair
            d = Decision(text=f"落实“{topics[0]}”", owner_id=owner.id if owner else None,
                         owner_name=owner.name if owner else "", deadline=day + dt.timedelta(days=30))  # fmt: skip
            m = m.model_copy(update={"decisions": [*m.decisions, d]})
    dissented = any(v.no for v in m.votes)
    closing = rng.choice(DISSENT_CLOSINGS if dissented else CLOSINGS)
    return m.model_copy(update={"summary": closing})


# A lecture is held once its courseware has passed review; one still in
# review or returned on its date did not take place on the plan's day.
_HELD_STATES = frozenset({ReviewState.APPROVED, ReviewState.FILED})


def _rota_lectures(conn: Connection, today: dt.date) -> dict[str, list[Lecture]]:
    """The demo rota's lectures due before *today*, by the lecturer's id."""
    out: dict[str, list[Lecture]] = {}
    cur = conn.execute("SELECT * FROM lectures WHERE date < ? ORDER BY date", (today.isoformat(),))
    cols = [d[0] for d in cur.description or ()]
    for row in cur.fetchall():
        lec = load_document(dict(zip(cols, row, strict=True)), Lecture)
        if lec.lecturer_id and lec.state in _HELD_STATES:
            out.setdefault(lec.lecturer_id, []).append(lec)
    return out


def _lecture_meeting(
    lec: Lecture, b: OrgUnit, people: list[Person], rng: random.Random, *,
    chair: Person | None, recorder: Person | None, slot: int,
) -> Meeting:  # fmt: skip
    """The 党课 that delivered a rota lecture: its date, lecturer and topic."""
    lecturer = next((p for p in people if p.id == lec.lecturer_id), chair)
    host = next((p for p in people if p.post is CommitteePost.PUBLICITY), recorder) or chair
    m = _build(MeetingKind.LECTURE, b, lec.lecture_date, people, rng,
               topics=[lec.topic or "党课"], chair=host, recorder=recorder, slot=slot)  # fmt: skip
    update: dict[str, object] = {"lecture_id": lec.id, "place": lec.place or m.place}
    if lecturer is not None:
        update |= {"lecturer_id": lecturer.id, "lecturer_name": lecturer.name}
    return m.model_copy(update=update)


def add_demo_meetings(store: Store, conn: Connection, *, today: dt.date, rng: random.Random,
                      branches: list[OrgUnit], groups: dict[str, list[OrgUnit]],
                      roster: dict[str, list[Person]]) -> int:  # fmt: skip
    """Meetings from January to last month for each branch; returns the count."""
    n = 0
    draft: Meeting | None = None
    rota_lectures = _rota_lectures(conn, today)
    for b in branches:
        people = roster[b.id]
        by_post = {p.post: p for p in people if p.post}
        secretary = by_post.get(CommitteePost.SECRETARY)
        recorder = by_post.get(CommitteePost.ORGANISATION) or secretary
        # A branch on the rota holds its 党课 when its secretary's rota lecture
        # is due, linked to it (the plan then shows it held); others quarterly.
        on_rota = secretary is not None and secretary.id in rota_lectures
        if on_rota and secretary is not None:
            for lec in rota_lectures[secretary.id]:
                m = _lecture_meeting(lec, b, people, rng, chair=secretary, recorder=recorder,
                                     slot=branches.index(b))  # fmt: skip
                at = dt.datetime.combine(lec.lecture_date, dt.time(17))
                save_final(store, finish(m, at), conn=conn)
                n += 1
        for month in range(1, today.month + (1 if today.day > 20 else 0)):
            base = _first_friday(today.year, month)
            if base >= today:
                continue
            plan: list[tuple[MeetingKind, OrgUnit, dt.date]] = [
                (MeetingKind.THEME_DAY, b, _working_day(base)),
                (MeetingKind.COMMITTEE, b, _committee_day(base)),
            ]
            plan += [
                (MeetingKind.GROUP, g, base + dt.timedelta(days=5 + k))
                for k, g in enumerate(groups[b.id])
            ]
            if month % 3 == 0:
                plan.append((MeetingKind.MEMBER_ASSEMBLY, b, base + dt.timedelta(days=7)))
                if not on_rota:
                    plan.append((MeetingKind.LECTURE, b, base + dt.timedelta(days=7)))
            for kind, unit, day in plan:
                if day >= today:
                    continue
                if kind is MeetingKind.GROUP:
                    members = [p for p in people if p.group_id == unit.id]
                    leader = next(
                        (p for p in members if p.post is CommitteePost.GROUP_LEADER), None
                    )
                    # The leader chairs; another member keeps the record.
                    others = [p for p in members if p is not leader]
                    chair, rec = leader, (others[0] if others else leader)
                else:
                    chair, rec = secretary, recorder
                topics = [rng.choice(kind_spec(kind).sample_topics or (kind.value,))]
                m = _build(kind, unit, day, people, rng, topics=topics, chair=chair,
                           recorder=rec, slot=branches.index(b))  # fmt: skip
                save_final(store, finish(m, dt.datetime.combine(day, dt.time(11))), conn=conn)
                n += 1
        # One admission of a probationary member, in the first branch.
        if b is branches[0]:
            candidate = next((p for p in people if p.status is PoliticalStatus.CANDIDATE), None)
            if candidate:
                day = _first_friday(today.year, 6) + dt.timedelta(days=7)
                m = _build(MeetingKind.ADMISSION, b, day, people, rng,
                           topics=[f"讨论接收{candidate.name}同志为中共预备党员"],
                           chair=secretary, recorder=recorder)  # fmt: skip
                save_final(store, finish(m, dt.datetime.combine(day, dt.time(11))), conn=conn)
                n += 1
        if draft is None:
            day = today
            draft = _build(MeetingKind.COMMITTEE, b, day, people, rng, topics=["研究年底组织生活会准备工作"],
                           chair=secretary, recorder=recorder)  # fmt: skip
            draft = draft.model_copy(
                update={"steps": draft.steps[:3], "votes": [], "decisions": []}
            )
    # Old items were dealt with in real life; leave the last weeks' open, and a
    # couple of overdue ones so the home screen has something to chase.
    cutoff = (today - dt.timedelta(days=45)).isoformat()
    keep = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM action_items WHERE kind=? AND deadline < ?"
            " ORDER BY deadline DESC, rowid LIMIT 2",  # rowid: the same two every build
            (ActionKind.DECISION.value, cutoff),
        )
    ]
    # No "NOT IN ()" when nothing is kept: PostgreSQL refuses an empty list.
    skip = f" AND id NOT IN ({','.join('?' * len(keep))})" if keep else ""
    conn.execute(
        f"UPDATE action_items SET closed_at=deadline WHERE deadline < ?{skip}",
        (cutoff, *keep),
    )
    if draft is not None:
        conn.execute(
            "INSERT INTO drafts(owner, workflow, key, title, data, updated_at) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT (owner, session, workflow, key) DO UPDATE SET title=excluded.title,"
            " data=excluded.data, updated_at=excluded.updated_at",
            (store.actor, WORKFLOW, draft.id, f"{draft.date} {draft.org_name} {draft.kind}",
             __import__("json").dumps({"meeting": draft.model_dump(mode="json"), "raw": {}}, ensure_ascii=False),
             dt.datetime.combine(today, dt.time(8, 0)).isoformat(timespec="seconds")),
        )  # fmt: skip
    return n
