"""Demo 问题清单 and 党总支任务 for the seed branches.

Called by storage.demo.build_demo inside its transaction. The first branch
has a problem in every state (the 待整改 one is late, so it is escalated to
the 党总支); the second one open problem from a meeting. The first 党总支
assigns this quarter's 线上缴纳党费比例 ≥ 95% task to all its branches (the
first branch has reported progress) and a report that was due three days
ago (the first branch sent it on time, the others are late).
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.people import Person
from domain.periods import quarter_of
from domain.problems import Problem, ProblemSource, ProblemState
from domain.tasks import Task, TaskMeasure, TaskReport
from storage import problems, tasks
from storage.db import Store
from storage.sql import Connection


def _meeting(c: Connection, branch_id: str, before: date) -> tuple[str | None, date]:
    row = c.execute(
        "SELECT id, date, kind FROM meetings WHERE org_id=? AND status='已完成' AND superseded=0 AND date < ?"
        " ORDER BY date DESC LIMIT 1",
        (branch_id, before.isoformat()),
    ).fetchone()
    if row is None:
        return None, before - timedelta(days=20)
    return row[0], date.fromisoformat(row[1])


def add_demo_problems(
    store: Store, c: Connection, *, today: date, branches: list[tuple[str, str]],
    roster: dict[str, list[Person]],
) -> int:  # fmt: skip
    """*branches*: (id, name) of the seed branches. Returns the problems added."""
    if not branches:
        return 0
    (a, a_name), *rest = branches
    people = roster.get(a, [])
    if len(people) < 3:
        return 0
    secretary, member, other = people[0], people[1], people[2]
    meeting_id, met_on = _meeting(c, a, today - timedelta(days=7))
    d = timedelta
    items = [
        Problem(
            branch_id=a, branch_name=a_name, source=ProblemSource.HAZARD,
            source_text="井场党员责任区隐患排查", found_on=today - d(40),
            text="党员活动室灭火器超过检验期未更换",
            measures="联系安全员更换灭火器，建立每月检查登记", owner_id=member.id,
            owner_name=member.name, deadline=today - d(5), verifier_id=secretary.id,
            verifier_name=secretary.name,
        ),
        Problem(
            branch_id=a, branch_name=a_name, source=ProblemSource.INSPECTION,
            source_text="党总支季度工作检查", found_on=today - d(30),
            text="两名党员理论学习笔记不全", measures="支委逐一谈话，月底前补齐学习笔记",
            owner_id=other.id, owner_name=other.name, deadline=today + d(20),
            verifier_id=secretary.id, verifier_name=secretary.name, state=ProblemState.FIXING,
            progress="已谈话一人",
        ),
        Problem(
            branch_id=a, branch_name=a_name, source=ProblemSource.MEETING,
            source_text=f"{met_on.isoformat()} 支部会议", meeting_id=meeting_id, found_on=met_on,
            text="会议记录未写明表决结果", measures="会后补记表决结果，今后由记录人当场记录",
            owner_id=member.id, owner_name=member.name, deadline=today + d(3),
            verifier_id=secretary.id, verifier_name=secretary.name,
            state=ProblemState.VERIFYING, progress="已补记并经主持人核对",
        ),
        Problem(
            branch_id=a, branch_name=a_name, source=ProblemSource.HAZARD,
            source_text="冬季安全隐患排查", found_on=today - d(50),
            text="值班室取暖电器线路老化", measures="更换线路，张贴安全用电提示",
            owner_id=other.id, owner_name=other.name, deadline=today - d(20),
            verifier_id=secretary.id, verifier_name=secretary.name,
            state=ProblemState.CLOSED, progress="线路已更换", verified_on=today - d(21),
            verify_note="现场查看已整改",
        ),
    ]  # fmt: skip
    for b, b_name in rest[:1]:
        crew = roster.get(b, [])
        if len(crew) >= 2:
            mid, on = _meeting(c, b, today - timedelta(days=3))
            items.append(
                Problem(
                    branch_id=b, branch_name=b_name, source=ProblemSource.MEETING,
                    source_text=f"{on.isoformat()} 支部会议", meeting_id=mid, found_on=on,
                    text="青年党员参加志愿服务次数偏少",
                    measures="结合井站生产安排，每月组织一次党员志愿服务",
                    owner_id=crew[1].id, owner_name=crew[1].name, deadline=today + d(14),
                    verifier_id=crew[0].id, verifier_name=crew[0].name,
                )
            )  # fmt: skip
    for p in items:
        problems.save(store, p, conn=c)
    _add_tasks(store, c, today=today, first_branch=a)
    return len(items)


def _add_tasks(store: Store, c: Connection, *, today: date, first_branch: str) -> None:
    row = c.execute(
        "SELECT g.id, g.name FROM org_units b JOIN org_units g ON g.id = b.parent_id"
        " WHERE b.id=?",
        (first_branch,),
    ).fetchone()
    if row is None:
        return
    general_id, general_name = row[0], row[1]
    own = [
        r[0]
        for r in c.execute(
            "SELECT id FROM org_units WHERE parent_id=? AND kind='党支部' ORDER BY sort_order, name",
            (general_id,),
        )
    ]
    quarter = quarter_of(today)
    dues_task = Task(
        general_id=general_id, general_name=general_name,
        title="线上缴纳党费比例达到95%", detail="各支部推广线上缴纳党费，季度末检查",
        assigned_on=quarter.start, due=quarter.end, branch_ids=own,
        measure=TaskMeasure.ONLINE_DUES, threshold_pct=95,
    )  # fmt: skip
    summary = Task(
        general_id=general_id, general_name=general_name,
        title="报送党建工作季度小结", assigned_on=today - timedelta(days=20),
        due=today - timedelta(days=3), branch_ids=own[:3],
    )  # fmt: skip
    for t in (dues_task, summary):
        tasks.save_task(store, t, conn=c)
    reports = [
        TaskReport(task_id=dues_task.id, branch_id=first_branch, reported_on=today - timedelta(2),
                   progress="主题党日上演示线上缴纳，尚有几名老党员现金缴纳"),
        TaskReport(task_id=summary.id, branch_id=first_branch, done=True,
                   done_on=today - timedelta(days=5), reported_on=today - timedelta(days=5),
                   progress="已报送"),
    ]  # fmt: skip
    for r in reports:
        tasks.save_report(store, r, conn=c)
