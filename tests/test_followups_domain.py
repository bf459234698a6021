"""一人一事 follow-ups: trigger catalogue, quick file, due dates, flags, status rules, privacy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import followups as fx
from domain import triggers as tx
from domain.followups import (
    Actor,
    Category,
    FollowUpConfig,
    FollowUpError,
    Level,
    QuickForm,
    Status,
)
from domain.triggers import TriggerError, TriggerKind, VisitList

CONFIG = FollowUpConfig()
FOUND = date(2026, 3, 2)  # a Monday, no holiday within weeks
SECRETARY = Actor("sec", "王书记")
MEMBER = Actor("m1", "李四")
OTHER = Actor("m2", "赵六")


def catalogue() -> tx.TriggerCatalogue:
    return tx.default_catalogue("branch-1")


def form(**changes: object) -> QuickForm:
    values: dict[str, object] = {
        "person_id": "w1",
        "person_name": "张三",
        "trigger_code": "T2",
        "summary": "井下未戴自救器",
        "responsible_id": MEMBER.person_id,
        "responsible_name": MEMBER.name,
        "found_on": FOUND,
    }
    values.update(changes)
    return QuickForm.model_validate(values)


def filed(**changes: object) -> fx.FollowUp:
    return fx.quick_file(form(**changes), catalogue(), today=FOUND, config=CONFIG)


def contact(on: date, who: Actor = MEMBER) -> fx.Contact:
    return fx.make_contact(on, who, content="谈心，了解情况", attitude="愿意改正")


# --- trigger catalogue ------------------------------------------------------


def test_default_catalogue_has_v2_six_talks_and_six_visits_verbatim() -> None:
    cat = catalogue()
    talks = tx.active(cat, TriggerKind.TALK)
    visits = tx.active(cat, TriggerKind.VISIT)
    assert [t.code for t in talks] == ["T1", "T2", "T3", "T4", "T5", "T6"]
    assert [t.text for t in talks] == [
        "思想出现偏差",
        "违章违纪",
        "发生责任事故",
        "完不成工作任务",
        "与他人闹矛盾",
        "受到处罚、情绪低落",
    ]
    assert [t.code for t in visits] == ["V1", "V2", "V3", "V4", "V5", "V6"]
    assert [t.text for t in visits] == [
        "有病住院",
        "家庭纠纷",
        "婚丧大事",
        "家庭有困难",
        "受到意外伤害",
        "请假逾期未归",
    ]
    assert cat.branch_id == "branch-1"


def test_seven_visits_variant_uses_the_composite_list() -> None:
    cat = tx.default_catalogue("b", visits=VisitList.SEVEN)
    visits = tx.active(cat, TriggerKind.VISIT)
    assert [t.code for t in visits] == [f"Q{i}" for i in range(1, 8)]
    assert visits[0].text == "生病住院必访"
    assert visits[-1].text == "受处分或思想情绪异常必访"
    assert len(tx.active(cat, TriggerKind.TALK)) == 6
    # A branch addition continues the visit numbering past the seven seeds.
    added = tx.add_trigger(cat, TriggerKind.VISIT, tx.SEVEN_VISITS_ALT_ITEM_7)
    assert added.triggers[-1].code == "V8"


def test_add_trigger_returns_a_copy_and_leaves_original() -> None:
    cat = catalogue()
    before = cat.triggers
    new = tx.add_trigger(cat, TriggerKind.TALK, "  岗位变动 ")
    assert cat.triggers is before and len(cat.triggers) == 12
    assert len(new.triggers) == 13
    assert new.triggers[-1].code == "T7"
    assert new.triggers[-1].text == "岗位变动"
    assert new.id == cat.id  # same stored catalogue, edited


def test_remove_retires_but_keeps_code_resolvable_and_never_reused() -> None:
    cat = catalogue()
    new = tx.remove_trigger(cat, "V6")
    assert "V6" not in [t.code for t in tx.active(new)]
    assert tx.find(new, "V6") is not None and not tx.find(new, "V6").active
    assert tx.find(cat, "V6").active  # original untouched
    again = tx.add_trigger(new, TriggerKind.VISIT, "长期病休")
    assert again.triggers[-1].code == "V7"
    with pytest.raises(TriggerError, match="已停用"):
        tx.remove_trigger(new, "V6")
    restored = tx.restore_trigger(new, "V6")
    assert tx.find(restored, "V6").active


def test_reword_changes_copy_only() -> None:
    cat = catalogue()
    new = tx.reword_trigger(cat, "T4", "未完成生产任务")
    assert tx.find(new, "T4").text == "未完成生产任务"
    assert tx.find(cat, "T4").text == "完不成工作任务"
    assert tx.find(new, "T4").kind is TriggerKind.TALK


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: tx.reword_trigger(c, "T4", "   "), "不能为空"),
        (lambda c: tx.reword_trigger(c, "T4", "违章违纪"), "已有「违章违纪」"),
        (lambda c: tx.reword_trigger(c, "X9", "随便"), "没有编号为 X9"),
        (lambda c: tx.add_trigger(c, TriggerKind.VISIT, "有病住院"), "必访清单中已有"),
        (lambda c: tx.remove_trigger(c, "nope"), "没有编号为 nope"),
    ],
)
def test_catalogue_edit_errors_are_chinese(call, message: str) -> None:
    with pytest.raises(TriggerError, match=message):
        call(catalogue())


# --- quick file -------------------------------------------------------------


def test_empty_quick_form_lists_every_missing_field() -> None:
    errors = fx.validate_quick_form(QuickForm(), catalogue(), today=FOUND)
    assert errors == {
        "person": "请选择对象（职工）",
        "trigger": "请选择触发情形（必谈/必访）",
        "summary": "请用几个字写明情况",
        "responsible": "请指定责任人（包保党员）",
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"trigger_code": "Z1"}, "trigger", "触发情形不在本支部的必谈/必访清单中"),
        ({"summary": "字" * 201}, "summary", "简要情况不超过200字，详细内容可稍后补充"),
        ({"responsible_id": "w1"}, "responsible", "责任人不能是对象本人"),
        (
            {"next_contact": FOUND - timedelta(days=1)},
            "next_contact",
            "下次联系日期不能早于发现日期",
        ),
        ({"found_on": FOUND + timedelta(days=1)}, "found_on", "发现日期不能晚于今天"),
    ],
)
def test_quick_form_field_messages(changes: dict, field: str, message: str) -> None:
    errors = fx.validate_quick_form(form(**changes), catalogue(), today=FOUND)
    assert errors == {field: message}


def test_quick_form_rejects_retired_trigger_and_non_member() -> None:
    cat = tx.remove_trigger(catalogue(), "T2")
    errors = fx.validate_quick_form(form(), cat, today=FOUND, member_ids={"sec"})
    assert errors["trigger"] == "触发情形「违章违纪」已停用，请另选"
    assert errors["responsible"] == "责任人须为本支部党员"
    assert fx.validate_quick_form(form(), catalogue(), today=FOUND, member_ids={"m1"}) == {}


def test_quick_file_raises_with_all_messages() -> None:
    with pytest.raises(FollowUpError) as info:
        fx.quick_file(
            QuickForm(person_id="w1", person_name="张三"), catalogue(), today=FOUND, config=CONFIG
        )
    assert "请选择触发情形" in str(info.value)
    assert "请指定责任人" in str(info.value)


def test_quick_file_defaults() -> None:
    fu = filed()
    assert fu.level is Level.ROUTINE
    assert fu.status is Status.TODO
    assert fu.found_on == FOUND
    # 一般: talk within 3 days (docs/RULES.md#follow-ups).
    assert fu.next_contact == date(2026, 3, 5)
    assert fu.trigger_code == "T2" and fu.trigger_text == "必谈：违章违纪"
    assert fu.category is Category.SAFETY
    assert fu.description == "井下未戴自救器"
    assert fu.branch_id == "branch-1"
    assert fu.started_on is None and fu.start_date == FOUND


def test_quick_file_level_first_contact_and_overrides() -> None:
    assert filed(level=Level.CRITICAL).next_contact == FOUND
    assert filed(level=Level.SIGNIFICANT).next_contact == FOUND + timedelta(days=1)
    assert filed(next_contact=date(2026, 3, 10)).next_contact == date(2026, 3, 10)
    assert filed(trigger_code="V1").category is Category.HEALTH
    assert filed(trigger_code="V1", category=Category.HARDSHIP).category is Category.HARDSHIP
    bj = filed(is_bangjiao=True)
    assert bj.is_bangjiao and bj.started_on == FOUND


def test_quick_file_uses_today_when_found_date_blank() -> None:
    fu = fx.quick_file(form(found_on=None), catalogue(), today=date(2026, 4, 1), config=CONFIG)
    assert fu.found_on == date(2026, 4, 1)


# --- due dates --------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "interval"), [(Level.ROUTINE, 7), (Level.SIGNIFICANT, 3), (Level.CRITICAL, 1)]
)
def test_log_contact_moves_next_date_by_level_interval(level: Level, interval: int) -> None:
    fu = filed(level=level)
    talk_on = FOUND + timedelta(days=2)
    after = fx.log_contact(fu, contact(talk_on), CONFIG)
    assert after.next_contact == talk_on + timedelta(days=interval)
    assert after.status is Status.IN_PROGRESS
    assert len(after.contacts) == 1 and after.contacts[0].by_name == "李四"
    change = after.status_changes[-1]
    assert (change.from_status, change.to_status, change.by_id) == (
        Status.TODO,
        Status.IN_PROGRESS,
        "m1",
    )
    # The input is left alone.
    assert fu.status is Status.TODO and fu.contacts == ()


def test_second_contact_keeps_status_and_moves_from_its_own_date() -> None:
    fu = fx.log_contact(filed(), contact(date(2026, 3, 3)), CONFIG)
    fu = fx.log_contact(fu, contact(date(2026, 3, 12)), CONFIG)
    assert fu.next_contact == date(2026, 3, 19)
    assert fu.status is Status.IN_PROGRESS
    assert len(fu.status_changes) == 1


def test_backfilled_older_contact_does_not_pull_date_back() -> None:
    fu = fx.log_contact(filed(), contact(date(2026, 3, 10)), CONFIG)
    fu = fx.log_contact(fu, contact(date(2026, 3, 4)), CONFIG)
    assert fu.next_contact == date(2026, 3, 17)
    assert [c.on for c in fu.contacts] == [date(2026, 3, 4), date(2026, 3, 10)]


def test_custom_interval_config() -> None:
    config = FollowUpConfig(contact_interval_days={"一般": 14, "较大": 5, "重大": 2})
    fu = fx.log_contact(filed(), contact(FOUND), config)
    assert fu.next_contact == FOUND + timedelta(days=14)


def test_config_requires_every_level_and_positive_interval() -> None:
    with pytest.raises(ValueError, match="缺少级别：重大"):
        FollowUpConfig(resolve_days={"一般": 15, "较大": 30})
    with pytest.raises(ValueError, match="联系间隔至少1天"):
        FollowUpConfig(contact_interval_days={"一般": 0, "较大": 3, "重大": 1})


def test_due_and_overdue_days() -> None:
    fu = filed()  # next contact 2026-03-05
    assert not fx.is_due(fu, date(2026, 3, 4))
    assert fx.is_due(fu, date(2026, 3, 5))
    assert fx.days_overdue(fu, date(2026, 3, 5)) == 0
    assert fx.days_overdue(fu, date(2026, 3, 9)) == 4
    assert "联系已逾期4天（应于2026-03-05）" in fx.flags(fu, date(2026, 3, 9), CONFIG)


def test_contact_rules() -> None:
    with pytest.raises(FollowUpError, match="谈话日期不能早于发现日期"):
        fx.log_contact(filed(), contact(FOUND - timedelta(days=1)), CONFIG)
    resolved = fx.resolve(filed(), "已调岗", FOUND, SECRETARY, CONFIG)
    with pytest.raises(FollowUpError, match="已解决的事项请记录回访"):
        fx.log_contact(resolved, contact(FOUND), CONFIG)


def test_long_term_uses_monthly_interval_and_has_no_deadline() -> None:
    fu = fx.set_long_term(filed(), FOUND, SECRETARY, "住房问题需分批解决", CONFIG)
    assert fu.next_contact == FOUND + timedelta(days=30)
    fu = fx.log_contact(fu, contact(date(2026, 4, 1)), CONFIG)
    assert fu.next_contact == date(2026, 5, 1)
    assert fx.resolve_deadline(fu, CONFIG) is None
    assert fx.flags(fu, date(2026, 4, 30), CONFIG) == []


def test_resolve_sets_return_visit_due_and_closed_case_is_never_due() -> None:
    fu = fx.resolve(filed(), "已协调班组调整岗位", date(2026, 3, 10), SECRETARY, CONFIG)
    assert fu.next_contact == date(2026, 4, 9)  # 回访 ≤30 days
    assert fx.flags(fu, date(2026, 4, 11), CONFIG) == ["回访已逾期2天（应于2026-04-09）"]
    fu = fx.return_visit(fu, date(2026, 4, 8), MEMBER, "情绪稳定", appraisal="满意")
    assert fu.next_contact is None and not fx.is_due(fu, date(2027, 1, 1))
    assert fu.contacts[-1].return_visit and fu.appraisal == "满意"


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=8))
def test_next_contact_is_latest_contact_plus_interval(offsets: list[int]) -> None:
    fu = filed()
    for off in offsets:
        fu = fx.log_contact(fu, contact(FOUND + timedelta(days=off)), CONFIG)
    assert fu.next_contact == FOUND + timedelta(days=max(offsets) + 7)


# --- escalation flags -------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "days"), [(Level.ROUTINE, 15), (Level.SIGNIFICANT, 30), (Level.CRITICAL, 30)]
)
def test_resolve_deadline_by_level_boundary(level: Level, days: int) -> None:
    fu = filed(level=level)
    if level is not Level.ROUTINE:
        fu = fx.escalate(fu, "基层党委", FOUND, "按规定上报", SECRETARY)
    deadline = FOUND + timedelta(days=days)
    assert fx.resolve_deadline(fu, CONFIG) == deadline

    def deadline_flags(day: date) -> list[str]:
        return [f for f in fx.flags(fu, day, CONFIG) if "办理时限" in f]

    assert deadline_flags(deadline) == []
    late = deadline_flags(deadline + timedelta(days=1))
    assert len(late) == 1 and f"{level}问题办理时限" in late[0] and "1天" in late[0]


def test_routine_deadline_message() -> None:
    fu = fx.log_contact(filed(), contact(date(2026, 3, 17)), CONFIG)
    assert fx.flags(fu, date(2026, 3, 18), CONFIG) == [
        "超过一般问题办理时限（15天）1天，请上报或转长期跟踪"
    ]


def test_escalated_case_past_deadline_asks_to_chase() -> None:
    fu = fx.escalate(filed(), "政工科", FOUND, "多次三违", SECRETARY)
    fu = fx.log_contact(fu, contact(date(2026, 3, 20)), CONFIG)
    assert fx.flags(fu, date(2026, 3, 19), CONFIG) == ["已上报但超过一般问题办理时限2天，请催办"]


def test_significant_case_must_be_reported_within_two_working_days() -> None:
    fu = filed(level=Level.SIGNIFICANT)
    assert fx.report_deadline(fu, CONFIG) == date(2026, 3, 4)
    assert fx.flags(fu, FOUND, CONFIG) == ["较大问题尚未上报（应于2026-03-04前上报）"]
    assert "较大问题尚未上报（应于2026-03-04前上报），已超期1天" in fx.flags(
        fu, date(2026, 3, 5), CONFIG
    )
    reported = fx.escalate(fu, "基层党委", date(2026, 3, 3), "反复三违", SECRETARY)
    assert fx.report_deadline(reported, CONFIG) is None
    assert not any("上报" in f for f in fx.flags(reported, date(2026, 3, 3), CONFIG))


def test_report_deadline_skips_national_day_holiday() -> None:
    fu = filed(level=Level.SIGNIFICANT, found_on=date(2025, 9, 30))
    # 10月1日–8日 are off; 10月9日 and 10日 are the two working days.
    assert fx.report_deadline(fu, CONFIG) == date(2025, 10, 10)
    calendar_days = FollowUpConfig(report_in_working_days=False)
    assert fx.report_deadline(fu, calendar_days) == date(2025, 10, 2)


def test_critical_case_is_flagged_the_same_day() -> None:
    fu = filed(level=Level.CRITICAL)
    assert fx.flags(fu, FOUND, CONFIG)[0] == "重大问题尚未上报（应于2026-03-02前上报）"


def test_routine_case_needs_no_report() -> None:
    assert fx.report_deadline(filed(), CONFIG) is None
    assert fx.flags(filed(), FOUND, CONFIG) == []


def test_bangjiao_three_month_boundary_names_responsible_member() -> None:
    fu = filed(is_bangjiao=True, found_on=date(2026, 1, 31), next_contact=date(2026, 5, 30))
    # Month-end clamp: 1月31日 + 3 months = 4月30日.
    assert fx.resolve_deadline(fu, CONFIG) == date(2026, 4, 30)
    # The 15-day level deadline does not apply to 帮教.
    assert fx.flags(fu, date(2026, 3, 1), CONFIG) == []
    assert fx.flags(fu, date(2026, 4, 30), CONFIG) == []
    assert fx.flags(fu, date(2026, 5, 1), CONFIG) == [
        "帮教满3个月仍未解决（责任人：李四），已超1天，请上报或调整帮教措施"
    ]
    resolved = fx.resolve(fu, "已转化", date(2026, 4, 29), MEMBER, CONFIG)
    assert not any("帮教" in f for f in fx.flags(resolved, date(2026, 5, 1), CONFIG))


def test_add_months_clamps_to_month_end() -> None:
    assert fx.add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert fx.add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert fx.add_months(date(2026, 10, 15), 3) == date(2027, 1, 15)


# --- transitions ------------------------------------------------------------


def test_full_legal_path_is_recorded_in_the_timeline() -> None:
    fu = fx.log_contact(filed(level=Level.SIGNIFICANT), contact(FOUND), CONFIG)
    fu = fx.escalate(fu, "基层党委", date(2026, 3, 3), "反复三违，需调岗", SECRETARY)
    assert fu.status is Status.ESCALATED
    assert fu.escalations[0].to_whom == "基层党委" and fu.escalations[0].by_name == "王书记"
    fu = fx.escalate(fu, "政工科", date(2026, 3, 4), "督办", SECRETARY)
    assert len(fu.escalations) == 2 and fu.status is Status.ESCALATED
    fu = fx.resolve(fu, "已调整到地面岗位", date(2026, 3, 20), SECRETARY, CONFIG)
    fu = fx.return_visit(fu, date(2026, 4, 10), MEMBER, "工作安心")
    fu = fx.close(fu, date(2026, 4, 12), SECRETARY)
    assert fu.status is Status.CLOSED and fu.next_contact is None
    fu = fx.reopen(fu, date(2026, 5, 6), SECRETARY, "又有情绪", CONFIG)
    assert fu.status is Status.IN_PROGRESS
    assert fu.next_contact == date(2026, 5, 9)  # 较大 interval 3 days
    assert [(c.from_status, c.to_status) for c in fu.status_changes] == [
        (Status.TODO, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.ESCALATED),
        (Status.ESCALATED, Status.RESOLVED),
        (Status.RESOLVED, Status.VISITED),
        (Status.VISITED, Status.CLOSED),
        (Status.CLOSED, Status.IN_PROGRESS),
    ]
    assert fu.status_changes[-1].note == "重新打开：又有情绪"


def test_close_only_from_visited() -> None:
    assert [s for s, targets in fx.TRANSITIONS.items() if Status.CLOSED in targets] == [
        Status.VISITED
    ]
    fu = fx.resolve(filed(), "已解决", FOUND, SECRETARY, CONFIG)
    with pytest.raises(FollowUpError) as info:
        fx.close(fu, FOUND, SECRETARY)
    assert (
        str(info.value) == "不能从「已解决」改为「销号」：销号前须先回访（已回访），做到事事有回音"
    )


@pytest.mark.parametrize(
    ("setup", "action", "message"),
    [
        (lambda fu: fu, lambda fu: fx.return_visit(fu, FOUND, MEMBER, "好"), "回访须在办结"),
        (
            lambda fu: fx.resolve(fu, "办结", FOUND, SECRETARY, CONFIG),
            lambda fu: fx.escalate(fu, "党委", FOUND, "再议", SECRETARY),
            "不能从「已解决」改为「转上级」：已办结的事项请先重新打开，再上报",
        ),
        (
            lambda fu: fx.resolve(fu, "办结", FOUND, SECRETARY, CONFIG),
            lambda fu: fx.resolve(fu, "再办结", FOUND, SECRETARY, CONFIG),
            "事项已办结",
        ),
        (
            lambda fu: fu,
            lambda fu: fx.resolve(fu, "  ", FOUND, SECRETARY, CONFIG),
            "请填写办理结果",
        ),
        (lambda fu: fu, lambda fu: fx.reopen(fu, FOUND, SECRETARY, "x", CONFIG), "无需重新打开"),
        (
            lambda fu: fu,
            lambda fu: fx.reopen(fu, FOUND, SECRETARY, "", CONFIG),
            "请写明重新打开的原因",
        ),
        (lambda fu: fu, lambda fu: fx.escalate(fu, "", FOUND, "原因", SECRETARY), "请写明上报给谁"),
        (
            lambda fu: fu,
            lambda fu: fx.escalate(fu, "党委", FOUND, " ", SECRETARY),
            "请写明上报原因",
        ),
        (
            lambda fu: fu,
            lambda fu: fx.escalate(fu, "党委", FOUND - timedelta(days=1), "r", SECRETARY),
            "上报日期不能早于发现日期",
        ),
        (
            lambda fu: fu,
            lambda fu: fx.set_long_term(fu, FOUND, SECRETARY, "", CONFIG),
            "请写明转为长期跟踪的原因",
        ),
        (
            lambda fu: fx.close(
                fx.return_visit(
                    fx.resolve(fu, "办结", FOUND, SECRETARY, CONFIG), FOUND, MEMBER, "好"
                ),
                FOUND,
                SECRETARY,
            ),
            lambda fu: fx.set_long_term(fu, FOUND, SECRETARY, "原因", CONFIG),
            "不能从「销号」改为「长期跟踪」",
        ),
        (
            lambda fu: fx.close(
                fx.return_visit(
                    fx.resolve(fu, "办结", FOUND, SECRETARY, CONFIG), FOUND, MEMBER, "好"
                ),
                FOUND,
                SECRETARY,
            ),
            lambda fu: fx.log_contact(fu, contact(FOUND), CONFIG),
            "「销号」的事项不能再记录谈话",
        ),
    ],
)
def test_illegal_moves_have_chinese_errors(setup, action, message: str) -> None:
    fu = setup(filed())
    before = fu.model_dump()
    with pytest.raises(FollowUpError, match=message):
        action(fu)
    assert fu.model_dump() == before


def test_every_status_can_be_left_and_reopen_returns_to_in_progress() -> None:
    assert set(fx.TRANSITIONS) == set(Status)
    for status in (Status.RESOLVED, Status.VISITED, Status.CLOSED):
        assert Status.IN_PROGRESS in fx.TRANSITIONS[status]
    assert Status.ESCALATED not in fx.TRANSITIONS[Status.CLOSED]


def test_user_text_is_cleaned_and_length_checked() -> None:
    fu = fx.resolve(filed(), "已解决\x1b[31m\x00", FOUND, SECRETARY, CONFIG)
    assert fu.outcome == "已解决[31m"
    with pytest.raises(FollowUpError, match="办理结果：太长（最多 2000 字）"):
        fx.resolve(filed(), "长" * 2001, FOUND, SECRETARY, CONFIG)
    with pytest.raises(FollowUpError, match="姓名"):
        fx.make_contact(FOUND, Actor("m1", ""))


# --- pairing load -----------------------------------------------------------


def test_member_load_counts_open_and_overdue() -> None:
    today = date(2026, 3, 10)
    overdue = filed()  # next contact 03-05
    fresh = fx.log_contact(filed(), contact(date(2026, 3, 9)), CONFIG)
    resolved = fx.resolve(filed(), "办结", FOUND, MEMBER, CONFIG)  # return visit still open
    closed = fx.close(fx.return_visit(resolved, FOUND, MEMBER, "好"), FOUND, SECRETARY)
    someone_else = filed(responsible_id="m2", responsible_name="赵六")
    cases = [overdue, fresh, resolved, closed, someone_else]
    assert fx.member_load(cases, "m1", today) == fx.MemberLoad(open=3, overdue=1)
    assert fx.member_load(cases, "m2", today) == (1, 1)
    assert fx.member_load(cases, "nobody", today) == (0, 0)


# --- privacy ----------------------------------------------------------------


def test_redacted_keeps_only_existence_and_due_date() -> None:
    fu = fx.log_contact(filed(private=True, trigger_code="V1"), contact(FOUND), CONFIG)
    fu = fx.escalate(fu, "工会", FOUND, "大病救助", SECRETARY)
    red = fx.redacted(fu)
    assert red.is_redacted
    assert red.person_name == "（保密）" and red.person_id == ""
    assert red.description == "" and red.trigger_text == "" and red.trigger_code == ""
    assert red.category is Category.OTHER
    assert red.contacts == () and red.escalations == () and red.status_changes == ()
    assert (red.id, red.next_contact, red.status) == (fu.id, fu.next_contact, fu.status)
    assert red.responsible_name == "李四"
    # Nothing identifying survives anywhere in the serialised copy.
    dumped = red.model_dump_json()
    for secret in ("张三", "w1", "有病住院", "井下", "大病救助", "工会"):
        assert secret not in dumped
    # The original is untouched.
    assert fu.person_name == "张三" and len(fu.contacts) == 1
