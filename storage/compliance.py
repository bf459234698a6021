"""三会一课 compliance from SQL: what domain.compliance.evaluate() needs.

Everything is read with indexed queries scoped to the branches asked for:
org_units (branch, its 党小组), people (secretary, 正式党员 count via
people_branch) and meetings (org_id, date). The home screen asks for a first
page of branches only, never for every branch.

When a branch "exists" from: the date its org_units row was created, or the
date of its earliest finished meeting if that is earlier — a branch that held
a meeting existed then (branches are usually entered into the app long after
they were set up, and past meetings may be typed in afterwards).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Protocol

from domain import json_fields
from domain.compliance import (
    BranchInfo,
    ComplianceConfig,
    ComplianceStatus,
    HeldActivity,
    RequirementResult,
    evaluate,
    slots_for,
    worst_status,
)
from domain.dashboard import DueItem, Urgency
from domain.meeting_kinds import MeetingStatus, home_columns
from domain.navigation import Place, go
from domain.org_codes import OrgKind
from domain.people_codes import COMMITTEE_POSTS, CommitteePost, PoliticalStatus
from domain.periods import Period, month_of, quarter_of
from storage import accounts
from storage.db import Store
from storage.in_lists import chunks, marks

HOME_LIMIT = 8
SECTION = "三会一课"
# Home-screen columns: requirement key -> short header, and the meeting kind a
# user would hold to catch up (from the kinds table).
COLUMNS: tuple[tuple[str, str, str], ...] = tuple(
    (f.key, f.home_column, kind.value) for kind, f in home_columns()
)
HOME_KEYS = frozenset(k for k, _, _ in COLUMNS)
DUE_SOON_DAYS = 14
FINISHED = MeetingStatus.FINISHED.value


# -- what evaluate() needs -----------------------------------------------------


@dataclass(frozen=True)
class BranchFacts:
    """A branch as evaluate() sees it, plus names for messages."""

    info: BranchInfo
    parent_id: str | None = None
    group_names: dict[str, str] = field(default_factory=dict)


def branch_facts(store: Store, branch_ids: Sequence[str]) -> list[BranchFacts]:
    """Facts for *branch_ids*, in the order given (unknown ids are skipped)."""
    ids = list(dict.fromkeys(branch_ids))
    if not ids:
        return []
    units: dict[str, dict[str, Any]] = {}
    groups: dict[str, list[tuple[str, str]]] = {i: [] for i in ids}
    secretary: dict[str, str] = {}
    counts: dict[str, tuple[int, int]] = {}
    first_meeting: dict[str, str] = {}
    committee = ",".join(f"'{p.value}'" for p in COMMITTEE_POSTS)
    for part in chunks(ids):
        m = marks(part)
        for r in store.query(
            f"SELECT id, name, parent_id, created_at FROM org_units WHERE id IN ({m}) AND kind=?",
            (*part, OrgKind.BRANCH.value),
        ):
            units[r["id"]] = r
        for r in store.query(
            f"SELECT id, name, parent_id FROM org_units WHERE parent_id IN ({m}) AND kind=?"
            " ORDER BY sort_order, name",
            (*part, OrgKind.GROUP.value),
        ):
            groups[r["parent_id"]].append((r["id"], r["name"]))
        for r in store.query(
            f"SELECT branch_id, id FROM people WHERE branch_id IN ({m}) AND post=?"
            " ORDER BY sort_key",
            (*part, CommitteePost.SECRETARY.value),
        ):
            secretary.setdefault(r["branch_id"], r["id"])
        for r in store.query(
            # CAST: PostgreSQL has no sum(boolean).
            "SELECT branch_id, sum(CAST(status = ? AS integer)) AS full,"
            f" sum(CAST(post IN ({committee}) AS integer)) AS committee FROM people"
            f" WHERE branch_id IN ({m}) GROUP BY branch_id",
            (PoliticalStatus.FULL.value, *part),
        ):
            counts[r["branch_id"]] = (int(r["full"] or 0), int(r["committee"] or 0))
        for r in store.query(
            # One index seek per branch (meetings_org_status_date); a GROUP BY
            # over the IN list walked every finished meeting of every year.
            "SELECT u.id AS org_id, (SELECT min(m.date) FROM meetings m"
            " WHERE m.org_id = u.id AND m.status=?) AS first"
            f" FROM org_units u WHERE u.id IN ({m})",
            (FINISHED, *part),
        ):
            if r["first"]:  # None: no finished meeting yet
                first_meeting[r["org_id"]] = r["first"]
    out: list[BranchFacts] = []
    for bid in ids:
        u = units.get(bid)
        if u is None:
            continue
        created = date.fromisoformat(str(u["created_at"])[:10])
        if bid in first_meeting:
            created = min(created, date.fromisoformat(first_meeting[bid]))
        full, committee_n = counts.get(bid, (0, 0))
        info = BranchInfo(
            id=bid,
            name=u["name"],
            created_on=created,
            group_ids=[g for g, _ in groups[bid]],
            secretary_id=secretary.get(bid),
            # 条例 第六章: a 支委会 with ≥7 正式党员; a branch that has elected
            # one anyway (≥3 委员 on the roster) is judged as having it.
            has_committee=full >= 7 or committee_n >= 3,
        )
        out.append(BranchFacts(info, u["parent_id"], dict(groups[bid])))
    return out


def activities(
    store: Store, org_ids: Sequence[str], date_from: date, date_to: date
) -> list[HeldActivity]:
    """Current finished meetings of *org_ids* in the range (meetings_org_date)."""
    out: list[HeldActivity] = []
    ids = list(dict.fromkeys(org_ids))
    for part in chunks(ids):
        rows = store.query(
            f"SELECT kind, date, org_id, {json_fields.MEETING.extract('lecturer_id')} AS lecturer"
            f" FROM meetings WHERE org_id IN ({marks(part)}) AND date BETWEEN ? AND ?"
            " AND status=? AND superseded=0",
            (*part, date_from.isoformat(), date_to.isoformat(), FINISHED),
        )
        out += [
            HeldActivity(
                kind=r["kind"],
                held_on=date.fromisoformat(r["date"]),
                org_id=r["org_id"],
                lecturer_id=r["lecturer"],
            )
            for r in rows
        ]
    return out


def judged_range(period: Period, config: ComplianceConfig) -> tuple[date, date]:
    """Every slot is judged whole, so activities are needed over all of them."""
    cadences = {r.cadence for r in config.requirements if r.enabled}
    slots = [s for c in cadences for s in slots_for(period, c)] or [period]
    return min(s.start for s in slots), max(s.end for s in slots)


def evaluate_branches(
    store: Store,
    facts: Sequence[BranchFacts],
    period: Period,
    today: date,
    config: ComplianceConfig | None = None,
) -> dict[str, list[RequirementResult]]:
    """branch id -> evaluate() results, with one meetings query for all of them."""
    config = config or ComplianceConfig()
    start, end = judged_range(period, config)
    org_ids = [i for f in facts for i in (f.info.id, *f.info.group_ids)]
    acts = activities(store, org_ids, start, end)
    by_org: dict[str, list[HeldActivity]] = {}
    for a in acts:
        by_org.setdefault(a.org_id, []).append(a)
    out: dict[str, list[RequirementResult]] = {}
    for f in facts:
        own = [a for o in (f.info.id, *f.info.group_ids) for a in by_org.get(o, [])]
        if not config.secretary_lecture_own_branch_only:
            own = acts
        out[f.info.id] = evaluate(f.info, own, period, today, config)
    return out


def evaluate_branch(
    store: Store,
    branch_id: str,
    period: Period,
    today: date,
    config: ComplianceConfig | None = None,
) -> list[RequirementResult]:
    facts = branch_facts(store, [branch_id])
    if not facts:
        return []
    return evaluate_branches(store, facts, period, today, config)[branch_id]


# -- the home table ------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceCell:
    """One activity of one branch over the window (quarter to date)."""

    key: str
    label: str
    kind: str
    held: int  # slots met so far (per 党小组 for 小组会)
    required: int  # slots required so far
    overdue: int  # slots already ended short
    status: ComplianceStatus
    next_due: date | None = None
    missed: tuple[str, ...] = ()  # e.g. ("10月",) or ("注水班党小组 10月",)
    missed_org_ids: tuple[str, ...] = ()  # where the overdue meetings were due
    pending_org_ids: tuple[str, ...] = ()  # where a current slot is still short
    note: str = ""
    meetings: int = 0  # meetings counted over the judged slots (two in one month count once)
    beyond_window: bool = False  # a slot (the year, for yearly ones) is wider than the window

    @property
    def text(self) -> str:
        """'2/2', '✗1/2' (an ended slot is short), '-' (nothing required)."""
        if self.required == 0:
            return "-"
        return f"{'✗' if self.overdue else ''}{self.held}/{self.required}"


@dataclass(frozen=True)
class ComplianceRow:
    branch_id: str
    branch_name: str
    window: Period  # quarter start .. end of this month
    cells: tuple[ComplianceCell, ...]

    @property
    def overdue(self) -> bool:
        return any(c.overdue for c in self.cells)

    def cell(self, key: str) -> ComplianceCell:
        return next(c for c in self.cells if c.key == key)


def home_window(today: date) -> Period:
    """This quarter up to the end of this month: monthly activities count the
    quarter's months so far, quarterly ones this quarter."""
    q, m = quarter_of(today), month_of(today)
    return Period.between(q.start, m.end, label=f"{q.label}（至{today.month}月）")


