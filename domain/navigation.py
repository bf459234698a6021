"""The places in the app a due item, a list row or a palette entry can send
the user to. Pure data: the screens' route registry maps each place to the
screen that opens it (screens/registry.py), so lower layers can point at a
place without knowing any screen, and no action string is ever assembled."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Place(StrEnum):
    HOME = "home"
    HELP = "help"
    DRAFTS = "drafts"  # every unfinished draft, old ones included
    QUIT = "quit"
    # 花名册
    ROSTER = "roster"
    ADD_PERSON = "add_person"
    IMPORT_PEOPLE = "import_people"
    ACCOUNT_REQUESTS = "account_requests"  # 我是谁 requests awaiting approval
    SIGN_IN = "sign_in"  # 切换身份 on a shared account
    SIGN_OUT = "sign_out"  # 退出身份
    BRANCH_STATUS = "branch_status"  # args: branch_id (optional): 换届 and size rules
    # 按程序开会
    NEW_MEETING = "new_meeting"  # args: kind, org_id (both optional)
    MEETINGS = "meetings"
    MEETING = "meeting"  # args: meeting_id
    ACTION_ITEM = "action_item"  # args: item_id
    HANDOVER = "handover"  # args: branch_id (optional): 交接班活动
    SHIFT_PATTERN = "shift_pattern"  # args: branch_id (optional): 班次与上站
    # 党课轮讲
    ROTA = "rota"  # args: plan_id (optional)
    NEW_ROTA = "new_rota"  # args: org_id (optional)
    LECTURE = "lecture"  # args: lecture_id
    LECTURE_MEETING = "lecture_meeting"  # args: lecture_id
    HOLIDAYS = "holidays"  # the State Council's yearly 放假安排, typed or pasted
    # 一人一事
    QUICK_FOLLOWUP = "quick_followup"
    FOLLOWUPS = "followups"  # args: scope (我的 / 本支部 / 逾期, optional)
    FOLLOWUP = "followup"  # args: followup_id
    FOLLOWUP_TRIGGERS = "followup_triggers"
    EXPORT_LEDGER = "export_ledger"
    # 党费 / 参加情况
    PARTICIPATION = "participation"  # args: branch_id (optional)
    DUES = "dues"  # args: branch_id (optional)
    MEMBER_LOOKUP = "member_lookup"
    MEMBER_RECORD = "member_record"  # args: person_id
    EXPORT_REPORT = "export_report"
    # 发展党员
    DEVELOPMENT = "development"  # args: branch_id (optional)
    DEVELOPMENT_PERSON = "development_person"  # args: person_id
    # 党员考核
    ASSESSMENT = "assessment"  # args: branch_id (optional); option: period
    ASSESSMENT_RANKING = "assessment_ranking"  # args: general branch id (optional)
    PLEDGES = "pledges"  # args: branch_id (optional): 责任区/先锋岗 and their review
    # 问题清单 / 党总支任务
    PROBLEMS = "problems"  # args: branch_id (optional; "" = every branch)
    PROBLEM = "problem"  # args: problem_id
    TASKS = "tasks"  # args: unit id (optional: a 党总支 or a branch)


@dataclass(frozen=True)
class Go:
    """Where Enter on an item leads: a place and its arguments (ids, codes)."""

    place: Place
    args: tuple[str, ...] = ()


def go(place: Place, *args: str) -> Go:
    return Go(place, tuple(args))
