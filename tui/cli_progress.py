"""The CLI's progress line for long jobs: on stderr, redrawn in place, and
only when stderr is a terminal (a pipe or a log file gets nothing extra)."""

from __future__ import annotations

import sys
from typing import TextIO

from services.progress import Progress, Step


def progress_line(label: str, stream: TextIO | None = None) -> Step | None:
    out = stream if stream is not None else sys.stderr
    try:
        if not out.isatty():
            return None
    except (AttributeError, ValueError):  # closed or not a real stream
        return None

    def step(p: Progress) -> None:
        # \r and clear-to-end redraw one line; the last one ends it.
        out.write("\r" + p.line(label) + "\x1b[K" + ("\n" if p.done >= p.total else ""))
        out.flush()

    return step
