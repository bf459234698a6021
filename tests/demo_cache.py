"""One demo database per (size, actor) per test session, copied per test.

Building the demo (people, a year of meetings, rota, dues, follow-ups) takes
about a second; copying the finished file takes a millisecond.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

from storage.db import open_store
from storage.demo import build_demo

_TEMPLATES: dict[tuple[int, str, date], Path] = {}


def demo_db(target: Path, *, actor: str, today: date, people_count: int = 120) -> Path:
    """A private copy of the demo database at *target*."""
    key = (people_count, actor, today)
    template = _TEMPLATES.get(key)
    if template is None:
        template = Path(tempfile.mkdtemp(prefix="zhibu-demo-")) / "demo.db"
        store = open_store(template, actor=actor)
        build_demo(store, people_count=people_count, today=today)
        store.close()  # the last connection checkpoints the WAL into the file
        _TEMPLATES[key] = template
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(template, target)
    os.chmod(target, 0o600)
    return target
