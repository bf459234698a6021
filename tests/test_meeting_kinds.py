"""The kinds table: every kind has an entry, and every kind exports its minutes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import docx
import pytest

from domain import meeting_kinds
from domain.compliance import default_aliases, default_requirements
from domain.meeting_kinds import KINDS, HeaderField, MeetingKind, kind_spec, missing_kinds
from domain.meetings import new_meeting
from domain.people import CommitteePost, Person, PoliticalStatus
from domain.procedures import default_template
from exports import minutes

DAY = dt.date(2026, 3, 15)


def _people() -> list[Person]:
    people = [
        Person(name=n, status=PoliticalStatus.FULL, branch_id="b1", post=post)
        for n, post in [
            ("王书记", CommitteePost.SECRETARY),
            ("李组织", CommitteePost.ORGANISATION),
            ("张宣传", CommitteePost.PUBLICITY),
            ("张三", None),
            ("李四", None),
        ]
    ]
    people.append(Person(name="预备甲", status=PoliticalStatus.PROBATIONARY, branch_id="b1"))
    return people


def test_every_kind_has_an_entry() -> None:
    assert missing_kinds() == []
    for kind in MeetingKind:
        spec = kind_spec(kind)
        assert spec.kind is kind and spec.label and spec.steps and spec.minutes.header
        assert default_template(kind).kind is kind


def test_a_kind_without_an_entry_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drop one entry, as if an 11th kind were added without one: it is caught."""
    table = {k: v for k, v in KINDS.items() if k is not MeetingKind.THEME_DAY}
    monkeypatch.setattr(meeting_kinds, "KINDS", table)
    assert missing_kinds() == [MeetingKind.THEME_DAY]
    with pytest.raises(KeyError, match="主题党日"):
        kind_spec(MeetingKind.THEME_DAY)


def test_every_header_field_has_a_renderer() -> None:
    m = new_meeting(MeetingKind.LECTURE, "b1", "第一党支部", DAY, people=_people())
    a = minutes.attendance_summary(m)
    for f in HeaderField:
        assert isinstance(minutes._header_value(m, a, f), str)


@pytest.mark.parametrize("kind", list(MeetingKind))
def test_every_kind_exports_minutes_with_its_title_and_header(
    kind: MeetingKind, tmp_path: Path
) -> None:
    org = "采油作业区第一党小组" if kind is MeetingKind.GROUP else "采油作业区第一党支部"
    people = _people()
    if kind is MeetingKind.GROUP:
        people = [p.model_copy(update={"group_id": "b1"}) for p in people]
    m = new_meeting(kind, "b1", org, DAY, people=people)
    m = m.model_copy(
        update={
            "place": "三楼会议室",
            "chair_name": "王书记",
            "recorder_name": "李组织",
            "lecturer_name": "张宣传",
            "topics": ["本次议题"],
            "start_time": dt.time(9),
            "end_time": dt.time(10),
        }
    )
    path = minutes.export(m, tmp_path)
    d = docx.Document(str(path))
    template = kind_spec(kind).minutes
    title = d.paragraphs[0].text.replace("\n", "")  # long titles break before the kind
    assert title == minutes.minutes_title(m)
    assert title.startswith("中共" + org) and title.endswith("记录")
    cells = [c.text for row in d.tables[0].rows for c in row.cells]
    for item in template.header:
        if not item.optional:
            assert item.label in cells, f"{kind}: header lacks {item.label}"
    assert "本次议题" in " ".join(cells)
    if HeaderField.LECTURER in template.fields():
        assert "张宣传" in " ".join(cells)


def test_lecture_minutes_use_a_lecture_template() -> None:
    t = kind_spec(MeetingKind.LECTURE).minutes
    assert {"授课人", "题目", "主要内容", "学时", "听课对象"} <= set(t.labels())
    assert HeaderField.VOTING not in t.fields()  # no 有表决权 for a lecture


def test_compliance_reads_the_table() -> None:
    keys = [r.key for r in default_requirements()]
    assert keys == [
        "branch_committee",
        "party_group",
        "member_assembly",
        "party_lecture",
        "theme_day",
        "org_life",
        "appraisal",
        "secretary_lecture",
    ]
    assert default_aliases() == {
        "接收预备党员": "支部党员大会",
        "预备党员转正": "支部党员大会",
        "换届选举": "支部党员大会",
    }


def test_adding_a_kind_is_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new entry (here a copy of 党小组会 under another kind) drives procedure,
    vote rule, title and compliance with nothing else edited."""
    spec = KINDS[MeetingKind.THEME_DAY]
    new = dataclasses.replace(
        spec,
        minutes=dataclasses.replace(spec.minutes, title_suffix="测试活动记录"),
        frequencies=(dataclasses.replace(spec.frequencies[0], key="probe", rank=99),),
    )
    monkeypatch.setattr(meeting_kinds, "KINDS", {**KINDS, MeetingKind.THEME_DAY: new})
    m = new_meeting(MeetingKind.THEME_DAY, "b1", "第一党支部", DAY, people=_people())
    assert minutes.minutes_title(m) == "中共第一党支部测试活动记录"
    assert default_requirements()[-1].key == "probe"
