"""Import people from a .csv / .xlsx: a preview with a per-row error report,
then all or nothing (one write transaction for the whole file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import BadData, InputMissing, NotFound, service

if TYPE_CHECKING:
    from domain.people_import import ImportPreview
    from storage.db import Store


@dataclass(frozen=True)
class ImportResult:
    preview: ImportPreview
    imported: int  # 0 on a dry run


@service
def preview_file(store: Store, file: Path, *, default_branch_id: str | None = None) -> ImportPreview:
    """Read *file* and check every row against the org tree; writes nothing.

    InputMissing when the file does not exist, BadData when it cannot be read."""
    from domain.people_import import ImportFileError, build_preview, read_table
    from storage import org

    file = Path(file).expanduser()
    if not file.exists():
        raise InputMissing(f"文件不存在：{file}")
    branch_ids, group_ids = org.lookup_maps(store)
    try:
        table = read_table(file)
    except ImportFileError as e:
        raise BadData(str(e)) from e
    return build_preview(
        table, branch_ids=branch_ids, group_ids=group_ids, default_branch_id=default_branch_id
    )


@service
def commit(store: Store, preview: ImportPreview) -> int:
    """Write a clean preview's people in one transaction; the count imported."""
    from storage import people

    if preview.errors:
        raise BadData(f"{len(preview.errors)} 行有错误，未导入任何数据")
    return people.import_people(store, preview.people)


@service
def import_people(
    store: Store, file: Path, *, branch_name: str | None = None, dry_run: bool = False
) -> ImportResult:
    """`zhibu import people`: preview, then commit unless a row has an error
    (the result's preview lists them; nothing is written) or it is a dry run."""
    from storage import org

    default = None
    if branch_name:
        branch_ids, _ = org.lookup_maps(store)
        if branch_name not in branch_ids:
            raise NotFound(f"找不到支部“{branch_name}”")
        default = branch_ids[branch_name]
    preview = preview_file(store, file, default_branch_id=default)
    if preview.errors or dry_run:
        return ImportResult(preview, 0)
    return ImportResult(preview, commit(store, preview))
