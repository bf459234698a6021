"""How far a long job has got: done of total, and the time left.

Services that run long (a year of minutes, a quarter's reports, an import of
thousands of rows) take an optional ``step`` callback and call it with a
Progress after each unit of work; the app draws a progress bar from it and
the CLI a progress line. Pure Python: no Textual, no terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    elapsed: float  # seconds since the job started

    @property
    def remaining(self) -> float | None:
        """Seconds left at the rate so far; None before the first unit."""
        if self.done <= 0 or self.total <= 0:
            return None
        return self.elapsed / self.done * max(self.total - self.done, 0)

    def line(self, label: str) -> str:
        pct = self.done * 100 // self.total if self.total else 100
        left = self.remaining
        tail = "" if left is None or self.done >= self.total else f"，剩余约 {_duration(left)}"
        return f"{label} {self.done}/{self.total}（{pct}%）{tail}"


Step = Callable[[Progress], None]


def _duration(seconds: float) -> str:
    s = max(int(round(seconds)), 1)
    if s < 60:
        return f"{s} 秒"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m} 分 {s} 秒"
    h, m = divmod(m, 60)
    return f"{h} 小时 {m} 分"


class Tracker:
    """Counts units of work and reports each to *step* (a no-op without one)."""

    def __init__(self, total: int, step: Step | None) -> None:
        self.total, self._step = total, step
        self._start = time.monotonic()
        self.done = 0
        if step is not None:
            step(Progress(0, total, 0.0))

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._step is not None:
            self._step(Progress(self.done, self.total, time.monotonic() - self._start))
