"""What the configuration file and its pydantic check share (no pydantic
here): the error, the theme names, and finding a key's line in the file.
services.settings is the module callers use."""

from __future__ import annotations

import re
from enum import StrEnum

from services.errors import DomainError

DEFAULT_EXPORT_DIR = "~/zhibu-导出"


class ConfigError(DomainError):
    """A configuration file cannot be used: str(e) names the file and line.
    The CLI exits with EX_CONFIG (78)."""


class Source(StrEnum):
    """Where an effective value came from (``zhibu config`` shows it)."""

    DEFAULT = "默认"
    SYSTEM = "系统配置文件"
    USER = "用户配置文件"
    ENV = "环境变量"
    FLAG = "命令行"


class Theme(StrEnum):
    DEFAULT = "default"  # the app's own colours and box-drawing borders
    ANSI16 = "ansi16"  # only the terminal's 16 ANSI colours
    ASCII = "ascii"  # + - | borders, for clients that draw box lines double-width


# -- finding a key's line ----------------------------------------------------
_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)


def _key_parts(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", dotted)
    return tuple(a or b or c for a, b, c in parts)


def key_line(text: str, loc: tuple[str, ...]) -> int | None:
    """The line of *text* that sets *loc* (or its nearest table), 1-based.

    tomllib keeps no positions, so the file is scanned: table headers and
    ``key =`` lines, dotted and quoted keys included. Good enough to point
    at the line; the message says the key too."""
    best: tuple[int, int] | None = None  # (matched depth, line)
    table: tuple[str, ...] = ()
    for n, line in enumerate(text.splitlines(), start=1):
        m = _TABLE.match(line)
        if m:
            table = _key_parts(m.group(1))
            full = table
        else:
            k = _KEY.match(line)
            if not k:
                continue
            full = table + _key_parts(k.group(1))
        depth = _common(full, loc)
        if depth and depth == min(len(full), len(loc)) and (best is None or depth > best[0]):
            best = (depth, n)
            if depth == len(loc):
                break
    return best[1] if best else None


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
