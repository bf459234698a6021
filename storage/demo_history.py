"""Past years of demo history (``zhibu demo --years N --branches N``): the
meetings on each branch's monthly cadence, their decisions (long closed),
paid dues and closed 一人一事 cases, for every branch and every year before
this one — plus this year for the branches beyond the four seed ones, which
the other demo modules fill. It exists so the benchmark can show how the
app ages: 10 years of 50 branches is about 34,000 meetings.

Speed matters (hundreds of thousands of rows): each branch's meeting of a
kind is built once through the domain rules (``_build`` + ``finish``) and
re-dated for every occurrence, and rows go in with ``executemany`` inside
the caller's transaction, one audit line per table batch as
``people.insert_many`` and ``dues.insert_many`` do."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator

from domain.action_codes import ActionKind
from domain.courseware import ReviewState
from domain.development import Stage
from domain.dues import make_record, record_payment
from domain.followups import Actor, FollowUpConfig, Level
from domain.meeting_kinds import MeetingKind, MeetingStatus, kind_spec
from domain.meetings import Meeting, finish, make_up_items
from domain.org import OrgUnit
from domain.people import CommitteePost, Person, PoliticalStatus
from domain.records import new_id
from domain.rota import Cadence, Lecturer, PlanPeriod, RotaRequest, plan_rota
from storage import audit, development
from storage import followups as store_fu
from storage import rota as store_rota
from storage.db import Store, now_iso
from storage.demo_development import _events, _start_for
from storage.demo_dues import BASES_YUAN, collection_day
from storage.demo_followups import _Case, _file, _walk
from storage.demo_meetings import _build, _committee_day, _first_friday, _working_day
from storage.demo_rota import _topic
from storage.demo_rota import _walk as _walk_lecture
from storage.records import META_FIELDS, to_db
from storage.sql import Connection

# Closed cases filed per branch and year (10 years × 50 branches ≈ 5,000).
FOLLOWUPS_PER_YEAR = 10
FINISHED = MeetingStatus.FINISHED.value
_TRIGGERS = ("T1", "T2", "T3", "T4", "T5", "T6", "V1", "V2", "V3", "V4")


def meeting_plan(
    year: int, until: dt.date, branch: OrgUnit, groups: list[OrgUnit]
) -> list[tuple[MeetingKind, OrgUnit, dt.date]]:
    """A branch's meetings in *year* before *until*, on the seed branches'
    cadence: 主题党日 and 支委会 monthly, each 党小组 monthly, 党员大会 and
    党课 quarterly."""
    plan: list[tuple[MeetingKind, OrgUnit, dt.date]] = []
    for month in range(1, 13):
        base = _first_friday(year, month)
        items = [
            (MeetingKind.THEME_DAY, branch, _working_day(base)),
            (MeetingKind.COMMITTEE, branch, _committee_day(base)),
        ]
        items += [
            (MeetingKind.GROUP, g, base + dt.timedelta(days=5 + k)) for k, g in enumerate(groups)
        ]
        if month % 3 == 0:
            items.append((MeetingKind.MEMBER_ASSEMBLY, branch, base + dt.timedelta(days=7)))
            items.append((MeetingKind.LECTURE, branch, base + dt.timedelta(days=7)))
        plan += [i for i in items if i[2] < until]
    return plan


def _chairs(
    kind: MeetingKind, unit: OrgUnit, people: list[Person]
) -> tuple[Person | None, Person | None]:
    by_post = {p.post: p for p in people if p.post}
    secretary = by_post.get(CommitteePost.SECRETARY)
    if kind is MeetingKind.GROUP:
        members = [p for p in people if p.group_id == unit.id]
        leader = next((p for p in members if p.post is CommitteePost.GROUP_LEADER), None)
        others = [p for p in members if p is not leader]
        return leader, (others[0] if others else leader)
    return secretary, by_post.get(CommitteePost.ORGANISATION) or secretary


class _Template:
    """One finished meeting as stored JSON, re-dated by text substitution:
    every date and timestamp in it derives from the meeting day or the
    decision deadline (day + 30)."""

    def __init__(self, m: Meeting) -> None:
        self.day = m.date
        self.body = json.dumps(m.model_dump(mode="json", exclude=set(META_FIELDS)),
                               ensure_ascii=False)  # fmt: skip
        self.kind = m.kind.value
        self.org_id = m.org_id
        self.org_name = m.org_name
        self.decisions = [(d.text, d.owner_id, d.owner_name) for d in m.decisions]
        self.make_ups = [(mu.person_id, mu.name, mu.absence, mu.content) for mu in make_up_items(m)]

    def body_on(self, day: dt.date) -> str:
        text = self.body.replace((self.day + dt.timedelta(days=30)).isoformat(), "\0")
        text = text.replace(self.day.isoformat(), day.isoformat())
        return text.replace("\0", (day + dt.timedelta(days=30)).isoformat())


def _batch_audit(conn: Connection, actor: str, table: str, n: int, what: str) -> None:
    if n:
        audit.append(conn, actor, "import", table, f"{n} rows", f"{n} {what}")


def _years(today: dt.date, years: int) -> list[int]:
    return list(range(today.year - years + 1, today.year + 1))


def _history_years(b: int, today: dt.date, years: int, seeded: int) -> Iterator[int]:
    """The seed branches' current year comes from the other demo modules."""
    for y in _years(today, years):
        if y < today.year or b >= seeded:
            yield y


