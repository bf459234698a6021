"""Quarterly report: export, open the .docx, compare every number with SQLite."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import docx
import pytest

from domain.dues import format_yuan
from domain.org import OrgKind
from domain.periods import Period
from exports import quarterly_report as qr
from services.export_report import export_reports
from storage import org
from storage.db import Store
from tests import factories
from tests.factories import TODAY
from tests.test_compliance_storage import count, groups_of, hand_participation

Q3 = Period.quarter(2026, 3)


pytestmark = pytest.mark.both_engines

def table_with(doc: docx.document.Document, first_header: str) -> list[list[str]]:
    for t in doc.tables:
        rows = [[c.text for c in r.cells] for r in t.rows]
        if rows and rows[0][0] == first_header:
            return rows
    raise AssertionError(f"no table starting with {first_header}")


def body(doc: docx.document.Document) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def _report_db(store: Store) -> Store:
    """The factory calendar plus a year of dues: in each branch one member owes
    August–November (3 months by October) and one May–November (6 months)."""
    for b in factories.calendar(store):
        warn, lapse = b.members[4], b.members[3]
        factories.dues(store, b, factories.months(date(2026, 1, 1), date(2026, 11, 1)), unpaid={
            warn.id: factories.months(date(2026, 8, 1), date(2026, 11, 1)),
            lapse.id: factories.months(date(2026, 5, 1), date(2026, 11, 1)),
        })  # fmt: skip
    return store


@pytest.fixture
def report_db(store: Store) -> Store:
    return _report_db(store)


@pytest.fixture
def exported(report_db: Store, tmp_path: Path) -> tuple[Store, dict[str, Path]]:
    lines: list[str] = []
    files = export_reports(report_db, tmp_path / "out", period=Q3, today=TODAY,
                           progress=lines.append)  # fmt: skip
    assert len(files) == 3  # 2 branches + 1 党总支
    assert sum(1 for ln in lines if ln.startswith("已导出 ")) == 3
    return report_db, {f.org_name: f.path for f in files}


def sql_dues(store: Store, branch_id: str, month: str) -> tuple[int, int, int, int, int]:
    rows = [
        json.loads(r["data"])
        for r in store.query(
            "SELECT data FROM dues WHERE branch_id=? AND month=?", (branch_id, month)
        )
    ]
    due = [d for d in rows if not d["waived"] and d["due_fen"] > 0]
    return (
        len(due),
        sum(1 for d in due if d["paid_fen"] >= d["due_fen"]),
        sum(1 for d in rows if d["waived"]),
        sum(d["due_fen"] for d in due),
        sum(d["paid_fen"] for d in rows),
    )


def test_branch_report_numbers_match_the_database(exported) -> None:
    store, paths = exported
    branch = org.branches(store)[1]
    path = paths[branch.name]
    assert path.name == f"季度报告_{branch.name}_2026Q3.docx"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    doc = docx.Document(str(path))
    text = body(doc)
    assert f"{branch.name}2026年第三季度党建工作报告" in text
    assert "统计期间：2026年7月1日至2026年9月30日（数据截至2026年11月22日）" in text

    # 一 三会一课: months met, not meetings: two in September do not cover July.
    comp = {r[0]: r for r in table_with(doc, "活动")[1:]}
    held = count(store, branch.id, ("支部委员会",), "2026-07-01", "2026-09-30")
    assert held == 3
    assert comp["支部委员会"][2:5] == ["3", "2", "已逾期"]
    assert comp["支部委员会"][5] == "逾期未开：7月；共召开3次，同一月多开的只计一次"
    # The secretary's yearly lecture: judged over the year, said so.
    assert comp["支部书记讲党课"][2:6] == ["1", "1", "已完成", "按全年统计，本年已开3次"]
    assert comp["主题党日"][2:5] == [
        "3",
        str(count(store, branch.id, ("主题党日",), "2026-07-01", "2026-09-30")),
        "已完成",
    ]
    groups = groups_of(store, branch.id)
    met = sum(count(store, g, ("党小组会",), "2026-07-01", "2026-09-30") for g in groups)
    assert comp[f"党小组会（{len(groups)}个党小组）"][2:5] == [str(3 * len(groups)), str(met), "已完成"]

    # 二 participation: every member line and the total.
    hand = hand_participation(store, branch.id, "2026-07-01", "2026-09-30")
    members = table_with(doc, "序号")
    by_name = {r[1]: r for r in members[1:-1]}
    from storage import people

    roster = people.members_of(store, branch.id)
    assert len(by_name) == len(roster)
    for p in roster:
        e, pr, lv, ab, owed, done = hand.get(p.id, [0] * 6)
        row = by_name[p.name]
        assert row[2:6] == [str(e), str(pr), str(lv), str(ab)]
        assert row[7] == f"{done}/{owed}"
        assert ("低于80%" in row[8]) == (e > 0 and pr * 100 < 80 * e)
    total = members[-1]
    ids = {p.id for p in roster}
    assert total[2] == str(sum(v[0] for k, v in hand.items() if k in ids))
    assert total[3] == str(sum(v[1] for k, v in hand.items() if k in ids))

    # 三 dues: per month, against the dues rows.
    dues = {r[0]: r for r in table_with(doc, "月份")[1:]}
    for m in (7, 8, 9):
        n_due, n_paid, n_waived, due, paid = sql_dues(store, branch.id, f"2026-{m:02d}-01")
        assert dues[f"{m}月"][1:6] == [
            str(n_due),
            str(n_paid),
            str(n_waived),
            format_yuan(due),
            format_yuan(paid),
        ]
    # The six-month member is named with the 支部大会 note.
    assert "连续6个月" in text and "由支部大会研究处理" in text

    # 四 follow-through and 五 lectures.
    orgs = [branch.id, *groups_of(store, branch.id)]
    marks = ",".join("?" * len(orgs))
    decisions = store.scalar(
        "SELECT count(*) FROM action_items WHERE kind='决议' AND meeting_id IN (SELECT id FROM"
        f" meetings WHERE org_id IN ({marks}) AND superseded=0 AND date BETWEEN '2026-07-01'"
        " AND '2026-09-30')",
        tuple(orgs),
    )
    assert f"本期会议形成决议{decisions}项" in text
    lecture = store.query_one(
        "SELECT date, json_extract(data, '$.lecturer_name') AS who,"
        " json_extract(data, '$.topics[0]') AS topic FROM meetings WHERE org_id=? AND kind='党课'"
        " AND date BETWEEN '2026-07-01' AND '2026-09-30'",
        (branch.id,),
    )
    assert lecture is not None
    y, mo, d = (int(x) for x in lecture["date"].split("-"))
    cn = f"{y}年{mo}月{d}日"
    assert table_with(doc, "日期")[1:] == [[cn, lecture["topic"], lecture["who"]]]


def test_general_report_sums_its_branches(exported) -> None:
    store, paths = exported
    general = next(u for u in org.all_units(store) if u.kind is OrgKind.GENERAL_BRANCH)
    doc = docx.Document(str(paths[general.name]))
    branches = [b for b in org.branches(store) if b.parent_id == general.id]
    comp = table_with(doc, "支部")  # the first table is the compliance summary
    assert comp[0] == ["支部", "支委会", "小组会", "主题党日", "党员大会", "党课"]
    assert [r[0] for r in comp[1:]] == [b.name for b in branches]
    for row, b in zip(comp[1:], branches, strict=True):
        assert row[1] == "✗2/3"  # no 支委会 in July, see tests.factories.calendar
        n_groups = len(groups_of(store, b.id))
        assert row[2] == f"{3 * n_groups}/{3 * n_groups}"
    dues_rows = next(
        [[c.text for c in r.cells] for r in t.rows]
        for t in doc.tables
        if t.rows[0].cells[1].text == "应缴人次"
    )
    total = dues_rows[-1]
    n_due = n_paid = due = paid = 0
    for b in branches:
        for m in (7, 8, 9):
            a, p, _w, d, pd = sql_dues(store, b.id, f"2026-{m:02d}-01")
            n_due, n_paid, due, paid = n_due + a, n_paid + p, due + d, paid + pd
    assert total[:3] == ["合计", str(n_due), str(n_paid)]
    assert total[4:6] == [format_yuan(due), format_yuan(paid)]
    assert total[6] == qr.percent(n_paid, n_due)
    assert total[7:] == ["4", "2"]  # per branch: one at 3+ months, one at 6+ (also 3+)
    lectures = next(
        [[c.text for c in r.cells] for r in t.rows]
        for t in doc.tables
        if t.rows[0].cells[0].text == "支部" and t.rows[0].cells[1].text == "日期"
    )
    assert len(lectures) - 1 == sum(
        count(store, b.id, ("党课",), "2026-07-01", "2026-09-30") for b in branches
    )


def test_one_branch_only_and_file_names_stay_unique(report_db: Store, tmp_path: Path) -> None:
    branch = org.branches(report_db)[0]
    files = export_reports(report_db, tmp_path, period=Q3, today=TODAY, org_ids=[branch.id])
    assert [f.org_name for f in files] == [branch.name]
    # A 党总支 id gives its summary and its branches.
    general = org.get(report_db, branch.parent_id or "")
    assert general is not None
    files = export_reports(report_db, tmp_path / "g", period=Q3, today=TODAY, org_ids=[general.id])
    assert len(files) == 3 and files[-1].kind == "党总支"
    assert len({f.path for f in files}) == 3


def test_empty_quarter_reads_sensibly(report_db: Store, tmp_path: Path) -> None:
    branch = org.branches(report_db)[0]
    q = Period.quarter(2025, 1)  # before any data
    path = export_reports(report_db, tmp_path, period=q, today=TODAY, org_ids=[branch.id])[0].path
    text = body(docx.Document(str(path)))
    assert "本期未开展党课。" in text
    assert "本期应缴0人次" in text


def test_a_month_not_yet_due_shows_no_zeros() -> None:
    """As of 2 December nobody has paid December yet: not 0 … 0.00 … 0.0%."""
    dec = qr.DuesMonthLine(date(2026, 12, 1), members_due=20, members_paid=0, members_waived=0,
                           due_fen=188605, paid_fen=0)  # fmt: skip
    nov = qr.DuesMonthLine(date(2026, 11, 1), 20, 19, 0, 188605, 183775)
    rows = qr.dues_rows([nov, dec], as_of=date(2026, 12, 2))
    by_month = {r[0]: r for r in rows[1:]}
    assert by_month["12月"][1] == qr.NOT_DUE
    assert not {"0", "0.00", "0.0%"} & set(by_month["12月"][1:])
    assert rows[-1][1:3] == ["20", "19"]  # the total is November's alone


def test_a_month_in_progress_is_shown_but_not_totalled() -> None:
    oct_, nov = (qr.DuesMonthLine(date(2026, m, 1), 20, 19, 0, 188605, 183775) for m in (10, 11))
    rows = qr.dues_rows([oct_, nov], as_of=date(2026, 11, 22))
    by_month = {r[0]: r for r in rows[1:]}
    assert by_month["11月"][1:3] == ["20", "19"] and by_month["11月"][6:] == ["收缴中"] * 2
    assert rows[-1][0] == "已到期合计" and rows[-1][1:3] == ["20", "19"]


def test_each_table_keeps_its_heading_and_intro(report_db: Store, tmp_path: Path) -> None:
    """No heading or intro line left alone at a page bottom: every paragraph
    between a section heading and its table keeps with the next."""
    files = export_reports(report_db, tmp_path, period=Q3, today=TODAY)
    for f in files:
        body_el = docx.Document(str(f.path)).element.body
        kids = list(body_el)
        for i, el in enumerate(kids):
            if not el.tag.endswith("}tbl"):
                continue
            j = i - 1
            while j >= 0 and kids[j].tag.endswith("}p"):
                p = kids[j]
                keep = p.find(".//{*}keepNext")
                text = "".join(t.text or "" for t in p.iter("{*}t"))
                assert keep is not None, f"{f.org_name}: {text!r} may part from its table"
                if text[1:2] == "、":  # the section heading: 一、二、…
                    break
                j -= 1
            assert j >= 0 and kids[j].tag.endswith("}p"), "a table without its heading"
