"""Quorum, passing and election arithmetic (docs/RULES.md#quorum-and-passing).

Everything is integer arithmetic ("a*2 > b" rather than "a > b/2") so exact
halves and exact four-fifths are decided correctly.  Each result carries the
arithmetic as a Chinese sentence, because minutes must show how a result was
reached and a secretary must be able to check it by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.meeting_kinds import VoteRule
from domain.people import PARTY_MEMBER_STATUSES, Person, PoliticalStatus
from domain.text import Line, RequiredLine


class RuleResult(BaseModel):
    """A yes/no answer plus the arithmetic behind it."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    explanation: str

    def __bool__(self) -> bool:
        return self.ok


class RuleConfig(BaseModel):
    """The [常见] / [!] choices a branch may switch (docs/RULES.md#configuration)."""

    model_config = ConfigDict(frozen=True)

    # 支委会 passing: majority of 委员 present (common) or of all 委员.
    committee_majority_of_all: bool = False
    # [!] An older 中组部 Q&A accepts exactly 4/5 present as a valid election.
    election_accept_exact_four_fifths: bool = False
    # [!] Some guides allow a show of hands for 转正; default is secret ballot.
    confirmation_allow_show_of_hands: bool = False
    # [!] 民主评议: 优秀 generally no more than a third of those rated.
    excellent_share_max: float = Field(default=1 / 3, gt=0, le=1)


def _non_negative(**counts: int) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int")
        if value < 0:
            raise ValueError(f"{name} 不能为负数")


def _cmp(left: int, right: int) -> str:
    return ">" if left > right else ("=" if left == right else "<")


# -- 党员大会 (条例 第十一条) ------------------------------------------------


def quorum_ok(present_voting: int, expected_voting: int) -> RuleResult:
    """More than half of the members entitled to vote are present."""
    _non_negative(present_voting=present_voting, expected_voting=expected_voting)
    if expected_voting == 0:
        return RuleResult(ok=False, explanation="应到有表决权人数为 0 → 无法开会表决")
    double = present_voting * 2
    ok = double > expected_voting
    verdict = "到会人数过半，可以表决" if ok else "到会人数未过半，不能表决"
    return RuleResult(
        ok=ok,
        explanation=(
            f"实到有表决权 {present_voting}，{present_voting}×2={double} "
            f"{_cmp(double, expected_voting)} 应到有表决权 {expected_voting} → {verdict}"
        ),
    )


def _majority_of_expected(yes: int, written: int, expected: int, label: str) -> RuleResult:
    _non_negative(yes=yes, written=written, expected=expected)
    total = yes + written
    double = total * 2
    ok = expected > 0 and double > expected
    counted = f"赞成 {yes} + 书面 {written} = {total}" if written else f"赞成 {yes}"
    return RuleResult(
        ok=ok,
        explanation=(
            f"{counted}，{total}×2={double} {_cmp(double, expected)} {label} {expected} "
            f"→ {'通过' if ok else '未通过'}"
        ),
    )


def passed(yes: int, written: int, expected_voting: int) -> RuleResult:
    """Votes in favour (with written opinions in favour) exceed half of 应到有表决权.

    The denominator is the number entitled to attend, never those present.
    """
    return _majority_of_expected(yes, written, expected_voting, "应到有表决权")


# -- 支委会 (条例 第十二条) --------------------------------------------------


def committee_quorum_ok(present: int, total: int) -> RuleResult:
    _non_negative(present=present, total=total)
    if total == 0:
        return RuleResult(ok=False, explanation="委员人数为 0 → 无法开会")
    double = present * 2
    ok = double > total
    verdict = (
        "过半数委员到会，可以开会" if ok else "到会委员未过半数，不能开会；重大事项可提交党员大会"
    )
    return RuleResult(
        ok=ok,
        explanation=f"到会委员 {present}，{present}×2={double} {_cmp(double, total)} 委员总数 {total} → {verdict}",
    )


def committee_passed(
    yes: int, present: int, total: int | None = None, *, of_all_members: bool = False
) -> RuleResult:
    """少数服从多数: majority of those present by default, of all 委员 if configured."""
    _non_negative(yes=yes, present=present)
    if of_all_members:
        if total is None:
            raise ValueError("按全体委员计算时需要委员总数")
        base, label = total, "委员总数"
    else:
        base, label = present, "到会委员"
    _non_negative(base=base)
    double = yes * 2
    ok = base > 0 and double > base
    return RuleResult(
        ok=ok,
        explanation=f"赞成 {yes}，{yes}×2={double} {_cmp(double, base)} {label} {base} → {'通过' if ok else '未通过'}",
    )


