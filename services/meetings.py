"""Meetings: start one (from the new-meeting dialog or a rota lecture),
finish it, make a correction, export its minutes; list the finished ones;
close the action items (决议, 补学) a meeting leaves behind.

Drafts stay the screens' business (services.draft_keeper); a save takes the
form's draft ref so the draft goes in the same transaction. Everything the
meeting screens read or write in the database goes through here.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import NotFound, Refused, service
from storage.meetings import WORKFLOW, MeetingSummary, draft_title

__all__ = ["WORKFLOW", "MeetingSummary", "draft_title"]

if TYPE_CHECKING:
    from collections.abc import Sequence

    from domain.action_codes import MakeUpMethod
    from domain.action_items import ActionItem
    from domain.development import DevelopmentConfig
    from domain.make_up import MakeUpRecord
    from domain.meeting_kinds import MeetingKind
    from domain.meeting_rules import RuleConfig
    from domain.meetings import Meeting
    from domain.org import OrgUnit
    from domain.problems import Entry
    from storage.db import Store
    from storage.drafts import DraftRef


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
def start_meeting(
    store: Store,
    kind: MeetingKind,
    unit: OrgUnit,
    day: date,
    *,
    rules: RuleConfig | None = None,
) -> Meeting:
    """A new draft for *unit* (a branch or a party group) on *day*: the
    branch's members expected, its secretary in the chair (except for a
    group meeting, which its group leader chairs). Nothing is saved.
    *rules*: the configuration's [rules.meetings], snapshotted on the meeting."""
    from domain.meeting_kinds import MeetingKind
    from domain.meetings import new_meeting
    from domain.org import OrgKind
    from storage import people

    branch_id = (unit.parent_id if unit.kind is OrgKind.GROUP else unit.id) or unit.id
    roster = people.members_of(store, branch_id)
    meeting = new_meeting(kind, unit.id, unit.name, day, people=roster, rule_config=rules)
    if kind is MeetingKind.GROUP:
        return meeting
    return _with_secretary_as_chair(store, meeting, branch_id)


@service
def start_lecture_meeting(
    store: Store, lecture_id: str, *, rules: RuleConfig | None = None
) -> Meeting | str:
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
        people=people.members_of(store, branch.id), rule_config=rules,
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
def finish_meeting(
    store: Store,
    meeting: Meeting,
    now: dt.datetime | None = None,
    *,
    draft: DraftRef | None = None,
    development: DevelopmentConfig | None = None,
) -> Meeting:
    """Lock the meeting with its results computed and save it (its action
    items, the supersede mark of a correction and the discard of *draft* in
    the same transaction). *development*: the configuration's
    [rules.development], for the stage a 接收/转正 meeting records.

    NotReady lists every problem; Refused when it is already finished."""
    from domain.meetings import MeetingNotReady, finish
    from storage import meetings

    if meeting.finished:
        raise Refused("会议已完成")
    from domain.sittings import sitting_problems

    if problems := sitting_problems(meeting):
        raise NotReady(problems)
    try:
        done = finish(meeting, now or dt.datetime.now().replace(microsecond=0))
    except MeetingNotReady as e:
        raise NotReady(e.problems) from e
    from services.development import advance_from_meeting

    with store.write() as c:
        saved = meetings.save_final(store, done, conn=c, draft=draft)
        # 接收/转正: the person's stage advances with the finished meeting, or neither.
        advance_from_meeting(store, saved, c, development)
    return saved


def default_export_dir() -> Path:
    """Where the app writes documents: the one export folder (services.export_folder)."""
    from services.export_folder import default_export_dir as folder

    return folder()


def export_meeting(
    meeting: Meeting, out_dir: Path, make_ups: Sequence[MakeUpRecord] = (), *,
    carried: Sequence[Entry] = (),
) -> Path:  # fmt: skip
    """The minutes of one finished meeting into *out_dir* (created 0700 for
    this account), counting the 补学 in *make_ups* (make_ups_of: read them on
    the caller's thread, before a worker writes the file), printing the
    遗留问题 *carried* on its agenda (services.problems.carried_for).

    OSError is left to the caller (screens.export_errors words it)."""
    from exports.minutes import export
    from services.export_folder import ensure_export_dir

    if not meeting.finished:
        raise Refused("会议完成后才能导出正式记录")
    return export(meeting, ensure_export_dir(out_dir), make_ups, carried=carried)


@service
def make_ups_of(store: Store, meeting_id: str) -> list[MakeUpRecord]:
    """The 补学 recorded so far for the absentees of *meeting_id*."""
    from storage.make_ups import make_ups_for_meeting

    return make_ups_for_meeting(store, meeting_id)


# -- corrections: one open correction per record, locked in the database ------


@service
def correction_in_progress(store: Store, meeting_id: str) -> tuple[str, str] | None:
    """(who, when) of the open correction of *meeting_id*, or None."""
    from storage import meetings

    return meetings.open_correction(store, meeting_id)


@service
def open_correction(store: Store, meeting_id: str) -> Meeting:
    """A correction draft of the finished record *meeting_id*, stored and
    locked so nobody else starts one; Refused (StorageFailed) naming who and
    when while another is open."""
    from storage import meetings

    return meetings.start_correction(store, meeting_id)


@service
def abandon_correction(store: Store, draft_id: str) -> None:
    """Give up an open correction: its draft goes, the record may be corrected again."""
    from storage import meetings

    meetings.abandon_correction(store, draft_id)


@service
def get_meeting(store: Store, meeting_id: str) -> Meeting | None:
    from storage import meetings

    return meetings.get(store, meeting_id)


# -- the list of finished meetings --------------------------------------------


@service
def finished_page(store: Store, *, offset: int, limit: int) -> list[MeetingSummary]:
    """One page of the current finished records, newest first."""
    from storage import meetings

    return meetings.list_finished(store, offset=offset, limit=limit)


@service
def count_finished(store: Store) -> int:
    from storage import meetings

    return meetings.count_finished(store)


# -- action items a finished meeting leaves behind ------------------------------


@service
def get_action_item(store: Store, item_id: str) -> ActionItem | None:
    from storage import action_items

    return action_items.get(store, item_id)


@service
def close_action_item(store: Store, item: ActionItem) -> ActionItem:
    """Mark a 决议 item done (now)."""
    from storage import action_items

    return action_items.close_action(store, item)


@service
def record_make_up(
    store: Store,
    item_id: str,
    *,
    done_on: date,
    method: MakeUpMethod,
    checked_by: str,
    note: str = "",
) -> MakeUpRecord:
    """Record how the 补学 item *item_id* was done, and close it. Refused
    (StorageFailed) for an item that is not an open 补学; the model's
    ValidationError (a date before the meeting) is left to the form."""
    from storage.make_ups import record_make_up as record

    return record(store, item_id, done_on=done_on, method=method, checked_by=checked_by, note=note)