def _slot_label(p: Period) -> str:
    if p.start.month == p.end.month and p.start.year == p.end.year:
        return f"{p.start.month}月"
    return p.label


def to_cell(results: Sequence[RequirementResult], label: str, kind: str,
            group_names: dict[str, str], window: Period | None = None) -> ComplianceCell:  # fmt: skip
    """Fold one requirement's results (one per 党小组 for 小组会) into a cell.

    已开 counts slots met, never meetings: two 支委会 in September do not make
    up for none in July, so a cell never reads 3/3 with a month overdue."""
    held = required = overdue = meetings = 0
    beyond = False
    missed: list[str] = []
    missed_orgs: list[str] = []
    pending_orgs: list[str] = []
    statuses: set[ComplianceStatus] = set()
    pending: list[date] = []
    notes = {r.note for r in results if r.note}
    for r in results:
        statuses.add(r.status)
        if r.next_due:
            pending.append(r.next_due)
        for s in r.slots:
            if not s.required:
                continue
            meetings += s.held
            if window is not None and (s.period.start < window.start or s.period.end > window.end):
                beyond = True
            required += s.required
            held += min(s.held, s.required)
            if s.status is ComplianceStatus.OVERDUE:
                overdue += 1
                where = group_names.get(r.org_id, "")
                missed.append(f"{where} {_slot_label(s.period)}".strip())
                if r.org_id not in missed_orgs:
                    missed_orgs.append(r.org_id)
            elif s.status is ComplianceStatus.DUE and r.org_id not in pending_orgs:
                pending_orgs.append(r.org_id)
    status = worst_status(statuses)
    key = results[0].key if results else ""
    return ComplianceCell(
        key=key, label=label, kind=kind, held=held, required=required, overdue=overdue,
        status=status, next_due=min(pending) if pending else None, missed=tuple(missed),
        missed_org_ids=tuple(missed_orgs), pending_org_ids=tuple(pending_orgs), note="；".join(sorted(notes)),
        meetings=meetings, beyond_window=beyond,
    )  # fmt: skip


