"""发展党员 records in SQLite: stages land as audited rows, refusals write nothing,
the person's status follows, and 今日 lists this month's items."""

from __future__ import annotations

from datetime import date

import pytest

from domain.development import Stage, StageEvent
from domain.people import PoliticalStatus
from services import development as svc
from services import home
from services.errors import Refused, Stale
from storage import audit, people
from storage import development as dev_store
from storage.db import Store
from tests import factories

pytestmark = pytest.mark.both_engines

S = Stage


def ev(stage: Stage, on: date, **kw: object) -> StageEvent:
    return StageEvent(stage=stage, on=on, **kw)


def _masses(store: Store) -> tuple[factories.Branch, str]:
    b = factories.branch(store)
    return b, b.with_status(PoliticalStatus.MASSES)[0].id


def _activist(store: Store, pid: str) -> None:
    svc.record(store, pid, ev(S.APPLIED, date(2025, 9, 1)))
    svc.record(store, pid, ev(S.TALK, date(2025, 9, 20)))
    svc.record(store, pid, ev(S.ACTIVIST, date(2025, 11, 1), people=("张伟", "王芳")))


def test_stages_are_stored_audited_and_set_the_status(store: Store) -> None:
    b, pid = _masses(store)
    _activist(store, pid)
    rows = store.query(
        "SELECT stage, on_date, data FROM development_events WHERE person_id=? ORDER BY on_date",
        (pid,),
    )
    assert [(r["stage"], r["on_date"]) for r in rows] == [
        ("递交入党申请书", "2025-09-01"), ("谈话", "2025-09-20"), ("确定入党积极分子", "2025-11-01"),
    ]  # fmt: skip
    assert "张伟" in rows[2]["data"]
    rec = store.query_one("SELECT * FROM development_records WHERE person_id=?", (pid,))
    assert rec and rec["stage"] == "确定入党积极分子" and rec["version"] == 3
    assert rec["report_due"] == "2026-02-01" and rec["activist_year_on"] == "2026-11-01"
    tables = [r["table_name"] for r in store.query("SELECT table_name FROM audit")]
    assert tables.count("development_events") == 3 and tables.count("development_records") == 3
    assert audit.problems(store.conn) == []
    person = people.get(store, pid)
    assert person and person.status is PoliticalStatus.ACTIVIST
    loaded = dev_store.get(store, pid)
    assert loaded and [e.stage for e in loaded.events] == [S.APPLIED, S.TALK, S.ACTIVIST]
    assert loaded.events[2].people == ("张伟", "王芳")


def test_refused_stage_writes_nothing(store: Store) -> None:
    _b, pid = _masses(store)
    _activist(store, pid)
    before = store.scalar("SELECT count(*) FROM audit")
    with pytest.raises(Refused, match="最早 2026-11-01 可确定为发展对象"):
        svc.record(store, pid, ev(S.CANDIDATE, date(2026, 10, 31)))
    assert store.scalar("SELECT count(*) FROM development_events") == 3
    assert store.scalar("SELECT count(*) FROM audit") == before


def test_meeting_stages_are_not_recorded_from_the_person_view(store: Store) -> None:
    _b, pid = _masses(store)
    with pytest.raises(Refused, match="须由支部大会表决通过"):
        svc.record(store, pid, ev(S.ADMITTED, date(2026, 1, 1), people=("张伟", "王芳")))
    assert store.scalar("SELECT count(*) FROM development_records") == 0


def test_stale_version_is_refused(store: Store) -> None:
    _b, pid = _masses(store)
    svc.record(store, pid, ev(S.APPLIED, date(2025, 9, 1)), expected_version=0)
    with pytest.raises(Stale):
        svc.record(store, pid, ev(S.TALK, date(2025, 9, 5)), expected_version=0)
    assert store.scalar("SELECT count(*) FROM development_events") == 1


def test_home_lists_this_months_development_items(store: Store) -> None:
    b, pid = _masses(store)
    _activist(store, pid)  # report due 2026-02-01, one year on 2026-11-01
    texts = [i.text for i in home.due_items(store, date(2026, 11, 22)) if i.section == "发展党员"]
    assert any("思想汇报 2026-02-01 到期" in t and t.startswith("【逾期】") for t in texts)
    assert any("2026-11-01 培养满一年" in t for t in texts)
    early = home.due_items(store, date(2026, 1, 10))
    assert not [i for i in early if i.section == "发展党员"]


