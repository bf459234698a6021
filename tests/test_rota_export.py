"""党课计划表 export: open the written .docx and check its table."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT

from domain.courseware import Lecture, ReviewCheck, ReviewState, transition
from domain.rota import Cadence, Lecturer, PlanPeriod, RotaRequest, plan_rota
from exports.rota_plan import (
    HEADER,
    build,
    export,
    file_name_for,
    rows_from_lectures,
    rows_from_plan,
)

pytestmark = pytest.mark.both_engines

LECTURERS = [
    Lecturer(id="a", name="张三", branch="采油一队党支部"),
    Lecturer(id="b", name="李四", branch="采油二队党支部"),
    Lecturer(id="c", name="王五", branch="集输大队党支部"),
    Lecturer(id="d", name="赵六", branch="维修大队党支部"),
]


def cells(doc) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in doc.tables[0].rows]


def test_export_2027_quarterly_plan(tmp_path: Path) -> None:
    plan = plan_rota(RotaRequest(period=PlanPeriod(year=2027), lecturers=LECTURERS))
    first = Lecture(
        lecture_date=plan.slots[0].date,
        slot_index=0,
        lecturer_id="a",
        lecturer_name="张三",
        branch_name="采油一队党支部",
        topic="安全生产与党员责任",
        category="安全生产与岗位实践",
    )
    first = transition(first, ReviewState.TOPIC_FILED, "张三", datetime(2027, 2, 1, 8))
    first = transition(first, ReviewState.SUBMITTED, "张三", datetime(2027, 2, 10, 8))
    first = transition(
        first, ReviewState.APPROVED, "李书记", datetime(2027, 2, 20, 8), checklist=list(ReviewCheck)
    )
    path = export(rows_from_plan(plan, [first]), "2027年度党课计划表", tmp_path)
    assert path == tmp_path / "2027年度党课计划表.docx"

    doc = docx.Document(str(path))
    assert doc.paragraphs[0].text == "2027年度党课计划表"
    assert doc.sections[0].orientation == WD_ORIENT.LANDSCAPE
    table = cells(doc)
    assert table[0] == HEADER
    assert len(table) == 5
    assert table[1][:5] == [
        "1",
        "2027年3月5日\n（星期五）",
        "张三（采油一队党支部）",
        "安全生产与党员责任",
        "安全生产与岗位实践",
    ]
    assert table[1][8] == "审核通过"
    assert table[2][:3] == ["2", "2027年6月4日\n（星期五）", "李四（采油二队党支部）"]
    assert table[2][3:5] == ["待定", ""] and table[2][8] == "未提交"
    assert table[3][1] == "2027年7月2日\n（星期五）"
    assert table[3][3] == "七一专题党课（题目待定）"
    assert table[4][2] == "赵六（维修大队党支部）"


def test_moved_dates_are_explained_below_the_table() -> None:
    plan = plan_rota(
        RotaRequest(period=PlanPeriod(year=2026), cadence=Cadence.MONTHLY, lecturers=LECTURERS)
    )
    doc = build(rows_from_plan(plan), "2026年度党课计划表", subtitle="编制：第一党总支")
    assert doc.paragraphs[1].text == "编制：第一党总支"
    table = cells(doc)
    assert len(table) == 13
    assert table[10][1] == "2026年10月8日\n（星期四）"
    note = next(p.text for p in doc.paragraphs if p.text.startswith("说明："))
    assert "第10次：2026年10月2日 是国庆节，顺延到 2026年10月8日。" in note
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("制表：") for t in texts) and any(t.startswith("审核：") for t in texts)
    assert any(t.startswith("党总支（盖章）：") for t in texts)


def test_rows_from_lectures_sorted_and_text_made_safe(tmp_path: Path) -> None:
    lectures = [
        Lecture(lecture_date=date(2026, 12, 4), lecturer_name="李四", topic="党史\x07学习"),
        Lecture(lecture_date=date(2026, 9, 4), lecturer_name="张三", themed=True),
    ]
    rows = rows_from_lectures(lectures)
    assert [r.number for r in rows] == [1, 2]
    path = export(rows, "2026/下半年:党课", tmp_path)
    assert path.name == "2026_下半年_党课.docx"
    table = cells(docx.Document(str(path)))
    assert table[1][1:4] == ["2026年9月4日\n（星期五）", "张三", "专题党课（题目待定）"]
    assert table[2][3] == "党史学习"  # control char dropped by clean_text


def test_file_name_for_blank_title() -> None:
    assert file_name_for("  ") == "党课计划表.docx"


def test_demo_plan_says_which_lectures_were_held(demo_store, tmp_path: Path, today: date) -> None:
    """举办情况 agrees with the 党课 meetings: a held row names the meeting's
    date, past rows were held but for one or two put off in review, and every 党课 of a rota branch delivered
    a rota lecture (no second 党课 on another day and topic)."""
    from exports.docx_common import cn_date
    from services.export_rota import write_plan_docx
    from storage import rota

    store = demo_store
    plan = rota.list_plans(store, limit=5)[-1]
    held = {
        r["lecture"]: (r["date"], r["lecturer"], r["topic"])
        for r in store.query(
            "SELECT date, json_extract(data, '$.lecture_id') AS lecture,"
            " json_extract(data, '$.lecturer_name') AS lecturer,"
            " json_extract(data, '$.topics[0]') AS topic FROM meetings"
            " WHERE kind='党课' AND status='已完成' AND superseded=0"
        )
    }
    lectures = rota.lectures_of_plan(store, plan.id)
    assert lectures and any(lec.lecture_date < today for lec in lectures)
    put_off = [x for x in lectures if x.lecture_date < today and x.meeting_id is None]
    assert len(put_off) <= 2  # a year's plan is mostly held
    rows = [[c.text for c in r.cells] for r in
            docx.Document(str(write_plan_docx(store, plan.id, tmp_path))).tables[0].rows]  # fmt: skip
    col = rows[0].index("举办情况")
    by_number = {int(r[0]): r for r in rows[1:]}
    for lec in lectures:
        cell = by_number[(lec.slot_index or 0) + 1][col]
        if lec.lecture_date < today and lec.state not in (ReviewState.APPROVED, ReviewState.FILED):
            # Courseware still in review or sent back: put off, and said so.
            assert lec.id not in held and cell == "未举行"
        elif lec.lecture_date < today:
            assert lec.id in held, f"{lec.lecture_date}: the plan's lecture has no 党课 meeting"
            day, lecturer, topic = held[lec.id]
            assert (lecturer, topic) == (lec.lecturer_name, lec.topic)
            assert cell.startswith("已举行") and cn_date(date.fromisoformat(day)) in cell
        else:
            assert lec.id not in held and cell == "待举行"
    rota_branches = {lec.branch_name for lec in lectures}
    others = store.query(
        "SELECT date, org_id FROM meetings WHERE kind='党课' AND status='已完成'"
        " AND json_extract(data, '$.lecture_id') IS NULL"
        " AND json_extract(data, '$.org_name') IN (" + ",".join("?" * len(rota_branches)) + ")",
        tuple(rota_branches),
    )
    assert others == [], "a rota branch held a 党课 outside the plan"
