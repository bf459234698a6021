"""Who is at the keyboard: the OS account and the roster person it is mapped
to (a Viewer). Light: no models, so a screen can ask it while it is being
built. Mapping an account to a person is granted data: services.identity
(an administrator's grant, or an approved 我是谁 request), never from here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.errors import service
from storage.accounts import Viewer

if TYPE_CHECKING:
    from storage.db import Store

__all__ = ["Viewer", "current_viewer"]


@service
def default_branch(store: Store, ids: list[str]) -> str | None:
    """The branch a per-branch screen opens on: the viewer's own when it is
    among *ids*, else the first."""
    viewer = current_viewer(store)
    if viewer.branch_id in ids:
        return viewer.branch_id
    return ids[0] if ids else None


def current_viewer(store: Store) -> Viewer:
    """The viewer for the account running this process (unmapped: no person).
    On a shared account: the person signed in with their PIN, else nobody."""
    from services import identity
    from storage import accounts, people

    if not identity.is_shared(store):
        return accounts.viewer(store)
    me = identity.acting_roles(store)
    person = people.get(store, me.person_id) if me.person_id else None
    if person is None:
        return Viewer(me.account)
    return Viewer(me.account, person.id, person.name, person.branch_id)
