"""党员考核 records: 先锋岗/责任区 承诺, their quarterly review, manual score
adjustments (all audited through storage.records), the 党总支's scoring rules,
and the facts a quarter's score is computed from (docs/ASSESSMENT.md).

The facts come from records other workflows keep:
- sign-in sheets of the branch's finished meetings (storage.participation);
- monthly 党费 rows (storage.dues);
- 党课 the member gave, and 一人一事 talks/visits the member made.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

from domain import json_fields
from domain.assessment import (
    Adjustment,
    AssessmentConfig,
    MemberFacts,
    Pledge,
    PledgeOutcome,
    PledgeReview,
    attendance_facts,
    dues_facts,
    quarter_key,
)
from domain.meeting_kinds import MeetingKind
from domain.meetings import MeetingStatus
from domain.people import Person
from domain.periods import Period
from storage import audit, participation
from storage import dues as dues_store
from storage.db import Store, now_iso
from storage.errors import StorageError
from storage.in_lists import chunks, marks
from storage.records import load_document, save_document
from storage.sql import Connection, savepoint

PLEDGES = "assessment_pledges"
REVIEWS = "assessment_reviews"
ADJUSTMENTS = "assessment_adjustments"
SETTINGS_PREFIX = "assessment:"  # + the 党总支's id


# -- the 党总支's rules ------------------------------------------------------------


def load_config(store: Store, general_id: str | None) -> AssessmentConfig:
    """The 党总支's rules; the defaults when it has set none (or the setting is
    damaged: a bad setting must not hide the scores)."""
    if not general_id:
        return AssessmentConfig()
    raw = store.scalar("SELECT data FROM settings WHERE key=?", (SETTINGS_PREFIX + general_id,))
    if raw is None:
        return AssessmentConfig()
    try:
        return AssessmentConfig.model_validate_json(str(raw))
    except ValueError:
        return AssessmentConfig()


def save_config(store: Store, general_id: str, config: AssessmentConfig) -> None:
    key = SETTINGS_PREFIX + general_id
    now = now_iso()
    with store.write() as c:
        c.execute(
            "INSERT INTO settings(key, data, created_at, updated_at, updated_by, version)"
            " VALUES (?,?,?,?,?,1) ON CONFLICT(key) DO UPDATE SET data=excluded.data,"
            " updated_at=excluded.updated_at, updated_by=excluded.updated_by,"
            " version=settings.version+1",
            (key, config.model_dump_json(), now, now, store.actor),
        )
        audit.append(c, store.actor, "update", "settings", key, "assessment")


# -- pledges and reviews --------------------------------------------------------


def pledges_of(store: Store, branch_id: str) -> dict[str, Pledge]:
    """The branch's pledges by person id."""
    rows = store.query(f"SELECT * FROM {PLEDGES} WHERE branch_id=?", (branch_id,))
    found = [load_document(r, Pledge) for r in rows]
    return {p.person_id: p for p in found}


def save_pledge(store: Store, pledge: Pledge, *, conn: Connection | None = None) -> Pledge:
    try:
        with savepoint(conn, "save_pledge"):  # a caller may carry on after a refusal
            return save_document(
                store,
                PLEDGES,
                pledge,
                {"person_id": pledge.person_id, "branch_id": pledge.branch_id},
                conn=conn,
            )
    except sqlite3.IntegrityError as exc:
        raise StorageError("这名党员已有先锋岗记录，请刷新后修改。") from exc


def reviews_of(store: Store, branch_id: str, quarter: str) -> dict[str, PledgeReview]:
    """The quarter's reviews by pledge id."""
    rows = store.query(
        f"SELECT * FROM {REVIEWS} WHERE branch_id=? AND quarter=?", (branch_id, quarter)
    )
    found = [load_document(r, PledgeReview) for r in rows]
    return {r.pledge_id: r for r in found}


def save_review(
    store: Store, review: PledgeReview, *, conn: Connection | None = None
) -> PledgeReview:
    try:
        with savepoint(conn, "save_review"):  # a caller may carry on after a refusal
            return save_document(
                store,
                REVIEWS,
                review,
                {
                    "pledge_id": review.pledge_id,
                    "person_id": review.person_id,
                    "branch_id": review.branch_id,
                    "quarter": review.quarter,
                },
                conn=conn,
            )
    except sqlite3.IntegrityError as exc:
        raise StorageError("本季度已评过这条承诺，请刷新后修改。") from exc


