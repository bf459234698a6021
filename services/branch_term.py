"""The branch's term (换届) and size rules, for the branch view and the CLI
(docs/RULES.md#branch-term-and-size)."""

from __future__ import annotations

from datetime import date

from domain.branch_rules import DEFAULT_CONFIG, BranchRuleConfig
from services.errors import InvalidInput, NotFound, service
from services.store import Store
from storage import branch_home
from storage.branch_home import BranchStatus

__all__ = ["BranchStatus", "set_last_election", "set_term", "statuses"]


@service
def statuses(
    store: Store,
    today: date,
    branch_id: str | None = None,
    *,
    config: BranchRuleConfig = DEFAULT_CONFIG,
) -> list[BranchStatus]:
    """*config*: the configuration's [rules.branch] (Settings.rules.branch)."""
    ids = None if branch_id is None else [branch_id]
    return branch_home.statuses(store, today, ids, config=config)


@service
def set_term(
    store: Store,
    branch_name: str,
    *,
    last_election: date | None = None,
    term_years: int | None = None,
    today: date | None = None,
    config: BranchRuleConfig = DEFAULT_CONFIG,
) -> BranchStatus:
    """Set a branch's last election date and/or term length (3 or 5 years)."""
    from domain.org_codes import OrgKind
    from storage import org

    unit = org.find_by_name(store, branch_name, OrgKind.BRANCH)
    if unit is None:
        raise NotFound(f"没有名为「{branch_name}」的党支部")
    if term_years is not None and term_years not in (3, 5):
        raise InvalidInput("任期应为 3 年或 5 年")
    if last_election is None and term_years is None:
        raise InvalidInput("请给出上次换届日期（--last）或任期（--years）")
    branch_home.set_term(store, unit.id, last_election=last_election, term_years=term_years)
    return branch_home.statuses(store, today or date.today(), [unit.id], config=config)[0]


@service
def set_last_election(
    store: Store,
    branch_id: str,
    day: date,
    *,
    today: date,
    config: BranchRuleConfig = DEFAULT_CONFIG,
) -> BranchStatus:
    """The branch view's save: the last 换届选举 date of one branch, by id.
    A date after today is refused (an election not held yet is no term start)."""
    from storage import org

    unit = org.get(store, branch_id)
    if unit is None:
        raise NotFound("这个党支部已不存在")
    if day > today:
        raise InvalidInput(f"上次换届日期不能晚于今天（{today.isoformat()}）")
    branch_home.set_term(store, unit.id, last_election=day, term_years=None)
    return branch_home.statuses(store, today, [unit.id], config=config)[0]
