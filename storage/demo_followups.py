"""A year of demo 一人一事 follow-ups for the four demo branches.

Called by storage.demo.build_demo inside its transaction. Every case is
built with the domain functions (quick_file, log_contact, escalate, resolve,
return_visit, close, reopen, set_long_term), so the demo timelines obey the
same rules as real ones. Each branch gets every status and the three levels
between them; some cases are overdue, some private, one is escalated.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from domain import followups as fx
from domain.followups import Actor, ContactMethod, FollowUp, FollowUpConfig, Level, QuickForm
from domain.org import OrgKind
from domain.people import PoliticalStatus
from domain.triggers import TriggerCatalogue
from storage import followups as store_fu
from storage.db import Store
from storage.sql import Connection

SUMMARIES: dict[str, tuple[str, ...]] = {
    "T1": ("对岗位调整有抵触情绪，班后牢骚较多", "近期工作积极性下降，与班长有顶撞"),
    "T2": ("巡检时未系安全带，被安全员制止", "违章动火作业，被车间通报"),
    "T3": ("操作失误导致抽油机停机，负有责任", "交接班漏项引发小型泄漏"),
    "T4": ("连续两个月未完成巡井任务", "维修任务多次延期完成"),
    "T5": ("与同班组职工因排班发生争吵", "与邻岗职工因工具借用闹矛盾"),
    "T6": ("受到考核扣分后情绪低落，不愿交流", "评先落选后情绪低落"),
    "V1": ("本人腰椎手术住院", "父亲脑梗住院，需轮流陪护"),
    "V2": ("家庭矛盾较大，影响休息", "与配偶闹离婚，情绪不稳"),
    "V3": ("母亲去世，需慰问", "子女结婚，请假操办"),
    "V4": ("子女上学费用压力大，家庭困难", "配偶失业，房贷压力大"),
    "V5": ("下班途中骑车摔伤", "检修时手部划伤"),
    "V6": ("请假逾期三天未归，联系不上", "探亲假到期未返岗"),
}
CONTACTS = (
    ("了解到其顾虑主要在家庭方面，做了思想疏导", "能够理解", "思想疏导"),
    ("讲清安全规程和违章后果，本人表示认识到错误", "愿意改正", "安排老师傅结对帮教"),
    ("与班长一起谈心，协调调整了班次", "态度好转", "协调调整班次"),
    ("电话询问近况，情绪基本稳定", "平稳", ""),
    ("家访时了解到实际困难，已向工会反映", "感谢组织关心", "申请工会困难补助"),
    ("再次谈心，工作状态明显改善", "积极", ""),
)
# What a contact says must fit the case: 「认识到错误」 belongs to a violation,
# never to a bereavement or an illness.
DISCIPLINE_TRIGGERS = frozenset({"T2", "T3"})
CARE_CONTACTS = (
    ("代表支部上门看望，转达组织关怀", "感谢组织关心", "送去慰问金"),
    ("了解家中实际困难，商定由班组帮助调整班次", "情绪逐步平复", "协调调整班次"),
    ("电话询问近况，情绪基本稳定", "平稳", ""),
)
METHODS = (ContactMethod.TALK, ContactMethod.HOME_VISIT, ContactMethod.PHONE, ContactMethod.TALK)
OUTCOMES = (
    "经谈心和协调，问题已解决，本人工作状态恢复正常",
    "工会困难补助已发放，家庭困难得到缓解",
    "已调整岗位，本人表示满意",
)


@dataclass(frozen=True)
class _Case:
    status: str  # the walk to perform, see _walk
    level: Level
    trigger: str
    found_days_ago: int
    private: bool = False
    bangjiao: bool = False


# Per branch: every status, overdue ones, private ones, one 帮教 case.
_BASE = (
    _Case("closed", Level.ROUTINE, "T5", 330),
    _Case("reopened", Level.ROUTINE, "T4", 260),
    _Case("long_term", Level.SIGNIFICANT, "V1", 220, private=True),
    _Case("visited", Level.SIGNIFICANT, "V4", 150, private=True),
    _Case("bangjiao", Level.SIGNIFICANT, "T2", 110, bangjiao=True),
    _Case("resolved_overdue", Level.ROUTINE, "V3", 70),
    _Case("in_progress_overdue", Level.ROUTINE, "T1", 45),
    _Case("in_progress_due_today", Level.ROUTINE, "V2", 30),
    _Case("todo", Level.ROUTINE, "T6", 1),
)
# Extra cases so 重大 appears, and exactly one case sits in 转上级.
_EXTRA: dict[int, tuple[_Case, ...]] = {
    0: (_Case("escalated", Level.CRITICAL, "T3", 6),),
    1: (_Case("closed_after_report", Level.CRITICAL, "V5", 180, private=True),),
    2: (_Case("in_progress_overdue", Level.SIGNIFICANT, "V6", 25),),
    3: (_Case("visited", Level.ROUTINE, "T5", 95),),
}


def _people(conn: Connection, branch_id: str) -> list[tuple[str, str, str, str | None]]:
    return conn.execute(
        "SELECT id, name, status, post FROM people WHERE branch_id=? ORDER BY sort_key, id",
        (branch_id,),
    ).fetchall()


def add_demo_followups(
    store: Store, conn: Connection, *, today: date, rng: random.Random
) -> int:
    """Add the demo cases inside the caller's transaction; returns how many."""
    branch_ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM org_units WHERE kind=? ORDER BY sort_order, name LIMIT 4",
            (OrgKind.BRANCH.value,),
        )
    ]
    config = FollowUpConfig()
    members_sql = {PoliticalStatus.FULL.value, PoliticalStatus.PROBATIONARY.value}
    n = 0
    for b, branch_id in enumerate(branch_ids):
        roster = _people(conn, branch_id)
        members = [Actor(pid, name) for pid, name, status, _ in roster if status in members_sql]
        workers = [Actor(pid, name) for pid, name, status, _ in roster if status not in members_sql]
        secretary = next(
            (Actor(pid, name) for pid, name, _, post in roster if post == "书记"),
            members[0] if members else None,
        )
        if not members or secretary is None:
            continue
        # Members can be subjects too (a member in hardship), after the workers.
        subjects = workers + [m for m in members if m != secretary]
        rng.shuffle(subjects)
        catalogue = store_fu.catalogue(store, branch_id, conn=conn)
        cases = (*_BASE, *_EXTRA.get(b, ()))
        for i, case in enumerate(cases):
            subject = subjects[i % len(subjects)]
            helpers = [m for m in members if m != subject and m != secretary] or [secretary]
            responsible = rng.choice(helpers)
            fu = _file(case, subject, responsible, catalogue, today, config, rng)
            fu = _walk(case, fu, responsible, secretary, today, config, rng)
            store_fu.save(store, fu, conn=conn)
            n += 1
    return n


