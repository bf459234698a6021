"""党员考核: a branch's quarter and year scores, the 党总支's branch ranking,
manual adjustments, and each member's 先锋岗/责任区 承诺 with its quarterly
review (docs/ASSESSMENT.md). The export is services/export_assessment.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING

from services.errors import InvalidInput, NotFound, Refused, service

if TYPE_CHECKING:
    from domain.assessment import (
        Adjustment,
        AssessmentConfig,
        BranchScore,
        MemberFacts,
        Pledge,
        PledgeReview,
        PostKind,
        QuarterScore,
        YearScore,
    )
    from domain.org import OrgUnit
    from domain.people import Person
    from domain.periods import Period
    from storage.db import Store


@dataclass(frozen=True)
class MemberQuarter:
    person: Person
    facts: MemberFacts
    score: QuarterScore
    adjustments: tuple[Adjustment, ...]
    pledge: Pledge | None
    review: PledgeReview | None


@dataclass(frozen=True)
class BranchQuarter:
    branch: OrgUnit
    period: Period
    quarter: str
    config: AssessmentConfig
    rows: list[MemberQuarter]  # roster order


@dataclass(frozen=True)
class BranchYear:
    branch: OrgUnit
    year: int
    quarters: list[str]  # those assessed so far
    config: AssessmentConfig
    rows: list[tuple[Person, YearScore]]  # highest mean first (the 民主评议 input)


def _branch(store: Store, branch_id: str) -> OrgUnit:
    from domain.org import OrgKind
    from storage import org

    unit = org.get(store, branch_id)
    if unit is None or unit.kind is not OrgKind.BRANCH:
        raise NotFound("找不到这个支部。")
    return unit


def general_of(store: Store, branch: OrgUnit) -> OrgUnit | None:
    """The 党总支 the branch belongs to, if any (its rules apply)."""
    from domain.org import OrgKind
    from storage import org

    parent = org.get(store, branch.parent_id) if branch.parent_id else None
    return parent if parent and parent.kind is OrgKind.GENERAL_BRANCH else None


def config_for(store: Store, branch: OrgUnit) -> AssessmentConfig:
    from storage import assessment

    general = general_of(store, branch)
    return assessment.load_config(store, general.id if general else None)


def _quarter(store: Store, branch: OrgUnit, period: Period, today: date) -> BranchQuarter:
    from domain.assessment import quarter_key, score_quarter
    from storage import assessment
    from storage import people as people_store

    key = quarter_key(period)
    config = config_for(store, branch)
    members = people_store.members_of(store, branch.id)
    facts = assessment.branch_facts(store, branch.id, members, period, today)
    adjustments = assessment.adjustments_of(store, branch.id, [key])
    pledges = assessment.pledges_of(store, branch.id)
    reviews = assessment.reviews_of(store, branch.id, key)
    rows: list[MemberQuarter] = []
    for p in members:
        mine = tuple(a for a in adjustments if a.person_id == p.id)
        pledge = pledges.get(p.id)
        rows.append(
            MemberQuarter(
                person=p,
                facts=facts[p.id],
                score=score_quarter(facts[p.id], key, config, (a.points for a in mine)),
                adjustments=mine,
                pledge=pledge,
                review=reviews.get(pledge.id) if pledge else None,
            )
        )
    return BranchQuarter(branch, period, key, config, rows)


@service
def branch_quarter(store: Store, branch_id: str, period: Period, today: date) -> BranchQuarter:
    """Every member of the branch with the quarter's score broken down."""
    return _quarter(store, _branch(store, branch_id), period, today)


@service
def branch_year(store: Store, branch_id: str, year: int, today: date) -> BranchYear:
    """The year's score per member (mean of the quarters assessed so far),
    highest first: what the 民主评议党员 meeting is offered."""
    from domain.assessment import quarters_assessed, score_year

    branch = _branch(store, branch_id)
    quarters = [_quarter(store, branch, q, today) for q in quarters_assessed(year, today)]
    config = config_for(store, branch)
    people = [m.person for m in quarters[-1].rows] if quarters else []
    by_quarter = [{m.person.id: m.score for m in q.rows} for q in quarters]
    rows = []
    for p in people:
        scores = [s[p.id] for s in by_quarter if p.id in s]
        rows.append((p, score_year(p.id, p.name, year, scores, config)))
    rows.sort(key=lambda r: -(r[1].mean or 0))  # stable: roster order among equals
    return BranchYear(branch, year, [q.quarter for q in quarters], config, rows)


@service
def ranking(
    store: Store, general_id: str | None, period: Period, today: date
) -> list[BranchScore]:
    """The branches of a 党总支 (every branch when None) ranked by their
    members' mean score for the quarter or year *period*."""
    from domain.assessment import branch_score, rank_branches
    from domain.periods import PeriodKind
    from storage import org

    branches = org.branches(store)
    if general_id:
        branches = [b for b in branches if b.parent_id == general_id]
    out = []
    for b in branches:
        config = config_for(store, b)
        scores: list[Fraction | int]
        if period.kind is PeriodKind.YEAR:
            year = branch_year(store, b.id, period.start.year, today)
            scores = [s.mean for _p, s in year.rows if s.mean is not None]
        else:
            scores = [r.score.final for r in _quarter(store, b, period, today).rows]
        out.append(branch_score(b.id, b.name, scores, config))
    return rank_branches(out)