def branch_cells(
    store: Store,
    facts: Sequence[BranchFacts],
    period: Period,
    today: date,
    config: ComplianceConfig | None = None,
) -> dict[str, list[ComplianceCell]]:
    """branch id -> one cell per enabled requirement, in report order.

    The one computation of 三会一课 figures: the home table (rows_for), the
    quarterly report and `zhibu export report` all read these cells, so the
    same branch and quarter read the same everywhere."""
    config = config or ComplianceConfig()
    results = evaluate_branches(store, facts, period, today, config)
    out: dict[str, list[ComplianceCell]] = {}
    for f in facts:
        res = results[f.info.id]
        cells: list[ComplianceCell] = []
        for req in config.requirements:
            if not req.enabled:
                continue
            mine = [r for r in res if r.key == req.key]
            if mine:
                cells.append(to_cell(mine, req.label, req.kind, f.group_names, period))
            else:  # a per-group requirement of a branch without 党小组
                cells.append(ComplianceCell(
                    key=req.key, label=req.label, kind=req.kind, held=0, required=0, overdue=0,
                    status=ComplianceStatus.NOT_REQUIRED,
                    note="未设党小组" if req.per_group else "",
                ))  # fmt: skip
        out[f.info.id] = cells
    return out


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def text(self) -> str: ...


def cells_line(cells: Sequence[_Keyed]) -> str:
    """「支委会 ✗2/3，小组会 9/9，…」: the home columns as one line (CLI output),
    from cells or the report lines made from them."""
    by_key = {c.key: c for c in cells}
    return "，".join(f"{short} {by_key[key].text}" for key, short, _ in COLUMNS if key in by_key)