# -- 接收预备党员 / 预备党员转正 (细则) --------------------------------------


def admission_quorum_ok(present_voting: int, expected_voting: int) -> RuleResult:
    """Same quorum as the 党员大会; only 正式党员 count on either side."""
    return quorum_ok(present_voting, expected_voting)


def admission_passed(yes: int, written: int, expected_voting: int) -> RuleResult:
    """赞成 (with absentees' written opinions in favour) > half of 应到有表决权正式党员."""
    return _majority_of_expected(yes, written, expected_voting, "应到有表决权正式党员")


# Confirmation follows the admission procedure (流程图: 参照接收预备党员的程序).
confirmation_quorum_ok = admission_quorum_ok
confirmation_passed = admission_passed


# -- 选举 (选举条例) ---------------------------------------------------------


def election_quorum_ok(
    present_electors: int, expected_electors: int, *, accept_exact_four_fifths: bool = False
) -> RuleResult:
    """实到有选举权 > 4/5 of 应到 (strict); exactly 4/5 only with the override."""
    _non_negative(present_electors=present_electors, expected_electors=expected_electors)
    if expected_electors == 0:
        return RuleResult(ok=False, explanation="应到有选举权人数为 0 → 无法选举")
    left, right = present_electors * 5, expected_electors * 4
    exact = left == right
    ok = left > right or (exact and accept_exact_four_fifths)
    if left > right:
        verdict = "超过五分之四，会议有效"
    elif exact and accept_exact_four_fifths:
        verdict = "恰好五分之四，按设置视为有效"
    elif exact:
        verdict = "恰好五分之四，未超过，会议无效"
    else:
        verdict = "不足五分之四，会议无效"
    return RuleResult(
        ok=ok,
        explanation=(
            f"实到有选举权 {present_electors}，{present_electors}×5={left} {_cmp(left, right)} "
            f"应到 {expected_electors}×4={right} → {verdict}"
        ),
    )


def elected(yes: int, present_electors: int) -> RuleResult:
    """赞成票 > half of those with 选举权 actually present (not 应到: docs/RULES.md#elections)."""
    _non_negative(yes=yes, present_electors=present_electors)
    double = yes * 2
    ok = present_electors > 0 and double > present_electors
    return RuleResult(
        ok=ok,
        explanation=(
            f"赞成 {yes}，{yes}×2={double} {_cmp(double, present_electors)} "
            f"实到有选举权 {present_electors} → {'得票过半' if ok else '得票未过半'}"
        ),
    )


def ballots_valid(returned: int, issued: int) -> RuleResult:
    """收回 ≤ 发出 → the vote stands; more returned than issued voids it."""
    _non_negative(returned=returned, issued=issued)
    ok = returned <= issued
    sign = "≤" if ok else ">"
    verdict = "选举有效" if ok else "选举无效，应重新投票"
    return RuleResult(ok=ok, explanation=f"收回 {returned} {sign} 发出 {issued} → {verdict}")


def ballot_marks_ok(marked: int, seats: int) -> bool:
    """A ballot marking more names than seats (多选) is invalid."""
    _non_negative(marked=marked, seats=seats)
    return marked <= seats


def competitive_margin_ok(candidates: int, seats: int) -> RuleResult:
    """委员 差额 ≥ 20%: candidates ≥ seats × 1.2, i.e. candidates×5 ≥ seats×6."""
    _non_negative(candidates=candidates, seats=seats)
    left, right = candidates * 5, seats * 6
    ok = seats > 0 and left >= right
    return RuleResult(
        ok=ok,
        explanation=(
            f"候选人 {candidates}，{candidates}×5={left} {'≥' if ok else '<'} 应选 {seats}×6={right} "
            f"→ {'差额不少于20%' if ok else '差额不足20%'}"
        ),
    )


class Tally(NamedTuple):
    key: str
    name: str
    votes: int


