"""A program in a real pty, read through a VT emulator, with every byte counted.

"On screen" means on the pyte screen, i.e. what a person at an SSH terminal
would see; the byte counter is what would cross the SSH link.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable, Sequence

import pexpect
import pyte

KEYS = {
    "enter": "\r",
    "tab": "\t",
    "escape": "\x1b",
    "backspace": "\x7f",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "pagedown": "\x1b[6~",
    "pageup": "\x1b[5~",
    "space": " ",
    "slash": "/",
}


class ScreenTimeout(RuntimeError):
    """The awaited text never reached the screen; carries the screen for the report."""

    def __init__(self, what: str, screen: str) -> None:
        super().__init__(f"not on screen: {what}\n{screen}")
        self.screen = screen


def key_bytes(key: str) -> str:
    if key in KEYS:
        return KEYS[key]
    m = re.fullmatch(r"ctrl\+([a-z])", key)
    if m:
        return chr(ord(m.group(1)) - 96)
    if len(key) == 1:
        return key
    raise ValueError(f"unknown key: {key}")


def squash(text: str) -> str:
    """Drop spaces: pyte leaves "" after a wide character, Textual pads with spaces."""
    return text.replace(" ", "")


class Term:
    def __init__(self, cmd: Sequence[str], *, cols: int = 80, rows: int = 24) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        # PYTHONDONTWRITEBYTECODE (set in some shells and CI images) would make
        # every run compile the changed modules from source; an installed zhibu
        # runs from .pyc files, and the warm-up run is there to write them.
        drop = ("TEXTUAL", "COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        self.bytes_in = 0  # bytes the program wrote to the terminal
        self.started = time.perf_counter()
        self.child = pexpect.spawn(cmd[0], list(cmd[1:]), dimensions=(rows, cols), env=env)
        self.child.delaybeforesend = None  # pexpect sleeps 50 ms before each send by default
        self._flat = ""
        self._dirty = True

    @property
    def pid(self) -> int:
        return self.child.pid

    # -- reading -----------------------------------------------------------
    def pump(self, timeout: float) -> bool:
        """Read what is available (waiting up to *timeout*); True if anything came."""
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return False
        except pexpect.EOF:
            raise ScreenTimeout("program exited", self.text()) from None
        self.bytes_in += len(data)
        self.stream.feed(data)
        self._dirty = True
        return True

    def lines(self) -> list[str]:
        # Not pyte's Screen.display: it raises IndexError on a cell left empty
        # when a wide character is partly overwritten. An empty cell (the
        # second half of a wide character) contributes nothing here.
        buf, cols = self.screen.buffer, self.screen.columns
        return ["".join(buf[y][x].data for x in range(cols)) for y in range(self.screen.lines)]

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines())

    def flat(self) -> str:
        if self._dirty:
            self._flat = squash("\n".join(self.lines()))
            self._dirty = False
        return self._flat

    def shows(self, *needles: str) -> bool:
        flat = self.flat()
        return all(squash(n) in flat for n in needles)

    def wait_until(self, ok: Callable[[], bool], what: str, limit: float = 15.0) -> float:
        """Seconds until ok() holds, checking after every chunk the program writes."""
        t0 = time.perf_counter()
        while True:
            if ok():
                return time.perf_counter() - t0
            if time.perf_counter() - t0 > limit:
                raise ScreenTimeout(what, self.text())
            self.pump(0.05)

    def wait_for(self, *needles: str, limit: float = 15.0) -> float:
        return self.wait_until(lambda: self.shows(*needles), " + ".join(needles), limit)

    def settle(self, quiet: float = 0.25, limit: float = 5.0) -> None:
        """Read until the program has written nothing for *quiet* seconds."""
        end = time.perf_counter() + limit
        while time.perf_counter() < end:
            if not self.pump(quiet):
                return

    def drain_for(self, seconds: float) -> int:
        """Read for exactly *seconds*; the number of bytes written meanwhile."""
        before = self.bytes_in
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            self.pump(min(left, 0.1))
        return self.bytes_in - before

    # -- writing -----------------------------------------------------------
    def press(self, *keys: str) -> None:
        for key in keys:
            self.child.send(key_bytes(key))

    def type(self, text: str) -> None:
        self.child.send(text.encode("utf-8"))

    # -- process -----------------------------------------------------------
    def proc_status(self, field: str) -> int | None:
        """A /proc/<pid>/status figure in kB (VmHWM, VmRSS), or None if gone."""
        try:
            with open(f"/proc/{self.pid}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the program so far (all threads), 10 ms resolution.

        Unlike wall time it hardly moves when other processes compete for the
        CPU, so it is the steadier figure on a busy machine.
        """
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        return ticks / os.sysconf("SC_CLK_TCK")

    def kill(self) -> None:
        """End the program at once: nothing measured depends on a graceful exit."""
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.child.close(force=True)

    def quit(self, keys: Sequence[str] = ("ctrl+q",), limit: float = 5.0) -> None:
        try:
            self.press(*keys)
            self.child.expect(pexpect.EOF, timeout=limit)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError):
            pass
        finally:
            self.child.close(force=True)
