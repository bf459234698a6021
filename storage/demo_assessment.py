"""Demo 党员考核 data for the four demo branches: each member's 先锋岗,
责任区 and 公开承诺, this quarter's review of them (most kept, one not, a
few not yet reviewed), and two manual adjustments with their reasons.

Called by storage.demo.build_demo inside its transaction; everything goes
through storage.assessment, so it is audited like real data.
"""

from __future__ import annotations

import random
from datetime import date

from domain.assessment import Adjustment, Pledge, PledgeReview, PostKind, quarter_key
from domain.people import Person
from domain.periods import quarter_of
from storage import assessment
from storage.db import Store
from storage.sql import Connection

_POSTS = (PostKind.SAFETY, PostKind.QUALITY, PostKind.SKILL, PostKind.SAVING,
          PostKind.INNOVATION, PostKind.SERVICE, PostKind.ENVIRONMENT)  # fmt: skip
_PLEDGE = {
    PostKind.SAFETY: "责任区内无三违、无隐患，每班巡检不少于两次",
    PostKind.QUALITY: "所管设备资料准确率100%，问题当班整改",
    PostKind.SKILL: "本季度带一名徒弟，完成一项岗位练兵",
    PostKind.SAVING: "节电节水，季度材料费不超计划",
    PostKind.INNOVATION: "提出一条五小创新建议并试用",
    PostKind.SERVICE: "每月走访一名困难职工，帮办一件实事",
    PostKind.ENVIRONMENT: "井场无油污落地，废液全部回收",
}
_AREAS = ("井场", "计量间", "注水泵房", "外输泵房", "配电室", "值班室", "库房")


def add_demo_assessment(
    store: Store,
    c: Connection,
    *,
    today: date,
    rng: random.Random,
    roster: dict[str, list[Person]],
) -> int:
    """Returns the number of pledges written."""
    period = quarter_of(today)
    key = quarter_key(period)
    n = 0
    adjusted = 0
    for bid, people in roster.items():
        members = [p for p in people if p.is_member]
        for k, p in enumerate(members):
            post = _POSTS[k % len(_POSTS)]
            team = p.team or "班组"
            pledge = assessment.save_pledge(
                store,
                Pledge(
                    person_id=p.id,
                    person_name=p.name,
                    branch_id=bid,
                    post=post,
                    area=f"{team}{_AREAS[rng.randrange(len(_AREAS))]}",
                    pledge=_PLEDGE[post],
                    since=period.start,
                ),
                conn=c,
            )
            n += 1
            if k % 7 == 6:
                continue  # not reviewed yet this quarter
            kept = k != 4
            assessment.save_review(
                store,
                PledgeReview(
                    pledge_id=pledge.id,
                    person_id=p.id,
                    branch_id=bid,
                    quarter=key,
                    kept=kept,
                    note="承诺事项按期完成" if kept else "责任区发生一起违章操作，已批评教育",
                ),
                conn=c,
            )
        if adjusted < 2 and len(members) > 3:
            p = members[1 + adjusted]
            points, reason = (
                (5, "带头参加抢险，连续作业十小时") if adjusted == 0
                else (-3, "未按要求完成学习强国季度学习任务")
            )  # fmt: skip
            assessment.add_adjustment(
                store,
                Adjustment(person_id=p.id, person_name=p.name, branch_id=bid, quarter=key,
                           points=points, reason=reason),
                conn=c,
            )  # fmt: skip
            adjusted += 1
    return n
