"""三会一课 compliance and participation from SQL, against hand counts.

On the calendar of tests.factories.calendar (TODAY 2026-11-22): 支委会 met in
August, twice in September and in November, so October is missing (overdue
in Q4); 主题党日 and 党小组会 met every month from July; Q2 had a 党员大会 and
an admission meeting; the secretary lectured in March, June and September.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from domain.compliance import ComplianceStatus
from domain.dashboard import Urgency
from domain.navigation import Place, go
from domain.org import OrgKind, OrgUnit
from domain.people import CommitteePost, PoliticalStatus
from domain.periods import Period
from storage import accounts, compliance, compliance_report, org, people
from storage import participation as pt_store
from storage.db import Store
from tests import factories
from tests.factories import TODAY

pytestmark = pytest.mark.both_engines

ASSEMBLY_KINDS = ("支部党员大会", "接收预备党员", "预备党员转正", "换届选举")
KIND_OF = {
    "branch_committee": ("支部委员会",),
    "party_group": ("党小组会",),
    "theme_day": ("主题党日",),
    "member_assembly": ASSEMBLY_KINDS,
    "party_lecture": ("党课",),
}
MONTHLY = ("branch_committee", "party_group", "theme_day")


@pytest.fixture
def calendar(store: Store) -> Store:
    factories.calendar(store)
    return store


def count(store: Store, org_id: str, kinds: tuple[str, ...], start: str, end: str) -> int:
    marks = ",".join("?" * len(kinds))
    return int(
        store.scalar(
            f"SELECT count(*) FROM meetings WHERE org_id=? AND kind IN ({marks})"
            " AND date BETWEEN ? AND ? AND status='已完成' AND superseded=0",
            (org_id, *kinds, start, end),
        )
    )


def groups_of(store: Store, branch_id: str) -> list[str]:
    return [
        r["id"]
        for r in store.query(
            "SELECT id FROM org_units WHERE parent_id=? AND kind='党小组'", (branch_id,)
        )
    ]


def hand_cell(store: Store, branch_id: str, key: str) -> str:
    """Held/required for Q4 so far (Oct, Nov; the quarter), from SQL."""
    kinds = KIND_OF[key]
    orgs = groups_of(store, branch_id) if key == "party_group" else [branch_id]
    if key in MONTHLY:
        slots = [("2026-10-01", "2026-10-31", True), ("2026-11-01", "2026-11-30", False)]
    else:
        slots = [("2026-10-01", "2026-12-31", False)]
    met = required = late = 0
    for o in orgs:
        for start, end, ended in slots:
            required += 1
            if count(store, o, kinds, start, end):
                met += 1
            elif ended:
                late += 1
    return f"{'✗' if late else ''}{met}/{required}"


def test_home_table_matches_sql_hand_counts(calendar: Store) -> None:
    rows = compliance.home_table(calendar, TODAY)
    branches = org.branches(calendar)
    assert [r.branch_id for r in rows] == [b.id for b in branches[:8]]
    for row in rows:
        for key, _label, _kind in compliance.COLUMNS:
            assert row.cell(key).text == hand_cell(calendar, row.branch_id, key), (
                row.branch_name,
                key,
            )
    # The calendar's gap, spelled out: no October 支委会 anywhere.
    first = rows[0]
    assert count(calendar, first.branch_id, ("支部委员会",), "2026-10-01", "2026-10-31") == 0
    assert count(calendar, first.branch_id, ("支部委员会",), "2026-09-01", "2026-09-30") == 2
    cell = first.cell("branch_committee")
    assert (cell.text, cell.missed, cell.status) == ("✗1/2", ("10月",), ComplianceStatus.OVERDUE)
    assert first.cell("member_assembly").text == "0/1"
    assert first.cell("member_assembly").status is ComplianceStatus.DUE
    assert first.cell("party_group").text == "6/6"


def test_a_group_that_missed_a_month_is_named(calendar: Store) -> None:
    branch = org.branches(calendar)[1]
    group = groups_of(calendar, branch.id)[2]
    with calendar.write() as c:
        c.execute(
            "UPDATE meetings SET superseded=1 WHERE org_id=? AND date LIKE '2026-10-%'", (group,)
        )
    row = compliance.rows_for(calendar, [branch.id], TODAY)[0]
    cell = row.cell("party_group")
    assert cell.text == hand_cell(calendar, branch.id, "party_group") == "✗5/6"
    name = org.get(calendar, group).name
    assert cell.missed == (f"{name} 10月",)
    assert cell.missed_org_ids == (group,)


def test_home_items_overdue_and_due_soon(calendar: Store) -> None:
    items = compliance.home_items(calendar, TODAY)
    branches = org.branches(calendar)
    overdue = [i for i in items if i.urgency is Urgency.OVERDUE]
    assert len(overdue) == len(branches) == 2
    for b, item in zip(branches, overdue, strict=True):
        assert item.text == f"{b.name}：支委会（10月）未开，已逾期"
        assert item.action == go(Place.NEW_MEETING, "支部委员会", b.id)
    # On 12-22 the quarter's 党员大会 and 党课 are due within two weeks.
    later = compliance.home_items(calendar, date(2026, 12, 22))
    soon = [i for i in later if i.urgency is Urgency.DUE and branches[0].name in i.text]
    assert len(soon) == 1
    assert "党员大会" in soon[0].text and "党课" in soon[0].text
    assert soon[0].due == date(2026, 12, 31)


def test_home_table_is_capped_and_starts_with_the_viewers_branch(store: Store) -> None:
    one_each = ((PoliticalStatus.FULL, CommitteePost.SECRETARY),)
    for n in range(5):  # 5 党总支 of 4 branches
        factories.org_tree(store, [f"{n + 1}总{k + 1}支部" for k in range(4)],
                           general=f"第{n + 1}党总支", members=one_each, first_name=4 * n)  # fmt: skip
    assert len(org.branches(store)) == 20
    rows = compliance.home_table(store, TODAY)
    assert len(rows) == compliance.HOME_LIMIT == 8
    # Map this OS account to someone in the 12th branch: it comes first,
    # followed by branches under the same 党总支.
    target = org.branches(store)[11]
    assert target.id not in {r.branch_id for r in rows}
    person = people.list_branch(store, target.id)[0]
    accounts.map_account(store, "tester", person.id)
    rows = compliance.home_table(store, TODAY)
    assert rows[0].branch_id == target.id
    parents = {org.get(store, r.branch_id).parent_id for r in rows}
    assert parents == {target.parent_id}


def test_branch_created_after_mid_month_owes_nothing_yet(calendar: Store) -> None:
    parent = org.branches(calendar)[0].parent_id
    unit = org.save(calendar, OrgUnit(name="新建党支部", kind=OrgKind.BRANCH, parent_id=parent))
    with calendar.write() as c:  # set up on 11-20: under half of November left
        c.execute("UPDATE org_units SET created_at='2026-11-20T09:00:00' WHERE id=?", (unit.id,))
    row = compliance.rows_for(calendar, [unit.id], TODAY)[0]
    assert [c.text for c in row.cells] == ["-", "-", "-", "-", "-"]
    # A branch that held a meeting before its created_at existed then.
    info = compliance.branch_facts(calendar, [org.branches(calendar)[0].id])[0].info
    first = calendar.scalar("SELECT min(date) FROM meetings WHERE org_id=?", (info.id,))
    assert info.created_on.isoformat() == min(str(first), info.created_on.isoformat())


def test_quarter_evaluation_counts_admission_as_assembly(calendar: Store) -> None:
    branch = org.branches(calendar)[0]
    q2 = Period.quarter(2026, 2)
    results = {r.key: r for r in compliance.evaluate_branch(calendar, branch.id, q2, TODAY)}
    assembly = results["member_assembly"]
    assert assembly.held == count(calendar, branch.id, ASSEMBLY_KINDS, "2026-04-01", "2026-06-30")
    assert assembly.held == 2  # the June 党员大会 and the admission meeting
    lecture = results["secretary_lecture"]  # yearly: judged over the whole year
    secretary = people.secretary_of(calendar, branch.id)
    assert secretary is not None
    by_secretary = calendar.scalar(
        "SELECT count(*) FROM meetings WHERE org_id=? AND kind='党课' AND superseded=0"
        " AND json_extract(data, '$.lecturer_id')=? AND date LIKE '2026-%'",
        (branch.id, secretary.id),
    )
    assert lecture.held == by_secretary == 3


def test_follow_through_and_lectures_match_sql(calendar: Store) -> None:
    branch = org.branches(calendar)[1]
    q3 = Period.quarter(2026, 3)
    orgs = [branch.id, *groups_of(calendar, branch.id)]
    marks = ",".join("?" * len(orgs))
    ft = compliance_report.follow_through(calendar, branch.id, q3, TODAY)

    def items(meetings_where: str, items_where: str) -> int:
        return int(
            calendar.scalar(
                "SELECT count(*) FROM action_items WHERE meeting_id IN (SELECT id FROM meetings"
                f" WHERE org_id IN ({marks}) AND superseded=0 AND {meetings_where})"
                f" AND {items_where}",
                tuple(orgs),
            )
        )

    in_q3 = "date BETWEEN '2026-07-01' AND '2026-09-30'"
    by_q3_end = "date <= '2026-09-30'"
    assert ft.decisions_new == items(in_q3, "kind='决议'")
    assert ft.decisions_open == items(by_q3_end, "kind='决议' AND closed_at IS NULL")
    assert ft.decisions_overdue == items(
        by_q3_end, "kind='决议' AND closed_at IS NULL AND deadline < '2026-11-22'"
    )
    assert ft.make_ups_open == items(by_q3_end, "kind='补学' AND closed_at IS NULL")
    assert ft.decisions_new > 0
    held = compliance_report.lectures(calendar, orgs, q3)
    rows = calendar.query(
        f"SELECT date, json_extract(data, '$.lecturer_name') AS who FROM meetings WHERE org_id IN ({marks})"
        " AND kind='党课' AND date BETWEEN '2026-07-01' AND '2026-09-30' AND superseded=0",
        tuple(orgs),
    )
    assert [(x.held_on.isoformat(), x.lecturer_name) for x in held] == [
        (r["date"], r["who"]) for r in rows
    ]


# -- participation ------------------------------------------------------------------


def hand_participation(store: Store, branch_id: str, start: str, end: str) -> dict[str, list[int]]:
    """person -> [应到, 出席, 请假, 缺席, 应补学, 已补学] straight from the JSON
    (meetings' sign-in sheets and handovers' attendees)."""
    orgs = [branch_id, *groups_of(store, branch_id)]
    marks = ",".join("?" * len(orgs))
    out: dict[str, list[int]] = {}
    for m in store.query(
        f"SELECT id, data FROM meetings WHERE org_id IN ({marks}) AND date BETWEEN ? AND ?"
        " AND status='已完成' AND superseded=0",
        (*orgs, start, end),
    ):
        closed = {
            r["owner_id"]
            for r in store.query(
                "SELECT owner_id FROM action_items WHERE meeting_id=? AND kind='补学'"
                " AND closed_at IS NOT NULL",
                (m["id"],),
            )
        }
        for e in json.loads(m["data"])["attendance"]:
            pid, state = e.get("person_id"), e["state"]
            if not pid or state not in ("出席", "请假", "缺席"):
                continue
            s = out.setdefault(pid, [0, 0, 0, 0, 0, 0])
            s[0] += 1
            s[("出席", "请假", "缺席").index(state) + 1] += 1
            if state != "出席":
                s[4] += 1
                s[5] += pid in closed
    # A 交接班活动 counts 出席 for each who attended it (docs/SITTINGS.md).
    for h in store.query(
        "SELECT data FROM handovers WHERE branch_id=? AND date BETWEEN ? AND ?",
        (branch_id, start, end),
    ):
        for pid in json.loads(h["data"])["attendee_ids"]:
            s = out.setdefault(pid, [0, 0, 0, 0, 0, 0])
            s[0] += 1
            s[1] += 1
    return out


@pytest.mark.parametrize("quarter", [3, 4])
def test_branch_participation_matches_the_sign_in_sheets(calendar: Store, quarter: int) -> None:
    branch = org.branches(calendar)[1]
    period = Period.quarter(2026, quarter)
    data = pt_store.branch_participation(calendar, branch.id, period)
    hand = hand_participation(
        calendar, branch.id, period.start.isoformat(), period.end.isoformat()
    )
    assert [r.person.id for r in data.rows] == [
        p.id for p in people.members_of(calendar, branch.id)
    ]
    for r in data.rows:
        s = r.stats
        got = [s.expected, s.present, s.leave, s.absent, s.make_ups_owed, s.make_ups_done]
        assert got == hand.get(r.person.id, [0] * 6), r.person.name
        assert r.below == (s.expected > 0 and s.present * 100 < 80 * s.expected)
    assert data.total("expected") == sum(
        v[0] for pid, v in hand.items() if pid in {r.person.id for r in data.rows}
    )
    low = data.below
    assert [x.stats.rate for x in low] == sorted(x.stats.rate for x in low)


def test_threshold_is_a_stored_setting(calendar: Store) -> None:
    from domain.participation import ParticipationConfig

    assert pt_store.load_config(calendar).threshold_percent == 80
    pt_store.save_config(calendar, ParticipationConfig(threshold_percent=95))
    assert pt_store.load_config(calendar).threshold_percent == 95
    branch = org.branches(calendar)[0]
    data = pt_store.branch_participation(calendar, branch.id, Period.year(2026))
    assert all(r.below == (r.stats.rate is not None and r.stats.rate < 0.95) for r in data.rows)
    assert calendar.scalar("SELECT count(*) FROM audit WHERE table_name='settings'") == 1


def test_member_sign_ins_list_their_meetings(calendar: Store) -> None:
    branch = org.branches(calendar)[0]
    period = Period.quarter(2026, 3)
    data = pt_store.branch_participation(calendar, branch.id, period)
    someone = next(r for r in data.rows if r.stats.absent or r.stats.leave)
    lines = pt_store.member_sign_ins(calendar, someone.person, period)
    assert len([x for x in lines if x.state in ("出席", "请假", "缺席")]) == someone.stats.expected
    assert [x.meeting_date for x in lines] == sorted((x.meeting_date for x in lines), reverse=True)
    assert sum(x.make_up_done for x in lines) == someone.stats.make_ups_done
    one = pt_store.member_participation(calendar, someone.person, period)
    assert one == someone.stats
