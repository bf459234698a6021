"""Small builders for the data a test needs, written through the storage layer.

Each test states the organisation, people, meetings, follow-ups, lectures and
dues it asserts on, instead of leaning on what the demo generator happens to
produce. Everything here goes through the same storage functions the app uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from domain.courseware import Lecture
from domain.dues import DuesRecord, make_record, record_payment
from domain.followups import FollowUp, Level, Status
from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.meetings import Decision, Meeting, finish, mark_step_done, new_meeting, new_vote
from domain.org import OrgKind, OrgUnit
from domain.people import CommitteePost, Person, PoliticalStatus
from domain.periods import month_start
from domain.procedures import GateCheck
from domain.rota import Cadence, Lecturer, PlanPeriod, RotaRequest, plan_rota
from storage import action_items as action_store
from storage import dues as dues_store
from storage import followups as fu_store
from storage import meetings as meetings_store
from storage import org, people
from storage import rota as rota_store
from storage.db import Store
from storage.rota import RotaPlanRecord

# The one "today" of the test suite (the `today` fixture in conftest.py returns it).
TODAY = dt.date(2026, 11, 22)

_S = PoliticalStatus
# A small branch that has every committee post and every kind of person.
DEFAULT_MEMBERS: tuple[tuple[PoliticalStatus, CommitteePost | None], ...] = (
    (_S.FULL, CommitteePost.SECRETARY),
    (_S.FULL, CommitteePost.ORGANISATION),
    (_S.FULL, CommitteePost.PUBLICITY),
    (_S.FULL, None),
    (_S.FULL, None),
    (_S.PROBATIONARY, None),
    (_S.CANDIDATE, None),
    (_S.MASSES, None),
)
NAMES = "张伟王芳李娜刘洋陈静杨军赵磊黄敏周强吴丽徐涛孙燕马超朱琳胡斌郭婷何勇高洁林峰罗霞"


def name(i: int) -> str:
    """A plausible two-character name, unique for i < 20, then numbered."""
    base = NAMES[(2 * i) % len(NAMES) : (2 * i) % len(NAMES) + 2]
    return base if i < len(NAMES) // 2 else f"{base}{i}"


@dataclass
class Branch:
    unit: OrgUnit
    members: list[Person] = field(default_factory=list)
    groups: list[OrgUnit] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.unit.id

    def with_post(self, post: CommitteePost) -> Person:
        return next(p for p in self.members if p.post is post)

    def with_status(self, status: PoliticalStatus) -> list[Person]:
        return [p for p in self.members if p.status is status]


def general_branch(store: Store, name_: str = "测试党总支") -> OrgUnit:
    return org.save(store, OrgUnit(name=name_, kind=OrgKind.GENERAL_BRANCH))


def branch(
    store: Store,
    name_: str = "测试支部",
    *,
    members: Sequence[tuple[PoliticalStatus, CommitteePost | None]] = DEFAULT_MEMBERS,
    parent: OrgUnit | None = None,
    groups: int = 0,
    first_name: int = 0,
    joined: dt.date = dt.date(2015, 7, 1),
) -> Branch:
    """A 党支部 with *members* (status, post) and *groups* 党小组 (members dealt round them)."""
    unit = org.save(
        store,
        OrgUnit(name=name_, kind=OrgKind.BRANCH, parent_id=parent.id if parent else None),
    )
    made = [
        org.save(store, OrgUnit(name=f"第{k + 1}党小组", kind=OrgKind.GROUP, parent_id=unit.id))
        for k in range(groups)
    ]
    out = Branch(unit=unit, groups=made)
    for i, (status, post) in enumerate(members):
        is_member = status in (_S.FULL, _S.PROBATIONARY)
        p = Person(
            name=name(first_name + i),
            status=status,
            branch_id=unit.id,
            group_id=made[i % len(made)].id if made else None,
            post=post,
            joined_party=(joined if status is _S.FULL else dt.date(2026, 3, 1))
            if is_member
            else None,
            confirmed_on=joined.replace(year=joined.year + 1) if status is _S.FULL else None,
        )
        out.members.append(people.save(store, p))
    return out


def org_tree(
    store: Store,
    branches: Iterable[str] = ("一支部", "二支部"),
    *,
    general: str = "测试党总支",
    first_name: int = 0,
    **kw: object,
) -> tuple[OrgUnit, list[Branch]]:
    """A 党总支 with one branch per name; people's names do not repeat across branches."""
    top = general_branch(store, general)
    out: list[Branch] = []
    first = first_name
    for b in branches:
        made = branch(store, b, parent=top, first_name=first, **kw)
        first += len(made.members)
        out.append(made)
    return top, out