def _file(
    case: _Case,
    subject: Actor,
    responsible: Actor,
    catalogue: TriggerCatalogue,
    today: date,
    config: FollowUpConfig,
    rng: random.Random,
) -> FollowUp:
    found = today - timedelta(days=case.found_days_ago)
    form = QuickForm(
        person_id=subject.person_id,
        person_name=subject.name,
        trigger_code=case.trigger,
        summary=rng.choice(SUMMARIES[case.trigger]),
        responsible_id=responsible.person_id,
        responsible_name=responsible.name,
        found_on=found,
        level=case.level,
        source=rng.choice(list(fx.Source)),
        private=case.private,
        is_bangjiao=case.bangjiao,
    )
    return fx.quick_file(form, catalogue, today=today, config=config)


def _talk(
    fu: FollowUp, on: date, who: Actor, config: FollowUpConfig, rng: random.Random
) -> FollowUp:
    pool: tuple[tuple[str, str, str], ...]
    if fu.trigger_code.startswith("V"):
        pool = CARE_CONTACTS
    elif fu.trigger_code in DISCIPLINE_TRIGGERS:
        pool = CONTACTS
    else:
        pool = tuple(c for c in CONTACTS if "认识到错误" not in c[0])
    content, attitude, help_given = rng.choice(pool)
    contact = fx.make_contact(
        on,
        who,
        method=rng.choice(METHODS),
        content=content,
        attitude=attitude,
        help_given=help_given,
    )
    return fx.log_contact(fu, contact, config)


