"""Who is at the keyboard: the OS account and the roster person it is mapped
to (a Viewer), and mapping an account to a person. Light: no models, so a
screen can ask it while it is being built."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.errors import service
from storage.accounts import Viewer

if TYPE_CHECKING:
    from storage.db import Store

__all__ = ["Viewer", "current_viewer", "map_account"]


@service
def current_viewer(store: Store) -> Viewer:
    """The viewer for the account running this process (unmapped: no person)."""
    from storage import accounts

    return accounts.viewer(store)


@service
def map_account(store: Store, os_user: str, person_id: str) -> None:
    """Map *os_user* to *person_id*, audited; StorageFailed when the person is
    already claimed by another account."""
    from storage import accounts

    accounts.map_account(store, os_user, person_id)
