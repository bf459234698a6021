"""Issue 16 item 9: timelines order one day's events by time, not by kind."""

from __future__ import annotations

import datetime as dt

from textual.widgets import DataTable

from domain import followups as fx
from domain.followups import Actor, FollowUpConfig
from domain.meetings import MeetingKind, finish
from screens.followups.timeline import FollowupTimelineScreen
from screens.oversight.member_record import MemberRecordScreen
from storage import accounts
from storage import followups as fu_store
from storage import meetings as meetings_store
from tests import factories as f
from tests.factories import TODAY

DAY = dt.date(2026, 11, 10)


def _what_column(table: DataTable) -> list[str]:
    return [str(table.get_row_at(i)[1]) for i in range(table.row_count)]


async def test_followup_timeline_orders_a_days_entries_by_time(store, monkeypatch) -> None:
    """Escalated at 09:00, talked to at 15:00 the same day: failed before (the
    contact was listed first because contacts sort before escalations)."""
    _top, (b,) = f.org_tree(store, ("一支部",))
    sec = b.with_post(f.CommitteePost.SECRETARY)
    accounts.map_account(store, "tester", sec.id)
    fu = f.followup(store, b, b.members[3], found_on=dt.date(2026, 11, 2))
    me = Actor(sec.id, sec.name)
    clock = iter(dt.datetime(2026, 11, 10, h) for h in (9, 9, 15, 15))
    monkeypatch.setattr(fx, "_now", lambda: next(clock))
    fu = fx.escalate(fu, "基层党委", DAY, "家庭困难需工会帮扶", me)
    contact = fx.make_contact(DAY, me, content="上门走访，了解困难")
    fu = fx.log_contact(fu, contact, FollowUpConfig())
    fu = fu_store.save(store, fu)
    from tui.app import ZhibuApp

    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(FollowupTimelineScreen(fu.id))
        await pilot.pause()
        table = app.screen.query_one("#tl-table", DataTable)
        # 发现, then 09:00 上报 and its 状态 (转上级), then the 15:00 talk.
        assert _what_column(table) == ["发现", "上报", "状态", "谈心"]
    stored = fu_store.get(store, fu.id)
    assert stored is not None and stored.contacts[0].at == dt.datetime(2026, 11, 10, 15)


def test_entries_without_a_time_keep_their_recorded_order() -> None:
    """Older cases (entries saved before they had a time) keep the order they were
    recorded in, before any timed entry of the same day."""
    from screens.followups.timeline import timeline_rows

    fu = fx.FollowUp(
        branch_id="b", person_id="p", person_name="张三", found_on=DAY,
        responsible_id="r", responsible_name="李四",
        contacts=(fx.Contact(on=DAY, by_name="李四", content="甲"),),
        escalations=(fx.Escalation(to_whom="党委", on=DAY, reason="乙", at=dt.datetime(2026, 11, 10, 8)),),  # noqa: E501
        status_changes=(fx.StatusChange(from_status=fx.Status.TODO, to_status=fx.Status.ESCALATED,
                                        on=DAY),),
    )  # fmt: skip
    assert [r[1] for r in timeline_rows(fu)] == ["发现", "谈心", "状态", "上报"]


def _meeting_at(store, b, kind: MeetingKind, start: dt.time | None):  # type: ignore[no-untyped-def]
    m = f.meeting(b, kind, DAY)
    if start is None:
        m = m.model_copy(update={"start_time": None, "end_time": None})
    else:
        end = dt.time(start.hour + 1, start.minute)
        m = m.model_copy(update={"start_time": start, "end_time": end})
    return meetings_store.save_final(store, finish(m, dt.datetime.combine(DAY, dt.time(20))))


async def test_member_record_lists_same_day_meetings_by_time(store) -> None:
    """Newest first: the afternoon meeting above the morning one, whichever kind
    sorts first. Failed before for one of the two orders (sorted by kind)."""
    from tui.app import ZhibuApp

    _top, (b,) = f.org_tree(store, ("一支部",))
    member = b.members[3]
    kinds = sorted((MeetingKind.MEMBER_ASSEMBLY, MeetingKind.LECTURE), key=str)
    # The kind that sorts last is held in the morning: kind order and time order disagree.
    _meeting_at(store, b, kinds[1], dt.time(8, 30))
    _meeting_at(store, b, kinds[0], dt.time(14, 0))
    app = ZhibuApp(store.path, store, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(MemberRecordScreen(member.id))
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#mr-meetings", DataTable)
        same_day = [
            str(table.get_row_at(i)[1])
            for i in range(table.row_count)
            if str(table.get_row_at(i)[0]).startswith("2026-11-10")
        ]
        assert same_day == [str(kinds[0]), str(kinds[1])]
