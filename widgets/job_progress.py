"""A progress bar for long work run in a thread worker: done / total, the
percentage and the time left (Textual's ETA)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from services.progress import Progress


class JobProgress(Horizontal):
    DEFAULT_CSS = """
    JobProgress { height: 1; display: none; }
    JobProgress Label { width: auto; padding: 0 1 0 0; }
    """

    def compose(self) -> ComposeResult:
        yield Label(id="job-label", markup=False)
        yield ProgressBar(show_eta=True, id="job-bar")

    def step(self, label: str, p: Progress) -> None:
        """Called on the app's thread (the worker passes it through call_from_thread)."""
        self.display = p.done < p.total
        self.query_one("#job-label", Label).update(f"{label} {p.done}/{p.total}")
        self.query_one("#job-bar", ProgressBar).update(total=p.total, progress=p.done)
