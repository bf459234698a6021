"""A realistic demo organisation (``zhibu demo``): one 党委, a 作业区党总支
with four branches as in the seeds, groups, ~30 people per branch.
``people`` scales it up for benchmarks. Deterministic for a given size."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from domain.org import OrgKind, OrgUnit, ShiftPattern
from domain.people import CommitteePost, Person, PoliticalStatus, Sex, Shift
from storage import org, people
from storage.db import Store
from storage.demo_assessment import add_demo_assessment
from storage.demo_branch_terms import add_demo_branch_terms
from storage.demo_development import add_demo_development
from storage.demo_dues import add_demo_dues
from storage.demo_followups import add_demo_followups
from storage.demo_history import add_demo_history
from storage.demo_meetings import add_demo_meetings
from storage.demo_problems import add_demo_problems
from storage.demo_rota import add_demo_rota
from storage.demo_sittings import add_demo_sittings

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红建国志斌鹏辉宇浩凯健俊峰海波"
    "林东晨雪婷琳晶欣文博鑫亮成飞彬新春晓燕慧兵宁龙旭永德胜福庆荣泉山石油煤"
)
FOUR_BRANCHES = (
    ("采油一队党支部", ShiftPattern.THREE_SHIFTS, ("采油一班", "采油二班", "注水班")),
    ("采油二队党支部", ShiftPattern.TWO_SHIFTS, ("采油三班", "维护班", "计量班")),
    ("集输大队党支部", ShiftPattern.THREE_SHIFTS, ("集输站", "联合站", "污水站")),
    ("机关维修党支部", ShiftPattern.DAY_ONLY, ("机修班", "电工班", "综合办")),
)
JOBS = ("采油工", "集输工", "注水工", "电工", "焊工", "仪表工", "司机", "技术员", "安全员", "班长")
POSTS = (
    CommitteePost.SECRETARY,
    CommitteePost.ORGANISATION,
    CommitteePost.PUBLICITY,
    CommitteePost.DISCIPLINE,
    CommitteePost.DEPUTY,
)


def _name(rng: random.Random, used: set[str]) -> str:
    for _ in range(20):
        n = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        if n not in used:
            used.add(n)
            return n
    return n


def _status(i: int) -> PoliticalStatus:
    # per ~30 people: 18 full, 2 probationary, 1 candidate, 2 activists, rest masses
    slot = i % 30
    if slot < 18:
        return PoliticalStatus.FULL
    if slot < 20:
        return PoliticalStatus.PROBATIONARY
    if slot < 21:
        return PoliticalStatus.CANDIDATE
    if slot < 23:
        return PoliticalStatus.ACTIVIST
    return PoliticalStatus.MASSES


def _shifts(pattern: ShiftPattern) -> tuple[Shift, ...]:
    if pattern is ShiftPattern.THREE_SHIFTS:
        return (Shift.MORNING, Shift.MIDDLE, Shift.LATE)
    if pattern is ShiftPattern.TWO_SHIFTS:
        return (Shift.DAY, Shift.NIGHT)
    return (Shift.DAY,)


def _post(i: int, groups: int, *, full_committee: bool) -> CommitteePost | None:
    """Secretary and three 委员 in every branch (plus a deputy in the four
    demo branches); then one 党小组长 per group."""
    n = len(POSTS) if full_committee else 4
    if i < n:
        return POSTS[i]
    if i < n + groups:
        return CommitteePost.GROUP_LEADER
    return None


def build_demo(
    store: Store,
    *,
    people_count: int = 120,
    seed: int = 7,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    years: int = 1,
    branches: int | None = None,
) -> dict[str, int]:
    """Create the demo organisation in one transaction; returns counts.
    *years* of history (this year plus earlier ones), *branches* (default:
    four, or enough for *people_count* at 30 a branch). Without *branches*
    only the four seed branches have records, as the bench's --people sizes
    expect; with it, every branch has all *years*."""
    rng = random.Random(seed)
    today = today or date.today()
    say = progress or (lambda _m: None)
    per_branch = 30
    n_branches = max(4, -(-people_count // per_branch))
    if branches is not None:  # then at least 30 people a branch
        n_branches = branches
        people_count = max(people_count, per_branch * n_branches)
    used: set[str] = set()
    units: list[OrgUnit] = []
    groups_of: dict[str, list[OrgUnit]] = {}
    persons: list[Person] = []
    with store.write() as c:
        committee = org.save(store, OrgUnit(name="采油厂党委", kind=OrgKind.COMMITTEE), conn=c)
        generals: list[OrgUnit] = []
        for b in range(n_branches):
            gi = 0 if b < 4 else 1 + (b - 4) // 6
            while len(generals) <= gi:
                label = "第一作业区党总支" if not generals else f"第{len(generals) + 1}作业区党总支"
                generals.append(
                    org.save(
                        store,
                        OrgUnit(
                            name=label,
                            kind=OrgKind.GENERAL_BRANCH,
                            parent_id=committee.id,
                            sort_order=len(generals),
                        ),
                        conn=c,
                    )
                )
            if b < 4:
                bname, pattern, groups = FOUR_BRANCHES[b]
            else:
                base, pattern, groups = FOUR_BRANCHES[b % 4]
                bname = f"{base.removesuffix('党支部')}{b // 4 + 1}分队党支部"
            branch = org.save(
                store,
                OrgUnit(
                    name=bname,
                    kind=OrgKind.BRANCH,
                    parent_id=generals[gi].id,
                    shift_pattern=pattern,
                    sort_order=b,
                ),
                conn=c,
            )
            units.append(branch)
            group_units = groups_of[branch.id] = [
                org.save(
                    store,
                    OrgUnit(
                        name=f"{g}党小组", kind=OrgKind.GROUP, parent_id=branch.id, sort_order=k
                    ),
                    conn=c,
                )
                for k, g in enumerate(groups)
            ]
            size = (
                per_branch if b < n_branches - 1 else people_count - per_branch * (n_branches - 1)
            )
            size = max(size, 24) if b < 4 else max(size, 1)
            for i in range(size):
                status = _status(i)
                g = group_units[i % len(group_units)]
                post = _post(i, len(group_units), full_committee=b < 4)
                born = date(1968 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 28))
                joined = None
                confirmed = None
                if status in (PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY):
                    joined = today - timedelta(days=rng.randrange(200, 9000))
                    if status is PoliticalStatus.PROBATIONARY:
                        joined = today - timedelta(days=rng.randrange(60, 330))
                    else:
                        confirmed = joined + timedelta(days=365)
                persons.append(
                    Person(
                        name=_name(rng, used),
                        sex=Sex.FEMALE if rng.random() < 0.2 else Sex.MALE,
                        birth_date=born,
                        status=status,
                        branch_id=branch.id,
                        group_id=g.id,
                        post=post,
                        team=groups[i % len(groups)],
                        job=rng.choice(JOBS),
                        shift=rng.choice(_shifts(pattern)),
                        phone=f"13{rng.randrange(100000000, 999999999)}",
                        joined_party=joined,
                        confirmed_on=confirmed,
                    )
                )
            if (b + 1) % 50 == 0:
                say(f"已生成 {b + 1}/{n_branches} 个支部")
        say(f"写入 {len(persons)} 人…")
        people.insert_many(store, persons, conn=c)
        counts = {"branches": len(units), "people": len(persons)}
        # Workflow records for the four seed branches (also at benchmark sizes).
        seed_branches = units[:4]
        roster = {b.id: [p for p in persons if p.branch_id == b.id] for b in seed_branches}
        say("生成党课轮讲计划…")
        counts["lectures"] = add_demo_rota(store, c, today=today, rng=random.Random(seed))
        say("生成一年的会议记录…")
        counts["meetings"] = add_demo_meetings(
            store, c, today=today, rng=rng, branches=seed_branches, groups=groups_of, roster=roster
        )
        say("生成发展党员记录…")
        # Before the dues: it sets some joining dates, and dues start from them.
        counts["development"] = add_demo_development(
            store, c, today=today, rng=random.Random(seed + 18),
            branches=[b.id for b in seed_branches], roster=roster,
        )  # fmt: skip
        say("生成党费记录…")
        counts["dues"] = add_demo_dues(
            store, c, today=today, rng=rng, branches=seed_branches, roster=roster
        )
        say("生成一人一事…")
        counts["followups"] = add_demo_followups(store, c, today=today, rng=rng)
        counts.update(add_demo_sittings(store, c, today=today, rng=random.Random(seed + 20),
                                        branches=seed_branches, roster=roster))  # fmt: skip
        add_demo_assessment(store, c, today=today, rng=random.Random(seed + 19), roster=roster)
        counts["terms"] = add_demo_branch_terms(c, today=today, branches=[u.id for u in units])
        counts.update(add_demo_history(store, c, today=today, years=years, branches=units if branches else seed_branches, groups=groups_of, people=persons, progress=say))  # noqa: E501
        counts["problems"] = add_demo_problems(store, c, today=today, branches=[(b.id, b.name) for b in seed_branches], roster=roster)  # noqa: E501
    return counts
