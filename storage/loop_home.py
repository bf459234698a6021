"""今日 lines of the 问题清单 and the 党总支's tasks: plain SQL over the
indexed columns and the JSON bodies, no models (the home screen paints first).

- 问题清单: each open filed problem until verified closed (the 决议 have
  their own lines, storage.action_home), late ones marked 【逾期】.
- 党总支任务: each branch's task not done, due within a week or late.
- 党总支督办: what the 党总支 sees: problems, tasks and (per branch) 决议 that
  are late.
"""

from __future__ import annotations

import datetime as dt

from domain.dashboard import DueItem, Urgency
from domain.json_fields import PROBLEM, TASK
from domain.navigation import Place, go
from storage.db import Store

PROBLEMS = "问题清单"
TASKS = "党总支任务"
ESCALATED = "党总支督办"
LIMIT = 12
SOON_DAYS = 7


def _when(deadline: dt.date | None, today: dt.date) -> tuple[str, Urgency, int]:
    if deadline is None:
        return "无时限", Urgency.INFO, 0
    late = (today - deadline).days
    if late > 0:
        return f"逾期 {late} 天", Urgency.OVERDUE, late
    if (deadline - today).days <= SOON_DAYS:
        return f"{deadline:%m-%d} 前", Urgency.DUE, 0
    return f"{deadline:%m-%d} 前", Urgency.INFO, 0


def _problem_items(
    store: Store, today: dt.date, escalate_after_days: int, limit: int
) -> list[DueItem]:
    rows = store.query(
        "SELECT p.id, p.branch_id, p.state, p.deadline, o.name AS branch, g.name AS general,"
        f" {PROBLEM.extract('text', 'p.data')} AS text,"
        f" {PROBLEM.extract('owner_name', 'p.data')} AS owner,"
        f" {PROBLEM.extract('verifier_name', 'p.data')} AS verifier"
        " FROM problems p LEFT JOIN org_units o ON o.id = p.branch_id"
        " LEFT JOIN org_units g ON g.id = o.parent_id"
        " WHERE p.state != '已验证关闭' ORDER BY p.deadline IS NULL, p.deadline, p.rowid LIMIT ?",
        (limit,),
    )
    out: list[DueItem] = []
    for r in rows:
        deadline = dt.date.fromisoformat(r["deadline"]) if r["deadline"] else None
        when, urgency, late = _when(deadline, today)
        owner = r["owner"] or ""
        # 待验证 waits on the 验证人: the line (and a reminder) goes to them.
        who = (r["verifier"] or owner) if r["state"] == "待验证" else owner
        mark = "【逾期】" if late else ""
        text = f"{mark}{r['state']} {owner or '未定责任人'}：{(r['text'] or '')[:26]}（{when}）"
        action = go(Place.PROBLEM, r["id"])
        out.append(DueItem(PROBLEMS, text, deadline, urgency, action, who, r["branch"] or ""))
        if late > escalate_after_days:
            # zhibu remind sends it to the 党总支 (branch) and to the 责任人.
            line = f"【逾期】{r['branch'] or ''} 问题：{(r['text'] or '')[:22]}（{when}）"
            out.append(DueItem(ESCALATED, line, deadline, urgency, action, who, r["general"] or ""))
    return out


def _task_items(store: Store, today: dt.date, limit: int) -> list[DueItem]:
    horizon = (today + dt.timedelta(days=SOON_DAYS)).isoformat()
    rows = store.query(
        "SELECT t.id, t.due, tb.branch_id, o.name AS branch, g.name AS general,"
        f" {TASK.extract('title', 't.data')} AS title"
        " FROM tasks t JOIN task_branches tb ON tb.task_id = t.id"
        " LEFT JOIN org_units o ON o.id = tb.branch_id"
        " LEFT JOIN org_units g ON g.id = t.general_id"
        " LEFT JOIN task_reports r ON r.task_id = t.id AND r.branch_id = tb.branch_id"
        " WHERE coalesce(r.done, 0) = 0 AND t.due <= ?"
        " ORDER BY t.due, o.sort_order, t.rowid LIMIT ?",
        (horizon, limit * 4),
    )
    out: list[DueItem] = []
    late_per_task: dict[str, list[str]] = {}
    meta: dict[str, tuple[str, dt.date, str]] = {}
    for r in rows:
        due = dt.date.fromisoformat(r["due"])
        when, urgency, late = _when(due, today)
        mark = "【逾期】" if late else ""
        text = f"{mark}{r['branch'] or ''}：{(r['title'] or '')[:26]}（{when}）"
        out.append(DueItem(TASKS, text, due, urgency, go(Place.TASKS, r["branch_id"]),
                           branch=r["branch"] or ""))  # fmt: skip
        if late:
            late_per_task.setdefault(r["id"], []).append(r["branch"] or "")
            meta[r["id"]] = (r["title"] or "", due, r["general"] or "")
    for task_id, branches in late_per_task.items():
        title, due, general = meta[task_id]
        when, urgency, _ = _when(due, today)
        text = f"【逾期】任务“{title[:18]}”{len(branches)} 个支部未完成（{when}）"
        out.append(DueItem(ESCALATED, text, due, urgency, go(Place.TASKS), branch=general))
    return out[: limit * 2]


def _late_decisions(store: Store, today: dt.date, limit: int) -> list[DueItem]:
    """决议 are entries of the 问题清单 too: a branch's late ones go up as one line."""
    rows = store.query(
        "SELECT coalesce(CASE WHEN o.kind = '党小组' THEN o.parent_id END, o.id) AS branch_id,"
        " count(*) AS n, min(a.deadline) AS oldest"
        " FROM action_items a JOIN meetings m ON m.id = a.meeting_id"
        " JOIN org_units o ON o.id = m.org_id"
        " WHERE a.kind = '决议' AND a.closed_at IS NULL AND a.deadline < ? AND m.superseded = 0"
        " GROUP BY 1 ORDER BY oldest",
        (today.isoformat(),),
    )
    units = {r["id"]: r for r in store.query("SELECT id, name, parent_id FROM org_units")}

    def name(unit_id: str | None) -> str:
        return str(units[unit_id]["name"]) if unit_id in units else ""

    out: list[DueItem] = []
    for r in rows[:limit]:
        oldest = dt.date.fromisoformat(r["oldest"])
        text = f"【逾期】{name(r['branch_id'])} 决议 {r['n']} 项逾期未销号"
        general = name(units[r["branch_id"]]["parent_id"]) if r["branch_id"] in units else ""
        out.append(DueItem(ESCALATED, text, oldest, Urgency.OVERDUE,
                           go(Place.PROBLEMS, r["branch_id"] or ""), branch=general))  # fmt: skip
    return out


def home_items(
    store: Store, today: dt.date, escalate_after_days: int = 0, *, limit: int = LIMIT
) -> list[DueItem]:
    """*escalate_after_days*: domain.problems.EscalationConfig's value (not
    imported: the home screen paints before pydantic loads). *limit*: the
    home screen's caps; zhibu remind lifts them. Each line names its branch
    (the 党总支 for 党总支督办), which zhibu remind sends it to."""
    return [*_problem_items(store, today, escalate_after_days, limit),
            *_task_items(store, today, limit), *_late_decisions(store, today, limit)]  # fmt: skip