def meeting(
    b: Branch,
    kind: MeetingKind = MeetingKind.COMMITTEE,
    day: dt.date = dt.date(2026, 10, 9),
    *,
    unit: OrgUnit | None = None,
    absent: dict[str, AttendanceState] | None = None,
    topics: Sequence[str] = ("研究本月党建工作安排",),
) -> Meeting:
    """A meeting of *kind* with attendance from the branch roster, every step done.

    *absent* maps person ids to LEAVE/ABSENT; the rest attend.
    """
    where = unit or b.unit
    m = new_meeting(kind, where.id, where.name, day, people=b.members)
    absent = absent or {}
    # A new sheet starts 未签到: sign everyone in, the absent ones as given.
    att = [
        e.model_copy(update={"state": absent[e.person_id], "reason": "夜班"})
        if e.person_id in absent
        else e.model_copy(update={"state": AttendanceState.PRESENT})
        for e in m.attendance
    ]
    secretary = next((p for p in b.members if p.post is CommitteePost.SECRETARY), None)
    chair_name = secretary.name if secretary else "主持人"
    m = m.model_copy(
        update={
            "attendance": att,
            "topics": list(topics),
            "place": "党员活动室",
            "start_time": dt.time(9, 0),
            "end_time": dt.time(10, 30),
            "chair_id": secretary.id if secretary else None,
            "chair_name": chair_name,
            "recorder_id": secretary.id if secretary else None,
            "recorder_name": chair_name,
            "summary": "会议按程序进行。",
        }
    )
    if kind is MeetingKind.LECTURE and secretary:
        m = m.model_copy(update={"lecturer_id": secretary.id, "lecturer_name": secretary.name})
    at = dt.datetime.combine(day, dt.time(9))
    for step in m.procedure.steps:
        m = mark_step_done(m, step.key, at, notes="按程序完成。")
        if step.gate_check is GateCheck.VOTE and not m.votes:
            voters = sum(1 for e in m.attendance if e.present and e.has_vote)
            m = m.model_copy(update={"votes": [new_vote(m, topics[-1], yes=voters)]})
        if step.gate_check in (GateCheck.DECISION, GateCheck.VOTE) and not m.decisions:
            d = Decision(
                text=f"落实“{topics[0]}”",
                owner_id=secretary.id if secretary else None,
                owner_name=chair_name if secretary else "",
                deadline=day + dt.timedelta(days=30),
            )
            m = m.model_copy(update={"decisions": [d]})
    return m


def finished_meeting(store: Store, b: Branch, *args: object, **kw: object) -> Meeting:
    """`meeting(...)` finished and stored (with its action items)."""
    m = meeting(b, *args, **kw)
    done = finish(m, dt.datetime.combine(m.date, dt.time(11)))
    return meetings_store.save_final(store, done)


def followup(
    store: Store,
    b: Branch,
    person: Person,
    *,
    responsible: Person | None = None,
    found_on: dt.date = dt.date(2026, 11, 2),
    level: Level = Level.ROUTINE,
    status: Status = Status.TODO,
    private: bool = False,
    **fields: object,
) -> FollowUp:
    """One filed 一人一事 case about *person* (responsible: the branch secretary)."""
    owner = responsible or b.with_post(CommitteePost.SECRETARY)
    fu = FollowUp(
        branch_id=b.id,
        person_id=person.id,
        person_name=person.name,
        found_on=found_on,
        responsible_id=owner.id,
        responsible_name=owner.name,
        level=level,
        status=status,
        private=private,
        description=fields.pop("description", "班组长反映近期情绪低落。"),
        **fields,
    )
    saved, _ = fu_store.file_new(store, fu)
    return saved


