"""`zhibu export rota -o DIR [--year YYYY] [--org 名称]`: 党课计划表 as .docx.

Also home of ``write_plan_docx``, which the plan screen's export uses too, so
the command and the screen write the same document. python-docx is imported
only when a file is written (``zhibu`` itself must start fast).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cli_common import EXIT_DATA, EXIT_IO, EXIT_USAGE, find_unit, preflight
from tui.cli_common import err as _err

if TYPE_CHECKING:
    from storage.db import Store

EXPORT_NAME = "rota"


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    p = subparsers.add_parser(EXPORT_NAME, help="党课计划表（轮讲计划及课件审核状态）")
    p.add_argument("-o", "--output", required=True, help="输出文件夹（不存在时自动创建）")
    p.add_argument("--year", type=int, help="只导出该年度的计划，如 2027（默认全部）")
    p.add_argument("--org", help="只导出该党总支（或支部）的计划，写名称")
    return p


def write_plan_docx(store: Store, plan_id: str, out_dir: str | Path) -> Path:
    """Write one plan's 党课计划表 into *out_dir*; returns the file written."""
    from exports import rota_plan as export
    from storage import rota
    from storage.paths import ensure_private_dir

    record = rota.get_plan(store, plan_id)
    if record is None:
        from storage.errors import RecordMissingError

        raise RecordMissingError("这份党课计划已被删除。")
    rows = export.rows_from_plan(record.plan, rota.lectures_of_plan(store, plan_id))
    ensure_private_dir(Path(out_dir))  # a folder we create holds names: keep it 0700
    subtitle = f"编制单位：{record.org_name}" if record.org_name else ""
    return export.export(rows, record.title, out_dir, subtitle=subtitle)


def run(args: argparse.Namespace, db_path: Path) -> int:
    from storage import rota
    from storage.db import open_store
    from storage.errors import StorageError

    year = args.year
    if year is not None and not 2000 <= year <= 2100:
        _err("--year 应为 2000–2100 之间的年份")
        return EXIT_USAGE
    out_dir = Path(args.output).expanduser()
    if (code := preflight(db_path, out_dir)) is not None:
        return code
    store = open_store(db_path)
    try:
        org_id = None
        if args.org:
            unit = find_unit(store, args.org)
            if unit is None:
                return EXIT_USAGE
            org_id = unit.id
        plans = rota.list_plans(store, org_id=org_id, year=year, limit=500)
        if not plans:
            scope = f"{year} 年" if year else "任何年度"
            _err(f"没有{scope}的党课计划（可在程序中按党课计划新建）")
            return EXIT_DATA
        for record in plans:
            try:
                path = write_plan_docx(store, record.id, out_dir)
            except OSError as e:
                _err(f"写入 {out_dir} 失败：{e.strerror or type(e).__name__}")
                return EXIT_IO
            n = len(record.plan.slots)
            print(
                f"已导出：{path}（{record.org_name} {record.period.label}，{n} 次党课）", flush=True
            )
        return 0
    except StorageError as e:
        _err(str(e))
        return EXIT_DATA
    finally:
        store.close()
