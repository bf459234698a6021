"""党费 (party dues), docs/RULES.md#dues [规定: 党费规定 2008].

All money is integer 分 (fen); rates are integer basis points (万分之, 50 =
0.5%), so no float ever touches an amount.

Defaults, each overridable in ``DuesConfig``:
- 在职 (and 年薪制, 无固定收入) on the after-tax base: ≤3000元 0.5%,
  3000–5000元 (incl.) 1%, 5000–10000元 (incl.) 1.5%, >10000元 2% [规定].
- 离退休 on the pension: ≤5000元 0.5%, >5000元 1% [规定].
- 学生, 下岗失业, 依靠救济或低保: 0.2元/月 [规定]. 农民: 0.2–1元/月 set by the
  province; default 0.2元 [规定 range, default 综合].
- Rounding: half up to 1 分 [综合] (the 规定 does not say).
- 补交 (back payment) generally ≤6 months [规定].
- Arrears alerts at 3 months [常见] and 6 consecutive months: without good
  reason 视为自行脱党 (党章第九条; 党费规定) — the app only flags, the 支部大会
  decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, Field, field_validator, model_validator

from domain.arrears import (
    LAPSE_MONTHS,
    WARN_MONTHS,
    ArrearsLevel,
    arrears_level,
    run_ending_at,
)
from domain.periods import add_months, month_start, months_between
from domain.records import Record
from domain.text import Line, clean_number


class DuesKind(StrEnum):
    SALARIED = "在职"  # base: relatively fixed monthly pay after tax
    ANNUAL_SALARY = "年薪制"  # base: pay actually received that month
    NO_FIXED_INCOME = "无固定收入"  # base: previous quarter's monthly average net income
    RETIRED = "离退休"  # base: pension received
    PEASANT = "农民"
    STUDENT = "学生"
    UNEMPLOYED = "下岗失业"
    RELIEF = "依靠救济或低保"


class DuesError(ValueError):
    """Raised with a Chinese message the UI can show as is."""


class RateBand(BaseModel):
    upper_fen: int | None = Field(default=None, gt=0)  # inclusive; None = no upper bound
    rate_bp: int = Field(ge=0, le=10_000)


def _serving_bands() -> list[RateBand]:
    return [
        RateBand(upper_fen=300_000, rate_bp=50),
        RateBand(upper_fen=500_000, rate_bp=100),
        RateBand(upper_fen=1_000_000, rate_bp=150),
        RateBand(upper_fen=None, rate_bp=200),
    ]


def _retired_bands() -> list[RateBand]:
    return [RateBand(upper_fen=500_000, rate_bp=50), RateBand(upper_fen=None, rate_bp=100)]


def _flat_fen() -> dict[DuesKind, int]:
    return {
        DuesKind.PEASANT: 20,
        DuesKind.STUDENT: 20,
        DuesKind.UNEMPLOYED: 20,
        DuesKind.RELIEF: 20,
    }


RATED_KINDS = frozenset(
    {DuesKind.SALARIED, DuesKind.ANNUAL_SALARY, DuesKind.NO_FIXED_INCOME, DuesKind.RETIRED}
)


class DuesConfig(BaseModel):
    serving_bands: list[RateBand] = Field(default_factory=_serving_bands)
    retired_bands: list[RateBand] = Field(default_factory=_retired_bands)
    flat_fen: dict[DuesKind, int] = Field(default_factory=_flat_fen)
    rounding_unit_fen: int = Field(default=1, ge=1)  # 10 = round to 角
    back_pay_max_months: int = Field(default=6, ge=0)
    arrears_warn_months: int = Field(default=WARN_MONTHS, ge=1)
    arrears_lapse_months: int = Field(default=LAPSE_MONTHS, ge=1)

    @field_validator("serving_bands", "retired_bands")
    @classmethod
    def _bands_ascending(cls, bands: list[RateBand]) -> list[RateBand]:
        if not bands or bands[-1].upper_fen is not None:
            raise ValueError("最后一档必须不设上限")
        uppers = [b.upper_fen for b in bands[:-1] if b.upper_fen is not None]
        if len(uppers) != len(bands) - 1 or uppers != sorted(set(uppers)):
            raise ValueError("各档上限必须递增")
        return bands

    @field_validator("flat_fen")
    @classmethod
    def _flat_kinds(cls, v: dict[DuesKind, int]) -> dict[DuesKind, int]:
        if any(k in RATED_KINDS for k in v) or any(a < 0 for a in v.values()):
            raise ValueError("固定金额只适用于农民、学生、下岗失业、救济低保党员，且不能为负")
        return v


DEFAULT_CONFIG = DuesConfig()


# ---------------------------------------------------------------- formatting


def format_yuan(fen: int) -> str:
    """12345 -> '123.45' (two decimals, as on receipts)."""
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{rest:02d}"


def _yuan_short(fen: int) -> str:
    """300000 -> '3000', 20 -> '0.2' (band labels)."""
    yuan, rest = divmod(fen, 100)
    return str(yuan) if rest == 0 else f"{yuan}.{rest:02d}".rstrip("0")


def format_rate(rate_bp: int) -> str:
    """150 -> '1.5%'."""
    whole, frac = divmod(rate_bp, 100)
    return f"{whole}%" if frac == 0 else f"{whole}.{frac:02d}".rstrip("0") + "%"


def parse_yuan(text: str) -> int:
    """'3,500.5元' -> 350050 fen. Rejects negatives and more than 2 decimals."""
    s = clean_number(text).replace(",", "").removesuffix("元").strip()
    if not s:
        raise DuesError("请填写金额")
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise DuesError(f"金额格式不对：{text}") from None
    if not d.is_finite() or d < 0:
        raise DuesError("金额不能为负数")
    fen = d * 100
    if fen != fen.to_integral_value():
        raise DuesError("金额最多精确到分")
    return int(fen)


# ---------------------------------------------------------------- computing


class DueResult(BaseModel):
    kind: DuesKind
    base_fen: int
    rate_bp: int | None  # None for flat amounts
    amount_fen: int
    band_label: str  # e.g. "3000–5000元 1%"


def _band_label(bands: Sequence[RateBand], i: int) -> str:
    band = bands[i]
    rate = format_rate(band.rate_bp)
    lower = bands[i - 1].upper_fen if i else None
    if lower is None:
        return f"≤{_yuan_short(band.upper_fen or 0)}元 {rate}"
    if band.upper_fen is None:
        return f">{_yuan_short(lower)}元 {rate}"
    return f"{_yuan_short(lower)}–{_yuan_short(band.upper_fen)}元 {rate}"


def _round_half_up(numerator: int, denominator: int, unit: int) -> int:
    q, r = divmod(numerator, denominator * unit)
    if 2 * r >= denominator * unit:
        q += 1
    return q * unit


def compute_due(
    base_fen: int, kind: DuesKind = DuesKind.SALARIED, config: DuesConfig = DEFAULT_CONFIG
) -> DueResult:
    """Monthly dues for one member. *base_fen* is ignored for flat-amount kinds."""
    if base_fen < 0:
        raise DuesError("计算基数不能为负数")
    if kind not in RATED_KINDS:
        if kind not in config.flat_fen:
            raise DuesError(f"未设置{kind}党员的每月党费金额")
        amount = config.flat_fen[kind]
        return DueResult(
            kind=kind,
            base_fen=base_fen,
            rate_bp=None,
            amount_fen=amount,
            band_label=f"{kind} 每月{_yuan_short(amount)}元",
        )
    bands = config.retired_bands if kind is DuesKind.RETIRED else config.serving_bands
    i = next(i for i, b in enumerate(bands) if b.upper_fen is None or base_fen <= b.upper_fen)
    amount = _round_half_up(base_fen * bands[i].rate_bp, 10_000, config.rounding_unit_fen)
    label = _band_label(bands, i)
    if kind is DuesKind.RETIRED:
        label = f"离退休 {label}"
    return DueResult(
        kind=kind, base_fen=base_fen, rate_bp=bands[i].rate_bp, amount_fen=amount, band_label=label
    )


def quarter_average_base(monthly_net_fen: Sequence[int]) -> int:
    """Base for 无固定收入 members: the previous quarter's average monthly net income."""
    if not monthly_net_fen:
        raise DuesError("请填写上一季度各月纯收入")
    if any(v < 0 for v in monthly_net_fen):
        raise DuesError("收入不能为负数")
    return _round_half_up(sum(monthly_net_fen), len(monthly_net_fen), 1)