def _talks(
    fu: FollowUp, days: list[int], who: Actor, config: FollowUpConfig, rng: random.Random
) -> FollowUp:
    for d in days:
        fu = _talk(fu, fu.found_on + timedelta(days=d), who, config, rng)
    return fu


def _close_loop(
    fu: FollowUp,
    resolved: date,
    visited: date,
    resp: Actor,
    sec: Actor,
    config: FollowUpConfig,
    rng: random.Random,
) -> FollowUp:
    fu = fx.resolve(fu, rng.choice(OUTCOMES), resolved, sec, config)
    return fx.return_visit(fu, visited, resp, "回访时本人工作生活正常", appraisal="满意")


def _walk(
    case: _Case,
    fu: FollowUp,
    resp: Actor,
    sec: Actor,
    today: date,
    config: FollowUpConfig,
    rng: random.Random,
) -> FollowUp:
    found = fu.found_on

    def day(n: int) -> date:
        return found + timedelta(days=n)

    kind = case.status
    if kind == "todo":
        return fu
    if kind in ("closed", "reopened"):
        fu = _talks(fu, [1, 6], resp, config, rng)
        fu = _close_loop(fu, day(12), day(35), resp, sec, config, rng)
        fu = fx.close(fu, day(40), sec)
        if kind == "reopened":
            fu = fx.reopen(fu, day(90), sec, "本人反映问题再次出现", config)
            fu = _talk(fu, today - timedelta(days=3), resp, config, rng)
        return fu
    if kind == "closed_after_report":
        fu = _talks(fu, [0], resp, config, rng)
        fu = fx.escalate(fu, "基层党委", day(0), "伤情较重，需厂里协调救助", sec)
        fu = _talks(fu, [2, 9], resp, config, rng)
        fu = _close_loop(fu, day(25), day(50), resp, sec, config, rng)
        return fx.close(fu, day(55), sec)
    if kind == "long_term":
        fu = _talks(fu, [1, 8, 20], resp, config, rng)
        fu = fx.set_long_term(fu, day(30), sec, "家属病情需长期治疗", config)
        # Monthly contacts since; the last one recent, so it is not overdue.
        return _talk(fu, today - timedelta(days=10), resp, config, rng)
    if kind == "visited":
        fu = _talks(fu, [2, 9], resp, config, rng)
        return _close_loop(fu, day(30), day(55), resp, sec, config, rng)
    if kind == "bangjiao":
        # Monthly 帮教 sessions, still open past the 3-month 帮教期: flagged.
        return _talks(fu, [3, 33, 63, 93, case.found_days_ago - 5], resp, config, rng)
    if kind == "resolved_overdue":
        fu = _talks(fu, [1, 7], resp, config, rng)
        # Resolved 40 days ago: the 30-day return visit is 10 days late.
        return fx.resolve(fu, rng.choice(OUTCOMES), today - timedelta(days=40), sec, config)
    if kind == "in_progress_overdue":
        # Last talk long enough ago that the next one is overdue.
        last = config.contact_interval_days[case.level] + 6
        return _talks(fu, [1, case.found_days_ago - last], resp, config, rng)
    if kind == "in_progress_due_today":
        last = config.contact_interval_days[case.level]
        return _talks(fu, [2, case.found_days_ago - last], resp, config, rng)
    if kind == "escalated":
        fu = _talks(fu, [0], resp, config, rng)
        fu = fx.escalate(fu, "基层党委", day(1), "情绪激动，扬言上访，即时报告", sec)
        return _talk(fu, today - timedelta(days=1), resp, config, rng)
    raise ValueError(kind)
