"""What every `zhibu export …` command shares: exit codes, messages, checks."""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_USAGE = 2
EXIT_DATA = 65  # EX_DATAERR
EXIT_IO = 74  # EX_IOERR


def err(msg: str) -> None:
    print(f"zhibu: {msg}", file=sys.stderr)


def preflight(db_path: Path, out_dir: Path) -> int | None:
    """An exit code when the export cannot start, else None."""
    if out_dir.exists() and not out_dir.is_dir():
        err(f"{out_dir} 不是文件夹")
        return EXIT_USAGE
    if not db_path.exists():
        err(f"数据库不存在：{db_path}")
        return EXIT_DATA
    return None
