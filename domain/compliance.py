"""Held vs required activities against the 条例 frequencies (docs/RULES.md#frequencies).

Kinds are plain strings equal to the meeting-kind values (支部党员大会, 支部委员会,
…); the requirements and aliases are read from the kinds table
(domain.meeting_kinds.KINDS), which is plain data like this module.

How a requirement is judged
- Its cadence cuts the query period into *slots* (months, quarters, years);
  every slot that overlaps the period is judged over the whole slot, so a
  yearly 组织生活会 held in November satisfies the year even when the query is
  2026Q4, and one held on the last day of a quarter counts for that quarter.
- A slot is required only if the branch existed for at least
  ``min_existing_fraction`` of it (default half) [综合]: a branch set up on
  20 May owes no May 支委会 and no Q2 党员大会, but does owe the year's 组织生活会.
- Status: 已逾期 if a required slot has ended short; else 待完成 if some
  required slot (current or future) is still short; else 已完成.
  ``next_due`` is the end of the earliest short slot that has not yet ended.

Counting rules (configurable)
- 接收预备党员, 预备党员转正 and 换届选举 are held as a 支部党员大会 and count
  toward it (``aliases``).
- An activity may carry ``form``: the meeting it was held as (a 组织生活会 or
  民主评议党员 held as a 支部党员大会, 支委会 or 党小组会; 条例 第十七条). By default
  it counts for both its own kind and its form (``count_form=True``) [综合]:
  formally that meeting was convened. Set False for stricter inspectors who
  want a separate 党员大会 each quarter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain.meeting_kinds import Cadence as Cadence  # lives in the kinds table
from domain.meeting_kinds import MeetingKind, aliases, all_frequencies
from domain.periods import Period

MEMBER_ASSEMBLY = MeetingKind.MEMBER_ASSEMBLY.value
BRANCH_COMMITTEE = MeetingKind.COMMITTEE.value
PARTY_GROUP = MeetingKind.GROUP.value
PARTY_LECTURE = MeetingKind.LECTURE.value
THEME_DAY = MeetingKind.THEME_DAY.value
ORG_LIFE = MeetingKind.ORG_LIFE.value
APPRAISAL = MeetingKind.APPRAISAL.value
ADMISSION = MeetingKind.ADMISSION.value
CONFIRMATION = MeetingKind.CONFIRMATION.value
ELECTION = MeetingKind.ELECTION.value


class ComplianceStatus(StrEnum):
    MET = "已完成"
    DUE = "待完成"
    OVERDUE = "已逾期"
    NOT_REQUIRED = "无需开展"


@dataclass
class Requirement:
    """One frequency rule. ``tag`` is its confidence tag (docs/RULES.md#confidence-tags).

    The types here are dataclasses, not pydantic models: they are computed or
    configured in code, and the home screen evaluates them at start-up.
    """

    key: str
    label: str
    kind: str  # the activity kind counted
    cadence: Cadence
    times: int = 1  # at least this many per slot
    per_group: bool = False  # judged separately for every 党小组
    by_secretary: bool = False  # only lectures given by the branch secretary count
    include_group_activities: bool = False  # activities a 党小组 held count for the branch
    needs_committee: bool = False  # only where a 支委会 exists (≥7 正式党员)
    usual_quarter: int | None = None  # 1–4; a UI hint, not enforced
    enabled: bool = True
    tag: str = ""
    basis: str = ""

    def __post_init__(self) -> None:
        self.cadence = Cadence(self.cadence)
        if self.times < 1:
            raise ValueError(f"{self.label}：每期次数至少为 1")
        if self.usual_quarter is not None and not 1 <= self.usual_quarter <= 4:
            raise ValueError(f"{self.label}：季度只能是 1–4")


def default_requirements() -> list[Requirement]:
    """One Requirement per frequency in the kinds table, in report order."""
    return [
        Requirement(
            key=f.key,
            label=f.label,
            kind=kind.value,
            cadence=f.cadence,
            times=f.times,
            per_group=f.per_group,
            by_secretary=f.by_secretary,
            include_group_activities=f.include_group_activities,
            needs_committee=f.needs_committee,
            usual_quarter=f.usual_quarter,
            tag=f.tag,
            basis=f.basis,
        )
        for kind, f in all_frequencies()
    ]


def default_aliases() -> dict[str, str]:
    return {k.value: v.value for k, v in aliases().items()}


@dataclass
class ComplianceConfig:
    requirements: list[Requirement] = field(default_factory=default_requirements)
    aliases: dict[str, str] = field(default_factory=default_aliases)
    count_form: bool = True  # [综合] see module docstring
    min_existing_fraction: float = 0.5  # [综合] 0–1
    # The secretary lectures "to their own branch members" [常见]; a
    # secretaries' rota across branches may prefer to count any branch.
    secretary_lecture_own_branch_only: bool = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_existing_fraction <= 1.0:
            raise ValueError("min_existing_fraction 应在 0 到 1 之间")


@dataclass(frozen=True)
class BranchInfo:
    id: str
    name: str
    created_on: date
    group_ids: list[str] = field(default_factory=list)
    secretary_id: str | None = None
    has_committee: bool = True  # False below 7 正式党员 (条例 第六章)


@dataclass(frozen=True)
class HeldActivity:
    kind: str
    held_on: date
    org_id: str  # the branch, or a 党小组 for 党小组会
    lecturer_id: str | None = None
    form: str | None = None  # e.g. a 组织生活会 held as 支部党员大会


@dataclass(frozen=True)
class SlotResult:
    period: Period
    held: int
    required: int
    status: ComplianceStatus


@dataclass(frozen=True)
class RequirementResult:
    key: str
    label: str
    org_id: str
    cadence: Cadence
    held: int  # counted activities over all judged slots
    required: int  # sum of required slots × times
    status: ComplianceStatus
    next_due: date | None
    slots: list[SlotResult]
    tag: str = ""
    basis: str = ""
    note: str = ""


def worst_status(statuses: Iterable[ComplianceStatus]) -> ComplianceStatus:
    """Overdue over due over met; NOT_REQUIRED when nothing else is there."""
    found = set(statuses)
    for status in (ComplianceStatus.OVERDUE, ComplianceStatus.DUE, ComplianceStatus.MET):
        if status in found:
            return status
    return ComplianceStatus.NOT_REQUIRED


def slots_for(period: Period, cadence: Cadence) -> list[Period]:
    """The cadence periods overlapping *period*."""
    if cadence is Cadence.MONTHLY:
        return period.months()
    if cadence is Cadence.QUARTERLY:
        return period.quarters()
    if cadence is Cadence.HALF_YEARLY:
        halves: list[Period] = []
        for y in period.years():
            for start, end, n in (((1, 1), (6, 30), "上半年"), ((7, 1), (12, 31), "下半年")):
                half = Period.between(
                    date(y.start.year, *start),
                    date(y.start.year, *end),
                    label=f"{y.start.year}年{n}",
                )
                if half.overlaps(period):
                    halves.append(half)
        return halves
    return period.years()


def effective_kinds(activity: HeldActivity, config: ComplianceConfig) -> set[str]:
    """Every requirement kind this activity counts toward."""
    kinds = {activity.kind}
    if config.count_form and activity.form:
        kinds.add(activity.form)
    kinds |= {config.aliases[k] for k in list(kinds) if k in config.aliases}
    return kinds


def slot_required(slot: Period, created_on: date, min_fraction: float) -> bool:
    if created_on <= slot.start:
        return True
    if created_on > slot.end:
        return False
    existing = (slot.end - created_on).days + 1
    return existing >= min_fraction * slot.days


def evaluate(
    branch: BranchInfo,
    activities: Iterable[HeldActivity],
    period: Period,
    today: date,
    config: ComplianceConfig | None = None,
) -> list[RequirementResult]:
    """One result per enabled requirement (per group for per-group ones)."""
    config = config or ComplianceConfig()
    acts = list(activities)
    results: list[RequirementResult] = []
    for req in config.requirements:
        if not req.enabled:
            continue
        if req.per_group:
            for gid in branch.group_ids:
                results.append(_judge(req, branch, gid, acts, period, today, config))
        else:
            results.append(_judge(req, branch, branch.id, acts, period, today, config))
    return results


def _judge(
    req: Requirement,
    branch: BranchInfo,
    org_id: str,
    acts: Sequence[HeldActivity],
    period: Period,
    today: date,
    config: ComplianceConfig,
) -> RequirementResult:
    note = ""
    orgs = {org_id}
    if req.include_group_activities and org_id == branch.id:
        orgs |= set(branch.group_ids)
    any_org = req.by_secretary and not config.secretary_lecture_own_branch_only
    if req.by_secretary and branch.secretary_id is None:
        note = "未设置支部书记，无法统计"
    counted = [
        a
        for a in acts
        if req.kind in effective_kinds(a, config)
        and (any_org or a.org_id in orgs)
        and (
            not req.by_secretary
            or (branch.secretary_id is not None and a.lecturer_id == branch.secretary_id)
        )
    ]
    exempt = req.needs_committee and not branch.has_committee
    if exempt:
        note = "党员不足7人未设支委会，由支部党员大会行使职责"

    slots: list[SlotResult] = []
    for slot in slots_for(period, req.cadence):
        held = sum(1 for a in counted if slot.contains(a.held_on))
        needed = (
            0
            if exempt or not slot_required(slot, branch.created_on, config.min_existing_fraction)
            else req.times
        )
        if needed == 0:
            status = ComplianceStatus.NOT_REQUIRED
        elif held >= needed:
            status = ComplianceStatus.MET
        elif slot.end < today:
            status = ComplianceStatus.OVERDUE
        else:
            status = ComplianceStatus.DUE
        slots.append(SlotResult(period=slot, held=held, required=needed, status=status))

    overall = worst_status(s.status for s in slots)
    pending = [s.period.end for s in slots if s.status is ComplianceStatus.DUE]
    return RequirementResult(
        key=req.key,
        label=req.label,
        org_id=org_id,
        cadence=req.cadence,
        held=sum(s.held for s in slots),
        required=sum(s.required for s in slots),
        status=overall,
        next_due=min(pending) if pending else None,
        slots=slots,
        tag=req.tag,
        basis=req.basis,
        note=note,
    )