def rows_for(
    store: Store,
    branch_ids: Sequence[str],
    today: date,
    config: ComplianceConfig | None = None,
) -> list[ComplianceRow]:
    """Home-table rows for *branch_ids* (in that order)."""
    config = config or ComplianceConfig()
    home_config = replace(
        config, requirements=[r for r in config.requirements if r.key in HOME_KEYS]
    )
    window = home_window(today)
    facts = branch_facts(store, branch_ids)
    by_branch = branch_cells(store, facts, window, today, home_config)
    rows: list[ComplianceRow] = []
    for f in facts:
        by_key = {c.key: c for c in by_branch[f.info.id]}
        cells = [
            replace(by_key[key], label=label, kind=kind) if key in by_key else ComplianceCell(
                key=key, label=label, kind=kind, held=0, required=0, overdue=0,
                status=ComplianceStatus.NOT_REQUIRED,
            )
            for key, label, kind in COLUMNS
        ]  # fmt: skip
        rows.append(ComplianceRow(f.info.id, f.info.name, window, tuple(cells)))
    return rows


def home_branch_ids(
    store: Store, *, limit: int = HOME_LIMIT, os_user: str | None = None
) -> list[str]:
    """The branches the home screen shows: the viewer's own branch first (when
    their OS account is mapped to a person) and its sibling branches, else the
    first *limit* branches in tree order."""
    viewer = accounts.viewer(store, os_user)
    own = viewer.branch_id if viewer.mapped else None
    if own:
        parent = store.scalar("SELECT parent_id FROM org_units WHERE id=?", (own,))
        rows = store.query(
            "SELECT id FROM org_units WHERE kind=? AND parent_id IS NOT DISTINCT FROM ? AND id<>?"
            " ORDER BY sort_order, name LIMIT ?",
            (OrgKind.BRANCH.value, parent, own, max(limit - 1, 0)),
        )
        return [own, *(r["id"] for r in rows)][:limit]
    rows = store.query(
        "SELECT id FROM org_units WHERE kind=? ORDER BY sort_order, name LIMIT ?",
        (OrgKind.BRANCH.value, limit),
    )
    return [r["id"] for r in rows]


def home_table(
    store: Store, today: date, *, limit: int = HOME_LIMIT, os_user: str | None = None
) -> list[ComplianceRow]:
    """Per branch, this quarter so far: held/required per activity, overdue marked.

    Capped at *limit* branches (see home_branch_ids): the home screen never
    evaluates every branch.
    """
    return rows_for(store, home_branch_ids(store, limit=limit, os_user=os_user), today)


def home_items(
    store: Store, today: date, *, rows: list[ComplianceRow] | None = None
) -> list[DueItem]:
    """今日 lines, at most two per branch: what is already overdue this
    quarter, and what is still short with its slot ending within two weeks.
    Enter starts the first missing meeting. *rows*: home_table's result, when
    the caller has it already (the home screen shows both)."""
    items: list[DueItem] = []
    for row in home_table(store, today) if rows is None else rows:
        late = [c for c in row.cells if c.overdue]
        if late:
            first = late[0]
            org = first.missed_org_ids[0] if first.missed_org_ids else row.branch_id
            what = "；".join(f"{c.label}（{'、'.join(c.missed[:3])}{'等' if len(c.missed) > 3 else ''}）"
                            for c in late)  # fmt: skip
            items.append(DueItem(
                section=SECTION, text=f"{row.branch_name}：{what}未开，已逾期",
                due=row.window.start, urgency=Urgency.OVERDUE,
                action=go(Place.NEW_MEETING, str(first.kind), org), branch=row.branch_name,
            ))  # fmt: skip
        soon = [
            c
            for c in row.cells
            if not c.overdue
            and c.status is ComplianceStatus.DUE
            and c.next_due is not None
            and c.next_due - today <= timedelta(days=DUE_SOON_DAYS)
        ]
        if soon:
            first = soon[0]
            org = first.pending_org_ids[0] if first.pending_org_ids else row.branch_id
            due = min(c.next_due for c in soon if c.next_due)
            items.append(DueItem(
                section=SECTION,
                text=f"{row.branch_name}：{'、'.join(c.label for c in soon)}尚未召开（{due:%m-%d} 前）",
                due=due, urgency=Urgency.DUE,
                action=go(Place.NEW_MEETING, str(first.kind), org), branch=row.branch_name,
            ))  # fmt: skip
    return items
