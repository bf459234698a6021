"""What every `zhibu export …` command shares: the message printer.

Exit codes live in tui.exit_codes; a service's DomainError propagates to
tui.cli.main, which prints it and returns its code.
"""

from __future__ import annotations

import sys


def err(msg: str) -> None:
    print(f"zhibu: {msg}", file=sys.stderr)


def say(msg: str) -> None:
    print(msg, flush=True)