def test_pipeline_and_dossier(store: Store) -> None:
    b, pid = _masses(store)
    _activist(store, pid)
    rows = svc.pipeline(store, b.id, date(2026, 11, 22))
    assert [(r.stage, r.next_due.kind.value if r.next_due else None) for r in rows] == [
        (S.ACTIVIST, "思想汇报")
    ]
    assert rows[0].late
    d = svc.dossier(store, pid, date(2026, 11, 22))
    assert d.contacts == ("张伟", "王芳")
    assert d.documents == ("入党申请书", "谈话记录", "确定入党积极分子的支委会记录")


# -- 接收/转正 meetings advance the stage ------------------------------------------------


def _candidate_at_notice(store: Store) -> tuple[factories.Branch, str]:
    b = factories.branch(store)
    pid = b.with_status(PoliticalStatus.CANDIDATE)[0].id
    for e in (
        ev(S.APPLIED, date(2024, 1, 5)),
        ev(S.TALK, date(2024, 1, 20)),
        ev(S.ACTIVIST, date(2024, 3, 1), people=("甲", "乙")),
        ev(S.CANDIDATE, date(2025, 3, 1)),
        ev(S.VETTING, date(2025, 4, 1)),
        ev(S.TRAINING, date(2025, 4, 10), days=3),
        ev(S.COMMITTEE_REVIEW, date(2025, 5, 1)),
        ev(S.PRE_REVIEW, date(2025, 5, 20)),
        ev(S.NOTICE, date(2025, 6, 1)),
    ):
        dev_store.record(store, pid, e)
    return b, pid


def _admission(store: Store, b: factories.Branch, pid: str, day: date, *, yes: int | None = None):
    from domain.meeting_kinds import MeetingKind

    opened = svc.open_meeting(store, pid, MeetingKind.ADMISSION, day)
    sponsors = [p.id for p in b.with_status(PoliticalStatus.FULL)[:2]]
    m = factories.meeting(b, MeetingKind.ADMISSION, day)
    from domain.meeting_rules import AttendanceState

    entry = next(e for e in opened.attendance if e.person_id == pid)
    update: dict[str, object] = {
        "attendance": [
            *(e for e in m.attendance if e.person_id != pid),
            entry.model_copy(update={"state": AttendanceState.PRESENT}),
        ],
        "candidate_id": opened.candidate_id,
        "candidate_name": opened.candidate_name,
        "sponsor_ids": sponsors,
    }
    if yes is not None:
        update["votes"] = [m.votes[0].model_copy(update={"yes": yes})]
    return m.model_copy(update=update)


def test_finished_admission_with_passed_vote_records_the_stage(store: Store) -> None:
    from services.meetings import finish_meeting

    b, pid = _candidate_at_notice(store)
    done = finish_meeting(store, _admission(store, b, pid, date(2025, 7, 1)))
    rec = dev_store.get(store, pid)
    assert rec is not None
    admitted = rec.first(S.ADMITTED)
    assert admitted and admitted.on == date(2025, 7, 1) and admitted.meeting_id == done.id
    names = {p.id: p.name for p in b.members}
    assert admitted.people == tuple(names[i] for i in done.sponsor_ids)
    person = people.get(store, pid)
    assert person and person.status is PoliticalStatus.PROBATIONARY
    assert person.joined_party == date(2025, 7, 1)


def test_a_finished_admission_dates_the_probation_by_the_configured_rules(store: Store) -> None:
    """finish_meeting(development=…): the 上级审批 deadline 今日 warns of
    follows the file's [rules.development] (tests/test_settings_effect.py for
    the person view)."""
    from domain.development import DevelopmentConfig
    from services.meetings import finish_meeting

    b, pid = _candidate_at_notice(store)
    rules = DevelopmentConfig(approval_within_months=2)
    finish_meeting(store, _admission(store, b, pid, date(2025, 7, 1)), development=rules)
    stored = store.scalar(
        "SELECT approval_due FROM development_records WHERE person_id=?", (pid,)
    )
    assert stored == "2025-09-01"  # the default (3 months) gives 2025-10-01


def test_failed_admission_vote_does_not_advance(store: Store) -> None:
    from services.meetings import finish_meeting

    b, pid = _candidate_at_notice(store)
    done = finish_meeting(store, _admission(store, b, pid, date(2025, 7, 1), yes=1))
    assert done.finished
    rec = dev_store.get(store, pid)
    assert rec is not None and not rec.has(S.ADMITTED)


