"""Who is acting: the real OS account, never LOGNAME/USER (spoofable).

Under sudo from root the actor names both: ``root(as alice)``. SUDO_UID is
only an environment variable, which root can set by hand, so the audit must
never record the claimed account alone (docs/SECURITY.md#roles-and-grants).
"""

from __future__ import annotations

import os
import pwd
import re
from pathlib import Path

ROOT = "root"
_AS = re.compile(r"^(?P<real>[^()]+)\(as (?P<claimed>[^()]+)\)$")


def _name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def current_actor() -> str:
    uid = os.getuid()
    sudo_uid = os.environ.get("SUDO_UID")
    # Under sudo the real uid is root; SUDO_UID is set by sudo itself and
    # only honoured when we are actually root, and then next to root.
    if uid == 0 and sudo_uid and sudo_uid.isdigit() and int(sudo_uid) != 0:
        return f"{_name(0)}(as {_name(int(sudo_uid))})"
    return _name(uid)


def claimed_account(actor: str) -> str:
    """The account grants are looked up by: 'alice' for 'root(as alice)'."""
    m = _AS.match(actor)
    return m.group("claimed") if m else actor


def is_root(actor: str) -> bool:
    """The process really runs as root (alone or acting for someone)."""
    m = _AS.match(actor)
    return (m.group("real") if m else actor) == _name(0)


def file_owner(path: Path) -> str | None:
    """The account owning *path* (None when it cannot be read)."""
    try:
        return _name(os.stat(path).st_uid)
    except OSError:
        return None
