"""Demo 党课轮讲: this year's monthly rota of the first 党总支's four secretaries.

Each lecture gets the review state a real timeline would give it on *today*
(held ones filed, the next ones in review), then the states a timeline did
not produce are spread over the later future slots (when there are any), and
the nearest lecture is left with its topic not filed: one overdue item on the
home screen. Runs inside ``build_demo``'s transaction (``conn``).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from domain.courseware import Lecture, LectureCategory, ReviewCheck, ReviewState, transition
from domain.org_codes import OrgKind
from domain.people_codes import CommitteePost
from domain.rota import Cadence, Lecturer, PlanPeriod, RotaRequest, plan_rota
from storage.db import Store
from storage.rota import confirm_plan, save_lecture
from storage.sql import Connection

_S = ReviewState
FIRST_GENERAL_BRANCH = "第一作业区党总支"
HIGHER_REVIEWER = "采油厂党委组织部"

TOPICS: dict[LectureCategory, tuple[str, ...]] = {
    LectureCategory.THEORY: (
        "深入学习贯彻党的创新理论",
        "以学铸魂 以学促干",
        "在岗位上践行党的宗旨",
    ),
    LectureCategory.SAFETY: (
        "安全生产与党员责任",
        "党员身边无事故",
        "守牢井控安全红线",
    ),
    LectureCategory.RULES: ("学党章 守党规 严党纪", "纪律处分条例学习"),
    LectureCategory.INTEGRITY: ("廉洁从业从我做起",),
    LectureCategory.POLICY: ("能源安全新战略与油田发展",),
    LectureCategory.PARTY_HISTORY: ("从石油会战看大庆精神铁人精神",),
}
THEMED_TOPICS = ("传承红色基因 担当新时代使命", "对照党章党规 查找差距不足")
RETURN_COMMENTS = (
    "第5页产量数据属内部资料，请删除或改用公开口径（保密）。",
    "引用的讲话原文请核对出处，注明来源。",
    "结合本队安全生产实际的案例偏少，请补充。",
)

# Review steps a lecture in each state has gone through, in order.
_PATHS: dict[ReviewState, tuple[ReviewState, ...]] = {
    _S.NOT_SUBMITTED: (),
    _S.TOPIC_FILED: (_S.TOPIC_FILED,),
    _S.SUBMITTED: (_S.TOPIC_FILED, _S.SUBMITTED),
    _S.BRANCH_RETURNED: (_S.TOPIC_FILED, _S.SUBMITTED, _S.BRANCH_RETURNED),
    _S.AWAITING_HIGHER: (_S.TOPIC_FILED, _S.SUBMITTED, _S.AWAITING_HIGHER),
    _S.HIGHER_RETURNED: (_S.TOPIC_FILED, _S.SUBMITTED, _S.AWAITING_HIGHER, _S.HIGHER_RETURNED),
    _S.APPROVED: (_S.TOPIC_FILED, _S.SUBMITTED, _S.AWAITING_HIGHER, _S.APPROVED),
    _S.FILED: (_S.TOPIC_FILED, _S.SUBMITTED, _S.AWAITING_HIGHER, _S.APPROVED, _S.FILED),
}
_DAYS_BEFORE = {  # when each step happens, in days before the lecture
    _S.TOPIC_FILED: 16,
    _S.SUBMITTED: 11,
    _S.BRANCH_RETURNED: 9,
    _S.AWAITING_HIGHER: 9,
    _S.HIGHER_RETURNED: 7,
    _S.APPROVED: 6,
    _S.FILED: 5,
}

_SECRETARY = CommitteePost.SECRETARY.value
# States a past lecture may still be in: not held on its day, put off.
_PUT_OFF = (_S.SUBMITTED, _S.BRANCH_RETURNED)


def _natural_state(day: date, today: date) -> ReviewState:
    """Where a lecture on *day* would normally be on *today* (14/10/5-day steps)."""
    days = (day - today).days
    if days < 0:
        return _S.FILED
    if days > 14:
        return _S.NOT_SUBMITTED
    if days > 10:
        return _S.TOPIC_FILED
    if days > 5:
        return _S.SUBMITTED
    return _S.APPROVED


def _assign_states(days: list[date], today: date) -> list[ReviewState]:
    states = [_natural_state(d, today) for d in days]
    # The overdue one: the nearest lecture whose topic was due before today.
    overdue = next(
        (i for i, d in enumerate(days) if d >= today and (d - today).days < 14),
        max((i for i, d in enumerate(days) if d < today), default=None),
    )
    if overdue is not None:
        states[overdue] = _S.NOT_SUBMITTED if days[overdue] >= today else _S.SUBMITTED
    missing = [s for s in ReviewState if s not in states]
    # Spare slots: later future ones first (early preparation is plausible).
    # A past lecture was held (its 党课 is in the demo's meetings) unless its
    # courseware was still in review or sent back: then it was put off, which
    # a year's plan shows once or twice at most (the oldest, out of the home
    # screen's window), never as 已报题.
    future = [i for i, d in enumerate(days) if d >= today and i != overdue]
    for i in future[1:]:
        if not missing:
            break
        if states.count(states[i]) > 1:
            states[i] = missing.pop(0)
    put_off = [s for s in _PUT_OFF if s in missing]
    past = [i for i, d in enumerate(days) if d < today and i != overdue]
    for i in past[: len(put_off)]:
        states[i] = put_off.pop(0)
    return states


def _at(day: date, step: ReviewState, k: int, today: date) -> datetime:
    when = min(day - timedelta(days=_DAYS_BEFORE[step]), today)
    return datetime.combine(when, time(9 + k, 30))


def _topic(rng: random.Random, themed: bool, k: int) -> tuple[str, LectureCategory]:
    if themed:
        return THEMED_TOPICS[k % len(THEMED_TOPICS)], LectureCategory.CAMPAIGN
    category = rng.choice(list(TOPICS))
    return rng.choice(TOPICS[category]), category


def _walk(
    lec: Lecture,
    target: ReviewState,
    *,
    reviewer: str,
    today: date,
    rng: random.Random,
) -> Lecture:
    for k, step in enumerate(_PATHS[target]):
        at = _at(lec.lecture_date, step, k, today)
        if step in (_S.TOPIC_FILED, _S.SUBMITTED):
            lec = transition(lec, step, lec.lecturer_name, at)
        elif step is _S.BRANCH_RETURNED:
            lec = transition(lec, step, reviewer, at, rng.choice(RETURN_COMMENTS))
        elif step is _S.AWAITING_HIGHER:
            lec = transition(lec, step, reviewer, at, "初审通过，报党委审核。", list(ReviewCheck))
        elif step is _S.HIGHER_RETURNED:
            lec = transition(lec, step, HIGHER_REVIEWER, at, rng.choice(RETURN_COMMENTS))
        elif step is _S.APPROVED:
            body = f"demo courseware {lec.id}".encode()
            lec = transition(lec, step, HIGHER_REVIEWER, at, "同意。", courseware=body)
        else:
            lec = transition(lec, step, reviewer, at, "已报党委备案。")
    return lec


def _org_rows(conn: Connection) -> tuple[str, list[Lecturer], str]:
    """(general branch id, its secretaries as lecturers, a reviewer's name)."""
    row = conn.execute(
        "SELECT id FROM org_units WHERE kind=? ORDER BY name<>?, sort_order LIMIT 1",
        (OrgKind.GENERAL_BRANCH.value, FIRST_GENERAL_BRANCH),
    ).fetchone()
    if row is None:
        return "", [], ""
    general_id = row[0]
    lecturers: list[Lecturer] = []
    reviewer = ""
    for branch_id, branch_name in conn.execute(
        "SELECT id, name FROM org_units WHERE parent_id=? AND kind=? ORDER BY sort_order",
        (general_id, OrgKind.BRANCH.value),
    ).fetchall():
        for pid, name, post in conn.execute(
            "SELECT id, name, post FROM people WHERE branch_id=? AND post IN (?,?)"
            " ORDER BY post=? DESC, sort_key",
            (branch_id, _SECRETARY, CommitteePost.PUBLICITY.value, _SECRETARY),
        ).fetchall():
            if post == _SECRETARY and not any(lec.branch == branch_name for lec in lecturers):
                lecturers.append(Lecturer(id=pid, name=name, branch=branch_name, post=post))
            elif post == "宣传委员" and not reviewer:
                reviewer = name  # stands in for the 党总支's 宣传委员
    return general_id, lecturers[:4], reviewer or "党总支宣传委员"


def add_demo_rota(
    store: Store, conn: Connection, *, today: date, rng: random.Random
) -> int:
    """Add the demo rota plan and its lectures; returns the number of lectures
    (0 when there are no secretaries, or this year's plan already exists)."""
    general_id, lecturers, reviewer = _org_rows(conn)
    if not lecturers:
        return 0
    if conn.execute(
        "SELECT 1 FROM rota_plans WHERE org_id=? AND period LIKE ?",
        (general_id, f"{today.year}年%"),
    ).fetchone():
        return 0
    request = RotaRequest(
        period=PlanPeriod(year=today.year), cadence=Cadence.MONTHLY, lecturers=lecturers
    )
    _record, lectures = confirm_plan(store, general_id, plan_rota(request), conn=conn)
    states = _assign_states([lec.lecture_date for lec in lectures], today)
    themed = 0
    for lec, state in zip(lectures, states, strict=True):
        topic, category = _topic(rng, lec.themed, themed)
        themed += lec.themed
        update: dict[str, object] = {
            "category": category,
            "place": "作业区党员活动室",
            "hours": 1.5 if lec.themed else 1.0,
        }
        if state is not _S.NOT_SUBMITTED:
            update["topic"] = topic
        if state not in (_S.NOT_SUBMITTED, _S.TOPIC_FILED):
            update["courseware_path"] = (
                f"课件/{lec.lecture_date.isoformat()}-{lec.lecturer_name}.pptx"
            )
        lec = _walk(lec.model_copy(update=update), state, reviewer=reviewer, today=today, rng=rng)
        save_lecture(store, lec, conn=conn)
    return len(lectures)
