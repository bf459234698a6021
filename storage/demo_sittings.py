"""Demo of organisational life by shift (docs/SITTINGS.md): the 白夜两班
branch held its latest 主题党日 in a 白班场 and a 夜班场, and the 三班倒
branch files 交接班活动 at handover, over the last three months."""

from __future__ import annotations

import datetime as dt
import random

from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.meetings import Meeting
from domain.org import OrgUnit, ShiftPattern
from domain.people import CommitteePost, Person
from domain.sittings import (
    Handover,
    default_leader,
    pattern_shifts,
    propose_sittings,
    set_sittings,
    shift_members,
)
from storage.db import Store
from storage.meetings import _index
from storage.records import load_document, save_document
from storage.sql import Connection

HANDOVER_TOPICS = (
    "冬季安全生产交底",
    "学习岗位安全操作规程",
    "传达作业区党总支会议精神",
    "交流本班设备巡检发现的问题",
    "学习党章一章并谈体会",
    "“党员先锋岗”本周承诺落实情况",
    "防冻防凝措施再强调",
    "学习安全生产事故警示案例",
)
SITTING_PLACES = {"白班场": "队部党员活动室", "夜班场": "中控值班室"}
SITTING_TIMES = {
    "白班场": (dt.time(8, 30), dt.time(9, 40)),
    "夜班场": (dt.time(19, 30), dt.time(20, 40)),
}


def add_demo_sittings(
    store: Store,
    conn: Connection,
    *,
    today: dt.date,
    rng: random.Random,
    branches: list[OrgUnit],
    roster: dict[str, list[Person]],
) -> dict[str, int]:
    two = next((b for b in branches if b.shift_pattern is ShiftPattern.TWO_SHIFTS), None)
    three = next((b for b in branches if b.shift_pattern is ShiftPattern.THREE_SHIFTS), None)
    out = {"sittings": 0, "handovers": 0}
    if two is not None:
        out["sittings"] = _split_theme_day(store, conn, two, roster[two.id])
    if three is not None:
        out["handovers"] = _handovers(store, conn, three, roster[three.id], today, rng)
    return out


def _split_theme_day(
    store: Store, conn: Connection, branch: OrgUnit, people: list[Person]
) -> int:
    row = conn.execute(
        "SELECT * FROM meetings WHERE org_id=? AND kind=? AND superseded=0"
        " ORDER BY date DESC LIMIT 1",
        (branch.id, MeetingKind.THEME_DAY.value),
    ).fetchone()
    if row is None:
        return 0
    cols = [d[0] for d in conn.execute("SELECT * FROM meetings LIMIT 0").description]
    m = load_document(dict(zip(cols, row, strict=True)), Meeting)
    members = [p for p in people if p.is_member]
    absent = {
        e.person_id
        for e in m.attendance
        if e.state in (AttendanceState.LEAVE, AttendanceState.ABSENT)
    }
    proposal = propose_sittings(branch.shift_pattern, members, m.date)
    by_post = {p.post: p for p in people if p.post}
    leaders = [
        by_post.get(CommitteePost.SECRETARY),
        by_post.get(CommitteePost.DEPUTY) or by_post.get(CommitteePost.ORGANISATION),
    ]
    sittings = []
    for i, s in enumerate(proposal):
        start, end = SITTING_TIMES.get(s.label, (None, None))
        leader = leaders[i % len(leaders)]
        sittings.append(
            s.model_copy(
                update={
                    "present_ids": [pid for pid in s.member_ids if pid not in absent],
                    "start_time": start,
                    "end_time": end,
                    "place": SITTING_PLACES.get(s.label, ""),
                    "leader_id": leader.id if leader else None,
                    "leader_name": leader.name if leader else "",
                }
            )
        )
    # The record's own time and place now span both sittings.
    blank = m.model_copy(update={"start_time": None, "end_time": None, "place": ""})
    split = set_sittings(blank, sittings)
    save_document(store, "meetings", split, _index(split), conn=conn)
    return len(sittings)


def _handovers(
    store: Store,
    conn: Connection,
    branch: OrgUnit,
    people: list[Person],
    today: dt.date,
    rng: random.Random,
) -> int:
    members = [p for p in people if p.is_member]
    shifts = pattern_shifts(branch.shift_pattern)
    n = 0
    day = today - dt.timedelta(days=90)
    k = 0
    while day < today:
        shift = shifts[k % len(shifts)]
        on = shift_members(members, shift)
        if on:
            leader = default_leader(on)
            # Now and then someone on the shift is out on a job at handover.
            came = [p for p in on if rng.random() > 0.12] or on[:1]
            h = Handover(
                branch_id=branch.id,
                branch_name=branch.name,
                date=day,
                shift=shift,
                leader_id=leader.id if leader else None,
                leader_name=leader.name if leader else on[0].name,
                topic=rng.choice(HANDOVER_TOPICS),
                minutes=rng.choice((5, 8, 10)),
                member_ids=[p.id for p in on],
                attendee_ids=[p.id for p in came],
                attendee_names=[p.name for p in came],
            )
            cols = {"branch_id": h.branch_id, "date": h.date, "shift": h.shift}
            save_document(store, "handovers", h, cols, conn=conn)
            n += 1
        k += 1
        day += dt.timedelta(days=rng.choice((3, 4)))
    return n
