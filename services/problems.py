"""问题清单: file a problem, move it through 整改, have its verifier close it;
list it together with the meetings' 决议; carry the open ones into the next
meeting; say what is due per responsible person (docs/RULES.md#问题清单).

Who acts comes from services.identity (granted data only): only the person
named as 验证人 closes a problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain.problems import (
    DEFAULT_ESCALATION,
    Entry,
    EscalationConfig,
    Problem,
    ProblemRuleError,
    ProblemSource,
    ProblemState,
    carried_into,
    check_complete,
    escalated,
    sort_key,
)
from services.errors import InvalidInput, NotFound, Refused, service

if TYPE_CHECKING:
    from domain.meetings import Meeting
    from storage.db import Store

__all__ = [
    "DueProblem",
    "Entry",
    "Problem",
    "ProblemSource",
    "ProblemState",
    "advance",
    "carried_for",
    "check_may_verify",
    "due_for",
    "entries",
    "escalated_entries",
    "file_problem",
    "get",
    "verify",
]


def _branch_name(store: Store, branch_id: str) -> str:
    from storage import org

    unit = org.get(store, branch_id)
    if unit is None:
        raise NotFound("支部不存在")
    return unit.name


@service
def entries(
    store: Store, today: dt.date, branch_id: str | None = None, *, open_only: bool = False
) -> list[Entry]:
    """The one list: filed problems and 决议, open first, the latest first."""
    from storage import problems

    rows = problems.entries(store, None if branch_id is None else [branch_id], open_only=open_only)
    return sorted(rows, key=lambda e: sort_key(e, today))


@service
def get(store: Store, problem_id: str) -> Problem:
    from storage import problems

    p = problems.get(store, problem_id)
    if p is None:
        raise NotFound("问题不存在（可能已被删除）")
    return p


@service
def file_problem(store: Store, problem: Problem) -> Problem:
    """Save a new (or edited, not yet closed) problem with all four of
    责任人, 整改措施, 时限, 验证人."""
    from storage import problems

    if problem.source is ProblemSource.DECISION:
        raise InvalidInput("会议决议由完成的会议产生，不在此登记")
    if problem.version and problem.state is ProblemState.CLOSED:
        raise Refused("已验证关闭的问题不能再修改")
    try:
        check_complete(problem)
    except ProblemRuleError as e:
        raise InvalidInput(str(e)) from e
    if not problem.branch_name:
        problem = problem.model_copy(update={"branch_name": _branch_name(store, problem.branch_id)})
    return problems.save(store, problem)


@service
def advance(store: Store, problem_id: str, progress: str = "", *, submit: bool) -> Problem:
    """待整改 → 整改中 (*submit* False), or → 待验证 with the 整改情况 (*submit*)."""
    from domain.problems import start_fixing, submit_for_verification
    from storage import problems

    p = get(store, problem_id)
    try:
        new = submit_for_verification(p, progress) if submit else start_fixing(p, progress)
    except ProblemRuleError as e:
        raise Refused(str(e)) from e
    return problems.save(store, new)


@service
def check_may_verify(store: Store, problem_id: str) -> None:
    """Refused unless the person acting now may verify the problem (its 验证人,
    while 待验证): the screen asks before prompting for a note."""
    from domain.problems import check_may_verify as rule
    from services.identity import acting_roles

    try:
        rule(get(store, problem_id), acting_roles(store).acting_person_id)
    except ProblemRuleError as e:
        raise Refused(str(e)) from e


@service
def verify(
    store: Store, problem_id: str, today: dt.date, *, passed: bool, note: str = ""
) -> Problem:
    """The named 验证人 closes the problem (or sends it back to 整改中)."""
    from domain.problems import verify as verify_rule
    from services.identity import acting_roles
    from storage import problems

    p = get(store, problem_id)
    me = acting_roles(store)
    try:
        new = verify_rule(p, me.acting_person_id, today, passed=passed, note=note)
    except ProblemRuleError as e:
        raise Refused(str(e)) from e
    return problems.save(store, new)


def _meeting_branch(store: Store, org_id: str) -> str:
    from domain.org import OrgKind
    from storage import org

    unit = org.get(store, org_id)
    if unit is not None and unit.kind is OrgKind.GROUP and unit.parent_id:
        return unit.parent_id
    return org_id


@service
def carried_for(store: Store, meeting: Meeting, today: dt.date) -> list[Entry]:
    """The branch's entries the meeting carries on its agenda (遗留问题):
    filed before the meeting day, not in it, and not closed before it."""
    from storage import problems

    branch = _meeting_branch(store, meeting.org_id)
    rows = carried_into(problems.entries(store, [branch]), meeting.date, meeting.id)
    return sorted(rows, key=lambda e: sort_key(e, today))


@service
def escalated_entries(
    store: Store, today: dt.date, general_id: str | None = None,
    config: EscalationConfig = DEFAULT_ESCALATION,
) -> list[Entry]:  # fmt: skip
    """Open entries late enough to go up to the 党总支 (of *general_id*'s branches)."""
    from storage import org, problems

    branch_ids = None if general_id is None else [u.id for u in org.children(store, general_id)]
    rows = problems.entries(store, branch_ids, open_only=True)
    late = [e for e in rows if escalated(e.deadline, e.is_open, today, config)]
    return sorted(late, key=lambda e: sort_key(e, today))


@dataclass(frozen=True)
class DueProblem:
    """One open entry due soon or late, addressed to its 责任人 and branch
    (what a reminder digest lists). ``person_id`` is None for a 决议 whose
    owner was typed, not picked."""

    person_id: str | None
    person_name: str
    branch_id: str
    branch_name: str
    text: str
    state: ProblemState
    deadline: dt.date | None
    days_late: int  # 0: not late yet
    escalated: bool  # the 党总支 sees it too
    is_decision: bool


@service
def due_for(
    store: Store, today: dt.date, *, within_days: int = 7,
    config: EscalationConfig = DEFAULT_ESCALATION,
) -> list[DueProblem]:  # fmt: skip
    """Every open entry (problem or 决议) whose deadline is within
    *within_days* or past, per 责任人: late first, then by deadline.
    Problems 待验证 are addressed to their 验证人 instead (they wait on them)."""
    from storage import problems

    out: list[DueProblem] = []
    horizon = today + dt.timedelta(days=within_days)
    filed = {p.id: p for p in problems.problems(store, open_only=True)}
    for e in problems.entries(store, open_only=True):
        if e.deadline is None or e.deadline > horizon:
            continue
        p = filed.get(e.id)
        waiting_on_verifier = p is not None and p.state is ProblemState.VERIFYING
        person_id = (p.verifier_id if waiting_on_verifier else p.owner_id) if p else e.owner_id
        name = (p.verifier_name if waiting_on_verifier else p.owner_name) if p else e.owner_name
        out.append(
            DueProblem(
                person_id=person_id, person_name=name, branch_id=e.branch_id,
                branch_name=e.branch_name, text=e.text, state=e.state, deadline=e.deadline,
                days_late=e.days_overdue(today),
                escalated=escalated(e.deadline, e.is_open, today, config),
                is_decision=e.is_decision,
            )
        )  # fmt: skip
    out.sort(key=lambda d: (-d.days_late, d.deadline or today, d.branch_name, d.person_name))
    return out
