"""党课轮讲 by keyboard at 80×24: plan, swap, pin, re-plan, confirm, review, export.

The screens are pushed directly until the app wires its actions; every
assertion is on SQLite rows, the written .docx or what the screen shows.
"""

from __future__ import annotations

import hashlib
import json
import random

import docx
from textual.widgets import DataTable, Input, Static

from domain.courseware import ReviewState
from domain.navigation import Place
from screens.rota.export import ExportPlanScreen
from screens.rota.lecture_review import LectureReviewScreen
from screens.rota.lecture_step import LectureStepScreen
from screens.rota.plan import RotaPlanScreen
from screens.rota.unavailable import UnavailableDatesScreen
from screens.rota.wizard import RotaWizardScreen
from storage import drafts, org, people, rota
from storage.demo_rota import add_demo_rota
from tests.conftest import TODAY


def rendered(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def lecture_rows(store, plan_id: str) -> list[dict]:
    return store.query("SELECT * FROM lectures WHERE plan_id=? ORDER BY date", (plan_id,))


async def test_plan_review_and_export_by_keyboard(
    make_demo_app, demo_store, db_path, export_dir
) -> None:
    general = org.find_by_name(demo_store, "第一作业区党总支")
    secretaries = [
        people.secretary_of(demo_store, b.id) for b in org.children(demo_store, general.id)
    ]
    slides = db_path.parent / "slides-v1.pptx"
    slides.write_bytes(b"courseware v1")
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(RotaWizardScreen())
        await pilot.pause()
        wiz = app.screen
        # ① period: defaults are the first 党总支 and, in November, next year.
        assert wiz.query_one("#w-year", Input).value == "2027"
        help_text = rendered(wiz, "#w-period-help")
        assert "2027 年尚无国务院放假安排，节假日按放假办法推算（含除夕）" in help_text
        await pilot.press("ctrl+n")
        await pilot.pause()
        # ② lecturers: the four secretaries; the first cannot lecture on 3-5.
        assert [lec.id for lec in wiz.lecturers] == [p.id for p in secretaries]
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, UnavailableDatesScreen)
        await pilot.press(*"3-5", "enter")
        await pilot.pause()
        first = secretaries[0].id
        assert [d.isoformat() for d in wiz.unavailable[first]] == ["2027-03-05"]
        await pilot.press("ctrl+n")
        await pilot.pause()
        # ③ the proposal: four quarterly slots, a fair rotation, the 2027 warning shown.
        plan = wiz.plan
        assert [s.date.isoformat() for s in plan.slots] == [
            "2027-03-05", "2027-06-04", "2027-07-02", "2027-12-03",
        ]  # fmt: skip
        assert sorted(s.lecturer_id for s in plan.slots) == sorted(p.id for p in secretaries)
        assert plan.slots[0].lecturer_id != first
        assert "2027 年尚无国务院放假安排" in rendered(wiz, "#w-plan-info")
        proposed = [s.lecturer_id for s in plan.slots]
        # swap rows 2 and 3, pin row 4, re-plan: the swap and the pin survive.
        await pilot.press("down", "s", "down", "s")
        await pilot.pause()
        assert [s.lecturer_id for s in wiz.plan.slots] == [
            proposed[0], proposed[2], proposed[1], proposed[3],
        ]  # fmt: skip
        await pilot.press("down", "f")
        await pilot.pause()
        assert wiz.plan.slots[3].pinned_lecturer
        assert set(wiz.plan.request.pins) == {1, 2, 3}
        await pilot.press("r")
        await pilot.pause()
        final = [s.lecturer_id for s in wiz.plan.slots]
        assert final[1:] == [proposed[2], proposed[1], proposed[3]]
        assert "已重排，保留 3 处固定安排" in rendered(wiz, "#wiz-status")
        table = wiz.query_one("#w-slots", DataTable)
        assert str(table.get_row_at(3)[4]) == "固定"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert wiz.plan.problems == []
        # Confirmed: the plan view replaces the wizard, rows are in SQLite.
        assert isinstance(app.screen, RotaPlanScreen)
        plan_row = demo_store.query_one("SELECT * FROM rota_plans WHERE period='2027年度'")
        assert plan_row["org_id"] == general.id and plan_row["period"] == "2027年度"
        rows = lecture_rows(demo_store, plan_row["id"])
        assert [r["lecturer_id"] for r in rows] == final
        assert [r["date"] for r in rows] == [s.date.isoformat() for s in wiz.plan.slots]
        assert {r["state"] for r in rows} == {"未提交"}
        assert drafts.load(demo_store, "rota", "new") is None
        view = app.screen
        assert "2027 年尚无国务院放假安排" in rendered(view, "#plan-warn")

        # Lecture 1: topic, 报题, 提交, then 初审退回 — refused without a comment.
        await pilot.press("enter")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, LectureReviewScreen)
        await pilot.press(*"安全生产与党员责任")
        for _ in range(2):  # 报题, then 提交: the first offered step each time
            await pilot.press("ctrl+t")
            await pilot.pause()
            assert isinstance(app.screen, LectureStepScreen)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
        assert review.lecture.state is ReviewState.SUBMITTED
        await pilot.press("ctrl+t")
        await pilot.pause()
        step = app.screen
        await pilot.press("down", "tab", *"王宣传")  # 初审退回 is offered last
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is step
        assert "须填写退回意见" in rendered(step, "#step-status")
        await pilot.press("tab", *"第5页数据请核实出处")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is review
        row = demo_store.query_one("SELECT * FROM lectures WHERE id=?", (rows[0]["id"],))
        assert row["state"] == "初审退回"
        data = json.loads(row["data"])
        assert data["topic"] == "安全生产与党员责任"
        events = data["events"]
        assert [(e["to_state"], e["actor"]) for e in events] == [
            ("已报题", final_name(secretaries, final[0])),
            ("已提交", final_name(secretaries, final[0])),
            ("初审退回", "王宣传"),
        ]
        assert events[-1]["comment"] == "第5页数据请核实出处"
        assert events[-1]["at"].startswith(TODAY.isoformat())
        assert "王宣传" in str(review.query_one("#lec-events", DataTable).get_row_at(0)[2])
        await pilot.press("escape")
        await pilot.pause()

        # Lecture 2: courseware file, checklist, higher review, approved and locked.
        assert app.screen is view
        await pilot.press("down", "o")
        await pilot.pause()
        review = app.screen
        await pilot.press(*"以学铸魂 以学促干")
        await pilot.press(*["tab"] * 6, *str(slides))
        for _ in range(2):
            await pilot.press("ctrl+t")
            await pilot.pause()
            await pilot.press("ctrl+s")
            await settle(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        step = app.screen
        await pilot.press("tab", *"王宣传", "tab", "tab", "space", "down", "space", "ctrl+s")
        await settle(app, pilot)
        assert "初审清单未全部通过：事实准确、针对性、保密、形式" in rendered(step, "#step-status")
        for _ in range(4):
            await pilot.press("down", "space")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert review.lecture.state is ReviewState.AWAITING_HIGHER
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert "将锁定课件：slides-v1.pptx" in rendered(app.screen, "#step-lock")
        await pilot.press("tab", *"党委组织部", "tab", *"同意", "ctrl+s")
        await settle(app, pilot)
        row = demo_store.query_one("SELECT * FROM lectures WHERE id=?", (rows[1]["id"],))
        assert row["state"] == "审核通过"
        data = json.loads(row["data"])
        assert data["locked"]["file_name"] == "slides-v1.pptx"
        assert data["locked"]["sha256"] == hashlib.sha256(b"courseware v1").hexdigest()
        assert [e["actor"] for e in data["events"][2:]] == ["王宣传", "党委组织部"]
        assert data["events"][2]["checklist"] == {k: True for k in data["events"][2]["checklist"]}
        assert len(data["events"][2]["checklist"]) == 6
        assert review.query_one("#f-topic", Input).disabled  # the approved version is locked
        await pilot.press("escape")
        await pilot.pause()

        # The plan view shows the states; x exports the 党课计划表.
        table = view.query_one("#plan-table", DataTable)
        assert [str(table.get_row_at(i)[4]) for i in range(4)] == [
            "初审退回", "审核通过", "未提交", "未提交",
        ]  # fmt: skip
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportPlanScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is view
    out = export_dir / "第一作业区党总支2027年度党课计划表.docx"  # the one export folder
    document = docx.Document(str(out))
    cells = [[c.text for c in r.cells] for r in document.tables[0].rows]
    from exports.rota_plan import HEADER

    assert cells[0] == HEADER
    col = {name: i for i, name in enumerate(HEADER)}

    def row(n: int, *names: str) -> list[str]:
        return [cells[n][col[name]] for name in names]

    assert cells[1][0] == "1" and cells[1][col["计划日期"]].startswith("2027年3月5日")
    assert row(1, "主题", "类别", "审核状态") == ["安全生产与党员责任", "理论学习", "初审退回"]
    assert cells[2][col["授课人"]].startswith(final_name(secretaries, final[1]))
    assert row(2, "主题", "类别", "审核状态") == ["以学铸魂 以学促干", "理论学习", "审核通过"]
    assert cells[3][col["主题"]] == "七一专题党课（题目待定）"
    assert document.paragraphs[0].text == "第一作业区党总支2027年度党课计划表"


def final_name(secretaries, person_id: str) -> str:
    return next(p.name for p in secretaries if p.id == person_id)


def add_rota(store) -> None:
    """This year's demo rota (a no-op once build_demo adds it itself)."""
    with store.write() as c:
        add_demo_rota(store, c, today=TODAY, rng=random.Random(7))


async def test_start_lecture_runs_the_app_action_and_shows_given(make_demo_app, demo_store) -> None:
    add_rota(demo_store)
    app = make_demo_app()
    started: list[str] = []
    real_go = app.go

    def go(place, *args, **options):  # the meeting screen itself is tested elsewhere
        if place is Place.LECTURE_MEETING:
            started.append(args[0])
        else:
            real_go(place, *args, **options)

    app.go = go
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(RotaPlanScreen())
        await pilot.pause()
        view = app.screen
        table = view.query_one("#plan-table", DataTable)
        # The demo's held lectures have their 党课; take the first one put off.
        n = next(i for i, x in enumerate(view.lectures) if not x.given)
        await pilot.press(*["down"] * n, "g")
        await pilot.pause()
        lecture = view.lectures[n]
        assert started == [lecture.id]
        rota.mark_given(demo_store, lecture.id, "meeting-7", "应到 24 人，实到 21 人")
        await pilot.press("f5")
        await pilot.pause()
        assert str(table.get_row_at(n)[4]) == "已讲授"
        assert str(table.get_row_at(n)[5]) == "应到 24 人，实到 21 人"
        assert "已讲授" in rendered(view, "#plan-detail")
        await pilot.press("g")
        await pilot.pause()
        assert started == [lecture.id]  # not started twice
        await pilot.press("o")
        await pilot.pause()
        assert "已讲授" in rendered(app.screen, "#lec-state")
        assert "实到 21 人" in rendered(app.screen, "#lec-state")


async def test_overdue_marks_and_plan_switching(make_demo_app, demo_store) -> None:
    add_rota(demo_store)
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(RotaPlanScreen())
        await pilot.pause()
        view = app.screen
        table = view.query_one("#plan-table", DataTable)
        assert table.row_count == 12
        assert str(table.get_row_at(11)[5]) == "逾期2天"
        assert str(table.get_row_at(0)[5]) == "过期未审核"
        assert "2026年度" in rendered(view, "#plan-head")
        await pilot.press("left_square_bracket")  # nothing older: the plan stays
        await pilot.pause()
        assert "2026年度" in rendered(view, "#plan-head")


async def test_drafts_saved_as_typed_and_restored(make_demo_app, demo_store) -> None:
    add_rota(demo_store)
    lecture = rota.lectures_of_plan(demo_store, rota.list_plans(demo_store)[0].id)[11]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(LectureReviewScreen(lecture.id))
        await pilot.pause()
        await pilot.press(*"守牢井控安全红线")
        await pilot.pause(0.8)  # past the debounce
        saved = drafts.load(demo_store, "lecture", lecture.id)
        assert saved["fields"]["topic"] == "守牢井控安全红线"
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("tab", "end", *"代")
        await pilot.pause(0.8)
        assert drafts.load(demo_store, "lecture", lecture.id)["step"]["actor"].endswith("代")
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert rota.get_lecture(demo_store, lecture.id).topic == ""  # nothing saved yet
        app.push_screen(LectureReviewScreen(lecture.id))
        await pilot.pause()
        assert app.screen.query_one("#f-topic", Input).value == "守牢井控安全红线"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert rota.get_lecture(demo_store, lecture.id).topic == "守牢井控安全红线"
        kept = app.drafts.load("lecture", lecture.id)
        assert kept["fields"] is None and kept["step"]["actor"].endswith("代")  # step kept

        # The wizard: its state is a draft too, restored on the step it was left at.
        app.push_screen(RotaWizardScreen())
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("x")  # remove the first lecturer
        await pilot.pause(0.8)
        wiz_draft = drafts.load(demo_store, "rota", "new")
        assert wiz_draft["step"] == 1 and len(wiz_draft["lecturers"]) == 3
        await pilot.press("escape")
        await pilot.pause()
        app.push_screen(RotaWizardScreen())
        await pilot.pause()
        assert app.screen.step == 1 and len(app.screen.lecturers) == 3


async def test_stale_save_is_refused_and_the_form_stays(make_demo_app, demo_store) -> None:
    add_rota(demo_store)
    lecture = rota.lectures_of_plan(demo_store, rota.list_plans(demo_store)[0].id)[11]
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(LectureReviewScreen(lecture.id))
        await pilot.pause()
        other = lecture.model_copy(update={"place": "联合站会议室"})
        rota.save_lecture(demo_store, other)  # someone else saves first
        await pilot.press(*"我的题目", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LectureReviewScreen)
        assert "已被 tester" in rendered(app.screen, "#lec-status")
    assert rota.get_lecture(demo_store, lecture.id).topic == ""


async def test_reviewer_picked_from_the_roster(make_demo_app, demo_store) -> None:
    add_rota(demo_store)
    lecture = next(x for x in rota.lectures_of_plan(demo_store, rota.list_plans(demo_store)[0].id)
                   if x.state is ReviewState.SUBMITTED)  # fmt: skip
    branch = org.find_by_name(demo_store, "采油二队党支部")
    reviewer = next(p for p in people.committee_of(demo_store, branch.id) if p.post == "宣传委员")
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(LectureReviewScreen(lecture.id))
        await pilot.pause()
        await pilot.press("ctrl+t")
        await pilot.pause()
        step = app.screen
        await pilot.press("tab", *reviewer.name[:1], "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "PickPersonScreen"
        await pilot.press(*reviewer.name[1:])
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is step
        assert step.query_one("#step-actor", Input).value == reviewer.name
        # Back in 操作人, so the habitual Tab goes on to 意见 (issue 16 item 4).
        assert step.focused is step.query_one("#step-actor", Input)


async def test_wizard_refuses_an_existing_period_and_adds_a_lecturer(
    make_demo_app, demo_store
) -> None:
    add_rota(demo_store)  # 2026 is planned
    deputy = next(
        p
        for p in people.committee_of(demo_store, org.find_by_name(demo_store, "采油一队党支部").id)
        if p.post == "副书记"
    )
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(RotaWizardScreen())
        await pilot.pause()
        wiz = app.screen
        wiz.query_one("#w-year", Input).focus()
        await pilot.press("ctrl+u", *"2026", "ctrl+n")
        await pilot.pause()
        assert wiz.step == 0
        assert "已有2026年度的党课计划" in rendered(wiz, "#wiz-status")
        await pilot.press("backspace", "7", "ctrl+n")
        await pilot.pause()
        assert wiz.step == 1
        await pilot.press("a", *deputy.name)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert [lec.name for lec in wiz.lecturers][-1] == deputy.name
        assert wiz.lecturers[-1].branch == "采油一队党支部"
        await pilot.press("ctrl+n")
        await pilot.pause()
        counts = wiz.plan.counts()
        assert len(counts) == 5 and sum(counts.values()) == 4
        assert max(counts.values()) - min(counts.values()) <= 1
        assert "次数：" in rendered(wiz, "#w-plan-info")
