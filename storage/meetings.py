"""Meetings: drafts while running, one record per finished version, and the
action items (决议 / 补学) a finished meeting creates."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from domain import json_fields
from domain.action_items import ActionItem, ActionKind
from domain.meetings import Meeting, MeetingStatus, attendance_summary, make_up_items
from storage import audit, drafts
from storage.action_items import save_action
from storage.db import Store, now_iso
from storage.records import load_document, save_document

WORKFLOW = "meeting"


@dataclass(frozen=True)
class MeetingSummary:
    id: str
    kind: str
    org_id: str
    org_name: str
    date: dt.date
    superseded: bool
    revision: int


# -- drafts (a meeting in progress belongs to whoever is running it) ---------


def save_draft(store: Store, meeting: Meeting) -> None:
    drafts.save(store, WORKFLOW, meeting.id, meeting.model_dump(mode="json"), draft_title(meeting))


def draft_title(meeting: Meeting) -> str:
    return f"{meeting.date.isoformat()} {meeting.org_name} {meeting.kind}"


def load_draft(store: Store, meeting_id: str) -> Meeting | None:
    data = drafts.load(store, WORKFLOW, meeting_id)
    return None if data is None else Meeting.model_validate(data)


# -- finished meetings ------------------------------------------------------


def _index(m: Meeting) -> dict[str, object]:
    return {
        "kind": m.kind.value,
        "org_id": m.org_id,
        "date": m.date,
        "status": m.status.value,
        "supersedes_id": m.supersedes_id,
    }


def save_final(
    store: Store, meeting: Meeting, *, conn: sqlite3.Connection | None = None
) -> Meeting:
    """Store a finished meeting, its action items, and drop the draft — one transaction."""
    if meeting.status is not MeetingStatus.FINISHED:
        raise ValueError("只有已完成的会议才能定稿保存")

    def run(c: sqlite3.Connection) -> Meeting:
        saved = save_document(store, "meetings", meeting, _index(meeting), conn=c)
        if meeting.supersedes_id:
            c.execute("UPDATE meetings SET superseded=1 WHERE id=?", (meeting.supersedes_id,))
            audit.append(c, store.actor, "supersede", "meetings", meeting.supersedes_id, saved.id)
            # The correction's items replace the old version's open ones.
            c.execute(
                "UPDATE action_items SET closed_at=? WHERE meeting_id=? AND closed_at IS NULL",
                (now_iso(), meeting.supersedes_id),
            )
        source = f"{meeting.date.isoformat()} {meeting.kind}（{meeting.org_name}）"
        for d in meeting.decisions:
            item = ActionItem(
                source=source, meeting_id=saved.id, kind=ActionKind.DECISION, text=d.text,
                owner_id=d.owner_id, owner_name=d.owner_name, deadline=d.deadline,
            )  # fmt: skip
            save_action(store, item, conn=c)
        for mu in make_up_items(meeting):
            item = ActionItem(
                source=source, meeting_id=saved.id, kind=ActionKind.MAKE_UP,
                text=f"{meeting.date.isoformat()} {meeting.kind}{mu.absence}，须补学。{mu.content}"[:2000],
                owner_id=mu.person_id, owner_name=mu.name,
                deadline=meeting.date + dt.timedelta(days=30),
            )  # fmt: skip
            save_action(store, item, conn=c)
        if meeting.lecture_id:
            from storage import rota  # the rota entry shows the lecture was given

            a = attendance_summary(meeting)
            rota.mark_given(
                store, meeting.lecture_id, saved.id, f"应到 {a.expected} 人，实到 {a.present} 人",
                given_on=meeting.date, conn=c,
            )  # fmt: skip
        c.execute(
            "DELETE FROM drafts WHERE owner=? AND workflow=? AND key=?",
            (store.actor, WORKFLOW, meeting.id),
        )
        return saved

    if conn is not None:
        return run(conn)
    with store.write() as c:
        return run(c)


def get(store: Store, meeting_id: str) -> Meeting | None:
    row = store.query_one("SELECT * FROM meetings WHERE id=?", (meeting_id,))
    return None if row is None else load_document(row, Meeting)


def list_finished(
    store: Store,
    *,
    org_id: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    include_superseded: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[MeetingSummary]:
    where, params = ["status=?"], [MeetingStatus.FINISHED.value]
    if org_id:
        where.append("org_id=?")
        params.append(org_id)
    if date_from:
        where.append("date>=?")
        params.append(date_from.isoformat())
    if date_to:
        where.append("date<=?")
        params.append(date_to.isoformat())
    if not include_superseded:
        where.append("superseded=0")
    rows = store.query(
        "SELECT id, kind, org_id, date, superseded,"
        f" {json_fields.MEETING.extract('org_name')} AS org_name,"
        f" {json_fields.MEETING.extract('revision')} AS revision"
        f" FROM meetings WHERE {' AND '.join(where)} ORDER BY date DESC, kind LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    return [
        MeetingSummary(
            id=r["id"],
            kind=r["kind"],
            org_id=r["org_id"],
            org_name=r["org_name"] or "",
            date=dt.date.fromisoformat(r["date"]),
            superseded=bool(r["superseded"]),
            revision=int(r["revision"] or 1),
        )  # fmt: skip
        for r in rows
    ]


def count_finished(store: Store, *, org_id: str | None = None) -> int:
    if org_id:
        return int(store.scalar(
            "SELECT count(*) FROM meetings WHERE status=? AND superseded=0 AND org_id=?",
            (MeetingStatus.FINISHED.value, org_id),
        ) or 0)  # fmt: skip
    return int(store.scalar(
        "SELECT count(*) FROM meetings WHERE status=? AND superseded=0", (MeetingStatus.FINISHED.value,)
    ) or 0)  # fmt: skip