class ElectionOutcome(BaseModel):
    """Who is elected and what is left to do (docs/RULES.md#elections)."""

    model_config = ConfigDict(frozen=True)

    elected: tuple[str, ...] = ()  # candidate keys, by votes
    tied: tuple[str, ...] = ()  # keys tied at the margin: revote among them
    tied_seats: int = 0  # seats the tie revote fills
    shortfall: int = 0  # seats left for 另行选举
    void: bool = False  # quorum or ballot count failed: nobody is elected
    explanation: str = ""


def election_outcome(
    tallies: Sequence[Tally],
    seats: int,
    present_electors: int,
    *,
    expected_electors: int | None = None,
    ballots_issued: int | None = None,
    ballots_returned: int | None = None,
    config: RuleConfig | None = None,
) -> ElectionOutcome:
    """Apply the majority rule, then fill seats by votes; report ties and shortfall."""
    config = config or RuleConfig()
    _non_negative(seats=seats, present_electors=present_electors)
    if seats < 1:
        raise ValueError("应选名额至少为 1")
    lines: list[str] = []
    if expected_electors is not None:
        q = election_quorum_ok(
            present_electors,
            expected_electors,
            accept_exact_four_fifths=config.election_accept_exact_four_fifths,
        )
        lines.append(q.explanation)
        if not q.ok:
            return ElectionOutcome(void=True, explanation="；".join(lines))
    if ballots_issued is not None and ballots_returned is not None:
        b = ballots_valid(ballots_returned, ballots_issued)
        lines.append(b.explanation)
        if not b.ok:
            return ElectionOutcome(void=True, explanation="；".join(lines))

    qualifiers: list[Tally] = []
    for t in tallies:
        _non_negative(votes=t.votes)
        r = elected(t.votes, present_electors)
        lines.append(f"{t.name}：{r.explanation}")
        if r.ok:
            qualifiers.append(t)
    qualifiers.sort(key=lambda t: -t.votes)

    tied: list[Tally]
    if len(qualifiers) <= seats:
        winners, tied, tied_seats = qualifiers, [], 0
    else:
        cutoff = qualifiers[seats - 1].votes
        winners = [t for t in qualifiers if t.votes > cutoff]
        at_cut = [t for t in qualifiers if t.votes == cutoff]
        if len(winners) + len(at_cut) <= seats:
            winners += at_cut
            tied, tied_seats = [], 0
        else:
            tied, tied_seats = at_cut, seats - len(winners)
    shortfall = seats - len(winners) - tied_seats
    if winners:
        lines.append("当选：" + "、".join(t.name for t in winners))
    if tied:
        lines.append(
            f"{'、'.join(t.name for t in tied)} 得票相等（{tied[0].votes} 票），"
            f"应就 {tied_seats} 个名额重新投票"
        )
    if shortfall:
        lines.append(f"当选人数不足应选名额，差 {shortfall} 名，可另行选举")
    return ElectionOutcome(
        elected=tuple(t.key for t in winners),
        tied=tuple(t.key for t in tied),
        tied_seats=tied_seats,
        shortfall=shortfall,
        explanation="；".join(lines),
    )


# -- 预备期 (党章第七条) -------------------------------------------------------


def probation_end(start: dt.date) -> dt.date:
    """The day a one-year probation begun on *start* is complete (its anniversary).

    A probation begun on 29 February is complete on 1 March: never a day early.
    """
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return dt.date(start.year + 1, 3, 1)


def probation_ended(start: dt.date, on: dt.date, *, extended_months: int = 0) -> RuleResult:
    """Whether one year of probation begun on *start*, plus the months it was
    extended by (at most once), has passed by *on*."""
    if extended_months:
        # Counted as the person's record counts it (domain.development), so the
        # meeting's gate and the record's gate open on the same day.
        from domain.development import add_months

        end = add_months(start, 12 + extended_months)
        head = f"预备期自{_cn_date(start)}起，延长{extended_months}个月，{_cn_date(end)}期满"
    else:
        end = probation_end(start)
        head = f"预备期自{_cn_date(start)}起，{_cn_date(end)}满一年"
    ok = on >= end
    if ok:
        return RuleResult(ok=True, explanation=f"{head}；{_cn_date(on)}已满")
    return RuleResult(
        ok=False,
        explanation=f"{head}；{_cn_date(on)}预备期未满{'' if extended_months else '一年'}，"
        f"尚差{(end - on).days}天",
    )


def _cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# -- Attendance: who counts towards 应到 / 实到 ----------------------------


