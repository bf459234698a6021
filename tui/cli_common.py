"""What every `zhibu export …` command shares: the message printer.

Exit codes live in tui.exit_codes; a service's DomainError propagates to
tui.cli.main, which prints it and returns its code.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
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


FORMATS = ("docx", "xlsx")


def add_format_option(p: argparse.ArgumentParser, default: tuple[str, ...] = ("docx",)) -> None:
    """`--format docx|xlsx` (repeatable: `--format docx --format xlsx` writes both)."""
    shown = "、".join(default)
    p.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=FORMATS,
        metavar="docx|xlsx",
        help=f"文件格式：docx（Word）或 xlsx（Excel 表格），可写两次同时导出（默认 {shown}）",
    )
    p.set_defaults(format_default=default)


def formats_of(args: argparse.Namespace) -> tuple[str, ...]:
    """The formats asked for, in a fixed order, or the command's default."""
    asked = args.formats or args.format_default
    return tuple(f for f in FORMATS if f in asked)


def as_of(args: argparse.Namespace) -> date | None:
    """The day a report's data is taken up to: --as-of, else today; None
    (after saying why) when --as-of cannot be read."""
    from domain.dates import DateParseError, parse_date

    try:
        return parse_date(args.as_of, today=date.today()) if args.as_of else date.today()
    except DateParseError as e:
        err(f"截至日期有误：{e}")
        return None
