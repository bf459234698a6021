"""Meetings: drafts while running, one record per finished version, and the
action items (决议 / 补学) a finished meeting creates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain import json_fields
from domain.action_items import ActionItem, ActionKind
from domain.meetings import (
    Meeting,
    MeetingStatus,
    attendance_summary,
    correction,
    make_up_items,
)
from storage import audit, drafts
from storage.action_items import save_action
from storage.db import Store, now_iso
from storage.errors import CorrectionConflict, RecordMissingError
from storage.records import load_document, save_document
from storage.sql import Connection

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
    store: Store,
    meeting: Meeting,
    *,
    conn: Connection | None = None,
    draft: drafts.DraftRef | None = None,
) -> Meeting:
    """Store a finished meeting, its action items, and drop *draft* (the
    finishing session's) — one transaction. Other sessions' drafts stay."""
    if meeting.status is not MeetingStatus.FINISHED:
        raise ValueError("只有已完成的会议才能定稿保存")

    def run(c: Connection) -> Meeting:
        if meeting.supersedes_id:
            _check_correction(c, meeting)
        saved = save_document(store, "meetings", meeting, _index(meeting), conn=c)
        if meeting.supersedes_id:
            c.execute("DELETE FROM corrections WHERE supersedes_id=?", (meeting.supersedes_id,))
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
        drafts.discard_in(c, draft)
        return saved

    if conn is not None:
        return run(conn)
    with store.write() as c:
        return run(c)


# -- corrections (a correction is a new version of a finished record) ---------


def _when(at: str) -> str:
    return at[:16].replace("T", " ")


def _replaced_by(c: Connection, meeting_id: str) -> str:
    """「第2版（张三，2026-12-01 10:00）」 — the version that replaced *meeting_id*."""
    row = c.execute(
        f"SELECT updated_by, updated_at, {json_fields.MEETING.extract('revision')} FROM meetings"
        " WHERE supersedes_id=? ORDER BY superseded, updated_at DESC LIMIT 1",
        (meeting_id,),
    ).fetchone()
    if row is None:
        return "更新的版本"
    return f"第{row[2] or 2}版（{row[0]}，{_when(row[1])}）"


def _check_correction(c: Connection, meeting: Meeting) -> None:
    """Refuse finishing a correction of a replaced version, or someone else's correction."""
    row = c.execute(
        "SELECT superseded FROM meetings WHERE id=?", (meeting.supersedes_id,)
    ).fetchone()
    if row is None:
        raise RecordMissingError("被更正的会议记录已不存在。")
    if row[0]:
        raise CorrectionConflict(
            f"被更正的版本已由{_replaced_by(c, str(meeting.supersedes_id))}更正，"
            "本更正未保存。请在最新版本上重新更正。"
        )
    open_ = c.execute(
        "SELECT draft_id, started_by, started_at FROM corrections WHERE supersedes_id=?",
        (meeting.supersedes_id,),
    ).fetchone()
    if open_ is not None and open_[0] != meeting.id:
        raise CorrectionConflict(
            f"{open_[1]} 已于 {_when(open_[2])} 开始更正这条记录，本更正未保存。"
        )


def start_correction(store: Store, meeting_id: str) -> Meeting:
    """Open a correction of the current finished record *meeting_id*: a new draft
    (saved as the actor's draft) that supersedes it when finished.

    Refused with CorrectionConflict, naming who and when, while another
    correction of the record is open or when the record was already replaced.
    """
    with store.write() as c:
        row = c.execute("SELECT * FROM meetings WHERE id=?", (meeting_id,)).fetchone()
        if row is None:
            raise RecordMissingError("这条会议记录已不存在。")
        cols = [d[0] for d in c.execute("SELECT * FROM meetings LIMIT 0").description]
        record = dict(zip(cols, row, strict=True))
        if record["superseded"]:
            raise CorrectionConflict(
                f"这条记录已由{_replaced_by(c, meeting_id)}更正，请在最新版本上更正。"
            )
        open_ = c.execute(
            "SELECT started_by, started_at FROM corrections WHERE supersedes_id=?", (meeting_id,)
        ).fetchone()
        if open_ is not None:
            raise CorrectionConflict(
                f"{open_[0]} 已于 {_when(open_[1])} 开始更正这条记录；"
                "在其完成或放弃之前不能再次更正。"
            )
        draft = correction(load_document(record, Meeting))
        c.execute(
            "INSERT INTO corrections(supersedes_id, draft_id, base_version, started_by,"
            " started_at) VALUES (?,?,?,?,?)",
            (meeting_id, draft.id, record["version"], store.actor, now_iso()),
        )
        audit.append(c, store.actor, "correct", "meetings", meeting_id, draft.id)
        save_draft(store, draft)  # joins this transaction
    return draft


def abandon_correction(store: Store, draft_id: str) -> None:
    """Give up an open correction: its draft goes and the record may be corrected again."""
    with store.write() as c:
        c.execute("DELETE FROM corrections WHERE draft_id=?", (draft_id,))
        drafts.discard(store, WORKFLOW, draft_id)


def open_correction(store: Store, meeting_id: str) -> tuple[str, str] | None:
    """(who, when) of the open correction of *meeting_id*, or None."""
    row = store.query_one(
        "SELECT started_by, started_at FROM corrections WHERE supersedes_id=?", (meeting_id,)
    )
    return None if row is None else (row["started_by"], _when(row["started_at"]))


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
    # Kept by triggers (migration 16): counting would read every year's meetings.
    from storage import counters

    return counters.count(store, "finished_meetings")