class AttendanceState(StrEnum):
    NOT_SIGNED = "未签到"  # a new sign-in sheet: nobody is assumed present
    PRESENT = "出席"
    LEAVE = "请假"
    ABSENT = "缺席"
    OBSERVER = "列席"  # not a member of this meeting: not in 应到
    SUPERVISOR = "上级指导"  # 到会指导的上级领导: not in 应到


# States of people who belong to the meeting (count towards 应到).
MEMBER_STATES = frozenset(
    {
        AttendanceState.NOT_SIGNED,
        AttendanceState.PRESENT,
        AttendanceState.LEAVE,
        AttendanceState.ABSENT,
    }
)


class ExclusionReason(StrEnum):
    """The cases in which a member may be left out of 应到 (docs/RULES.md#attendance).

    Needs higher approval and a vote of the 党员大会.
    """

    ILLNESS = "患精神病或其他疾病不能表达本人意志"
    ABROAD = "自费出国半年以上"
    IMPRISONED = "正在服刑（未受留党察看以上处分）"
    INFIRM = "年老体弱、卧床不起或长期生病生活不能自理"
    AWAY = "外出学习或工作半年以上，应转未转组织关系"
    RETIRED_AWAY = "退休后长期在原籍居住，组织关系未转"


class AttendanceEntry(BaseModel):
    """One person on the sign-in sheet, with the facts snapshotted at the meeting."""

    model_config = ConfigDict(hide_input_in_errors=True)

    person_id: str | None = None  # None for guests not on the roster
    name: RequiredLine = Field(max_length=40)
    status: PoliticalStatus | None = None
    has_vote: bool = False
    post: Line = Field(default="", max_length=60)  # 职务, shown for 列席/上级指导
    state: AttendanceState = AttendanceState.PRESENT
    reason: Line = Field(default="", max_length=200)  # 请假/缺席 reason, or why 列席
    excluded_reason: ExclusionReason | None = None
    written_opinion: bool = False  # absentee handed in a formal written opinion

    @model_validator(mode="after")
    def _vote_only_for_full_members(self) -> AttendanceEntry:
        # 党章第七条: 预备党员 and non-members never vote.
        if self.has_vote and self.status is not PoliticalStatus.FULL:
            raise ValueError(f"{self.status or '非党员'}没有表决权")
        return self

    @classmethod
    def from_person(
        cls, person: Person, state: AttendanceState = AttendanceState.PRESENT, reason: str = ""
    ) -> AttendanceEntry:
        return cls(
            person_id=person.id,
            name=person.name,
            status=person.status,
            has_vote=person.has_vote,
            post=person.post.value if person.post else "",
            state=state,
            reason=reason,
        )

    @property
    def is_member(self) -> bool:
        return self.status in PARTY_MEMBER_STATUSES

    @property
    def counts(self) -> bool:
        """Part of 应到.

        An excluded member who nevertheless attends is counted: the 中组部
        explanation says such a member who asks to take part and can exercise
        their rights is counted in 应到.
        """
        if self.state not in MEMBER_STATES:
            return False
        return self.excluded_reason is None or self.state is AttendanceState.PRESENT

    @property
    def present(self) -> bool:
        return self.counts and self.state is AttendanceState.PRESENT

    def label(self) -> str:
        """张三（病假） — the form used in minutes."""
        extra = self.reason or (self.excluded_reason.value if self.excluded_reason else "")
        if self.state in (AttendanceState.OBSERVER, AttendanceState.SUPERVISOR) and self.post:
            extra = "，".join(x for x in (self.post, self.reason) if x)
        return f"{self.name}（{extra}）" if extra else self.name


class AttendanceCount(BaseModel):
    model_config = ConfigDict(frozen=True)

    expected: int = 0
    expected_full: int = 0
    expected_probationary: int = 0
    expected_voting: int = 0
    present: int = 0
    present_full: int = 0
    present_probationary: int = 0
    present_voting: int = 0
    absent_voting_written: int = 0  # absent voters who handed in a written opinion
    unsigned: int = 0  # 未签到: on the sheet, not yet marked either way
    absentees: tuple[str, ...] = ()  # "张三（病假）"
    observers: tuple[str, ...] = ()
    supervisors: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # "王五（自费出国半年以上）"

    @property
    def absent(self) -> int:
        return self.expected - self.present

    @property
    def absent_voting(self) -> int:
        return self.expected_voting - self.present_voting