# -- adjustments ----------------------------------------------------------------


def add_adjustment(
    store: Store, adjustment: Adjustment, *, conn: Connection | None = None
) -> Adjustment:
    """Insert one adjustment (never edited: a correction is another one)."""
    return save_document(
        store,
        ADJUSTMENTS,
        adjustment,
        {
            "person_id": adjustment.person_id,
            "branch_id": adjustment.branch_id,
            "quarter": adjustment.quarter,
            "points": adjustment.points,
            "reason": adjustment.reason,
        },
        conn=conn,
    )


def adjustments_of(store: Store, branch_id: str, quarters: Sequence[str]) -> list[Adjustment]:
    """The branch's adjustments in *quarters*, oldest first."""
    out: list[Adjustment] = []
    for part in chunks(list(quarters)):
        rows = store.query(
            f"SELECT * FROM {ADJUSTMENTS} WHERE branch_id=? AND quarter IN ({marks(part)})"
            " ORDER BY created_at, rowid",
            (branch_id, *part),
        )
        out += [load_document(r, Adjustment) for r in rows]
    return out


# -- facts ----------------------------------------------------------------------

_FINISHED = MeetingStatus.FINISHED.value


def _lectures_given(store: Store, org_ids: Sequence[str], period: Period) -> dict[str, int]:
    lecturer = json_fields.MEETING.extract("lecturer_id", "data")
    out: dict[str, int] = {}
    for part in chunks(list(org_ids)):
        rows = store.query(
            f"SELECT {lecturer} AS pid, count(*) AS n FROM meetings"
            f" WHERE org_id IN ({marks(part)}) AND kind=? AND status=? AND superseded=0"
            f" AND date BETWEEN ? AND ? AND {lecturer} IS NOT NULL GROUP BY pid",
            (
                *part,
                MeetingKind.LECTURE.value,
                _FINISHED,
                period.start.isoformat(),
                period.end.isoformat(),
            ),
        )
        for r in rows:
            out[r["pid"]] = out.get(r["pid"], 0) + int(r["n"])
    return out


def _contacts_made(store: Store, branch_id: str, period: Period) -> dict[str, int]:
    """一人一事 talks and visits per member who made them. Only each contact's
    date and author are looked at: the notes are never read here."""
    rows = store.query(
        f"SELECT {json_fields.FOLLOWUP.extract('contacts')} AS contacts FROM followups"
        " WHERE branch_id=? AND found_on <= ?",
        (branch_id, period.end.isoformat()),
    )
    start, end = period.start.isoformat(), period.end.isoformat()
    out: dict[str, int] = {}
    for r in rows:
        for c in json.loads(r["contacts"] or "[]"):
            by, on = c.get("by_id") or "", str(c.get("on") or "")
            if by and start <= on <= end:
                out[by] = out.get(by, 0) + 1
    return out


def branch_facts(
    store: Store,
    branch_id: str,
    members: Sequence[Person],
    period: Period,
    today: date,
) -> dict[str, MemberFacts]:
    """Each member's facts for the quarter *period* (records up to *today*)."""
    quarter = quarter_key(period)
    org_ids = participation.org_ids_of(store, branch_id)
    lines = participation.sign_ins(store, org_ids, period)
    attend = attendance_facts(r for r in (s.record for s in lines) if r is not None)
    ids = [p.id for p in members]
    paid = dues_facts(dues_store.for_people(store, ids, period.start, period.end), today)
    lectures = _lectures_given(store, org_ids, period)
    contacts = _contacts_made(store, branch_id, period)
    pledges = pledges_of(store, branch_id)
    reviews = reviews_of(store, branch_id, quarter)
    out: dict[str, MemberFacts] = {}
    for p in members:
        pledge = pledges.get(p.id)
        if pledge is None:
            outcome = PledgeOutcome.NONE
        else:
            review = reviews.get(pledge.id)
            outcome = (
                PledgeOutcome.NOT_REVIEWED
                if review is None
                else PledgeOutcome.KEPT
                if review.kept
                else PledgeOutcome.NOT_KEPT
            )
        data: dict[str, Any] = {
            **attend.get(p.id, {}),
            **paid.get(p.id, {}),
            "activities": lectures.get(p.id, 0) + contacts.get(p.id, 0),
            "pledge": outcome,
        }
        out[p.id] = MemberFacts(person_id=p.id, name=p.name, **data)
    return out