# ---------------------------------------------------------------- monthly records


class DuesStatus(StrEnum):
    UNPAID = "未缴"
    PAID = "已缴"
    WAIVED = "免缴"
    BACK_PAID = "补缴"


class DuesRecord(Record):
    """One member, one month (unique per person per month)."""

    person_id: str
    month: date  # normalised to the 1st
    kind: DuesKind = DuesKind.SALARIED
    base_fen: int = Field(ge=0)
    rate_bp: int | None = None
    band_label: str = ""
    due_fen: int = Field(ge=0)
    paid_fen: int = Field(default=0, ge=0)
    paid_on: date | None = None  # date of the latest payment
    method: Line = Field(default="", max_length=40)  # 缴纳方式
    online: bool = False  # paid online (线上缴纳); a typed field, the method text is free
    waived: bool = False  # 减免 approved by the higher committee
    waiver_note: Line = Field(default="", max_length=200)

    @field_validator("month")
    @classmethod
    def _first_of_month(cls, v: date) -> date:
        return month_start(v)

    @model_validator(mode="after")
    def _paid_has_date(self) -> DuesRecord:
        if self.paid_fen and self.paid_on is None:
            raise ValueError("已缴金额需要填写缴纳日期")
        return self

    @property
    def settled(self) -> bool:
        return self.waived or self.paid_fen >= self.due_fen

    def settled_as_of(self, as_of: date) -> bool:
        """Settled by the end of the month of *as_of* (later payments ignored)."""
        if self.waived or self.due_fen == 0:
            return True
        if self.paid_fen < self.due_fen or self.paid_on is None:
            return False
        return month_start(self.paid_on) <= month_start(as_of)

    @property
    def owed_fen(self) -> int:
        return 0 if self.waived else max(self.due_fen - self.paid_fen, 0)

    @property
    def status(self) -> DuesStatus:
        if self.waived:
            return DuesStatus.WAIVED
        if not self.settled:
            return DuesStatus.UNPAID
        if self.paid_on is not None and month_start(self.paid_on) > self.month:
            return DuesStatus.BACK_PAID
        return DuesStatus.PAID