def count_attendance(entries: Iterable[AttendanceEntry]) -> AttendanceCount:
    """应到/实到 with and without vote; 列席 and 上级指导 are never counted."""
    c: dict[str, int] = dict.fromkeys(
        (
            "expected",
            "expected_full",
            "expected_probationary",
            "expected_voting",
            "present",
            "present_full",
            "present_probationary",
            "present_voting",
            "absent_voting_written",
            "unsigned",
        ),
        0,
    )
    absentees: list[str] = []
    observers: list[str] = []
    supervisors: list[str] = []
    excluded: list[str] = []
    for e in entries:
        if e.state is AttendanceState.OBSERVER:
            observers.append(e.label())
            continue
        if e.state is AttendanceState.SUPERVISOR:
            supervisors.append(e.label())
            continue
        if not e.counts:
            excluded.append(f"{e.name}（{e.excluded_reason}）")
            continue
        groups = ["expected"]
        if e.status is PoliticalStatus.FULL:
            groups.append("expected_full")
        elif e.status is PoliticalStatus.PROBATIONARY:
            groups.append("expected_probationary")
        if e.has_vote:
            groups.append("expected_voting")
        if e.present:
            groups += [g.replace("expected", "present") for g in groups]
        elif e.state is AttendanceState.NOT_SIGNED:
            groups.append("unsigned")
        else:
            absentees.append(e.label())
            if e.has_vote and e.written_opinion:
                groups.append("absent_voting_written")
        for g in groups:
            c[g] += 1
    return AttendanceCount(
        **c,
        absentees=tuple(absentees),
        observers=tuple(observers),
        supervisors=tuple(supervisors),
        excluded=tuple(excluded),
    )


# -- One entry point per rule --------------------------------------------


class VoteOutcome(BaseModel):
    """A vote's quorum check and result under the rule it was taken by."""

    model_config = ConfigDict(frozen=True)

    rule: VoteRule
    quorum: RuleResult
    result: RuleResult

    @property
    def passed(self) -> bool:
        return self.quorum.ok and self.result.ok

    @property
    def explanation(self) -> str:
        if not self.quorum.ok:
            return f"{self.quorum.explanation}；表决无效"
        return self.result.explanation


def meeting_quorum(
    rule: VoteRule, present_voting: int, expected_voting: int, config: RuleConfig | None = None
) -> RuleResult:
    config = config or RuleConfig()
    if rule is VoteRule.COMMITTEE:
        return committee_quorum_ok(present_voting, expected_voting)
    if rule is VoteRule.ELECTION:
        return election_quorum_ok(
            present_voting,
            expected_voting,
            accept_exact_four_fifths=config.election_accept_exact_four_fifths,
        )
    if rule is VoteRule.DEVELOPMENT:
        return admission_quorum_ok(present_voting, expected_voting)
    return quorum_ok(present_voting, expected_voting)


# Rules under which absentees' written opinions are counted.  Elections and
# 支委会 decisions need the voter in the room (no proxy voting).
WRITTEN_OPINIONS_COUNT = frozenset({VoteRule.ASSEMBLY, VoteRule.DEVELOPMENT})


def evaluate_vote(
    rule: VoteRule,
    *,
    yes: int,
    written_yes: int = 0,
    present_voting: int,
    expected_voting: int,
    config: RuleConfig | None = None,
) -> VoteOutcome:
    config = config or RuleConfig()
    written = written_yes if rule in WRITTEN_OPINIONS_COUNT else 0
    quorum = meeting_quorum(rule, present_voting, expected_voting, config)
    if rule is VoteRule.COMMITTEE:
        result = committee_passed(
            yes, present_voting, expected_voting, of_all_members=config.committee_majority_of_all
        )
    elif rule is VoteRule.ELECTION:
        r = elected(yes, present_voting)
        result = RuleResult(
            ok=r.ok,
            explanation=r.explanation.replace("得票过半", "通过").replace("得票未过半", "未通过"),
        )
    elif rule is VoteRule.DEVELOPMENT:
        result = admission_passed(yes, written, expected_voting)
    else:
        result = passed(yes, written, expected_voting)
    return VoteOutcome(rule=rule, quorum=quorum, result=result)