def rota(
    store: Store,
    unit: OrgUnit,
    lecturers: Sequence[Person],
    *,
    year: int = TODAY.year,
    cadence: Cadence = Cadence.MONTHLY,
    branch_name: str = "",
) -> tuple[RotaPlanRecord, list[Lecture]]:
    """A confirmed rota for *unit* with one lecture per slot."""
    request = RotaRequest(
        period=PlanPeriod(year=year),
        cadence=cadence,
        lecturers=[
            Lecturer(id=p.id, name=p.name, branch=branch_name, post=p.post or "")
            for p in lecturers
        ],
    )
    return rota_store.confirm_plan(store, unit.id, plan_rota(request))


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first of every month from *first* to *last*, inclusive."""
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return out


def dues(
    store: Store,
    b: Branch,
    months_: Sequence[dt.date],
    *,
    base_fen: int = 500_000,
    unpaid: dict[str, Iterable[dt.date]] | None = None,
    paid_on_day: int = 5,
) -> list[DuesRecord]:
    """A dues row per paying member per month, paid in full on *paid_on_day*.

    *unpaid* maps person ids to the months they left unpaid. Probationary
    members start in their adoption month, as the app's grid does.
    """
    skip = {(pid, month_start(m)) for pid, ms in (unpaid or {}).items() for m in ms}
    out: list[DuesRecord] = []
    for m in months_:
        m = month_start(m)
        rows = []
        for p in b.members:
            if not p.is_member or not dues_store.pays_in(p, m):
                continue
            rec = make_record(p.id, m, base_fen)
            if (p.id, m) not in skip:
                rec = record_payment(rec, rec.due_fen, m.replace(day=paid_on_day))
            rows.append(rec)
        out += dues_store.save_month(store, b.id, rows)
    return out


def calendar(store: Store) -> list[Branch]:
    """Two branches of three 党小组 with a year of meetings (see the plan below).

    支委会 in August, twice in September (none in October: overdue on TODAY) and
    in November; 主题党日 and 党小组会 every month from July; a 党员大会 and an
    admission meeting in Q2 and a 党员大会 in Q3; the secretary's 党课 in March,
    June and September. Absences leave make-up items; the first one is done.
    """
    _top, branches = org_tree(store, ("一支部", "二支部"), groups=3)
    k = MeetingKind
    for b in branches:
        leave = {b.members[4].id: AttendanceState.LEAVE}
        absent = {b.members[5].id: AttendanceState.ABSENT, b.members[3].id: AttendanceState.LEAVE}
        plan: list[tuple[MeetingKind, str, dict]] = [
            (k.COMMITTEE, "2026-08-04", {}),
            (k.COMMITTEE, "2026-09-01", {}), (k.COMMITTEE, "2026-09-29", {}),
            (k.COMMITTEE, "2026-11-03", {}),
            (k.THEME_DAY, "2026-07-03", leave), (k.THEME_DAY, "2026-08-07", {}),
            (k.THEME_DAY, "2026-09-04", absent), (k.THEME_DAY, "2026-10-09", leave),
            (k.THEME_DAY, "2026-11-06", {}),
            (k.MEMBER_ASSEMBLY, "2026-06-12", {}), (k.ADMISSION, "2026-06-19", {}),
            (k.MEMBER_ASSEMBLY, "2026-09-11", absent),
            (k.LECTURE, "2026-03-13", {}), (k.LECTURE, "2026-06-12", {}),
            (k.LECTURE, "2026-09-11", leave),
        ]  # fmt: skip
        for kind, day, away in plan:
            finished_meeting(store, b, kind, dt.date.fromisoformat(day), absent=away)
        for g in b.groups:
            for day in ("2026-07-15", "2026-08-12", "2026-09-16", "2026-10-14", "2026-11-11"):
                finished_meeting(store, b, k.GROUP, dt.date.fromisoformat(day), unit=g)
    # One make-up study done.
    owed = [a for a in action_store.open_actions(store, limit=500) if a.kind == "补学"]
    action_store.close_action(store, owed[0])
    return branches


def grant_secretary(store: Store, account: str, person: Person) -> None:
    """Map *account* to *person* and grant them 书记 of their branch (as an
    administrator would with `zhibu admin grant`): a 职务 alone grants nothing."""
    from domain.roles import Role
    from storage import roles

    roles.grant(store, account, Role.SECRETARY, person_id=person.id, branch_id=person.branch_id)
