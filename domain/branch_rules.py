"""The branch's term (换届) and size rules (docs/RULES.md#branch-term-and-size).

Plain dataclasses, no pydantic: the home screen reads these before the
workflow models load. The numbers are the 条例's, but the term length depends
on the kind of branch and the size limits are "generally", so all of them are
configuration (``BranchRuleConfig``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.dates import add_months


@dataclass(frozen=True)
class BranchRuleConfig:
    term_years: int = 3  # other grassroots branches, enterprises included
    long_term_years: int = 5  # village / community branches, where configured
    warn_months: int = 6  # 换届 is announced on home this long before the term ends
    min_full_members: int = 3  # fewer: a 联合党支部
    max_members: int = 50  # more: advise splitting
    committee_required_from: int = 7  # 正式党员 from which a 支委会 is required
    committee_min: int = 3
    committee_usual_max: int = 5
    committee_max: int = 7


DEFAULT_CONFIG = BranchRuleConfig()




class TermState(StrEnum):
    UNKNOWN = "未记录换届"
    IN_TERM = "任期内"
    DUE_SOON = "即将届满"
    EXPIRED = "已届满"


@dataclass(frozen=True)
class TermStatus:
    state: TermState
    last_election: date | None
    term_years: int
    due_on: date | None  # the day the term ends: 换届 is due from then
    warn_from: date | None

    @property
    def message(self) -> str:
        if self.last_election is None or self.due_on is None:
            return "未记录上次换届选举日期（完成换届选举会议，或用 zhibu branch term 填写）"
        base = f"上次换届 {self.last_election.isoformat()}，任期 {self.term_years} 年"
        if self.state is TermState.EXPIRED:
            return f"{base}，已于 {self.due_on.isoformat()} 届满，应按期换届（延期须报上级批准）"
        if self.state is TermState.DUE_SOON:
            return f"{base}，将于 {self.due_on.isoformat()} 届满，请准备换届选举"
        return f"{base}，{self.due_on.isoformat()} 届满"


def term_status(
    last_election: date | None,
    today: date,
    *,
    term_years: int | None = None,
    config: BranchRuleConfig = DEFAULT_CONFIG,
) -> TermStatus:
    """Where the branch is in its term; warned from ``warn_months`` before the end."""
    years = term_years or config.term_years
    if last_election is None:
        return TermStatus(TermState.UNKNOWN, None, years, None, None)
    due = add_months(last_election, 12 * years)
    warn = add_months(due, -config.warn_months)
    if today >= due:
        state = TermState.EXPIRED
    elif today >= warn:
        state = TermState.DUE_SOON
    else:
        state = TermState.IN_TERM
    return TermStatus(state, last_election, years, due, warn)


class Level(StrEnum):
    PROBLEM = "不符合"
    ADVICE = "建议"
    OK = "符合"


@dataclass(frozen=True)
class SizeFinding:
    level: Level
    text: str


def size_findings(
    full_members: int,
    party_members: int,
    committee: int,
    config: BranchRuleConfig = DEFAULT_CONFIG,
) -> list[SizeFinding]:
    """The size rules, each as a finding; ``committee`` counts 书记 and the 委员.

    *party_members* counts 正式 and 预备党员 (the ≤50 rule is about members).
    """
    c = config
    out: list[SizeFinding] = []
    if full_members < c.min_full_members:
        out.append(SizeFinding(
            Level.PROBLEM,
            f"正式党员 {full_members} 名，不足 {c.min_full_members} 名，"
            "不能单独成立党支部，应与邻近单位成立联合党支部",
        ))  # fmt: skip
    if party_members > c.max_members:
        out.append(SizeFinding(
            Level.ADVICE,
            f"党员 {party_members} 名，超过 {c.max_members} 名，建议分设党支部",
        ))  # fmt: skip
    needs = full_members >= c.committee_required_from
    if needs and committee < c.committee_min:
        out.append(SizeFinding(
            Level.PROBLEM,
            f"正式党员 {full_members} 名（{c.committee_required_from} 名及以上），应设立支部委员会"
            f"（{c.committee_min}–{c.committee_usual_max} 人），现有委员 {committee} 名",
        ))  # fmt: skip
    if committee > c.committee_max:
        out.append(SizeFinding(
            Level.PROBLEM,
            f"支委会 {committee} 人，超过 {c.committee_max} 人",
        ))  # fmt: skip
    elif committee > c.committee_usual_max:
        out.append(SizeFinding(
            Level.ADVICE,
            f"支委会 {committee} 人，一般为 {c.committee_min}–{c.committee_usual_max} 人"
            f"（最多 {c.committee_max} 人）",
        ))  # fmt: skip
    if not out:
        out.append(SizeFinding(
            Level.OK,
            f"正式党员 {full_members} 名，党员 {party_members} 名，"
            + (f"支委会 {committee} 人" if needs else "可只设书记（必要时设副书记）"),
        ))  # fmt: skip
    return out
