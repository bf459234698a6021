"""Issue 16 item 3: at 80×24 no label, message, column header or footer
entry is cut off, on every screen the route registry opens."""

from __future__ import annotations

import pytest

from domain.navigation import Place
from tests.clipping import clipped
from tests.test_chinese_everywhere import MAIN_PLACES


@pytest.mark.parametrize("place", MAIN_PLACES, ids=lambda p: p.value)
async def test_nothing_clipped_at_80x24(make_demo_app, place: Place) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if place is not Place.HOME:
            app.go(place)
            await pilot.pause()
        await pilot.pause()
        assert clipped(app.screen) == []


@pytest.mark.parametrize("place", [Place.ROTA, Place.PROBLEMS, Place.TASKS],
                         ids=lambda p: p.value)  # fmt: skip
async def test_after_an_export_the_copy_key_leaves_the_footer_whole(
    make_demo_app, place: Place
) -> None:
    """After an export the app offers ^y 复制路径 in every footer; on a screen
    with many keys (党课计划) it must not push the others, or ^p 命令, off the
    edge (it was drawn as 「^y  ▏^p 命」)."""
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.go(place)
        await pilot.pause()
        app.exported("/tmp/导出/第一作业区党总支2026年度党课计划表.xlsx")
        await pilot.pause()
        await pilot.pause()
        assert clipped(app.screen) == []


async def test_roster_search_results_show_every_column(make_demo_app) -> None:
    from textual.widgets import DataTable

    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.go(Place.ROSTER)
        await pilot.pause()
        await pilot.press("slash", "z")
        for _ in range(20):
            await pilot.pause(0.05)
            table = app.screen.query_one("#people-table", DataTable)
            if len(table.columns) == 7 and table.row_count:
                break
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[-1] == "支部" and "岗位" in labels
        assert clipped(app.screen) == []
        await pilot.press("escape")
        await pilot.pause()
        assert len(table.columns) == 6
        assert clipped(app.screen) == []


# -- every screen a route opens with arguments, and the dialogs on the way ---------
#
# Each walk opens screens and dialogs by keyboard, the way a user gets there,
# and checks the screen at each stop. A walk collects every stop's problems so
# one run names them all.