def test_admission_meeting_refused_by_the_rules_is_not_finished(store: Store) -> None:
    from services.meetings import finish_meeting

    b, pid = _candidate_at_notice(store)  # 公示 from 2025-06-01: 7 days
    with pytest.raises(Refused, match="会议未完成：公示不少于 7 天"):
        finish_meeting(store, _admission(store, b, pid, date(2025, 6, 5)))
    assert store.scalar("SELECT count(*) FROM meetings WHERE kind='接收预备党员'") == 0


def test_confirmation_cannot_open_before_approval(store: Store) -> None:
    from domain.meeting_kinds import MeetingKind

    _b, pid = _candidate_at_notice(store)
    with pytest.raises(Refused, match="尚未记录「上级党委审批」"):
        svc.open_meeting(store, pid, MeetingKind.CONFIRMATION, date(2026, 8, 1))


# -- 延长预备期: decided by a 转正 meeting, months and all ---------------------------------


def _probationer(store: Store) -> tuple[factories.Branch, str]:
    """Admitted 2025-07-01, approved 2025-08-01: the probation year ends 2026-07-01."""
    b, pid = _candidate_at_notice(store)
    dev_store.record(store, pid, ev(S.ADMITTED, date(2025, 7, 1), people=("甲", "乙")))
    dev_store.record(store, pid, ev(S.APPROVED, date(2025, 8, 1)))
    return b, pid


def _confirmation(
    store: Store, b: factories.Branch, pid: str, day: date, **update: object
):
    from domain.meeting_kinds import MeetingKind

    opened = svc.open_meeting(store, pid, MeetingKind.CONFIRMATION, day)
    m = factories.meeting(b, MeetingKind.CONFIRMATION, day)
    fields = {
        k: getattr(opened, k)
        for k in ("candidate_id", "candidate_name", "probation_start", "probation_extended_months")
    }
    return m.model_copy(update={**fields, **update})


def test_extension_meeting_records_its_months_and_moves_the_probation_end(store: Store) -> None:
    from domain.meeting_kinds import MeetingKind
    from domain.meetings import ConfirmationResult, set_confirmation_result
    from services.meetings import finish_meeting

    b, pid = _probationer(store)
    m = _confirmation(store, b, pid, date(2026, 7, 1), extension_months=6)
    m = set_confirmation_result(m, ConfirmationResult.EXTENDED)
    done = finish_meeting(store, m)
    rec = dev_store.get(store, pid)
    assert rec is not None
    ext = rec.first(S.EXTENDED)
    assert ext and ext.on == date(2026, 7, 1) and ext.months == 6 and ext.meeting_id == done.id
    row = store.query_one(
        "SELECT data FROM development_events WHERE person_id=? AND stage=?", (pid, "延长预备期")
    )
    assert row and '"months": 6' in row["data"]
    stored = store.query_one("SELECT probation_end FROM development_records WHERE person_id=?",
                             (pid,))  # fmt: skip
    assert stored and stored["probation_end"] == "2027-01-01"
    d = svc.dossier(store, pid, date(2026, 7, 2))
    assert d.probation_end == date(2027, 1, 1)
    assert "延长预备期的支部大会决议" in d.documents
    # The next 转正 meeting opened from the person counts the extension.
    again = svc.open_meeting(store, pid, MeetingKind.CONFIRMATION, date(2026, 12, 31))
    assert again.probation_start == date(2025, 7, 1) and again.probation_extended_months == 6
    with pytest.raises(ValueError, match="不能按期转正"):
        set_confirmation_result(again, ConfirmationResult.ON_TIME)
    on_end = again.model_copy(update={"date": date(2027, 1, 1)})
    assert set_confirmation_result(on_end, ConfirmationResult.ON_TIME).confirmation_result


def test_extension_meeting_without_months_does_not_finish(store: Store) -> None:
    from domain.meetings import ConfirmationResult, set_confirmation_result
    from services.meetings import NotReady, finish_meeting

    b, pid = _probationer(store)
    m = set_confirmation_result(
        _confirmation(store, b, pid, date(2026, 7, 1)), ConfirmationResult.EXTENDED
    )
    with pytest.raises(NotReady) as err:
        finish_meeting(store, m)
    assert "延长预备期须填写延长的月数（6–12 个月）" in err.value.problems
    rec = dev_store.get(store, pid)
    assert rec is not None and not rec.has(S.EXTENDED)


