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
