"""What the quarterly report adds to the 三会一课 table: how decisions, make-ups
and 一人一事 are carried through, and the 党课 held with their lecturers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain import json_fields
from domain.action_items import ActionKind
from domain.compliance import PARTY_LECTURE
from domain.followups import OPEN_STATUSES
from domain.periods import Period
from storage.compliance import FINISHED, branch_facts
from storage.db import Store
from storage.in_lists import chunks, marks


@dataclass(frozen=True)
class FollowThrough:
    """How decisions, make-ups and 一人一事 are being carried through."""

    decisions_new: int  # decisions of the period's meetings
    decisions_open: int  # still open now, from meetings up to the period end
    decisions_overdue: int  # of those, past their deadline
    make_ups_open: int  # 补学 not yet done, from meetings up to the period end
    followups_open: int  # 一人一事 not yet closed (found by the period end)
    followups_new: int  # found in the period
    make_ups_done: int = 0  # 补学 recorded as done in the period


def follow_through(store: Store, branch_id: str, period: Period, today: date) -> FollowThrough:
    facts = branch_facts(store, [branch_id])
    orgs = [branch_id, *(facts[0].info.group_ids if facts else [])]
    m = marks(orgs)
    base = (
        "SELECT count(*) FROM action_items a JOIN meetings m ON m.id = a.meeting_id"
        f" WHERE m.org_id IN ({m}) AND m.superseded=0 AND a.kind=?"
    )
    start, end = period.start.isoformat(), period.end.isoformat()
    decision, make_up = ActionKind.DECISION.value, ActionKind.MAKE_UP.value

    def count(sql: str, params: tuple[object, ...]) -> int:
        return int(store.scalar(sql, params) or 0)

    open_sql = ",".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))
    return FollowThrough(
        # "+a.kind": not through action_items_kind_open (every decision of every
        # year) but from this period's meetings, by action_items_meeting.
        decisions_new=count(
            base.replace("a.kind=?", "+a.kind=?") + " AND m.date BETWEEN ? AND ?",
            (*orgs, decision, start, end),
        ),
        decisions_open=count(
            base + " AND a.closed_at IS NULL AND m.date <= ?", (*orgs, decision, end)
        ),
        decisions_overdue=count(
            base + " AND a.closed_at IS NULL AND m.date <= ? AND a.deadline < ?",
            (*orgs, decision, end, today.isoformat()),
        ),
        make_ups_open=count(
            base + " AND a.closed_at IS NULL AND m.date <= ?", (*orgs, make_up, end)
        ),
        followups_open=count(
            f"SELECT count(*) FROM followups WHERE branch_id=? AND status IN ({open_sql})"
            " AND found_on <= ?",
            (branch_id, end),
        ),
        followups_new=count(
            "SELECT count(*) FROM followups WHERE branch_id=? AND found_on BETWEEN ? AND ?",
            (branch_id, start, end),
        ),
        make_ups_done=count(
            "SELECT count(*) FROM make_ups u JOIN meetings m ON m.id = u.meeting_id"
            f" WHERE m.org_id IN ({m}) AND u.done_on BETWEEN ? AND ?",
            (*orgs, start, end),
        ),
    )


@dataclass(frozen=True)
class LectureHeld:
    held_on: date
    org_name: str
    title: str
    lecturer_id: str | None
    lecturer_name: str


def lectures(store: Store, org_ids: Sequence[str], period: Period) -> list[LectureHeld]:
    """党课 held by *org_ids* in the period, oldest first, with the lecturer."""
    out: list[LectureHeld] = []
    ids = list(dict.fromkeys(org_ids))
    for part in chunks(ids):
        rows = store.query(
            f"SELECT date, {json_fields.MEETING.extract('org_name')} AS org_name,"
            f" {json_fields.MEETING.extract('title')} AS title,"
            f" {json_fields.MEETING.extract('topics[0]')} AS topic,"
            f" {json_fields.MEETING.extract('lecturer_id')} AS lecturer_id,"
            f" {json_fields.MEETING.extract('lecturer_name')} AS lecturer_name"
            f" FROM meetings WHERE org_id IN ({marks(part)}) AND kind=? AND date BETWEEN ? AND ?"
            " AND status=? AND superseded=0",
            (*part, PARTY_LECTURE, period.start.isoformat(), period.end.isoformat(), FINISHED),
        )
        out += [
            LectureHeld(
                held_on=date.fromisoformat(r["date"]),
                org_name=r["org_name"] or "",
                title=r["topic"] or r["title"] or "",
                lecturer_id=r["lecturer_id"],
                lecturer_name=r["lecturer_name"] or "",
            )
            for r in rows
        ]
    return sorted(out, key=lambda x: (x.held_on, x.org_name))
