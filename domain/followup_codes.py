"""一人一事 vocabularies: sources, categories, levels, statuses.

Apart from domain.followups (the case models and rules) so the home screen
and SQL filters can name statuses without loading the models.
"""

from __future__ import annotations

from enum import StrEnum


class Source(StrEnum):
    TALK = "谈心"
    VISIT = "走访"
    PRE_SHIFT = "班前会"
    REPORT = "反映"
    TREND_ANALYSIS = "思想动态分析"
    PETITION = "信访"


class Category(StrEnum):
    MOOD = "思想情绪"
    JOB = "工作岗位"
    HARDSHIP = "家庭生活困难"
    HEALTH = "健康"
    CONFLICT = "人际矛盾"
    SAFETY = "安全行为（三违）"
    CLAIM = "利益诉求"
    OTHER = "其他"


class Level(StrEnum):
    ROUTINE = "一般"
    SIGNIFICANT = "较大"
    CRITICAL = "重大"


class Status(StrEnum):
    TODO = "待办"
    IN_PROGRESS = "跟进中"
    RESOLVED = "已解决"
    VISITED = "已回访"
    CLOSED = "销号"
    ESCALATED = "转上级"
    LONG_TERM = "长期跟踪"


class ContactMethod(StrEnum):
    TALK = "谈心"
    HOME_VISIT = "家访"
    PHONE = "电话"
    FORUM = "座谈"


# Still being worked on: contacts may be logged, it may be resolved or escalated.
ACTIVE_STATUSES = frozenset({Status.TODO, Status.IN_PROGRESS, Status.ESCALATED, Status.LONG_TERM})
# Counted in a member's load: the active ones plus 已解决, whose return visit
# is still the member's job.
OPEN_STATUSES = ACTIVE_STATUSES | {Status.RESOLVED}
