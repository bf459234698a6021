"""Member participation from the sign-in sheets of finished meetings.

The attendance lists live in the meetings' JSON; they are unpacked in SQL
(json_each) for the meetings of one branch and its 党小组 in a date range,
found through meetings_org_date. A 补学 counts as done when the make-up item
the meeting created for that member is closed.

How sign-in states map to domain.participation:
- 出席 / 请假 / 缺席 are counted as they are (应到 = their sum);
- 列席 and 上级指导 are not expected (never lower a rate);
- a member marked excluded (e.g. 停止党籍…) who did not attend is left out of
  应到, as the meeting itself counted it (meeting_rules.AttendanceEntry.counts);
- a 交接班活动 counts 出席 for each member who attended it (storage.sittings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from domain import json_fields
from domain.action_items import ActionKind
from domain.meetings import MeetingStatus
from domain.org import OrgKind
from domain.participation import (
    AttendanceRecord,
    AttendanceState,
    MemberParticipation,
    ParticipationConfig,
    below_threshold,
    summarize,
)
from domain.people import Person
from domain.periods import Period
from storage import audit
from storage import people as people_store
from storage.db import Store, now_iso
from storage.errors import StorageError
from storage.in_lists import chunks, marks

SETTINGS_KEY = "participation"
_FINISHED = MeetingStatus.FINISHED.value
_STATE = {
    s.value: s for s in (AttendanceState.PRESENT, AttendanceState.LEAVE, AttendanceState.ABSENT)
}
_OWES_MAKE_UP = (AttendanceState.LEAVE.value, AttendanceState.ABSENT.value)


# -- settings -------------------------------------------------------------------


def load_config(store: Store, default: ParticipationConfig | None = None) -> ParticipationConfig:
    """The settings saved in the app, else *default* (the configuration
    file's), else the built-in defaults."""
    fallback = default or ParticipationConfig()
    raw = store.scalar("SELECT data FROM settings WHERE key=?", (SETTINGS_KEY,))
    if raw is None:
        return fallback
    try:
        return ParticipationConfig.model_validate_json(str(raw))
    except ValueError:
        return fallback  # a damaged setting must not hide the screen


def save_config(store: Store, config: ParticipationConfig) -> None:
    if not 0 <= config.threshold_percent <= 100:
        raise StorageError("出席率阈值应在 0–100 之间")
    data = config.model_dump_json()
    now = now_iso()
    with store.write() as c:
        c.execute(
            "INSERT INTO settings(key, data, created_at, updated_at, updated_by, version)"
            " VALUES (?,?,?,?,?,1) ON CONFLICT(key) DO UPDATE SET data=excluded.data,"
            " updated_at=excluded.updated_at, updated_by=excluded.updated_by,"
            " version=settings.version+1",
            (SETTINGS_KEY, data, now, now, store.actor),
        )
        audit.append(c, store.actor, "update", "settings", SETTINGS_KEY, "threshold_percent")


# -- reading sign-in sheets -----------------------------------------------------


def org_ids_of(store: Store, branch_id: str) -> list[str]:
    """The branch and its 党小组 (whose meetings its members attend)."""
    rows = store.query(
        "SELECT id FROM org_units WHERE parent_id=? AND kind=? ORDER BY sort_order",
        (branch_id, OrgKind.GROUP.value),
    )
    return [branch_id, *(r["id"] for r in rows)]


@dataclass(frozen=True)
class SignIn:
    """One line of one meeting's sign-in sheet, with the meeting it belongs to."""

    meeting_id: str
    meeting_date: date
    kind: str
    org_id: str
    org_name: str
    title: str
    person_id: str
    name: str
    state: str  # as recorded: 出席/请假/缺席/列席/上级指导
    reason: str
    excluded: bool
    make_up_done: bool
    make_up_owed: bool
    # Same-day order: the meeting's start time, else when it was finished,
    # else the order it was recorded in (rowid).
    when: tuple[str, str, int] = ("", "", 0)

    @property
    def record(self) -> AttendanceRecord | None:
        """The domain record, or None when the line is not part of 应到."""
        state = _STATE.get(self.state)
        if state is None:
            state = AttendanceState.OBSERVER
        elif self.excluded and state is not AttendanceState.PRESENT:
            return None
        return AttendanceRecord(
            person_id=self.person_id,
            meeting_date=self.meeting_date,
            state=state,
            make_up_done=self.make_up_done,
            meeting_id=self.meeting_id,
        )


def sign_ins(
    store: Store,
    org_ids: Sequence[str],
    period: Period,
    *,
    person_id: str | None = None,
) -> list[SignIn]:
    """Sign-in lines of current finished meetings of *org_ids* in *period*,
    newest meeting first."""
    ids = list(dict.fromkeys(org_ids))
    raw: list[dict[str, Any]] = []
    for part in chunks(ids):
        extra, params = "", [*part, period.start.isoformat(), period.end.isoformat(), _FINISHED]
        pid = json_fields.ATTENDANCE.extract("person_id", "a.value")
        if person_id:
            extra = f" AND {pid} = ?"
            params.append(person_id)
        raw += store.query(
            "SELECT m.id AS mid, m.date, m.kind, m.org_id, m.rowid AS seq,"
            f" {json_fields.MEETING.extract('start_time', 'm.data')} AS start_time,"
            f" {json_fields.MEETING.extract('finished_at', 'm.data')} AS finished_at,"
            f" {json_fields.MEETING.extract('org_name', 'm.data')} AS org_name,"
            f" {json_fields.MEETING.extract('title', 'm.data')} AS title,"
            f" {pid} AS pid,"
            f" {json_fields.ATTENDANCE.extract('name', 'a.value')} AS name,"
            f" {json_fields.ATTENDANCE.extract('state', 'a.value')} AS state,"
            f" {json_fields.ATTENDANCE.extract('reason', 'a.value')} AS reason,"
            f" {json_fields.ATTENDANCE.extract('excluded_reason', 'a.value')} AS excluded"
            f" FROM meetings m, json_each(m.data, '{json_fields.MEETING.path('attendance')}') a"
            f" WHERE m.org_id IN ({marks(part)}) AND m.date BETWEEN ? AND ?"
            " AND m.status=? AND m.superseded=0"
            f" AND {pid} IS NOT NULL" + extra,
            tuple(params),
        )
    done = _make_ups_done(store, {r["mid"] for r in raw})
    out = [
        SignIn(
            meeting_id=r["mid"],
            meeting_date=date.fromisoformat(r["date"]),
            kind=r["kind"],
            org_id=r["org_id"],
            org_name=r["org_name"] or "",
            title=r["title"] or "",
            person_id=r["pid"],
            name=r["name"] or "",
            state=r["state"] or AttendanceState.PRESENT.value,
            reason=r["reason"] or "",
            excluded=r["excluded"] is not None,
            make_up_done=(r["mid"], r["pid"]) in done,
            make_up_owed=r["state"] in _OWES_MAKE_UP and r["excluded"] is None,
            when=(r["start_time"] or "", r["finished_at"] or "", r["seq"] or 0),
        )
        for r in raw
    ]
    out += _handover_sign_ins(store, ids, period, person_id)
    out.sort(key=lambda s: (s.meeting_date, s.when), reverse=True)
    return out


def _handover_sign_ins(
    store: Store, org_ids: Sequence[str], period: Period, person_id: str | None
) -> list[SignIn]:
    """A 交接班活动 counts like a meeting for those who attended it (出席);
    nobody owes a 补学 for one (docs/SITTINGS.md)."""
    from storage.sittings import HANDOVER_KIND, handover_lines

    return [
        SignIn(
            meeting_id=h.handover_id,
            meeting_date=h.on,
            kind=HANDOVER_KIND,
            org_id=h.branch_id,
            org_name=h.branch_name,
            title=h.topic,
            person_id=h.person_id,
            name=h.name,
            state=AttendanceState.PRESENT.value,
            reason="",
            excluded=False,
            make_up_done=False,
            make_up_owed=False,
            when=("", h.created_at, 0),
        )
        for h in handover_lines(store, org_ids, period, person_id=person_id)
    ]


def _make_ups_done(store: Store, meeting_ids: Iterable[str]) -> set[tuple[str, str]]:
    """(meeting id, person id) of closed 补学 items of those meetings."""
    ids = sorted(meeting_ids)
    found: set[tuple[str, str]] = set()
    for part in chunks(ids):
        rows = store.query(
            # "+kind": seek each meeting's items (action_items_meeting), not
            # walk every closed 补学 item of every year (action_items_kind_open);
            # SQLite's planner hint only: PostgreSQL has no unary + on text.
            "SELECT meeting_id, owner_id FROM action_items WHERE "
            + ("+kind=?" if store.dialect == "sqlite" else "kind=?")
            + f" AND closed_at IS NOT NULL AND meeting_id IN ({marks(part)})",
            (ActionKind.MAKE_UP.value, *part),
        )
        found |= {(r["meeting_id"], r["owner_id"]) for r in rows}
    return found


def _records(lines: Iterable[SignIn]) -> list[AttendanceRecord]:
    return [r for r in (s.record for s in lines) if r is not None]


# -- per branch / per member ----------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    person: Person
    stats: MemberParticipation
    below: bool  # rate under the threshold


@dataclass(frozen=True)
class BranchParticipation:
    branch_id: str
    period: Period
    config: ParticipationConfig
    rows: list[MemberRow]

    @property
    def below(self) -> list[MemberRow]:
        """Under the threshold, lowest rate first."""
        order = {
            m.person_id: i
            for i, m in enumerate(below_threshold([r.stats for r in self.rows], self.config))
        }
        return sorted(
            (r for r in self.rows if r.person.id in order), key=lambda r: order[r.person.id]
        )

    def total(self, attr: str) -> int:
        return sum(getattr(r.stats, attr) for r in self.rows)

    @property
    def rate(self) -> Fraction | None:
        expected = self.total("expected")
        return Fraction(self.total("present"), expected) if expected else None

    @property
    def rate_label(self) -> str:
        r = self.rate
        return "—" if r is None else f"{float(r * 100):.1f}%"


def branch_participation(
    store: Store,
    branch_id: str,
    period: Period,
    config: ParticipationConfig | None = None,
) -> BranchParticipation:
    """Every current party member of the branch (roster order by pinyin)."""
    config = config or load_config(store)
    members = people_store.members_of(store, branch_id)
    lines = sign_ins(store, org_ids_of(store, branch_id), period)
    stats = summarize(_records(lines), period, [p.id for p in members], config)
    limit = Fraction(config.threshold_percent, 100)
    rows = [
        MemberRow(
            person=p,
            stats=stats[p.id],
            below=(rate := stats[p.id].rate) is not None and rate < limit,
        )
        for p in members
    ]
    return BranchParticipation(branch_id, period, config, rows)


def member_sign_ins(store: Store, person: Person, period: Period) -> list[SignIn]:
    """The member's lines in meetings of their current branch and its groups."""
    if not person.branch_id:
        return []
    return sign_ins(store, org_ids_of(store, person.branch_id), period, person_id=person.id)


def member_participation(
    store: Store,
    person: Person,
    period: Period,
    config: ParticipationConfig | None = None,
    *,
    lines: list[SignIn] | None = None,
) -> MemberParticipation:
    config = config or load_config(store)
    lines = member_sign_ins(store, person, period) if lines is None else lines
    return summarize(_records(lines), period, [person.id], config)[person.id]