def _add_meetings(
    store: Store, conn: Connection, *, today: dt.date, years: int, seeded: int,
    branches: list[OrgUnit], groups: dict[str, list[OrgUnit]],
    roster: dict[str, list[Person]], rng: random.Random, say: Callable[[str], None],
) -> int:  # fmt: skip
    now, actor = now_iso(), store.actor
    total = 0
    for b, branch in enumerate(branches):
        people = roster[branch.id]
        templates: dict[tuple[MeetingKind, str], _Template] = {}
        meetings: list[tuple[object, ...]] = []
        actions: list[tuple[object, ...]] = []
        for year in _history_years(b, today, years, seeded):
            for kind, unit, day in meeting_plan(year, today, branch, groups[branch.id]):
                key = (kind, unit.id)
                if key not in templates:
                    chair, rec = _chairs(kind, unit, people)
                    topics = [rng.choice(kind_spec(kind).sample_topics or (kind.value,))]
                    m = _build(kind, unit, day, people, rng, topics=topics, chair=chair,
                               recorder=rec, slot=b)  # fmt: skip
                    templates[key] = _Template(finish(m, dt.datetime.combine(day, dt.time(11))))
                t = templates[key]
                mid = new_id()
                meetings.append((mid, t.kind, t.org_id, day.isoformat(), FINISHED,
                                 t.body_on(day), now, now, actor))  # fmt: skip
                source = f"{day.isoformat()} {t.kind}（{t.org_name}）"
                deadline = (day + dt.timedelta(days=30)).isoformat()
                for text, owner_id, owner_name in t.decisions:
                    actions.append((new_id(), source, mid, ActionKind.DECISION.value, text,
                                    owner_id, owner_name, deadline, deadline, now, now, actor))  # fmt: skip
                for pid, name, absence, content in t.make_ups:
                    text = f"{day.isoformat()} {t.kind}{absence}，须补学。{content}"[:2000]
                    actions.append((new_id(), source, mid, ActionKind.MAKE_UP.value, text,
                                    pid, name, deadline, deadline, now, now, actor))  # fmt: skip
        conn.executemany(
            "INSERT INTO meetings (id, kind, org_id, date, status, data, created_at, updated_at,"
            " updated_by, version) VALUES (?,?,?,?,?,?,?,?,?,1)",
            meetings,
        )
        conn.executemany(
            "INSERT INTO action_items (id, source, meeting_id, kind, text, owner_id, owner_name,"
            " deadline, closed_at, created_at, updated_at, updated_by, version)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,1)",
            actions,
        )
        total += len(meetings)
        if (b + 1) % 10 == 0 or b + 1 == len(branches):
            say(f"历史会议：{b + 1}/{len(branches)} 个支部，{total} 次")
    _batch_audit(conn, actor, "meetings", total, "history meetings")
    return total


