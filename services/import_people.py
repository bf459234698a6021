"""Import people from a .csv / .xlsx: a preview with a per-row error report,
then all or nothing (one write transaction for the whole file)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import BadData, InputMissing, NotFound, service
from services.progress import Step, Tracker

if TYPE_CHECKING:
    from domain.people_import import ImportPreview, OnDuplicate
    from storage.db import Store


@dataclass(frozen=True)
class ImportResult:
    preview: ImportPreview
    imported: int  # new people written (0 on a dry run)
    updated: int = 0  # people on the roster the file's rows updated
    skipped: int = 0  # rows left out as duplicates of someone on the roster


@dataclass(frozen=True)
class Written:
    imported: int
    updated: int
    skipped: int


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
    preview = build_preview(
        table, branch_ids=branch_ids, group_ids=group_ids, default_branch_id=default_branch_id
    )
    match_roster(store, preview)
    return preview


def match_roster(store: Store, preview: ImportPreview) -> None:
    """Mark the rows that are someone already on the roster (same name as read,
    same 出生日期 or 电话): importing a file twice must not add everyone again."""
    from domain.people_import import find_duplicates
    from storage import people

    if preview.people:
        candidates = people.same_name_candidates(store, [p.name for p in preview.people])
        find_duplicates(preview, candidates)


@service
def commit(
    store: Store,
    preview: ImportPreview,
    on_duplicate: OnDuplicate | str = "skip",
    choices: Mapping[int, OnDuplicate | str] | None = None,
    *,
    step: Step | None = None,
) -> Written:
    """Write a clean preview in one transaction: new people inserted, each
    duplicate row skipped or used to update the roster's person (*choices* by
    row index, else *on_duplicate*). Stale when one of them changed meanwhile.
    *step* hears how many of the new people are in so far."""
    from domain.people_import import OnDuplicate, merged
    from storage import people

    if preview.errors:
        raise BadData(f"{len(preview.errors)} 行有错误，未导入任何数据")
    dupes = {d.index: d for d in preview.duplicates}
    fresh = [p for i, p in enumerate(preview.people) if i not in dupes]
    updates = []
    for i, d in dupes.items():
        choice = OnDuplicate((choices or {}).get(i, on_duplicate))
        if choice is OnDuplicate.UPDATE:
            updates.append(merged(d.existing, preview.people[i], preview.columns))
    tracker = Tracker(len(fresh), step)

    def done(n: int) -> None:
        tracker.advance(n - tracker.done)

    imported = people.import_people(store, fresh, updates, done=done)
    return Written(imported, len(updates), len(dupes) - len(updates))


@service
def import_people(
    store: Store,
    file: Path,
    *,
    branch_name: str | None = None,
    dry_run: bool = False,
    on_duplicate: OnDuplicate | str = "skip",
    step: Step | None = None,
) -> ImportResult:
    """`zhibu import people`: preview, then commit unless a row has an error
    (the result's preview lists them; nothing is written) or it is a dry run.
    Rows matching someone on the roster are skipped or update them (*on_duplicate*)."""
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
    done = commit(store, preview, on_duplicate, step=step)
    return ImportResult(preview, done.imported, done.updated, done.skipped)
