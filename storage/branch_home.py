"""The branch's term and size, for the home screen and the branch view: plain
SQL rows, no models (docs/RULES.md#branch-term-and-size)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from domain.branch_rules import (
    DEFAULT_CONFIG,
    BranchRuleConfig,
    Level,
    SizeFinding,
    TermState,
    TermStatus,
    size_findings,
    term_status,
)
from domain.dashboard import DueItem, Urgency
from domain.meeting_kinds import MeetingKind, MeetingStatus
from domain.navigation import Place, go
from domain.org_codes import OrgKind
from domain.people_codes import COMMITTEE_POSTS, PoliticalStatus
from storage.db import Store
from storage.in_lists import marks

TERM_SECTION = "换届"
SIZE_SECTION = "支部设置"


@dataclass(frozen=True)
class BranchFacts:
    branch_id: str
    branch_name: str
    full_members: int
    party_members: int  # 正式 + 预备
    committee: int  # 书记, 副书记, 组织/宣传/纪检委员
    last_election: dt.date | None  # later of the last finished 换届选举 and the date set
    term_years: int | None  # set on the branch (e.g. 5 for a community branch)


@dataclass(frozen=True)
class BranchStatus:
    facts: BranchFacts
    term: TermStatus
    size: list[SizeFinding]


def _date(v: object) -> dt.date | None:
    return dt.date.fromisoformat(str(v)[:10]) if v else None


def facts(store: Store, branch_ids: Sequence[str] | None = None) -> list[BranchFacts]:
    """One row per branch (all, or those given), in the org tree's order."""
    sql = "SELECT id, name FROM org_units WHERE kind=?"
    params: list[object] = [OrgKind.BRANCH.value]
    if branch_ids is not None:
        if not branch_ids:
            return []
        sql += f" AND id IN ({marks(branch_ids)})"
        params += list(branch_ids)
    branches = store.query(sql + " ORDER BY sort_order, name", tuple(params))
    counts = {
        r["branch_id"]: r
        for r in store.query(
            "SELECT branch_id,"
            # CAST: PostgreSQL has no sum(boolean); SQLite's 0/1 is the same.
            " sum(CAST(status = ? AS integer)) AS full,"
            " sum(CAST(status IN (?, ?) AS integer)) AS members,"
            f" sum(CAST(post IN ({marks(list(COMMITTEE_POSTS))}) AS integer)) AS committee"
            " FROM people WHERE branch_id IS NOT NULL GROUP BY branch_id",
            (
                PoliticalStatus.FULL.value,
                PoliticalStatus.FULL.value,
                PoliticalStatus.PROBATIONARY.value,
                *(p.value for p in COMMITTEE_POSTS),
            ),
        )
    }
    elected = {
        r["org_id"]: r["last"]
        for r in store.query(
            "SELECT org_id, max(date) AS last FROM meetings"
            " WHERE kind=? AND status=? AND superseded=0 GROUP BY org_id",
            (MeetingKind.ELECTION.value, MeetingStatus.FINISHED.value),
        )
    }
    terms = {r["branch_id"]: r for r in store.query("SELECT * FROM branch_terms")}
    out = []
    for b in branches:
        c = counts.get(b["id"]) or {}
        t = terms.get(b["id"]) or {}
        dates = [d for d in (_date(elected.get(b["id"])), _date(t.get("last_election_on"))) if d]
        out.append(
            BranchFacts(
                branch_id=b["id"],
                branch_name=b["name"],
                full_members=int(c.get("full") or 0),
                party_members=int(c.get("members") or 0),
                committee=int(c.get("committee") or 0),
                last_election=max(dates) if dates else None,
                term_years=t.get("term_years"),
            )
        )
    return out


def statuses(
    store: Store,
    today: dt.date,
    branch_ids: Sequence[str] | None = None,
    config: BranchRuleConfig = DEFAULT_CONFIG,
) -> list[BranchStatus]:
    return [
        BranchStatus(
            f,
            term_status(f.last_election, today, term_years=f.term_years, config=config),
            size_findings(f.full_members, f.party_members, f.committee, config),
        )
        for f in facts(store, branch_ids)
    ]


def term_line(s: BranchStatus) -> str:
    return f"{s.facts.branch_name}：{s.term.message}"


def home_items(
    store: Store, today: dt.date, config: BranchRuleConfig = DEFAULT_CONFIG
) -> list[DueItem]:
    """换届 due within six months or overdue; size rules a branch breaks."""
    items: list[DueItem] = []
    for s in statuses(store, today, config=config):
        if s.term.state in (TermState.DUE_SOON, TermState.EXPIRED):
            late = s.term.state is TermState.EXPIRED
            items.append(DueItem(
                section=TERM_SECTION, text=term_line(s), due=s.term.due_on,
                urgency=Urgency.OVERDUE if late else Urgency.DUE,
                action=go(Place.BRANCH_STATUS, s.facts.branch_id), branch=s.facts.branch_name,
            ))  # fmt: skip
        for f in s.size:
            if f.level is not Level.OK:
                items.append(DueItem(
                    section=SIZE_SECTION, text=f"{s.facts.branch_name}：{f.text}",
                    urgency=Urgency.DUE if f.level is Level.PROBLEM else Urgency.INFO,
                    action=go(Place.BRANCH_STATUS, s.facts.branch_id), branch=s.facts.branch_name,
                ))  # fmt: skip
    return items


def set_term(
    store: Store, branch_id: str, *, last_election: dt.date | None, term_years: int | None
) -> None:
    with store.write() as c:
        c.execute(
            "INSERT INTO branch_terms(branch_id, last_election_on, term_years) VALUES (?,?,?)"
            " ON CONFLICT(branch_id) DO UPDATE SET"
            " last_election_on=coalesce(excluded.last_election_on, last_election_on),"
            " term_years=coalesce(excluded.term_years, term_years)",
            (branch_id, last_election.isoformat() if last_election else None, term_years),
        )
