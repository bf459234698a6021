"""Repository for 党课轮讲计划 (rota_plans) and the lectures they create.

A confirmed plan is stored whole as JSON (the ``RotaPlan`` with its request,
so a later period can continue the rotation), and confirming it creates one
``Lecture`` per slot in the same transaction. Lectures are documents too:
every review step is one versioned save (a stale save is refused), and the
review events live inside the lecture's JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from domain.courseware import (
    Lecture,
    LectureCategory,
    ReviewCheck,
    ReviewState,
    transition,
)
from domain.org import OrgKind, OrgUnit
from domain.people import Person
from domain.records import Record
from domain.rota import Lecturer, PlanPeriod, RotaPlan
from storage import org, people
from storage.db import Store
from storage.errors import RecordMissingError, StorageError
from storage.records import load_document, save_document
from storage.sql import Connection


class RotaError(StorageError):
    """A plan that cannot be confirmed as it is; the message says why."""


class RotaPlanRecord(Record):
    """A confirmed rota plan of one 党总支 (or branch) for one period."""

    org_id: str
    org_name: str = ""
    plan: RotaPlan

    @property
    def period(self) -> PlanPeriod:
        return self.plan.request.period

    @property
    def title(self) -> str:
        return f"{self.org_name}{self.period.label}党课计划表"


# --- helpers ---------------------------------------------------------------


def _rows(
    c: Connection, sql: str, params: Mapping[str, Any] | tuple[Any, ...] = ()
) -> list[dict[str, Any]]:
    cur = c.execute(sql, params)
    cols = [d[0] for d in cur.description or ()]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _lecture_columns(lec: Lecture) -> dict[str, object]:
    return {"date": lec.lecture_date, "lecturer_id": lec.lecturer_id or None, "state": lec.state}


# --- lecturers and periods -------------------------------------------------


def planning_units(store: Store) -> list[OrgUnit]:
    """Units a rota can be planned for: every 党总支 (the seeds' case) first,
    then the branches (a branch rotating lectures among its committee)."""
    units = org.all_units(store)
    return [u for u in units if u.kind is OrgKind.GENERAL_BRANCH] + [
        u for u in units if u.kind is OrgKind.BRANCH
    ]


def _as_lecturer(person: Person, branch_name: str) -> Lecturer:
    post = person.post.value if person.post else ""
    return Lecturer(id=person.id, name=person.name, branch=branch_name, post=post)


def default_lecturers(store: Store, org_id: str) -> list[Lecturer]:
    """For a 党总支: the secretaries of its branches, in branch order. For a
    branch planning its own rota: its committee."""
    unit = org.get(store, org_id)
    if unit is None:
        return []
    if unit.kind is OrgKind.BRANCH:
        return [_as_lecturer(p, unit.name) for p in people.committee_of(store, unit.id)]
    out: list[Lecturer] = []
    for branch in org.children(store, org_id):
        if branch.kind is not OrgKind.BRANCH:
            continue
        sec = people.secretary_of(store, branch.id)
        if sec is not None:
            out.append(_as_lecturer(sec, branch.name))
    return out


def lecturer_for(store: Store, person: Person) -> Lecturer:
    """A roster person as a lecturer (name, branch and post snapshotted)."""
    branch = org.get(store, person.branch_id) if person.branch_id else None
    return _as_lecturer(person, branch.name if branch else "")


def _sort_key(period: PlanPeriod) -> tuple[int, int]:
    return period.year, period.months()[-1]


def previous_lecturer_ids(store: Store, org_id: str, period: PlanPeriod) -> list[str]:
    """Lecturers of the latest earlier plan of *org_id*, oldest first, so the
    new plan continues the rotation where that one stopped."""
    start = (period.year, period.months()[0])
    earlier = [p for p in list_plans(store, org_id=org_id) if _sort_key(p.period) < start]
    if not earlier:
        return []
    last = max(earlier, key=lambda p: _sort_key(p.period))
    return [s.lecturer_id for s in last.plan.slots if s.lecturer_id]


# --- plans -----------------------------------------------------------------


def overlapping_plan(store: Store, org_id: str, period: PlanPeriod) -> RotaPlanRecord | None:
    """An existing plan of *org_id* sharing a month with *period*, if any."""
    months = set(period.months())
    for p in list_plans(store, org_id=org_id, year=period.year):
        if months & set(p.period.months()):
            return p
    return None


def get_plan(store: Store, plan_id: str) -> RotaPlanRecord | None:
    row = store.query_one("SELECT * FROM rota_plans WHERE id=?", (plan_id,))
    return None if row is None else load_document(row, RotaPlanRecord)


def list_plans(
    store: Store, *, org_id: str | None = None, year: int | None = None, limit: int = 50
) -> list[RotaPlanRecord]:
    """Newest period first."""
    where, params = [], []
    if org_id:
        where.append("org_id = ?")
        params.append(org_id)
    if year is not None:
        where.append("period LIKE ?")  # labels start with "2027年"
        params.append(f"{year}年%")
    sql = "SELECT * FROM rota_plans"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = store.query(sql + " ORDER BY created_at DESC LIMIT ?", (*params, limit))
    plans = [load_document(r, RotaPlanRecord) for r in rows]
    return sorted(plans, key=lambda p: _sort_key(p.period), reverse=True)


def _new_lecture(record: RotaPlanRecord, index: int, *, needs_higher_review: bool) -> Lecture:
    slot = record.plan.slots[index]
    lec = record.plan.request.lecturer(slot.lecturer_id)
    if lec is None:
        raise RotaError(f"{slot.label}（{slot.date.isoformat()}）尚未安排授课人，不能确认计划")
    return Lecture(
        lecture_date=slot.date,
        slot_index=index,
        lecturer_id=lec.id,
        lecturer_name=lec.name,
        lecturer_post=lec.post,
        branch_name=lec.branch,
        category=LectureCategory.CAMPAIGN if slot.themed else LectureCategory.THEORY,
        audience=f"{record.org_name}全体党员" if record.org_name else "全体党员",
        themed=slot.themed,
        needs_higher_review=needs_higher_review,
    )


def confirm_plan(
    store: Store,
    org_id: str,
    plan: RotaPlan,
    *,
    needs_higher_review: bool = True,
    conn: Connection | None = None,
) -> tuple[RotaPlanRecord, list[Lecture]]:
    """Store the plan and create one lecture per slot, all or nothing.

    Refuses (RotaError) a plan with an empty slot, or a plan whose months
    overlap another plan of the same unit. ``needs_higher_review`` defaults on:
    secretaries' lectures are the case for 上级审核 (docs/RULES.md#courseware-review).
    """
    if not plan.slots:
        raise RotaError("计划中没有任何党课，不能确认")

    def run(c: Connection) -> tuple[RotaPlanRecord, list[Lecture]]:
        # Read through the writing connection: the demo builder confirms a
        # plan for units created earlier in the same, uncommitted transaction.
        found = _rows(c, "SELECT name FROM org_units WHERE id=?", (org_id,))
        if not found:
            raise RecordMissingError("找不到所选的组织。")
        record = RotaPlanRecord(org_id=org_id, org_name=found[0]["name"], plan=plan)
        lectures = [
            _new_lecture(record, i, needs_higher_review=needs_higher_review)
            for i in range(len(plan.slots))
        ]
        label = record.period.label
        months = set(record.period.months())
        for row in _rows(
            c,
            "SELECT * FROM rota_plans WHERE org_id=? AND period LIKE ?",
            (org_id, f"{record.period.year}年%"),
        ):
            other = load_document(row, RotaPlanRecord)
            if months & set(other.period.months()):
                raise RotaError(
                    f"{record.org_name}已有{other.period.label}的党课计划，"
                    f"与{label}重叠，未重复创建"
                )
        saved = save_document(
            store, "rota_plans", record, {"org_id": org_id, "period": label}, conn=c
        )
        out = [
            save_document(
                store, "lectures", lec, {"plan_id": saved.id, **_lecture_columns(lec)}, conn=c
            )
            for lec in lectures
        ]
        return saved, out

    if conn is not None:
        return run(conn)
    with store.write() as c:
        return run(c)


# --- lectures --------------------------------------------------------------


def lectures_of_plan(store: Store, plan_id: str, *, limit: int = 200) -> list[Lecture]:
    rows = store.query(
        "SELECT * FROM lectures WHERE plan_id=? ORDER BY date LIMIT ?", (plan_id, limit)
    )
    return [load_document(r, Lecture) for r in rows]


def get_lecture(store: Store, lecture_id: str) -> Lecture | None:
    row = store.query_one("SELECT * FROM lectures WHERE id=?", (lecture_id,))
    return None if row is None else load_document(row, Lecture)


def save_lecture(
    store: Store, lecture: Lecture, *, conn: Connection | None = None
) -> Lecture:
    """Versioned save: refused with StaleRecordError if someone saved first."""
    return save_document(store, "lectures", lecture, _lecture_columns(lecture), conn=conn)


def apply_transition(
    store: Store,
    lecture: Lecture,
    to_state: ReviewState,
    *,
    actor: str,
    at: datetime,
    comment: str = "",
    checklist: Mapping[ReviewCheck | str, bool] | Iterable[ReviewCheck | str] | None = None,
) -> Lecture:
    """One review step (domain.courseware.transition) saved with its event.

    Raises ReviewError (a ValueError with a Chinese message) for an illegal
    step and StorageError when the save is refused; nothing is written then.
    """
    moved = transition(lecture, to_state, actor, at, comment, checklist)
    return save_lecture(store, moved)


def mark_given(
    store: Store,
    lecture_id: str,
    meeting_id: str,
    attendance_text: str,
    *,
    given_on: date | None = None,
    conn: Connection | None = None,
) -> Lecture:
    """Link a held lecture to its 党课 meeting record (workflow 2).

    Loads and saves inside one write transaction (pass ``conn`` to join the
    meeting's own), so it never races a review step.
    """

    def run(c: Connection) -> Lecture:
        found = _rows(c, "SELECT * FROM lectures WHERE id=?", (lecture_id,))
        if not found:
            raise RecordMissingError("找不到这次党课。")
        lec = load_document(found[0], Lecture)
        body = lec.model_dump()
        body.update(
            meeting_id=meeting_id,
            attendance=attendance_text,
            given_on=given_on or lec.lecture_date,
        )
        return save_lecture(store, Lecture.model_validate(body), conn=c)

    if conn is not None:
        return run(conn)
    with store.write() as c:
        return run(c)
