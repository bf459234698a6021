"""What every `zhibu export …` command shares: the message printer.

Exit codes live in tui.exit_codes; a service's DomainError propagates to
tui.cli.main, which prints it and returns its code.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUTPUT_HELP = "输出文件夹（没有则新建；默认导出文件夹 ~/zhibu-导出/，环境变量 ZHIBU_EXPORT_DIR 可改）"


def output_dir(value: str | None) -> Path:
    """-o as given, else the one export folder (services.export_folder)."""
    if value:
        return Path(value)
    from services.export_folder import default_export_dir

    return default_export_dir()


def err(msg: str) -> None:
    print(f"zhibu: {msg}", file=sys.stderr)


def say(msg: str) -> None:
    print(msg, flush=True)
