"""问题清单 and 党总支任务 through the services: what reached the database,
who may do what, what a reminder reads (due_for), and the 整改台账 files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest

from domain.dues import record_payment
from domain.periods import Period
from domain.problems import Problem, ProblemSource, ProblemState
from domain.roles import Role
from services import problems as ps
from services import tasks as ts
from services.errors import InvalidInput, NotPermitted, Refused
from services.export_problems import export_problems
from storage import dues as dues_store
from storage import roles
from storage.db import Store
from tests import factories
from tests import xlsx_check as xc
from tests.factories import TODAY
from tui import cli

pytestmark = pytest.mark.both_engines

D = dt.date


@pytest.fixture
def tree(store: Store):
    top, branches = factories.org_tree(store, ("一支部", "二支部", "三支部"))
    return top, branches


def _file(store: Store, b: factories.Branch, **kw: object) -> Problem:
    owner, verifier = b.members[3], b.members[0]
    fields: dict[str, object] = dict(
        branch_id=b.id, source=ProblemSource.HAZARD, source_text="冬季隐患排查",
        found_on=D(2026, 11, 1), text="灭火器过期未更换", measures="联系安全员更换",
        owner_id=owner.id, owner_name=owner.name, deadline=D(2026, 11, 20),
        verifier_id=verifier.id, verifier_name=verifier.name,
    )  # fmt: skip
    fields.update(kw)
    return ps.file_problem(store, Problem.model_validate(fields))


def _as(store: Store, role: Role, person_id: str | None, unit_id: str) -> None:
    roles.grant(store, "tester", role, person_id=person_id, branch_id=unit_id)


def test_filing_refuses_an_incomplete_problem_and_stores_a_complete_one(store, tree) -> None:
    _top, (b, *_rest) = tree
    with pytest.raises(InvalidInput, match="验证人"):
        _file(store, b, verifier_id=None, verifier_name="")
    p = _file(store, b)
    row = store.query_one("SELECT branch_id, state, deadline FROM problems WHERE id=?", (p.id,))
    assert row == {"branch_id": b.id, "state": "待整改", "deadline": "2026-11-20"}
    assert p.branch_name == "一支部"


def test_only_the_named_verifier_closes(store, tree) -> None:
    _top, (b, *_rest) = tree
    p = _file(store, b)
    ps.advance(store, p.id, "已联系", submit=False)
    ps.advance(store, p.id, "已更换", submit=True)
    with pytest.raises(Refused, match="只有验证人"):
        ps.verify(store, p.id, TODAY, passed=True)  # nobody mapped at the keyboard
    _as(store, Role.COMMITTEE, b.members[3].id, b.id)  # the 责任人 is not the verifier
    with pytest.raises(Refused, match=f"只有验证人{b.members[0].name}本人"):
        ps.verify(store, p.id, TODAY, passed=True)
    assert ps.get(store, p.id).state is ProblemState.VERIFYING


def test_the_verifier_closes_and_the_entry_leaves_the_open_list(store, tree) -> None:
    _top, (b, *_rest) = tree
    p = _file(store, b)
    ps.advance(store, p.id, "已更换", submit=True)
    _as(store, Role.SECRETARY, b.members[0].id, b.id)
    ps.verify(store, p.id, TODAY, passed=True, note="现场查看")
    row = store.query_one("SELECT state FROM problems WHERE id=?", (p.id,))
    assert row == {"state": "已验证关闭"}
    assert [e.id for e in ps.entries(store, TODAY, b.id, open_only=True)] == []
    assert ps.entries(store, TODAY, b.id)[0].verified_on == TODAY


def test_decisions_are_entries_of_the_same_list(store, tree) -> None:
    _top, (b, *_rest) = tree
    m = factories.finished_meeting(store, b, day=D(2026, 10, 9))
    p = _file(store, b)
    got = ps.entries(store, TODAY, b.id)
    assert {e.id for e in got} == {p.id, *(d for d in _decision_ids(store, m.id))}
    decision = next(e for e in got if e.is_decision)
    assert decision.source is ProblemSource.DECISION and decision.branch_id == b.id
    assert decision.text == "落实“研究本月党建工作安排”" and decision.state is ProblemState.OPEN


def _decision_ids(store: Store, meeting_id: str) -> list[str]:
    rows = store.query(
        "SELECT id FROM action_items WHERE meeting_id=? AND kind='决议'", (meeting_id,)
    )
    return [r["id"] for r in rows]


def test_due_for_addresses_owner_or_verifier_and_marks_escalation(store, tree) -> None:
    _top, (b, b2, _b3) = tree
    late = _file(store, b, text="逾期的问题")
    waiting = _file(store, b2, text="待验证的问题", deadline=D(2026, 11, 25))
    ps.advance(store, waiting.id, "已整改", submit=True)
    _file(store, b, text="还早的问题", deadline=D(2026, 12, 30))
    due = ps.due_for(store, TODAY)
    assert [(d.text, d.person_id, d.days_late, d.escalated) for d in due] == [
        ("逾期的问题", b.members[3].id, 2, True),
        ("待验证的问题", b2.members[0].id, 0, False),  # waits on its verifier
    ]
    assert due[0].branch_name == "一支部" and not due[0].is_decision
    assert [e.id for e in ps.escalated_entries(store, TODAY)] == [late.id]


def test_only_the_general_branch_assigns_and_only_the_branch_reports(store, tree) -> None:
    top, (b, b2, b3) = tree
    kw = dict(title="报送小结", due=D(2026, 11, 30), today=TODAY)
    with pytest.raises(NotPermitted, match="党总支角色"):
        ts.assign(store, top.id, **kw)
    _as(store, Role.GENERAL, b.members[0].id, top.id)
    task = ts.assign(store, top.id, branch_ids=[b.id, b3.id], **kw)
    rows = store.query("SELECT branch_id FROM task_branches WHERE task_id=?", (task.id,))
    assert {r["branch_id"] for r in rows} == {b.id, b3.id}
    with pytest.raises(NotPermitted, match="支部书记、支委"):
        ts.report(store, task.id, b3.id, "已报送", done=True, today=TODAY)
    _as(store, Role.SECRETARY, b.members[0].id, b.id)
    ts.report(store, task.id, b.id, "已报送", done=True, today=TODAY)
    row = store.query_one("SELECT done FROM task_reports WHERE task_id=? AND branch_id=?",
                          (task.id, b.id))  # fmt: skip
    assert row == {"done": 1}
    with pytest.raises(InvalidInput, match="未下达"):
        ts.report(store, task.id, b2.id, "x", done=False, today=TODAY)
    everyone = ts.assign(store, top.id, **kw)  # no branch ids: all of them
    assert set(everyone.branch_ids) == {b.id, b2.id, b3.id}
    assert ts.due_for(store, TODAY) == []  # due in 8 days: not yet in a 7-day digest
    due = ts.due_for(store, TODAY, within_days=8)
    # 一支部 reported the first task done; every other (task, branch) is due.
    assert sorted(d.branch_name for d in due) == ["一支部", "三支部", "三支部", "二支部"]
    assert ts.due_for(store, D(2026, 12, 2))[0].days_late == 2


def test_online_dues_measure_comes_from_the_dues_records(store, tree) -> None:
    top, (b, b2, _b3) = tree
    for branch, online_count in ((b, 4), (b2, 1)):
        rows = []
        members = [p for p in branch.members if p.is_member]
        for i, p in enumerate(members):
            rec = dues_store.get(store, p.id, D(2026, 10, 1))
            assert rec is None
            from domain.dues import make_record

            rec = record_payment(make_record(p.id, D(2026, 10, 1), 500_000), 1, D(2026, 10, 5),
                                 online=i < online_count)  # fmt: skip
            rows.append(rec)
        dues_store.save_month(store, branch.id, rows)
    _as(store, Role.GENERAL, None, top.id)
    task = ts.assign(store, top.id, title="线上缴纳", due=D(2026, 12, 31), today=TODAY,
                     branch_ids=[b.id, b2.id], measure=ts.TaskMeasure.ONLINE_DUES,
                     threshold_pct=75)  # fmt: skip
    got = {i.branch_name: (i.measure_value, i.measure_met) for i in ts.branch_tasks(store)}
    # 一支部 has 6 members (5 full, 1 probationary): 4 of 6 paid online.
    assert got == {"一支部": (66.7, False), "二支部": (16.7, False)}
    scores = ts.quarterly_scores(store, Period.quarter(2026, 4), general_id=top.id)
    assert [(s.branch_name, s.points, s.max_points) for s in scores] == [
        ("一支部", 0, 100), ("二支部", 0, 100)
    ]
    assert task.measure_text() == "线上缴纳党费比例 ≥ 75%"


def test_export_problems_docx_and_xlsx_read_back(store, tree, tmp_path: Path) -> None:
    _top, (b, b2, _b3) = tree
    _file(store, b, text="逾期的问题")
    closed = _file(store, b2, text="已关的问题", deadline=D(2026, 11, 30))
    ps.advance(store, closed.id, "已整改", submit=True)
    _as(store, Role.SECRETARY, b2.members[0].id, b2.id)
    ps.verify(store, closed.id, TODAY, passed=True)
    files = export_problems(store, tmp_path, TODAY)
    assert [f.name for f in files] == ["问题整改台账_各支部.docx", "问题整改台账_各支部.xlsx"]
    doc = docx.Document(str(files[0]))
    assert doc.paragraphs[0].text == "各支部问题整改台账"
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["序号", "支部", "来源", "问题", "整改措施", "责任人", "整改时限", "验证人",
                      "状态"]  # fmt: skip
    first = [c.text for c in table.rows[1].cells]
    assert first == ["1", "一支部", "隐患排查\n冬季隐患排查\n发现于2026年11月1日", "逾期的问题",
                     "联系安全员更换", b.members[3].name, "2026年\n11月20日", b.members[0].name,
                     "待整改\n逾期2天"]  # fmt: skip
    assert [c.text for c in table.rows[2].cells][8] == "已验证关闭"
    # 五号 in the cells: at the house 四号 a landscape page held three entries.
    sizes = {run.font.size.pt for row in table.rows for cell in row.cells
             for par in cell.paragraphs for run in par.runs}  # fmt: skip
    assert sizes == {10.5}
    assert "共 2 项：未关闭 1 项（其中逾期 1 项），已验证关闭 1 项。" in doc.paragraphs[1].text
    ws = xc.sheets(files[1])["整改台账"]
    xc.assert_frozen_header(ws, 2)
    xc.assert_typed(ws, 2)
    assert xc.row(ws, 2)[:4] == ["序号", "支部", "来源", "发现日期"]
    rows = xc.body(ws, 2)
    assert rows[0] == [1, "一支部", "隐患排查（冬季隐患排查）", D(2026, 11, 1), "逾期的问题",
                       "联系安全员更换", b.members[3].name, D(2026, 11, 20), b.members[0].name,
                       "待整改（逾期）", 2]  # fmt: skip
    assert rows[1][0] == 2 and rows[1][9] == "已验证关闭" and rows[1][10] == 0
    assert ws.column_dimensions["E"].width >= 12


def test_cli_export_problems_one_branch_xlsx(store, tree, tmp_path: Path, capsys) -> None:
    db = str(store.target)
    _top, (b, b2, _b3) = tree
    _file(store, b, text="一支部的问题")
    _file(store, b2, text="二支部的问题")
    out = tmp_path / "o"
    code = cli.main(["--db", db, "export", "problems", "-o", str(out),
                     "--format", "xlsx", "--branch", "二支部"])  # fmt: skip
    assert code == 0
    assert [p.name for p in out.iterdir()] == ["问题整改台账_二支部.xlsx"]
    ws = xc.sheets(out / "问题整改台账_二支部.xlsx")["整改台账"]
    assert [r[4] for r in xc.body(ws, 2)] == ["二支部的问题"]
    assert "共导出 1 个文件" in capsys.readouterr().out
    code = cli.main(["--db", db, "export", "problems", "-o", str(out),
                     "--branch", "没有这个支部"])  # fmt: skip
    assert code != 0
    assert "Traceback" not in capsys.readouterr().err


def test_the_next_meetings_minutes_print_the_carried_problems(store, tree, tmp_path) -> None:
    from services.export_minutes import export_minutes

    _top, (b, *_rest) = tree
    first = factories.finished_meeting(store, b, day=D(2026, 11, 3))
    _file(store, b, text="党员活动室灭火器过期", meeting_id=first.id, found_on=D(2026, 11, 3),
          source=ProblemSource.MEETING, source_text="2026-11-03 支委会")  # fmt: skip
    factories.finished_meeting(store, b, day=D(2026, 11, 21))
    result = export_minutes(store, tmp_path, branch_name="一支部", today=TODAY)
    texts = {p.name: "\n".join(x.text for x in docx.Document(str(p)).paragraphs)
             for p in result.written}  # fmt: skip
    later = next(t for n, t in texts.items() if n.startswith("2026-11-21"))
    earlier = next(t for n, t in texts.items() if n.startswith("2026-11-03"))
    assert "遗留问题整改情况：" in later
    # Late as of the meeting day (deadline 11-20, meeting 11-21), in the current state.
    assert (f"党员活动室灭火器过期（会议；责任人{b.members[3].name}，2026年11月20日前；"
            "待整改，已逾期1天）") in later  # fmt: skip
    assert "党员活动室灭火器过期" not in earlier  # filed in that meeting: not carried into it


def test_home_lines_for_problems_tasks_and_the_general_branch(store, tree) -> None:
    from services.home import due_items

    top, (b, b2, _b3) = tree
    _file(store, b, text="逾期的问题")
    waiting = _file(store, b2, text="待验证的问题", deadline=D(2026, 11, 25))
    ps.advance(store, waiting.id, "已整改", submit=True)
    closed = _file(store, b2, text="已关的问题")
    ps.advance(store, closed.id, "已整改", submit=True)
    _as(store, Role.SECRETARY, b2.members[0].id, b2.id)
    ps.verify(store, closed.id, TODAY, passed=True)
    factories.finished_meeting(store, b, day=D(2026, 10, 9))  # its 决议 is due 11-08
    _as(store, Role.GENERAL, None, top.id)
    ts.assign(store, top.id, title="报送小结", due=D(2026, 11, 20), today=D(2026, 11, 1),
              branch_ids=[b.id, b2.id])  # fmt: skip
    items = due_items(store, TODAY)
    got = sorted((i.section, i.text, i.owner) for i in items
                 if i.section in ("问题清单", "党总支任务", "党总支督办"))  # fmt: skip
    owner, verifier2 = b.members[3].name, b2.members[0].name
    assert got == sorted([
        ("问题清单", f"【逾期】待整改 {owner}：逾期的问题（逾期 2 天）", owner),
        ("问题清单", f"待验证 {b2.members[3].name}：待验证的问题（11-25 前）", verifier2),
        ("党总支督办", "【逾期】一支部 问题：逾期的问题（逾期 2 天）", owner),
        ("党总支任务", "【逾期】一支部：报送小结（逾期 2 天）", ""),
        ("党总支任务", "【逾期】二支部：报送小结（逾期 2 天）", ""),
        ("党总支督办", "【逾期】任务“报送小结”2 个支部未完成（逾期 2 天）", ""),
        ("党总支督办", "【逾期】一支部 决议 1 项逾期未销号", ""),
    ])  # fmt: skip


def test_quarterly_report_prints_tasks_and_the_score(store, tree, tmp_path: Path) -> None:
    from services.export_report import export_reports

    top, (b, b2, _b3) = tree
    _as(store, Role.GENERAL, None, top.id)
    task = ts.assign(store, top.id, title="报送小结", due=D(2026, 11, 15), today=D(2026, 11, 1),
                     branch_ids=[b.id, b2.id])  # fmt: skip
    _as(store, Role.SECRETARY, b.members[0].id, b.id)
    ts.report(store, task.id, b.id, "已报送", done=True, today=D(2026, 11, 14))
    files = export_reports(store, tmp_path, period=Period.quarter(2026, 4), today=TODAY,
                           org_ids=[top.id], formats=("docx", "xlsx"))  # fmt: skip
    by_name = {f.path.name: f.path for f in files}
    one = docx.Document(str(by_name["季度报告_一支部_2026Q4.docx"]))
    text = "\n".join(p.text for p in one.paragraphs)
    assert "党总支任务完成情况" in text
    assert "本季度到期任务1项，按时完成1项，工作检查得分100分。" in text
    table = next(t for t in one.tables if t.rows[0].cells[0].text == "任务")
    assert [c.text for c in table.rows[1].cells] == ["报送小结", "2026年11月15日", "按时完成", "—"]
    two = "\n".join(p.text for p in docx.Document(
        str(by_name["季度报告_二支部_2026Q4.docx"])).paragraphs)  # fmt: skip
    assert "按时完成0项，工作检查得分0分。" in two
    summary = docx.Document(str(by_name["季度报告_测试党总支_2026Q4.docx"]))
    scores = next(t for t in summary.tables if t.rows[0].cells[-1].text == "检查得分")
    assert [[c.text for c in r.cells] for r in scores.rows[1:]] == [
        ["一支部", "1", "1", "—", "100"],
        ["二支部", "1", "0", "—", "0"],
    ]
    xlsx = next(p for n, p in by_name.items() if n.endswith(".xlsx") and "测试党总支" in n)
    ws = xc.sheets(xlsx)["工作检查"]
    assert xc.body(ws, 2) == [["一支部", 1, 1, 0, 0, 100.0], ["二支部", 1, 0, 0, 0, 0.0]]
    branch_xlsx = next(p for n, p in by_name.items() if n.endswith(".xlsx") and "一支部" in n)
    assert xc.body(xc.sheets(branch_xlsx)["党总支任务"], 2) == [
        ["报送小结", D(2026, 11, 15), "按时完成", None]
    ]


@pytest.mark.parametrize("target", [150.0, -5.0, float("nan")])
def test_a_target_outside_0_to_100_is_refused_in_chinese(store, tree, target: float) -> None:
    from domain.tasks import TaskMeasure

    top, (b, _b2, _b3) = tree
    _as(store, Role.GENERAL, b.members[0].id, top.id)
    with pytest.raises(InvalidInput, match="目标值须在 0 到 100 之间"):
        ts.assign(store, top.id, title="线上缴费", due=D(2026, 12, 20), today=TODAY,
                  measure=TaskMeasure.ONLINE_DUES, threshold_pct=target)  # fmt: skip
    assert store.scalar("SELECT count(*) FROM tasks") == 0