# -- adjustments ----------------------------------------------------------------


def _begun(period: Period, today: date, what: str) -> None:
    # A quarter still ahead has nothing to score: an adjustment or review
    # made for it now would be a mistyped period, not a record.
    if period.start > today:
        raise InvalidInput(f"{period.label} 尚未开始，不能{what}")


@service
def add_adjustment(
    store: Store,
    branch_id: str,
    person_id: str,
    period: Period,
    points: str,
    reason: str,
    *,
    today: date,
) -> Adjustment:
    """Record a manual adjustment; InvalidInput with the reason when the
    points or the reason are missing or out of range, or the quarter has not
    begun."""
    from pydantic import ValidationError

    from domain.assessment import Adjustment, AssessmentError, parse_points, quarter_key
    from storage import assessment
    from storage import people as people_store

    try:
        n = parse_points(points)
        key = quarter_key(period)
    except AssessmentError as e:
        raise InvalidInput(str(e)) from e
    _begun(period, today, "调整得分")
    if not reason.strip():
        raise InvalidInput("请写明调整理由")
    person = people_store.get(store, person_id)
    if person is None or person.branch_id != branch_id:
        raise NotFound("这名党员已不在本支部。")
    try:
        adj = Adjustment(
            person_id=person.id,
            person_name=person.name,
            branch_id=branch_id,
            quarter=key,
            points=n,
            reason=reason,
        )
    except ValidationError as e:
        raise InvalidInput("调整理由不超过 200 字") from e
    return assessment.add_adjustment(store, adj)


# -- 先锋岗 / 责任区 ---------------------------------------------------------------


@dataclass(frozen=True)
class PledgeRow:
    person: Person
    pledge: Pledge | None
    review: PledgeReview | None


@service
def pledge_list(store: Store, branch_id: str, period: Period) -> list[PledgeRow]:
    """Every member with their pledge (if any) and this quarter's review."""
    from domain.assessment import quarter_key
    from storage import assessment
    from storage import people as people_store

    key = quarter_key(period)
    pledges = assessment.pledges_of(store, branch_id)
    reviews = assessment.reviews_of(store, branch_id, key)
    out = []
    for p in people_store.members_of(store, branch_id):
        pledge = pledges.get(p.id)
        out.append(PledgeRow(p, pledge, reviews.get(pledge.id) if pledge else None))
    return out


@service
def save_pledge(
    store: Store,
    person_id: str,
    post: PostKind,
    area: str,
    pledge_text: str,
    *,
    current: Pledge | None,
    since: date | None = None,
) -> Pledge:
    """Create or change the member's pledge; *current* is the one the user saw
    (a change made meanwhile elsewhere is refused as stale)."""
    from pydantic import ValidationError

    from domain.assessment import Pledge
    from storage import assessment
    from storage import people as people_store

    person = people_store.get(store, person_id)
    if person is None or not person.branch_id:
        raise NotFound("这名党员已不在任何支部。")
    if not area.strip():
        raise InvalidInput("请填写责任区")
    if not pledge_text.strip():
        raise InvalidInput("请填写公开承诺")
    fields = {
        "person_id": person.id,
        "person_name": person.name,
        "branch_id": person.branch_id,
        "post": post,
        "area": area,
        "pledge": pledge_text,
        "since": since if current is None else (since or current.since),
    }
    try:
        model = (
            Pledge(**fields)
            if current is None
            else Pledge.model_validate({**current.model_dump(), **fields})
        )
    except ValidationError as e:
        raise InvalidInput("责任区不超过 60 字，公开承诺不超过 500 字") from e
    return assessment.save_pledge(store, model)


@service
def review_pledge(
    store: Store,
    pledge: Pledge,
    period: Period,
    kept: bool,
    note: str,
    *,
    current: PledgeReview | None,
    today: date,
) -> PledgeReview:
    """Record (or change) the quarter's review of *pledge* (not of a quarter
    that has not begun)."""
    from pydantic import ValidationError

    from domain.assessment import PledgeReview, quarter_key
    from storage import assessment

    key = quarter_key(period)
    _begun(period, today, "评议承诺")
    if current is not None and current.quarter != key:
        raise Refused("这条评议不属于本季度。")
    fields = {
        "pledge_id": pledge.id,
        "person_id": pledge.person_id,
        "branch_id": pledge.branch_id,
        "quarter": key,
        "kept": kept,
        "note": note,
    }
    try:
        model = (
            PledgeReview(**fields)
            if current is None
            else PledgeReview.model_validate({**current.model_dump(), **fields})
        )
    except ValidationError as e:
        raise InvalidInput("说明不超过 200 字") from e
    return assessment.save_review(store, model)
