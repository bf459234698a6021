"""党员考核: quarterly and yearly scores per member, 星级, and the branch ranking
of a 党总支 (docs/ASSESSMENT.md).

Pure functions over facts the app already records: sign-in sheets of finished
meetings (出席/请假/缺席 and 补学), monthly 党费, other party activities (党课
given, 一人一事 contacts) and the quarterly review of each member's
责任区/先锋岗 承诺. No source fixes the points, so every figure is a field of
``AssessmentConfig`` [综合] that the 党总支 may change; the defaults add up to
100 for a member who attends everything, pays on time, takes part in a few
activities and keeps the 承诺.

A quarter's score:

    computed = base + attendance + dues + activities + 承诺兑现
               - min(deductions, deduction_cap), clamped to [0, max_total]
    final    = computed + manual adjustments, clamped to [0, max_total]

The year's score is the mean of the final scores of its quarters assessed so
far. 星级 is the highest star whose threshold the score reaches (>=).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, Field, field_validator, model_validator

from domain.dues import DuesRecord, DuesStatus, base_missing
from domain.participation import AttendanceRecord, AttendanceState
from domain.periods import Period, PeriodKind, PeriodParseError, month_start, parse_period
from domain.records import Record
from domain.text import Line, Note, RequiredLine


class PostKind(StrEnum):
    """先锋示范岗 (the seeds' 党员旗帜工程 list)."""

    SAFETY = "安全岗"
    QUALITY = "质量岗"
    SAVING = "节约岗"
    INNOVATION = "创新岗"
    SKILL = "技能岗"
    SERVICE = "服务岗"
    EFFICIENCY = "创效岗"
    ENVIRONMENT = "环保岗"
    STUDY = "学习岗"
    HARMONY = "和谐岗"


class PledgeOutcome(StrEnum):
    KEPT = "已兑现"
    NOT_KEPT = "未兑现"
    NOT_REVIEWED = "未评"
    NONE = "无承诺"


class AssessmentError(ValueError):
    """Raised with a Chinese message the UI can show as is."""


# -- records --------------------------------------------------------------------


class Pledge(Record):
    """A member's 先锋岗, 责任区 and public 承诺 (one current per member)."""

    person_id: str
    person_name: RequiredLine = Field(max_length=40)
    branch_id: str
    post: PostKind
    area: RequiredLine = Field(max_length=60)  # 责任区
    pledge: Note = Field(min_length=1, max_length=500)  # 公开承诺
    since: date | None = None


class PledgeReview(Record):
    """The quarterly review of one pledge: kept or not, with a note."""

    pledge_id: str
    person_id: str
    branch_id: str
    quarter: str  # "2026Q4"
    kept: bool
    note: Line = Field(default="", max_length=200)


ADJUST_LIMIT = 50  # one adjustment moves a score by at most this much


class Adjustment(Record):
    """A manual change to a member's quarter score, with its reason."""

    person_id: str
    person_name: RequiredLine = Field(max_length=40)
    branch_id: str
    quarter: str
    points: int = Field(ge=-ADJUST_LIMIT, le=ADJUST_LIMIT)
    reason: RequiredLine = Field(max_length=200)

    @field_validator("points")
    @classmethod
    def _not_zero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("调整分值不能为 0")
        return v


def quarter_key(period: Period) -> str:
    """The stored name of a quarter: "2026Q4"."""
    if period.kind is not PeriodKind.QUARTER:
        raise AssessmentError(f"“{period.label}”不是季度")
    return f"{period.start.year}Q{(period.start.month - 1) // 3 + 1}"


def parse_quarter(text: str) -> Period:
    """'2026Q4' / '2026年第四季度' -> the quarter; AssessmentError otherwise."""
    try:
        period = parse_period(text)
    except PeriodParseError as e:
        raise AssessmentError(str(e)) from None
    if period.kind is not PeriodKind.QUARTER:
        raise AssessmentError(f"“{text}”不是季度，请写成 2026Q4 或 2026年第四季度")
    return period


def parse_points(text: str) -> int:
    """'+5', '-3', '５' -> int; AssessmentError with the reason otherwise."""
    import unicodedata

    s = unicodedata.normalize("NFKC", text).strip().replace("分", "")
    if not s:
        raise AssessmentError("请填写调整分值，如 +2 或 -3")
    try:
        n = int(s)
    except ValueError:
        raise AssessmentError(f"分值应为整数，如 +2 或 -3：{text}") from None
    if n == 0:
        raise AssessmentError("调整分值不能为 0")
    if abs(n) > ADJUST_LIMIT:
        raise AssessmentError(f"一次调整不超过 ±{ADJUST_LIMIT} 分")
    return n


# -- configuration --------------------------------------------------------------


STAR_NAMES = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星"}


class StarThresholds(BaseModel):
    """Lowest score (inclusive) of each star; below ``two`` is 一星 [综合]."""

    five: int = Field(default=95, ge=0)
    four: int = Field(default=85, ge=0)
    three: int = Field(default=75, ge=0)
    two: int = Field(default=60, ge=0)

    @model_validator(mode="after")
    def _descending(self) -> StarThresholds:
        if not self.five > self.four > self.three > self.two:
            raise ValueError("星级分数线应从五星到二星依次降低")
        return self

    def star(self, score: Fraction | int) -> int:
        for stars, floor in ((5, self.five), (4, self.four), (3, self.three), (2, self.two)):
            if score >= floor:
                return stars
        return 1


class AssessmentConfig(BaseModel):
    """The 党总支's 考核细则. Every figure is [综合]: set by the 党总支."""

    base_points: int = Field(default=60, ge=0)  # 基础分
    # 参加组织生活 (三会一课, 主题党日, 组织生活会…): per 出席, capped.
    attend_points: int = Field(default=2, ge=0)
    attend_cap: int = Field(default=20, ge=0)
    # 交纳党费: per month paid in its own month (免缴 counts as on time), capped.
    dues_points: int = Field(default=2, ge=0)
    dues_cap: int = Field(default=6, ge=0)
    # 参加党内其他活动 (讲党课, 一人一事谈心走访…): per activity, capped.
    activity_points: int = Field(default=2, ge=0)
    activity_cap: int = Field(default=6, ge=0)
    # 责任区/先锋岗 承诺 reviewed as kept this quarter.
    pledge_kept_points: int = Field(default=8, ge=0)
    # Deductions, each per occurrence; their sum is capped.
    leave_missed_deduct: int = Field(default=1, ge=0)  # 请假 without 补学
    absent_made_up_deduct: int = Field(default=1, ge=0)  # 缺席, 补学 done
    absent_missed_deduct: int = Field(default=3, ge=0)  # 缺席 without 补学
    dues_late_deduct: int = Field(default=1, ge=0)  # paid after its month (补缴)
    dues_unpaid_deduct: int = Field(default=2, ge=0)  # still unpaid
    pledge_broken_deduct: int = Field(default=4, ge=0)  # 承诺 reviewed as not kept
    deduction_cap: int = Field(default=30, ge=0)
    max_total: int = Field(default=100, gt=0)
    stars: StarThresholds = Field(default_factory=StarThresholds)


DEFAULT_CONFIG = AssessmentConfig()


# -- facts and scores -----------------------------------------------------------


class MemberFacts(BaseModel):
    """What the records say about one member in one quarter."""

    person_id: str
    name: str
    present: int = 0
    leave_made_up: int = 0
    leave_missed: int = 0
    absent_made_up: int = 0
    absent_missed: int = 0
    dues_on_time: int = 0
    dues_late: int = 0
    dues_unpaid: int = 0
    activities: int = 0
    pledge: PledgeOutcome = PledgeOutcome.NONE


@dataclass(frozen=True)
class ScoreLine:
    """One line of the breakdown: what, how many points (signed), why."""

    item: str
    points: int
    detail: str


@dataclass(frozen=True)
class QuarterScore:
    person_id: str
    name: str
    quarter: str
    base: int
    attendance: int
    dues: int
    activities: int
    pledge: int  # + kept; deductions for a broken pledge are in ``deductions``
    deductions: int  # after the cap, as a positive number
    deductions_uncapped: int
    computed: int
    adjustment: int  # sum of the manual adjustments
    final: int
    star: int
    lines: tuple[ScoreLine, ...]

    @property
    def star_label(self) -> str:
        return STAR_NAMES[self.star]


def _capped(n: int, each: int, cap: int) -> int:
    return min(n * each, cap)


def _clamp(n: int, top: int) -> int:
    return max(0, min(n, top))


def score_quarter(
    facts: MemberFacts,
    quarter: str,
    config: AssessmentConfig = DEFAULT_CONFIG,
    adjustments: Iterable[int] = (),
) -> QuarterScore:
    c = config
    attendance = _capped(facts.present, c.attend_points, c.attend_cap)
    dues = _capped(facts.dues_on_time, c.dues_points, c.dues_cap)
    activities = _capped(facts.activities, c.activity_points, c.activity_cap)
    pledge = c.pledge_kept_points if facts.pledge is PledgeOutcome.KEPT else 0
    deduct_items = (
        ("请假未补学", facts.leave_missed, c.leave_missed_deduct),
        ("缺席已补学", facts.absent_made_up, c.absent_made_up_deduct),
        ("缺席未补学", facts.absent_missed, c.absent_missed_deduct),
        ("党费补缴", facts.dues_late, c.dues_late_deduct),
        ("党费未缴", facts.dues_unpaid, c.dues_unpaid_deduct),
        ("承诺未兑现", 1 if facts.pledge is PledgeOutcome.NOT_KEPT else 0, c.pledge_broken_deduct),
    )
    uncapped = sum(n * each for _l, n, each in deduct_items)
    deductions = min(uncapped, c.deduction_cap)
    computed = _clamp(
        c.base_points + attendance + dues + activities + pledge - deductions, c.max_total
    )
    adjustment = sum(adjustments)
    final = _clamp(computed + adjustment, c.max_total)
    lines = [
        ScoreLine("基础分", c.base_points, ""),
        ScoreLine(
            "参加组织生活", attendance,
            f"出席 {facts.present} 次 × {c.attend_points}，上限 {c.attend_cap}",
        ),
        ScoreLine(
            "按时交纳党费", dues,
            f"按时 {facts.dues_on_time} 个月 × {c.dues_points}，上限 {c.dues_cap}",
        ),
        ScoreLine(
            "党内其他活动", activities,
            f"{facts.activities} 次 × {c.activity_points}，上限 {c.activity_cap}",
        ),
        ScoreLine("责任区/先锋岗承诺", pledge, facts.pledge.value),
    ]  # fmt: skip
    for label, n, each in deduct_items:
        if n and each:
            lines.append(ScoreLine(label, -n * each, f"{n} 次 × {each}"))
    if uncapped > deductions:
        lines.append(ScoreLine("扣分封顶", uncapped - deductions, f"扣分最多 {c.deduction_cap}"))
    return QuarterScore(
        person_id=facts.person_id,
        name=facts.name,
        quarter=quarter,
        base=c.base_points,
        attendance=attendance,
        dues=dues,
        activities=activities,
        pledge=pledge,
        deductions=deductions,
        deductions_uncapped=uncapped,
        computed=computed,
        adjustment=adjustment,
        final=final,
        star=c.stars.star(final),
        lines=tuple(lines),
    )


@dataclass(frozen=True)
class YearScore:
    person_id: str
    name: str
    year: int
    quarters: tuple[QuarterScore, ...]
    mean: Fraction | None  # None when no quarter was assessed
    star: int | None

    @property
    def mean_label(self) -> str:
        return "—" if self.mean is None else f"{float(self.mean):.1f}"

    @property
    def star_label(self) -> str:
        return "—" if self.star is None else STAR_NAMES[self.star]


def score_year(
    person_id: str,
    name: str,
    year: int,
    quarters: Sequence[QuarterScore],
    config: AssessmentConfig = DEFAULT_CONFIG,
) -> YearScore:
    """Mean of the quarters' final scores (only the quarters given: those
    assessed so far)."""
    mean = Fraction(sum(q.final for q in quarters), len(quarters)) if quarters else None
    return YearScore(
        person_id=person_id,
        name=name,
        year=year,
        quarters=tuple(quarters),
        mean=mean,
        star=None if mean is None else config.stars.star(mean),
    )


def quarters_assessed(year: int, today: date) -> list[Period]:
    """The year's quarters that have begun by *today* (all four for a past year)."""
    return [q for q in Period.year(year).quarters() if q.start <= today]


# -- the branch ranking of a 党总支 --------------------------------------------


@dataclass(frozen=True)
class BranchScore:
    branch_id: str
    name: str
    members: int
    mean: Fraction | None  # of the members' scores
    star: int | None
    five_star: int  # members at 五星
    rank: int = 0

    @property
    def mean_label(self) -> str:
        return "—" if self.mean is None else f"{float(self.mean):.1f}"

    @property
    def star_label(self) -> str:
        return "—" if self.star is None else STAR_NAMES[self.star]


def branch_score(
    branch_id: str,
    name: str,
    scores: Sequence[Fraction | int],
    config: AssessmentConfig = DEFAULT_CONFIG,
) -> BranchScore:
    mean = Fraction(sum(scores, Fraction(0)), len(scores)) if scores else None
    return BranchScore(
        branch_id=branch_id,
        name=name,
        members=len(scores),
        mean=mean,
        star=None if mean is None else config.stars.star(mean),
        five_star=sum(1 for s in scores if config.stars.star(s) == 5),
    )


def rank_branches(branches: Iterable[BranchScore]) -> list[BranchScore]:
    """Highest mean first; equal means share a rank (1, 1, 3); branches with no
    members come last, unranked (rank 0)."""
    given = list(branches)
    scored = sorted(
        (b for b in given if b.mean is not None), key=lambda b: (-(b.mean or 0), b.name)
    )
    empty = sorted((b for b in given if b.mean is None), key=lambda b: b.name)
    out: list[BranchScore] = []
    for i, b in enumerate(scored):
        rank = out[-1].rank if out and out[-1].mean == b.mean else i + 1
        out.append(_with_rank(b, rank))
    return out + empty


def _with_rank(b: BranchScore, rank: int) -> BranchScore:
    return replace(b, rank=rank)


# -- facts from records ---------------------------------------------------------


def attendance_facts(records: Iterable[AttendanceRecord]) -> dict[str, dict[str, int]]:
    """Per person: present, leave_made_up, leave_missed, absent_made_up,
    absent_missed (a later row for the same meeting replaces an earlier one;
    列席 counts for nothing)."""
    last: dict[tuple[str, str], AttendanceRecord] = {}
    loose: list[AttendanceRecord] = []
    for r in records:
        if r.meeting_id:
            last[(r.meeting_id, r.person_id)] = r
        else:
            loose.append(r)
    out: dict[str, dict[str, int]] = {}
    for r in (*last.values(), *loose):
        counts = out.setdefault(
            r.person_id,
            dict.fromkeys(
                ("present", "leave_made_up", "leave_missed", "absent_made_up", "absent_missed"), 0
            ),
        )
        if r.state is AttendanceState.PRESENT:
            counts["present"] += 1
        elif r.state is AttendanceState.LEAVE:
            counts["leave_made_up" if r.make_up_done else "leave_missed"] += 1
        elif r.state is AttendanceState.ABSENT:
            counts["absent_made_up" if r.make_up_done else "absent_missed"] += 1
    return out


def dues_facts(records: Iterable[DuesRecord], today: date) -> dict[str, dict[str, int]]:
    """Per person: dues_on_time, dues_late, dues_unpaid.

    A month with no base on record is left out (nothing was due). A month
    still running is not unpaid yet; paid within its month (or 免缴) is on
    time, paid later is 补缴 (late)."""
    out: dict[str, dict[str, int]] = {}
    this_month = month_start(today)
    for r in records:
        if base_missing(r) or r.month > this_month:
            continue
        counts = out.setdefault(r.person_id, dict.fromkeys(_DUES_KEYS, 0))
        status = r.status
        if status in (DuesStatus.PAID, DuesStatus.WAIVED):
            counts["dues_on_time"] += 1
        elif status is DuesStatus.BACK_PAID:
            counts["dues_late"] += 1
        elif r.month < this_month:
            counts["dues_unpaid"] += 1
    return out


_DUES_KEYS = ("dues_on_time", "dues_late", "dues_unpaid")
