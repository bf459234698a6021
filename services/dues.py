"""党费: a branch's month as a grid, recorded in one go; a member's year."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from services.errors import Stale, StorageFailed, service
from storage.dues import GridRow

if TYPE_CHECKING:
    from domain.dues import DuesConfig, DuesRecord, MemberArrears
    from storage.db import Store
    from storage.drafts import DraftRef

__all__ = [
    "GridRow", "STALE_HINT", "lacks_base", "member_year", "members_without_base", "month_grid",
    "record_month",
]  # fmt: skip

STALE_HINT = "（本月已有他人保存的记录：按 Ctrl+D 放弃未保存的录入并重新载入）"


def record_month(
    store: Store,
    branch_id: str,
    records: Iterable[DuesRecord],
    *,
    draft: DraftRef | None = None,
) -> list[DuesRecord]:
    """Save a branch's entries for a month: all or nothing (and its *draft*).

    Stale (its message says how to reload) when someone saved this month
    meanwhile, a record changed or a member's month already entered; nothing
    was written then."""
    from storage import dues
    from storage.errors import StaleRecordError, StorageError

    try:
        return dues.save_month(store, branch_id, list(records), draft=draft)
    except StorageError as e:
        msg = str(e)
        if isinstance(e, StaleRecordError) or "冲突" in msg:
            raise Stale(msg + STALE_HINT) from e
        raise StorageFailed(msg) from e


@service
def month_grid(
    store: Store, branch_id: str, month: date, today: date, *, config: DuesConfig | None = None
) -> list[GridRow]:
    """Every member who owes dues to the branch for *month*, with their record
    (saved, or proposed from their latest base and not saved); *config*: the
    configuration's [rules.dues]."""
    from domain.dues import DEFAULT_CONFIG
    from storage import dues

    return dues.month_grid(store, branch_id, month, today, config or DEFAULT_CONFIG)


@service
def member_year(
    store: Store, person_id: str, year: int, today: date
) -> tuple[list[DuesRecord], MemberArrears]:
    """A member's records for the months of *year*, and their arrears today."""
    from storage import dues

    records = dues.for_person(store, person_id, date(year, 1, 1), date(year, 12, 1))
    return records, dues.arrears_of(store, [person_id], today)[person_id]


def members_without_base(store: Store, branch_ids: Sequence[str], month: date) -> list[str]:
    """Names of the members who owe dues in *month* but have no base on record
    (shown 「未设基数」, listed as a problem on 今日 and in the quarterly report)."""
    from storage import dues_home

    return [name for _pid, name, _b in dues_home.no_base(store, list(branch_ids), month)]


def lacks_base(store: Store, person_id: str) -> bool:
    """No record of this person carries a base: 「未设基数」 on the member record."""
    from storage import dues_home

    return not dues_home.has_base(store, person_id)