def _add_dues(
    store: Store, conn: Connection, *, today: dt.date, years: int, seeded: int,
    branches: list[OrgUnit], roster: dict[str, list[Person]], rng: random.Random,
) -> int:  # fmt: skip
    """Every member paid every month at the 主题党日 (history is settled)."""
    now, actor = now_iso(), store.actor
    rows: list[tuple[object, ...]] = []
    for b, branch in enumerate(branches):
        members = [p for p in roster[branch.id] if p.status is PoliticalStatus.FULL]
        months = [
            dt.date(y, m, 1)
            for y in _history_years(b, today, years, seeded)
            for m in range(1, 13)
            if collection_day(dt.date(y, m, 1)) < today
        ]
        if b < seeded:  # the seed branches' dues start in January (or earlier)
            first = conn.execute(
                "SELECT min(month) FROM dues WHERE branch_id=?", (branch.id,)
            ).fetchone()[0]
            months = [m for m in months if first is None or m.isoformat() < first]
        for p in members:
            base = (rng.choice(BASES_YUAN) + rng.randrange(10) * 10) * 100
            proto = make_record(p.id, months[0], base) if months else None
            for month in months:
                assert proto is not None
                rec = record_payment(
                    proto.model_copy(update={"month": month}), proto.due_fen,
                    collection_day(month), "现金",
                )  # fmt: skip
                body = rec.model_dump_json(exclude=set(META_FIELDS))
                rows.append((new_id(), p.id, branch.id, month.isoformat(), body, now, now, actor))
    conn.executemany(
        "INSERT INTO dues (id, person_id, branch_id, month, data, created_at, updated_at,"
        " updated_by, version) VALUES (?,?,?,?,?,?,?,?,1)",
        rows,
    )
    _batch_audit(conn, actor, "dues", len(rows), "history dues")
    return len(rows)


def _add_followups(
    store: Store, conn: Connection, *, today: dt.date, years: int, seeded: int,
    branches: list[OrgUnit], roster: dict[str, list[Person]], rng: random.Random,
) -> int:  # fmt: skip
    """Closed cases, spread over each year (the open ones are this year's)."""
    now, actor = now_iso(), store.actor
    config = FollowUpConfig()
    rows: list[tuple[object, ...]] = []
    for b, branch in enumerate(branches):
        people = roster[branch.id]
        members = [Actor(p.id, p.name) for p in people if p.is_member]
        workers = [Actor(p.id, p.name) for p in people if not p.is_member]
        sec_p = next((p for p in people if p.post is CommitteePost.SECRETARY), None)
        secretary = Actor(sec_p.id, sec_p.name) if sec_p else (members[0] if members else None)
        if not members or secretary is None:
            continue
        subjects = workers + [m for m in members if m != secretary]
        helpers = [m for m in members if m != secretary] or [secretary]
        catalogue = store_fu.catalogue(store, branch.id, conn=conn)
        for year in _history_years(b, today, years, seeded):
            for i in range(FOLLOWUPS_PER_YEAR):
                found = dt.date(year, 1, 10) + dt.timedelta(days=i * 30)
                if found + dt.timedelta(days=60) >= today:
                    continue  # a case still running belongs to this year's demo
                case = _Case("closed", Level.ROUTINE, _TRIGGERS[i % len(_TRIGGERS)],
                             (today - found).days)  # fmt: skip
                subject = subjects[(year * 7 + i) % len(subjects)]
                resp = helpers[(year + i) % len(helpers)]
                fu = _file(case, subject, resp, catalogue, today, config, rng)
                fu = _walk(case, fu, resp, secretary, today, config, rng)
                cols = {k: to_db(v) for k, v in store_fu._index_columns(fu).items()}
                body = json.dumps(fu.model_dump(mode="json", exclude=set(META_FIELDS)),
                                  ensure_ascii=False)  # fmt: skip
                rows.append((fu.id, cols["branch_id"], cols["person_id"], cols["responsible_id"],
                             cols["status"], cols["level"], cols["found_on"],
                             cols["next_contact"], cols["private"], body, now, now, actor))  # fmt: skip
    conn.executemany(
        "INSERT INTO followups (id, branch_id, person_id, responsible_id, status, level,"
        " found_on, next_contact, private, data, created_at, updated_at, updated_by, version)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
        rows,
    )
    _batch_audit(conn, actor, "followups", len(rows), "history follow-ups")
    return len(rows)