def test_a_second_extension_is_refused_in_chinese(store: Store) -> None:
    from domain.meetings import ConfirmationResult
    from services.meetings import NotReady, finish_meeting

    b, pid = _probationer(store)
    first = _confirmation(store, b, pid, date(2026, 7, 1), extension_months=6,
                          confirmation_result=ConfirmationResult.EXTENDED)  # fmt: skip
    finish_meeting(store, first)
    # Opened from the person: the meeting itself refuses.
    second = _confirmation(store, b, pid, date(2027, 1, 5), extension_months=6,
                           confirmation_result=ConfirmationResult.EXTENDED)  # fmt: skip
    with pytest.raises(NotReady) as err:
        finish_meeting(store, second)
    assert "预备期只能延长一次，已延长 6 个月" in err.value.problems
    # A meeting that does not know of the first extension: the record refuses.
    blind = second.model_copy(update={"probation_extended_months": 0})
    with pytest.raises(Refused, match="会议未完成：预备期只能延长一次：已于 2026-07-01 延长 6 个月"):
        finish_meeting(store, blind)
    rec = dev_store.get(store, pid)
    assert rec is not None and [e.months for e in rec.events if e.stage is S.EXTENDED] == [6]
    assert store.scalar("SELECT count(*) FROM meetings WHERE kind='预备党员转正'") == 1


def test_failed_extension_vote_records_nothing(store: Store) -> None:
    from domain.meetings import ConfirmationResult
    from services.meetings import finish_meeting

    b, pid = _probationer(store)
    m = _confirmation(store, b, pid, date(2026, 7, 1), extension_months=6,
                      confirmation_result=ConfirmationResult.EXTENDED)  # fmt: skip
    m = m.model_copy(update={"votes": [m.votes[0].model_copy(update={"yes": 1})]})
    assert finish_meeting(store, m).finished
    rec = dev_store.get(store, pid)
    assert rec is not None and not rec.has(S.EXTENDED)


def test_demo_has_every_stage_and_someone_late_in_each_branch(demo_store: Store) -> None:
    from domain.development import MAIN_LINE
    from storage import org
    from tests.factories import TODAY

    for b in org.branches(demo_store):
        rows = svc.pipeline(demo_store, b.id, TODAY)
        # 上级党委审批 is only passed through (the oath follows within days):
        # the demo's two 预备党员 stand at 接收预备党员 and 入党宣誓.
        assert {r.stage for r in rows} == set(MAIN_LINE) - {Stage.APPROVED}, b.name
        assert any(r.late for r in rows), b.name
    assert audit.problems(demo_store.conn) == []


@pytest.mark.parametrize(
    "today", [date(2026, 11, 22), date(2026, 12, 1), date(2027, 2, 15), date(2027, 6, 30)]
)
def test_light_home_lines_agree_with_the_domain(demo_store: Store, today: date) -> None:
    """storage.development_home filters SQL dates; domain.development.home_due
    decides from the record: both list the same people and kinds."""
    from domain.development import DueKind, home_due
    from storage import development_home, org

    kind_of = {"思想汇报": DueKind.REPORT, "培养满一年": DueKind.ACTIVIST_YEAR,
               "审批": DueKind.APPROVAL, "预备期": DueKind.PROBATION_ENDS}  # fmt: skip
    light = set()
    for item in development_home.home_items(demo_store, today):
        assert item.action is not None
        kind = next(k for word, k in kind_of.items() if word in item.text)
        light.add((item.action.args[0], kind))
    model = set()
    for b in org.branches(demo_store):
        for r in dev_store.for_branch(demo_store, b.id):
            for d in home_due(r, today):
                kind = DueKind.APPROVAL if d.kind is DueKind.CONFIRM_APPROVAL else d.kind
                model.add((r.person_id, kind))
    assert light == model and light


def test_demo_home_lists_each_kind_of_development_item(demo_store: Store) -> None:
    """今日 on the demo's today: 思想汇报 due, one year as 积极分子 reached,
    审批 overdue and a probation ending within 30 days all have a line."""
    from storage import development_home
    from tests.factories import TODAY

    texts = [i.text for i in development_home.home_items(demo_store, TODAY)]
    for word in ("思想汇报", "培养满一年", "审批", "预备期"):
        assert any(word in t for t in texts), (word, texts)
