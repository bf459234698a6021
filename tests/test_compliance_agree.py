"""One branch, one quarter: the home table, the quarterly report (branch and
党总支) and `zhibu export report` say the same 已开/应开.

On tests.factories.calendar, Q3 2026 has no 支委会 in July and two in
September: three meetings, two months met, July overdue. The secretary
lectured in March, June and September: a yearly requirement met once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import docx
import pytest

from domain.org import OrgKind
from storage import compliance, org
from storage.db import Store
from tests import factories
from tests.test_quarterly_report import table_with
from tui.cli import main

END_OF_Q3 = date(2026, 9, 30)  # the home window is then the whole quarter


@pytest.fixture
def db(store: Store) -> Path:
    factories.calendar(store)
    path = store.path
    store.close()
    return path


def _report_texts(path: Path) -> dict[str, str]:
    """activity -> 已开/应开 as the branch report's table gives it."""
    rows = table_with(docx.Document(str(path)), "活动")[1:]
    out = {}
    for label, _cadence, required, held, status, _note in rows:
        text = "-" if required == "0" else f"{'✗' if status == '已逾期' else ''}{held}/{required}"
        out[label.split("（")[0]] = text
    return out


def test_home_report_and_cli_agree(db: Path, tmp_path: Path, capsys) -> None:
    from storage.db import open_store

    store = open_store(db, actor="tester")
    try:
        branch = org.branches(store)[0]
        general = next(u for u in org.all_units(store) if u.kind is OrgKind.GENERAL_BRANCH)
        row = compliance.rows_for(store, [branch.id], END_OF_Q3)[0]
    finally:
        store.close()
    home = {c.key: c.text for c in row.cells}
    labels = {c.key: c.label for c in row.cells}
    assert home["branch_committee"] == "✗2/3"  # never 3/3 with July overdue

    out = tmp_path / "out"
    code = main(["--db", str(db), "export", "report", "--quarter", "2026Q3", "-o", str(out),
                 "--as-of", END_OF_Q3.isoformat(), "--org", general.name])  # fmt: skip
    stdout, err = capsys.readouterr()
    assert (code, err) == (0, "")

    # The branch report's 三会一课 table.
    report = _report_texts(out / f"季度报告_{branch.name}_2026Q3.docx")
    from domain.compliance import default_requirements

    full = {r.key: r.label for r in default_requirements()}
    for key, text in home.items():
        assert report[full[key]] == text, key
    # A yearly requirement in a quarter table: met once, not "已开3".
    assert report["支部书记讲党课"] == "1/1"

    # The 党总支 summary table.
    summary = table_with(docx.Document(str(out / f"季度报告_{general.name}_2026Q3.docx")), "支部")
    header, *rows = summary
    mine = next(r for r in rows if r[0] == branch.name)
    for short, value in zip(header[1:], mine[1:], strict=True):
        key = next(k for k, lab in labels.items() if lab == short)
        assert value == home[key], short

    # The command's own line for the branch.
    lines = stdout.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith(f"已导出 {branch.name}："))
    expected = "，".join(f"{labels[k]} {home[k]}" for k in home)
    assert lines[at + 1].strip() == f"三会一课（已开/应开）：{expected}"