NO_BASE = "未设基数"


def base_missing(rec: DuesRecord) -> bool:
    """No base on record for a member whose dues are a share of it: nothing can
    be computed, so the month is neither due nor paid (shown 「未设基数」)."""
    return rec.kind in RATED_KINDS and rec.base_fen == 0 and not rec.waived and not rec.paid_fen


def make_record(
    person_id: str,
    month: date,
    base_fen: int,
    kind: DuesKind = DuesKind.SALARIED,
    config: DuesConfig = DEFAULT_CONFIG,
) -> DuesRecord:
    due = compute_due(base_fen, kind, config)
    return DuesRecord(
        person_id=person_id,
        month=month,
        kind=kind,
        base_fen=base_fen,
        rate_bp=due.rate_bp,
        band_label=due.band_label,
        due_fen=due.amount_fen,
    )


def check_back_payment(month: date, paid_on: date, config: DuesConfig = DEFAULT_CONFIG) -> None:
    """Refuse a 补交 more than ``back_pay_max_months`` after the dues month."""
    late = months_between(month, paid_on)
    limit = config.back_pay_max_months
    if late > limit:
        last = add_months(month, limit)
        raise DuesError(
            f"{month.year}年{month.month}月的党费已逾期{late}个月，超过补交期限"
            f"（一般不超过{limit}个月，最晚{last.year}年{last.month}月），不能补交，请报支部研究处理"
        )


def record_payment(
    record: DuesRecord,
    amount_fen: int,
    paid_on: date,
    method: str = "",
    config: DuesConfig = DEFAULT_CONFIG,
    *,
    online: bool | None = None,
) -> DuesRecord:
    """Add a payment (partial payments accumulate; extra voluntary dues are allowed)."""
    if record.waived:
        raise DuesError("该月党费已免缴，无需缴纳")
    if amount_fen <= 0:
        raise DuesError("缴纳金额必须大于0")
    check_back_payment(record.month, paid_on, config)
    return record.model_copy(
        update={
            "paid_fen": record.paid_fen + amount_fen,
            "paid_on": paid_on,
            "method": method or record.method,
            "online": record.online if online is None else online,
        }
    )


def waive(record: DuesRecord, note: str) -> DuesRecord:
    """Mark a month 免缴 (reduced/waived after higher-committee approval)."""
    if not note.strip():
        raise DuesError("免缴需写明批准情况")
    return record.model_copy(update={"waived": True, "waiver_note": note.strip()})


# ---------------------------------------------------------------- arrears


