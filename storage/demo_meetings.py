"""A year of demo meetings for the four seed branches, following the 条例
cadence, all finished through the same domain rules a user goes through —
plus one meeting left as an unfinished draft."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3

from domain.action_codes import ActionKind
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
)
from domain.org import OrgUnit
from domain.people import CommitteePost, Person, PoliticalStatus
from domain.procedures import GateCheck
from storage.db import Store
from storage.meetings import WORKFLOW, save_final

LEAVE_REASONS = ("夜班", "病假", "外出培训", "事假", "倒班休息")


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
) -> Meeting:
    m = new_meeting(kind, unit.id, unit.name, day, people=roster)
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
    m = m.model_copy(
        update={
            "attendance": att,
            "topics": topics,
            "place": "作业区党员活动室",
            "start_time": dt.time(9, 0) if kind is not MeetingKind.GROUP else dt.time(16, 30),
            "end_time": dt.time(10, 30) if kind is not MeetingKind.GROUP else dt.time(17, 30),
            "chair_id": chair.id if chair else None,
            "chair_name": chair.name if chair else "组长",
            "recorder_id": recorder.id if recorder else None,
            "recorder_name": recorder.name if recorder else "记录员",
            "summary": "会议按程序进行，议题经充分讨论，形成一致意见。",
        }
    )
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
            if len(present) > 2 and rng.random() < 0.3:
                speakers.append(Speaker(person_id=present[2].person_id, name=present[2].name,
                                        remark="对时间安排有不同意见，建议避开倒班高峰。", dissent=True))  # fmt: skip
        m = mark_step_done(m, step.key, at, notes="按程序完成。", speakers=speakers)
        if step.gate_check is GateCheck.VOTE and not m.votes:
            voters = sum(1 for e in m.attendance if e.present and e.has_vote)
            no = 1 if voters > 5 and rng.random() < 0.3 else 0
            vote = new_vote(m, topics[-1], yes=voters - no, no=no, abstain=0)
            if kind in (MeetingKind.ADMISSION, MeetingKind.CONFIRMATION):
                vote = vote.model_copy(update={"method": VoteMethod.SECRET})
            m = m.model_copy(update={"votes": [vote]})
        if step.gate_check in (GateCheck.DECISION, GateCheck.VOTE) and not m.decisions:
            owner = chair
            d = Decision(text=f"落实“{topics[0]}”", owner_id=owner.id if owner else None,
                         owner_name=owner.name if owner else "", deadline=day + dt.timedelta(days=30))  # fmt: skip
            m = m.model_copy(update={"decisions": [*m.decisions, d]})
    return m


def add_demo_meetings(store: Store, conn: sqlite3.Connection, *, today: dt.date, rng: random.Random,
                      branches: list[OrgUnit], groups: dict[str, list[OrgUnit]],
                      roster: dict[str, list[Person]]) -> int:  # fmt: skip
    """Meetings from January to last month for each branch; returns the count."""
    n = 0
    draft: Meeting | None = None
    for b in branches:
        people = roster[b.id]
        by_post = {p.post: p for p in people if p.post}
        secretary = by_post.get(CommitteePost.SECRETARY)
        recorder = by_post.get(CommitteePost.ORGANISATION) or secretary
        for month in range(1, today.month + (1 if today.day > 20 else 0)):
            base = _first_friday(today.year, month)
            if base >= today:
                continue
            plan: list[tuple[MeetingKind, OrgUnit, dt.date]] = [
                (MeetingKind.THEME_DAY, b, base),
                (MeetingKind.COMMITTEE, b, base - dt.timedelta(days=3)),
            ]
            plan += [
                (MeetingKind.GROUP, g, base + dt.timedelta(days=5 + k))
                for k, g in enumerate(groups[b.id])
            ]
            if month % 3 == 0:
                plan.append((MeetingKind.MEMBER_ASSEMBLY, b, base + dt.timedelta(days=7)))
                plan.append((MeetingKind.LECTURE, b, base + dt.timedelta(days=7)))
            for kind, unit, day in plan:
                if day >= today:
                    continue
                if kind is MeetingKind.GROUP:
                    members = [p for p in people if p.group_id == unit.id]
                    leader = next(
                        (p for p in members if p.post is CommitteePost.GROUP_LEADER), None
                    )
                    chair, rec = leader, leader
                else:
                    chair, rec = secretary, recorder
                topics = [rng.choice(kind_spec(kind).sample_topics or (kind.value,))]
                m = _build(kind, unit, day, people, rng, topics=topics, chair=chair, recorder=rec)
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
            " ORDER BY deadline DESC LIMIT 2",
            (ActionKind.DECISION.value, cutoff),
        )
    ]
    marks = ",".join("?" * len(keep))
    conn.execute(
        f"UPDATE action_items SET closed_at=deadline WHERE deadline < ? AND id NOT IN ({marks})",
        (cutoff, *keep),
    )
    if draft is not None:
        conn.execute(
            "INSERT OR REPLACE INTO drafts(owner, workflow, key, title, data, updated_at) VALUES (?,?,?,?,?,?)",
            (store.actor, WORKFLOW, draft.id, f"{draft.date} {draft.org_name} {draft.kind}",
             __import__("json").dumps({"meeting": draft.model_dump(mode="json"), "raw": {}}, ensure_ascii=False),
             dt.datetime.combine(today, dt.time(8, 0)).isoformat(timespec="seconds")),
        )  # fmt: skip
    return n