class _Walk:
    def __init__(self, app, pilot) -> None:
        self.app, self.pilot = app, pilot
        self.problems: dict[str, list[str]] = {}
        self.seen: list[str] = []

    async def keys(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.pilot.pause()
        await self.pilot.pause()

    async def check(self, where: str) -> None:
        await self.pilot.pause()
        self.seen.append(f"{where}={type(self.app.screen).__name__}")
        found = clipped(self.app.screen)
        if found:
            self.problems[f"{where} ({type(self.app.screen).__name__})"] = found


def _one_id(store, sql: str) -> str:
    return str(store.query_one(sql)["id"])


async def _section(w: _Walk, n: str) -> None:
    from screens.meetings.run import SectionNav

    w.app.screen.query_one(SectionNav).focus()
    await w.keys(n)


async def _walk_meeting(w: _Walk, store) -> None:
    """A new 党员大会 through every section and its dialogs."""
    await w.keys("m")
    await w.check("新建会议")
    await w.keys("ctrl+s")
    for n in "1234567":
        await _section(w, n)
        await w.check(f"会议第{n}节")
    # 基本信息: both times wrong; the recorder picker.
    await _section(w, "1")
    w.app.screen.query_one("#i-start").focus()
    await w.keys(*"abc", "tab", *"xyz", "tab")
    await w.check("时间填错")
    # 「…或 14」 read as cut off: the example says 14点, one message a line.
    shown = str(w.app.screen.query_one("#i-error").render()).splitlines()
    assert shown == [f"{f}：时间格式不对，可写 9:30、0930 或 14点" for f in ("开始时间", "结束时间")]
    w.app.screen.query_one("#i-recorder").focus()
    await w.keys("enter")
    await w.check("选记录人")
    await w.keys("escape")
    # 签到: End, and everyone present.
    await _section(w, "2")
    await w.keys("end")
    await w.check("签到 End")
    await w.keys("home", "2")
    await w.check("请假原因")
    await w.keys("escape", "x")
    await w.check("不计应到原因")
    await w.keys("escape", "a")
    await w.check("添加列席")
    await w.keys("escape", "home", "A")
    await w.check("签到 全部出席")
    await _section(w, "3")
    for key, where in (("n", "步骤记录"), ("s", "跳过原因"), ("p", "发言人")):
        await w.keys(key)
        await w.check(where)
        await w.keys("escape")
    # 表决: a vote that fails, saved, then in the list.
    await _section(w, "4")
    await w.keys("a")
    await w.check("表决对话框")
    await w.keys("tab", "tab", "1", "tab", "9")
    await w.check("表决 未通过")
    await w.keys("ctrl+s")
    await w.check("表决列表")
    await _section(w, "5")
    await w.keys("a")
    await w.check("选举对话框")
    await w.keys("escape")
    await _section(w, "6")
    await w.keys("a")
    await w.check("决议对话框")
    await w.keys("escape")
    await _section(w, "7")
    await w.keys("f")
    await w.check("完成会议：还不能完成")


async def _walk_finished_meeting(w: _Walk, store) -> None:
    meeting_id = _one_id(store, "SELECT id FROM meetings WHERE status='已完成' LIMIT 1")
    w.app.go(Place.MEETING, meeting_id)
    await w.keys()
    await w.check("已完成的会议")
    for n in "2345":
        await _section(w, n)
        await w.check(f"已完成会议第{n}节")
    await w.keys("c")
    await w.check("生成更正版本")
    await w.keys("escape")
    item_id = _one_id(store, "SELECT id FROM action_items WHERE kind='补学' AND closed_at IS NULL LIMIT 1")
    w.app.go(Place.ACTION_ITEM, item_id)
    await w.keys()
    await w.check("决议/补学事项")
    await w.keys("k")
    await w.check("办结")


async def _walk_rota(w: _Walk, store) -> None:
    w.app.go(Place.ROTA)
    await w.keys()
    await w.check("党课计划")
    await w.keys("x")
    await w.check("导出党课计划")
    await w.keys("escape", "o")
    await w.check("课件审核")
    await w.keys("ctrl+t")
    await w.check("审核办理")
    await w.keys("escape", "escape")
    w.app.go(Place.NEW_ROTA)
    await w.keys()
    await w.check("轮讲向导 ①")
    await w.keys("ctrl+n")
    await w.check("轮讲向导 ②")
    await w.keys("u")
    await w.check("不可用日期")
    await w.keys("escape", "ctrl+n")
    await w.check("轮讲向导 ③")


async def _walk_followups(w: _Walk, store) -> None:
    fu_id = _one_id(store, "SELECT id FROM followups WHERE status != '销号' LIMIT 1")
    for scope in ("我的", "本支部", "逾期"):
        w.app.go(Place.FOLLOWUPS, scope)
        await w.keys()
        await w.check(f"一人一事 {scope}")
    w.app.go(Place.FOLLOWUP, fu_id)
    await w.keys()
    await w.check("一人一事时间线")
    for key, where in (("c", "谈话记录"), ("u", "上报"), ("s", "办结")):
        await w.keys(key)
        await w.check(where)
        await w.keys("escape")
    w.app.go(Place.FOLLOWUP_TRIGGERS)
    await w.keys()
    await w.check("必谈必访清单")
    await w.keys("a")
    await w.check("新增触发情形")
    await w.keys("escape")


async def _walk_people(w: _Walk, store) -> None:
    from screens.roster.person_form import PersonForm
    from services import roster

    person_id = _one_id(store, "SELECT id FROM people WHERE post != '' LIMIT 1")
    w.app.go(Place.ROSTER)
    await w.keys()
    w.app.push_screen(PersonForm(roster.get_person(w.app.store, person_id)))
    await w.keys()
    await w.check("编辑人员")
    await w.keys("escape", "m")
    await w.check("调动")
    await w.keys("escape")
    w.app.go(Place.MEMBER_RECORD, person_id)
    await w.keys()
    await w.check("党员档案 会议")
    await w.keys("2")
    await w.check("党员档案 党费")
    await w.keys("f1")
    await w.check("帮助")
    await w.keys("escape")
    w.app.go(Place.DUES)
    await w.keys()
    for key, where in (("a", "党费金额"), ("k", "党费类别")):
        await w.keys(key)
        await w.check(where)
        await w.keys("escape")
    w.app.go(Place.PARTICIPATION)
    await w.keys()
    await w.keys("t")
    await w.check("出席率阈值")


async def _walk_sittings(w: _Walk, store) -> None:
    """Issue 19: 交接班活动 from 今日, 班次与上站 from 花名册, the 8 分场 section
    (empty, proposed, one sitting open, refused for a vote, a finished split record)."""
    from domain.meeting_kinds import MeetingKind
    from services import meetings, org_lookup

    await w.keys("j")
    await w.check("交接班 选支部")
    await w.keys("enter")
    await w.check("交接班活动")
    await w.keys("escape")
    w.app.go(Place.ROSTER)
    await w.keys()
    await w.keys("b")
    await w.check("班次与上站")
    await w.keys("s")
    await w.check("上站站点")
    await w.keys("escape", "escape")
    two = next(b for b in org_lookup.branches(store) if str(b.shift_pattern) == "白夜两班")
    for kind in (MeetingKind.THEME_DAY, MeetingKind.MEMBER_ASSEMBLY):
        w.app.open_meeting_screen(meetings.start_meeting(store, kind, two, w.app.today))
        await w.keys()
        await _section(w, "8")
        await w.check(f"{kind} 分场")
        if kind is MeetingKind.THEME_DAY:
            await w.keys("p")
            await w.check("按班次生成")
            await w.keys("enter")
            await w.check("一场的签到")
            await w.keys("escape")
        await w.keys("escape", "escape")
    split = _one_id(store, "SELECT id FROM meetings WHERE json_array_length(data, '$.sittings') > 0")
    w.app.go(Place.MEETING, split)
    await w.keys()
    await _section(w, "8")
    await w.check("已完成的分场记录")


WALKS = {
    "sittings": _walk_sittings,
    "meeting": _walk_meeting,
    "finished_meeting": _walk_finished_meeting,
    "rota": _walk_rota,
    "followups": _walk_followups,
    "people": _walk_people,
}


# The screen each stop of a walk must reach: a walk that loses its way fails
# instead of checking the wrong screen.
STOPS = {
    "sittings": (
        "ChoicePrompt HandoverScreen ShiftPatternScreen ChoicePrompt MeetingScreen MeetingScreen "
        "SittingDialog MeetingScreen MeetingScreen"
    ).split(),
    "meeting": (
        "NewMeetingScreen MeetingScreen MeetingScreen MeetingScreen MeetingScreen MeetingScreen "
        "MeetingScreen MeetingScreen MeetingScreen PickPersonScreen MeetingScreen LinePrompt "
        "ChoicePrompt PickPersonScreen MeetingScreen DraftedNotePrompt DraftedLinePrompt "
        "PickPersonScreen VoteDialog VoteDialog MeetingScreen ElectionDialog DecisionDialog "
        "MeetingScreen"
    ).split(),
    "finished_meeting": (
        "MeetingScreen MeetingScreen MeetingScreen MeetingScreen MeetingScreen ConfirmDialog "
        "ActionItemScreen MakeUpDialog"
    ).split(),
    "rota": (
        "RotaPlanScreen ExportPlanScreen LectureReviewScreen LectureStepScreen RotaWizardScreen "
        "RotaWizardScreen UnavailableDatesScreen RotaWizardScreen"
    ).split(),
    "followups": (
        "FollowupListScreen FollowupListScreen FollowupListScreen FollowupTimelineScreen "
        "ContactForm StepForm StepForm TriggerCatalogueScreen TriggerTextForm"
    ).split(),
    "people": (
        "PersonForm MovePersonScreen MemberRecordScreen MemberRecordScreen HelpScreen LinePrompt "
        "ChoicePrompt LinePrompt"
    ).split(),
}


@pytest.mark.parametrize("walk", WALKS)
async def test_nothing_clipped_on_the_way(make_demo_app, demo_store, walk: str) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        w = _Walk(app, pilot)
        await WALKS[walk](w, demo_store)
        assert [s.split("=")[1] for s in w.seen] == STOPS[walk], w.seen
        report = "\n".join(f"{k}: {v}" for k, v in w.problems.items())
        assert not w.problems, f"visited {w.seen}\n{report}"