class ArrearsAlert(BaseModel):
    level: ArrearsLevel
    months: int
    message: str
    basis: str


class MemberArrears(BaseModel):
    person_id: str
    as_of: date
    consecutive_months: int  # unbroken run of unpaid months ending at as_of
    unpaid_months: list[date]  # every unpaid month up to as_of, oldest first
    owed_fen: int
    too_old_months: list[date]  # beyond the 补交 window
    alert: ArrearsAlert | None


def arrears_alert(months: int, config: DuesConfig = DEFAULT_CONFIG) -> ArrearsAlert | None:
    level = arrears_level(months, config.arrears_warn_months, config.arrears_lapse_months)
    if level is ArrearsLevel.LAPSE:
        return ArrearsAlert(
            level=ArrearsLevel.LAPSE,
            months=months,
            message=(
                f"已连续{months}个月未交纳党费。无正当理由的，视为自行脱党，"
                "由支部大会决定除名并报上级党组织批准；请先核实有无正当理由"
            ),
            basis="党章第九条；《关于中国共产党党费收缴、使用和管理的规定》[规定]",
        )
    if level is ArrearsLevel.WARN:
        return ArrearsAlert(
            level=ArrearsLevel.WARN,
            months=months,
            message=f"已连续{months}个月未交纳党费，应批评教育并限期交纳",
            basis="党费规定（批评教育、限期改正）；3个月提醒为常见系统做法",
        )
    return None


def member_arrears(
    records: Iterable[DuesRecord],
    as_of: date,
    config: DuesConfig = DEFAULT_CONFIG,
    *,
    payments_until: date | None = None,
) -> MemberArrears:
    """Arrears of one member as of the month of *as_of* (inclusive).

    Pass the last month whose collection day has passed. A month without a
    record (not yet a member, transferred, …) breaks the consecutive run.
    *payments_until* (default *as_of*) also counts payments made up to that
    month: the current arrears are the months up to last month still unpaid
    today, so a back payment made this month clears them.
    """
    cutoff = month_start(as_of)
    paid_cut = max(month_start(payments_until), cutoff) if payments_until else cutoff
    by_month = {r.month: r for r in records if r.month <= cutoff}
    person = next(iter(by_month.values())).person_id if by_month else ""
    unpaid = sorted(m for m, r in by_month.items() if not r.settled_as_of(paid_cut))
    run = run_ending_at(unpaid, cutoff)
    return MemberArrears(
        person_id=person,
        as_of=cutoff,
        consecutive_months=run,
        unpaid_months=unpaid,
        owed_fen=sum(by_month[m].owed_fen for m in unpaid),
        too_old_months=[
            m for m in unpaid if months_between(m, paid_cut) > config.back_pay_max_months
        ],
        alert=arrears_alert(run, config),
    )


# ---------------------------------------------------------------- branch summary


class BranchDuesSummary(BaseModel):
    month: date
    members: int  # records for the month
    members_due: int  # not waived and something is due
    members_paid: int  # of those, paid in full
    members_waived: int
    due_fen: int
    paid_fen: int  # everything received, voluntary extra included
    paid_toward_due_fen: int  # capped at each member's due

    @property
    def member_rate(self) -> Fraction | None:
        return Fraction(self.members_paid, self.members_due) if self.members_due else None

    @property
    def amount_rate(self) -> Fraction | None:
        return Fraction(self.paid_toward_due_fen, self.due_fen) if self.due_fen else None


def branch_month_summary(
    records: Iterable[DuesRecord], month: date, as_of: date | None = None
) -> BranchDuesSummary:
    """Payment rate for one month; *as_of* ignores payments made after that month."""
    m = month_start(month)
    rows = [r for r in records if r.month == m]
    due_rows = [r for r in rows if not r.waived and r.due_fen > 0]

    def paid(r: DuesRecord) -> int:
        if (
            as_of is not None
            and r.paid_on is not None
            and month_start(r.paid_on) > month_start(as_of)
        ):
            return 0
        return r.paid_fen

    return BranchDuesSummary(
        month=m,
        members=len(rows),
        members_due=len(due_rows),
        members_paid=sum(1 for r in due_rows if paid(r) >= r.due_fen),
        members_waived=sum(1 for r in rows if r.waived),
        due_fen=sum(r.due_fen for r in due_rows),
        paid_fen=sum(paid(r) for r in rows),
        paid_toward_due_fen=sum(min(paid(r), r.due_fen) for r in due_rows),
    )