def _add_rota(
    store: Store, conn: Connection, *, today: dt.date, years: int,
    branches: list[OrgUnit], roster: dict[str, list[Person]], rng: random.Random,
) -> int:  # fmt: skip
    """Each 党总支's monthly 党课 rota of its secretaries for the earlier
    years, every lecture given and filed (this year's is storage.demo_rota's)."""
    ours = {b.id for b in branches}
    generals: dict[str, list[OrgUnit]] = {}
    for b in branches:
        if b.parent_id:
            generals.setdefault(b.parent_id, []).append(b)
    n = 0
    for general_id, children in generals.items():
        lecturers: list[Lecturer] = []
        reviewer = "党总支宣传委员"
        for b in children:
            people = roster.get(b.id, []) if b.id in ours else []
            sec = next((p for p in people if p.post is CommitteePost.SECRETARY), None)
            pub = next((p for p in people if p.post is CommitteePost.PUBLICITY), None)
            if sec and len(lecturers) < 4:
                lecturers.append(Lecturer(id=sec.id, name=sec.name, branch=b.name, post=sec.post))
            if pub and reviewer == "党总支宣传委员":
                reviewer = pub.name
        if not lecturers:
            continue
        for year in _years(today, years)[:-1]:
            request = RotaRequest(
                period=PlanPeriod(year=year), cadence=Cadence.MONTHLY, lecturers=lecturers
            )
            _rec, lectures = store_rota.confirm_plan(
                store, general_id, plan_rota(request), conn=conn
            )
            themed = 0
            for lec in lectures:
                topic, category = _topic(rng, lec.themed, themed)
                themed += lec.themed
                path = f"课件/{lec.lecture_date.isoformat()}-{lec.lecturer_name}.pptx"
                lec = lec.model_copy(update={
                    "topic": topic, "category": category, "place": "作业区党员活动室",
                    "hours": 1.5 if lec.themed else 1.0, "courseware_path": path,
                })  # fmt: skip
                lec = _walk_lecture(lec, ReviewState.FILED, reviewer=reviewer, today=today,
                                    rng=rng)  # fmt: skip
                store_rota.save_lecture(store, lec, conn=conn)
                n += 1
    return n


def _add_development(
    store: Store, conn: Connection, *, today: dt.date, years: int, seeded: int,
    branches: list[OrgUnit], roster: dict[str, list[Person]],
) -> int:  # fmt: skip
    """The whole main line, 递交入党申请书 to 转正审批, of the 正式党员 who
    joined within the history (their 接收预备党员 is their roster 入党日期)."""
    have = {r[0] for r in conn.execute("SELECT person_id FROM development_records")}
    n = 0
    for b, branch in enumerate(branches):
        window = set(_history_years(b, today, years, seeded))
        people = roster[branch.id]
        full = [p for p in people if p.status is PoliticalStatus.FULL and p.post is None]
        sponsors = tuple(p.name for p in full[:2]) or ("介绍人甲", "介绍人乙")
        for p in full:
            joined = p.joined_party
            if p.id in have or joined is None or joined.year not in window:
                continue
            applied = _start_for(Stage.ADMITTED, joined)
            events = _events(applied, Stage.CONFIRM_APPROVED, today, names=sponsors)
            for e in events:
                development.record(store, p.id, e, conn=conn)
            n += 1
    return n


def add_demo_history(
    store: Store, conn: Connection, *, today: dt.date, years: int,
    branches: list[OrgUnit], groups: dict[str, list[OrgUnit]], people: list[Person],
    seeded: int = 4, rng: random.Random | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:  # fmt: skip
    """Add the history inside the caller's transaction; the counts added.
    With one year and only the seed branches there is nothing to add."""
    rng = rng or random.Random(23)
    say = progress or (lambda _m: None)
    roster: dict[str, list[Person]] = {b.id: [] for b in branches}
    for p in people:
        if p.branch_id in roster:
            roster[p.branch_id].append(p)
    say("生成历年会议记录…")
    n_meetings = _add_meetings(store, conn, today=today, years=years, seeded=seeded,
                               branches=branches, groups=groups, roster=roster, rng=rng,
                               say=say)  # fmt: skip
    say("生成历年党费记录…")
    n_dues = _add_dues(store, conn, today=today, years=years, seeded=seeded,
                       branches=branches, roster=roster, rng=rng)  # fmt: skip
    say("生成历年一人一事…")
    n_fu = _add_followups(store, conn, today=today, years=years, seeded=seeded,
                          branches=branches, roster=roster, rng=rng)  # fmt: skip
    say("生成历年党课轮讲…")
    n_rota = _add_rota(store, conn, today=today, years=years, branches=branches,
                       roster=roster, rng=rng)  # fmt: skip
    say("生成历年发展党员记录…")
    n_dev = _add_development(store, conn, today=today, years=years, seeded=seeded,
                             branches=branches, roster=roster)  # fmt: skip
    return {"history_meetings": n_meetings, "history_dues": n_dues, "history_followups": n_fu,
            "history_lectures": n_rota, "history_development": n_dev}  # fmt: skip
