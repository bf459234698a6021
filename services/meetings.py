"""Meetings: start one (from the new-meeting dialog or a rota lecture),
finish it, make a correction, export its minutes.

Drafts stay the screens' business (tui.draft_keeper); everything that reads
or writes the database goes through here.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import NotFound, Refused, service

if TYPE_CHECKING:
    from domain.meeting_kinds import MeetingKind
    from domain.meetings import Meeting
    from domain.org import OrgUnit
    from storage.db import Store


class NotReady(Refused):
    """The meeting cannot be finished yet; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


def _with_secretary_as_chair(store: Store, meeting: Meeting, branch_id: str) -> Meeting:
    from storage import people

    secretary = people.secretary_of(store, branch_id)
    if secretary is None:
        return meeting
    return meeting.model_copy(update={"chair_id": secretary.id, "chair_name": secretary.name})


@service
def start_meeting(store: Store, kind: MeetingKind, unit: OrgUnit, day: date) -> Meeting:
    """A new draft for *unit* (a branch or a party group) on *day*: the
    branch's members expected, its secretary in the chair (except for a
    group meeting, which its group leader chairs). Nothing is saved."""
    from domain.meeting_kinds import MeetingKind
    from domain.meetings import new_meeting
    from domain.org import OrgKind
    from storage import people

    branch_id = (unit.parent_id if unit.kind is OrgKind.GROUP else unit.id) or unit.id
    roster = people.members_of(store, branch_id)
    meeting = new_meeting(kind, unit.id, unit.name, day, people=roster)
    if kind is MeetingKind.GROUP:
        return meeting
    return _with_secretary_as_chair(store, meeting, branch_id)


@service
def start_lecture_meeting(store: Store, lecture_id: str) -> Meeting | str:
    """The 党课 meeting of a rota lecture: the id of the meeting already held
    for it, or a new pre-filled draft (nothing saved)."""
    from domain.meeting_kinds import MeetingKind
    from domain.meetings import new_meeting
    from storage import org, people, rota

    lecture = rota.get_lecture(store, lecture_id)
    if lecture is None:
        raise NotFound("找不到这次党课")
    if lecture.meeting_id:
        return lecture.meeting_id
    lecturer = people.get(store, lecture.lecturer_id) if lecture.lecturer_id else None
    branch = org.get(store, lecturer.branch_id) if lecturer and lecturer.branch_id else None
    if branch is None:
        raise Refused("授课人不在任何支部，无法确定会议所属支部")
    meeting = new_meeting(
        MeetingKind.LECTURE, branch.id, branch.name, lecture.lecture_date,
        people=people.members_of(store, branch.id),
    )  # fmt: skip
    secretary = people.secretary_of(store, branch.id)
    return meeting.model_copy(
        update={
            "topics": [lecture.topic or "党课"],
            "place": lecture.place,
            "lecturer_id": lecturer.id if lecturer else None,
            "lecturer_name": lecture.lecturer_name,
            "lecture_id": lecture.id,
            "title": f"党课：{lecture.topic}" if lecture.topic else "",
            "chair_id": secretary.id if secretary else None,
            "chair_name": secretary.name if secretary else "",
        }
    )


@service
def open_meeting(store: Store, meeting_id: str) -> Meeting:
    from storage import meetings

    meeting = meetings.get(store, meeting_id)
    if meeting is None:
        raise NotFound("找不到这次会议（可能已被删除）")
    return meeting


@service
def finish_meeting(store: Store, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """Lock the meeting with its results computed and save it (its action
    items and the supersede mark of a correction in the same transaction).

    NotReady lists every problem; Refused when it is already finished."""
    from domain.meetings import MeetingNotReady, finish
    from storage import meetings

    if meeting.finished:
        raise Refused("会议已完成")
    try:
        done = finish(meeting, now or dt.datetime.now().replace(microsecond=0))
    except MeetingNotReady as e:
        raise NotReady(e.problems) from e
    return meetings.save_final(store, done)


def start_correction(meeting: Meeting) -> Meeting:
    """A new draft copied from a finished meeting; the original stays."""
    from domain.meetings import correction

    if not meeting.finished:
        raise Refused("草稿可以直接修改")
    return correction(meeting)


def default_export_dir(db_path: Path) -> Path:
    """Where the app writes documents: exports/ beside the database."""
    return Path(db_path).parent / "exports"


def export_meeting(meeting: Meeting, out_dir: Path) -> Path:
    """The minutes of one finished meeting into *out_dir* (created 0700).

    OSError is left to the caller (screens.export_errors words it)."""
    from exports.minutes import export
    from storage.paths import ensure_private_dir

    if not meeting.finished:
        raise Refused("会议完成后才能导出正式记录")
    ensure_private_dir(out_dir)
    return export(meeting, out_dir)
