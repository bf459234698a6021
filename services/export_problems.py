"""Export the 整改台账 (问题清单 with the meetings' 决议) as .docx and/or
.xlsx, of one branch or of every branch. `zhibu export problems` and the
问题清单 screen both call ``export_problems``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from services.errors import service, write_error
from services.org_lookup import check_out_dir, find_unit

if TYPE_CHECKING:
    from storage.db import Store


@service
def export_problems(
    store: Store, out_dir: Path, today: dt.date, *, branch_name: str | None = None,
    branch_id: str | None = None, formats: Sequence[str] = ("docx", "xlsx"),
) -> list[Path]:  # fmt: skip
    """One branch (by name or id) or all; the files written."""
    from domain.org import OrgKind
    from exports import problems as px
    from services.export_folder import ensure_export_dir
    from services.problems import entries
    from storage import org

    out_dir = Path(out_dir).expanduser()
    check_out_dir(out_dir)
    scope = "各支部"
    if branch_name:
        branch_id = find_unit(store, branch_name, (OrgKind.BRANCH,), "支部").id
    if branch_id:
        unit = org.get(store, branch_id)
        scope = unit.name if unit else scope
    rows = entries(store, today, branch_id)
    if not branch_id:
        order = {u.id: i for i, u in enumerate(org.branches(store))}
        rows.sort(key=lambda e: order.get(e.branch_id, len(order)))  # stable: open first within
    try:
        return px.export(scope, rows, ensure_export_dir(out_dir), today, formats)
    except OSError as e:
        raise write_error(out_dir, e) from e
