"""Export 发展党员 documents: each person's 发展党员工作记实表 (.docx) and each
branch's ledger (.docx and .xlsx). `zhibu export development` runs
``export_for_command``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import service, write_error
from services.org_lookup import check_out_dir, find_unit

if TYPE_CHECKING:
    from domain.development import DevelopmentConfig
    from storage.db import Store


@dataclass(frozen=True)
class DevelopmentExport:
    files: list[Path]
    people: int


@service
def export_for_command(
    store: Store,
    out_dir: Path,
    *,
    branch_name: str | None = None,
    progress: Callable[[str], None] | None = None,
    formats: Sequence[str] = ("docx", "xlsx"),
    config: DevelopmentConfig | None = None,
) -> DevelopmentExport:
    """One branch (by name) or every branch that has development records;
    the ledger in each of *formats* (docx, xlsx). *config*: the
    configuration's [rules.development] (预备期满, 党龄起算)."""
    from domain.development import DEFAULT_CONFIG
    from domain.org import OrgKind
    from exports import development as dx
    from services.export_folder import ensure_export_dir
    from storage import development, org, people

    say = progress or (lambda _m: None)
    rules = config or DEFAULT_CONFIG
    out_dir = Path(out_dir).expanduser()
    check_out_dir(out_dir)
    branches = org.branches(store)
    if branch_name:
        wanted = find_unit(store, branch_name, (OrgKind.BRANCH,), "支部").id
        branches = [b for b in branches if b.id == wanted]
    files: list[Path] = []
    n = 0
    try:
        out_dir = ensure_export_dir(out_dir)
        for b in branches:
            records = sorted(development.for_branch(store, b.id), key=lambda r: r.person_name)
            if not records and not branch_name:
                continue
            files += dx.export_ledger(b.name, records, out_dir, formats, rules)
            for r in records:
                p = people.get(store, r.person_id)
                sheet = dx.PersonSheet(
                    record=r,
                    branch_name=b.name,
                    sex=p.sex.value if p and p.sex else "",
                    birth_date=p.birth_date if p else None,
                    config=rules,
                )
                files.append(dx.export_sheet(sheet, out_dir))
                n += 1
            say(f"已导出 {b.name}：台账及 {len(records)} 份记实表")
    except OSError as e:
        raise write_error(out_dir, e) from e
    return DevelopmentExport(files, n)
