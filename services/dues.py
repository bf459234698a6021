"""党费: record a branch's month in one go."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from services.errors import Stale, StorageFailed

if TYPE_CHECKING:
    from domain.dues import DuesRecord
    from storage.db import Store

STALE_HINT = "（本月已有他人保存的记录：按 Ctrl+D 放弃未保存的录入并重新载入）"


def record_month(store: Store, branch_id: str, records: Iterable[DuesRecord]) -> list[DuesRecord]:
    """Save a branch's entries for a month: all or nothing.

    Stale (its message says how to reload) when someone saved this month
    meanwhile, a record changed or a member's month already entered; nothing
    was written then."""
    from storage import dues
    from storage.errors import StaleRecordError, StorageError

    try:
        return dues.save_month(store, branch_id, list(records))
    except StorageError as e:
        msg = str(e)
        if isinstance(e, StaleRecordError) or "冲突" in msg:
            raise Stale(msg + STALE_HINT) from e
        raise StorageFailed(msg) from e
