"""参加情况: who attended a branch's meetings in a period, one member's sign-ins
and rate, and the threshold below which a rate is flagged. (The quarterly
report document is services/export_report.py.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from services.errors import service
from storage.participation import BranchParticipation, SignIn

if TYPE_CHECKING:
    from domain.participation import MemberParticipation, ParticipationConfig
    from domain.people import Person
    from domain.periods import Period
    from storage.db import Store

__all__ = [
    "BranchParticipation",
    "MemberAttendance",
    "SignIn",
    "branch_participation",
    "member_attendance",
    "save_threshold",
    "threshold_config",
]


class MemberAttendance(NamedTuple):
    lines: list[SignIn]  # the member's line in each meeting of the period
    stats: MemberParticipation
    config: ParticipationConfig  # its threshold_percent flags a low rate


@service
def branch_participation(
    store: Store, branch_id: str, period: Period, *, default: ParticipationConfig | None = None
) -> BranchParticipation:
    """Every member of the branch with their counts and rate for *period*.
    *default*: the configuration's [rules.participation], used until the
    threshold is set in the app (threshold_config)."""
    from storage import participation

    config = participation.load_config(store, default)
    return participation.branch_participation(store, branch_id, period, config)


@service
def member_attendance(
    store: Store, person: Person, period: Period, *, default: ParticipationConfig | None = None
) -> MemberAttendance:
    """The member's sign-ins in meetings of their branch and its groups, and
    what they add up to."""
    from storage import participation

    config = participation.load_config(store, default)
    lines = participation.member_sign_ins(store, person, period)
    stats = participation.member_participation(store, person, period, config, lines=lines)
    return MemberAttendance(lines, stats, config)


@service
def threshold_config(
    store: Store, default: ParticipationConfig | None = None
) -> ParticipationConfig:
    """The participation settings set in the app, else *default* (the
    configuration's [rules.participation]), else the built-in defaults."""
    from storage import participation

    return participation.load_config(store, default)


@service
def save_threshold(store: Store, current: ParticipationConfig, percent: int) -> None:
    """Flag rates below *percent* from now on; StorageFailed outside 0–100."""
    from storage import participation

    participation.save_config(store, current.model_copy(update={"threshold_percent": percent}))
