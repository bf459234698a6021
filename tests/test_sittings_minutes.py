"""Issue 19 (sittings): the minutes of a 主题党日 held in two sittings, opened
with python-docx — one section per sitting with its own attendance, and the
coverage of the whole activity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest

from domain.meeting_kinds import MeetingKind
from domain.meetings import finish
from domain.org_codes import ShiftPattern
from domain.people_codes import Shift
from domain.sittings import propose_sittings, set_sittings
from exports.minutes import export
from storage import people
from storage.db import Store
from tests import factories

pytestmark = pytest.mark.both_engines


def _split_theme_day(store: Store, *, missing: int = 0):  # type: ignore[no-untyped-def]
    b = factories.branch(store, "采油二队党支部")
    members = [p for p in b.members if p.is_member]
    for i, p in enumerate(members):
        people.save(store, p.model_copy(update={"shift": (Shift.DAY, Shift.NIGHT)[i % 2]}))
    members = [p for p in people.members_of(store, b.id)]
    m = factories.meeting(b, MeetingKind.THEME_DAY, dt.date(2026, 11, 6))
    m = m.model_copy(update={"start_time": None, "end_time": None, "place": ""})
    proposal = propose_sittings(ShiftPattern.TWO_SHIFTS, members, m.date)
    times = ((dt.time(8, 30), dt.time(9, 40)), (dt.time(19, 30), dt.time(20, 40)))
    sittings = []
    for s, (start, end), place, leader in zip(
        proposal, times, ("队部活动室", "中控值班室"), (members[0], members[1]), strict=True
    ):
        sittings.append(
            s.model_copy(update={
                "start_time": start, "end_time": end, "place": place,
                "leader_id": leader.id, "leader_name": leader.name,
                "present_ids": s.member_ids[missing:] if s.label == "夜班场" else s.member_ids,
            })
        )  # fmt: skip
    m = set_sittings(m, sittings)
    return m, sittings, {p.id: p.name for p in members}


def _texts(path: Path) -> tuple[list[str], list[list[list[str]]]]:
    d = docx.Document(str(path))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return [p.text for p in d.paragraphs], tables


def test_minutes_have_a_section_per_sitting_and_the_coverage(store: Store, tmp_path) -> None:
    m, sittings, names = _split_theme_day(store)
    done = finish(m, dt.datetime(2026, 11, 6, 21))
    path = export(done, tmp_path)
    paras, tables = _texts(path)
    assert "分场情况" in paras
    assert "第一场：白班场" in paras and "第二场：夜班场" in paras
    # Each sitting's own table: time, place, leader, who attended.
    by_label = {}
    for t in tables:
        flat = {row[0]: row for row in t}
        if "出席人员" in flat and "地点" in flat:
            by_label[flat["时间"][1]] = flat
    assert len(by_label) == 2
    day, night = by_label["2026年11月6日 08:30—09:40"], by_label["2026年11月6日 19:30—20:40"]
    assert day["地点"][1] == "队部活动室" and night["地点"][1] == "中控值班室"
    assert day["地点"][3] == sittings[0].leader_name and night["地点"][3] == sittings[1].leader_name
    assert day["应到"][1] == f"{len(sittings[0].member_ids)}名"
    assert day["出席人员"][1] == "、".join(names[i] for i in sittings[0].present_ids)
    assert night["出席人员"][1] == "、".join(names[i] for i in sittings[1].present_ids)
    assert day["未到人员"][1] == "无"
    total = len(names)
    assert (
        f"本次活动分两场进行，合为一次活动统计：应参加{total}名，已参加{total}名，实现全覆盖。"
        in paras
    )
    # The header counts the one activity: everyone once.
    header = {row[0]: row[1] for row in tables[0]}
    assert header["应到人数"].startswith(f"{total}人") and header["实到人数"].startswith(
        f"{total}人"
    )
    # Blank on the record, the time and place come from the two sittings.
    assert header["时间"] == "2026年11月6日 8时30分至20时40分"
    assert header["地点"] == "队部活动室、中控值班室"


@pytest.mark.parametrize("missing", [1])
def test_minutes_name_who_is_still_missing(store: Store, tmp_path, missing: int) -> None:
    m, sittings, names = _split_theme_day(store, missing=missing)
    gone = sittings[1].member_ids[0]
    # Whoever attended no sitting has to be marked before the record is finished.
    from domain.meeting_rules import AttendanceState

    att = [
        e.model_copy(update={"state": AttendanceState.LEAVE, "reason": "外出培训"})
        if e.person_id == gone
        else e
        for e in m.attendance
    ]
    done = finish(m.model_copy(update={"attendance": att}), dt.datetime(2026, 11, 6, 21))
    paras, tables = _texts(export(done, tmp_path))
    night = next(t for t in tables if any(r[0] == "未到人员" and names[gone] in r[1] for r in t))
    assert night
    total = len(names)
    line = next(p for p in paras if p.startswith("本次活动分两场进行"))
    assert line == (
        f"本次活动分两场进行，合为一次活动统计：应参加{total}名，已参加{total - 1}名；"
        f"未参加1名：{names[gone]}。"
    )
