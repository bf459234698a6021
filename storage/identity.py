"""Who is acting: the real OS account, never LOGNAME/USER (spoofable)."""

from __future__ import annotations

import os
import pwd


def current_actor() -> str:
    uid = os.getuid()
    sudo_uid = os.environ.get("SUDO_UID")
    # Under sudo the real uid is root; SUDO_UID is set by sudo itself and
    # only honoured when we are actually root.
    if uid == 0 and sudo_uid and sudo_uid.isdigit():
        uid = int(sudo_uid)
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"
