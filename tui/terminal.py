"""Terminal robustness patches applied before the app runs (Textual 8.2.8, pinned).

Three failure modes of an SSH session that Textual leaves to the app:

* a client set to GBK sends bytes that are not UTF-8, and Textual's strict
  decoder ends the app (Textual #6456; docs/ARCHITECTURE.md#text-and-terminal);
* after an SSH hang-up, writing to the dead terminal raises EIO in Textual's
  output thread; the thread dies, its queue fills, and the app hangs on exit
  until the hang-up watchdog kills it (seen as a flaky hang-up test);
* control characters in text that reaches the screen some other way than
  widgets.safe (a database path in the header, a restored draft in an Input)
  go to the terminal as they are: OSC 52 writes the clipboard, OSC 0 the
  title.
"""

from __future__ import annotations

import os
import re
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

# C0 controls (all of them: a strip is one screen line, it never needs \t\n\r),
# DEL, C1, and bidi overrides/isolates. Textual's own escape sequences are
# added around segment text by Strip.render, never inside it.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_applied: set[str] = set()


def harden_terminal() -> None:
    """Apply every patch below; idempotent. Call once before App.run()."""
    _tolerate_non_utf8_input()
    _survive_dead_terminal()
    _neutralise_output_controls()


def _tolerate_non_utf8_input() -> None:
    """Decode client input with replacement instead of crashing on bad UTF-8."""
    if "utf8" in _applied:
        return
    import codecs
    import functools

    import textual.drivers.linux_driver as linux_driver

    linux_driver.getincrementaldecoder = lambda enc: functools.partial(
        codecs.getincrementaldecoder(enc), errors="replace"
    )
    _applied.add("utf8")


def _survive_dead_terminal() -> None:
    """Keep Textual's output thread draining its queue when the terminal is gone.

    The stock thread has no error handling: on EIO it dies, the next 30 writes
    fill its queue, and WriterThread.stop() blocks forever in queue.put(). Here
    the first OSError points stdout (and stderr, if it is the same terminal)
    at /dev/null, so the rest of the shutdown, and the interpreter's final
    flush, write into the void instead of failing (exit code 120) or hanging.
    """
    if "writer" in _applied:
        return
    from textual.drivers._writer_thread import WriterThread

    def run(self: WriterThread) -> None:
        file = self._file  # noqa: SLF001 - pinned Textual
        get = self._queue.get  # noqa: SLF001
        qsize = self._queue.qsize  # noqa: SLF001
        broken = False
        while True:
            text = get()
            if text is None:
                break
            if broken:
                continue
            try:
                file.write(text)
                if qsize() == 0:
                    file.flush()
            except OSError:
                broken = True
                _silence(file)
        try:
            file.flush()
        except OSError:
            _silence(file)

    WriterThread.run = run  # type: ignore[method-assign]  # deliberate monkeypatch (docstring)
    _applied.add("writer")


def _silence(file: IO[str]) -> None:
    """Point the dead terminal's descriptors at /dev/null."""
    try:
        fd = file.fileno()
        dead = os.fstat(fd)
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        targets = {fd}
        for other in (1, 2):
            try:
                if other != fd and os.path.samestat(dead, os.fstat(other)):
                    targets.add(other)
            except OSError:
                pass
        for target in targets:
            os.dup2(devnull, target)
    finally:
        os.close(devnull)


def _neutralise_output_controls() -> None:
    """Strip control characters from segment text as strips become terminal output.

    Every screen update goes through Strip.render(); text shown via
    widgets.safe is already clean, this catches whatever is not (defence in
    depth: no ESC byte from data ever reaches the terminal).
    """
    if "output" in _applied:
        return
    from rich.color import ColorSystem
    from textual.strip import Strip

    def render(self: Strip, console: Console) -> str:
        if self._render_cache is None:  # noqa: SLF001 - mirrors Strip.render in 8.2.8
            color_system = console._color_system or ColorSystem.TRUECOLOR  # noqa: SLF001
            render_style = self.render_style
            sub = _CONTROLS.sub
            self._render_cache = "".join(  # noqa: SLF001
                [
                    (
                        sub("", text)
                        if style is None
                        else render_style(style, sub("", text), color_system=color_system)
                    )
                    for text, style, _ in self._segments  # noqa: SLF001
                ]
            )
        return self._render_cache  # noqa: SLF001

    render.__doc__ = Strip.render.__doc__
    Strip.render = render  # type: ignore[method-assign]  # deliberate monkeypatch (docstring)
    _applied.add("output")
