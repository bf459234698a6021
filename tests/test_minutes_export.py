"""会议记录 .docx: written to disk, reopened with python-docx and checked."""

from __future__ import annotations

import datetime as dt
import os
import stat
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceEntry, AttendanceState
from domain.meetings import (
    Candidate,
    Decision,
    Election,
    Meeting,
    Speaker,
    correction,
    finish,
    mark_step_done,
    new_meeting,
    new_vote,
    sign_in_all,
)
from domain.people import CommitteePost, Person, PoliticalStatus
from exports import docx_common, minutes
from exports.docx_common import (
    add_paragraph,
    add_table,
    add_title,
    new_document,
    save_atomic,
    xml_safe,
)

pytestmark = pytest.mark.both_engines

NOW = dt.datetime(2026, 3, 15, 16, 5)
DAY = dt.date(2026, 3, 15)
HOSTILE = "\x00\x1b[2J\ud800\ufffe\x07"


def _people() -> list[Person]:
    people = [
        Person(
            name=name,
            status=PoliticalStatus.FULL,
            branch_id="b1",
            post=post,
        )
        for name, post in [
            ("王书记", CommitteePost.SECRETARY),
            ("李组织", CommitteePost.ORGANISATION),
            ("张三", None),
            ("李四", None),
            ("赵五", None),
            ("钱六", None),
            ("孙七", None),
            ("周八", None),
            ("吴九", None),
            ("郑十", None),
        ]
    ]
    people.append(Person(name="预备甲", status=PoliticalStatus.PROBATIONARY, branch_id="b1"))
    people.append(Person(name="预备乙", status=PoliticalStatus.PROBATIONARY, branch_id="b1"))
    return people


def _fill(m: Meeting, topics: list[str]) -> Meeting:
    m, _ = sign_in_all(m)
    by_name = {e.name: e for e in m.attendance}
    m = m.model_copy(
        update={
            "chair_id": by_name["王书记"].person_id,
            "chair_name": "王书记",
            "recorder_id": by_name["李组织"].person_id,
            "recorder_name": "李组织",
            "place": "采油二矿三楼会议室",
            "start_time": dt.time(14, 30),
            "end_time": dt.time(16, 0),
            "topics": topics,
            "title": "2026年第1次支部党员大会",
        }
    )
    for step in m.procedure.steps:
        m = mark_step_done(m, step.key, NOW)
    return m


def assembly() -> Meeting:
    m = new_meeting(
        MeetingKind.MEMBER_ASSEMBLY, "b1", "采油作业区第一党支部", DAY, people=_people()
    )
    m = _fill(m, ["传达学习上级会议精神", "研究一季度主题党日安排"])
    m.attendance[2].state = AttendanceState.LEAVE
    m.attendance[2].reason = "病假"
    m.attendance[3].state = AttendanceState.ABSENT
    m.attendance[3].reason = "公出"
    m.attendance.append(
        AttendanceEntry(
            name="刘积极",
            status=PoliticalStatus.ACTIVIST,
            state=AttendanceState.OBSERVER,
            reason="入党积极分子",
        )
    )
    m.attendance.append(
        AttendanceEntry(name="陈部长", post="党委组织部部长", state=AttendanceState.SUPERVISOR)
    )
    m = mark_step_done(m, "report", NOW, notes="书记传达了上级会议精神。", topic_no=1)
    m = mark_step_done(
        m,
        "discuss",
        NOW,
        speakers=[
            Speaker(name="赵五", remark="同意安排在每月第一个周五。"),
            Speaker(name="钱六", remark="夜班职工难以参加，建议分两场。", dissent=True),
        ],
        topic_no=2,
    )
    m.votes.append(new_vote(m, "一季度主题党日安排", yes=7, no=1, topic_no=2))
    m.decisions.append(
        Decision(
            text="三月主题党日组织志愿服务",
            owner_name="李组织",
            deadline=dt.date(2026, 3, 31),
            topic_no=2,
        )
    )
    m.summary = "会议开得紧凑，安排明确。"
    return finish(m, NOW)


def _doc_text(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


# -- The minutes -----------------------------------------------------------


def test_header_table(tmp_path: Path) -> None:
    path = minutes.export(assembly(), tmp_path)
    d = docx.Document(str(path))
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert rows[0][0] == "会议名称" and rows[0][1] == "2026年第1次支部党员大会"
    # Merged rows: the value spans the three remaining columns; values too
    # long for a narrow cell get a row of their own so no date breaks.
    by_label = {r[0]: r[1:] for r in rows}
    assert set(by_label["时间"]) == {"2026年3月15日 14时30分至16时00分"}
    assert set(by_label["地点"]) == {"采油二矿三楼会议室"}
    assert set(by_label["主持人"]) == {"王书记（书记）"}
    assert set(by_label["记录人"]) == {"李组织（组织委员）"}
    assert set(by_label["应到人数"]) == {"12人（正式党员10人、预备党员2人）"}
    assert set(by_label["实到人数"]) == {"10人（正式党员8人、预备党员2人）"}
    assert set(by_label["有表决权人数"]) == {"应到10人，实到8人"}
    # 请假 and 缺席 are two rows (assembly(): 张三 病假, 李四 公出 — both on leave).
    leave = set(by_label["请假人员及原因"])
    absent = set(by_label["缺席人员及原因"])
    assert "张三（病假）" in "".join(leave | absent) and "李四（公出）" in "".join(leave | absent)
    assert set(by_label["列席人员"]) == {"刘积极（入党积极分子）"}
    assert set(by_label["上级指导人员"]) == {"陈部长（党委组织部部长）"}
    assert set(by_label["会议议题"]) == {"1. 传达学习上级会议精神\n2. 研究一季度主题党日安排"}
    borders = d.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and borders.find(qn("w:insideH")).get(qn("w:val")) == "single"


def test_body_topics_speakers_votes_decisions(tmp_path: Path) -> None:
    path = minutes.export(assembly(), tmp_path)
    d = docx.Document(str(path))
    text = [p.text for p in d.paragraphs]
    assert text[0] == "中共采油作业区第一党支部党员大会会议记录"
    assert d.paragraphs[0].style.name == "Title"
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    # Only topics with something recorded get a heading; the summary is no topic.
    assert "一、传达学习上级会议精神" in headings or "一、研究一季度主题党日安排" in headings
    assert not any("主持人总结" in h for h in headings)
    assert "应到有表决权党员10名，实到8名，超过半数，会议有效。" in text
    assert "传达学习或报告：书记传达了上级会议精神。" in text
    assert "赵五发言：同意安排在每月第一个周五。" in text
    assert "钱六（持不同意见）发言：夜班职工难以参加，建议分两场。" in text
    assert "表决事项：一季度主题党日安排。" in text
    assert "表决方式：举手表决。应到有表决权党员10名，实到8名。" in text
    assert "表决结果：赞成7票，反对1票，弃权0票，通过。" in text
    assert "1. 三月主题党日组织志愿服务（责任人：李组织；完成时限：2026年3月31日）" in text
    assert "主持人总结：会议开得紧凑，安排明确。" in text
    assert "会议于16时00分结束。" in text
    assert "主持人（签字）：＿＿＿＿＿＿＿＿" in text and "记录人（签字）：＿＿＿＿＿＿＿＿" in text
    assert text[-1] == "2026年3月15日"
    assert "（草稿，未定稿）" not in text
    body = "\n".join(text)
    assert "按程序完成" not in body
    for mark in ("×", "→", ">"):
        assert mark not in body
    # The vote comes after what was said on its topic, the summary after the vote.
    assert text.index("赵五发言：同意安排在每月第一个周五。") < text.index("表决事项：一季度主题党日安排。")
    assert text.index("表决事项：一季度主题党日安排。") < text.index("主持人总结：会议开得紧凑，安排明确。")
    # The signature block keeps with the record's last paragraph.
    paras = d.paragraphs
    end = next(i for i, p in enumerate(paras) if p.text == "会议于16时00分结束。")
    assert all(p.paragraph_format.keep_with_next for p in paras[end:-1])


def test_failed_vote_shows_arithmetic(tmp_path: Path) -> None:
    m = correction(assembly())
    m.votes[0] = new_vote(m, "一季度主题党日安排", yes=5, no=3, topic_no=2)
    text = _doc_text(minutes.export(m, tmp_path))
    assert "表决结果：赞成5票，反对3票，弃权0票，未通过。" in text
    assert "（草稿，未定稿）" in text
    assert any(t.startswith("（第2版（更正），") for t in text)


def test_page_setup_and_fonts(tmp_path: Path) -> None:
    path = minutes.export(assembly(), tmp_path)
    d = docx.Document(str(path))
    s = d.sections[0]
    assert round(s.page_width.mm, 1) == 210.0 and round(s.page_height.mm, 1) == 297.0
    assert round(s.top_margin.mm, 1) == 37.0
    assert round(s.bottom_margin.mm, 1) == 35.0
    assert round(s.left_margin.mm, 1) == 28.0
    assert round(s.right_margin.mm, 1) == 26.0
    fonts = {}
    for name in ("Normal", "Title", "Heading 1"):
        rfonts = d.styles[name].element.rPr.rFonts
        fonts[name] = rfonts.get(qn("w:eastAsia"))
        # Theme attributes would override w:eastAsia in Word.
        assert rfonts.get(qn("w:eastAsiaTheme")) is None
    assert fonts == {"Normal": "仿宋_GB2312", "Title": "方正小标宋简体", "Heading 1": "黑体"}
    assert d.styles["Normal"].font.size.pt == 16
    assert d.styles["Title"].font.size.pt == 22
    with zipfile.ZipFile(path) as z:
        styles = z.read("word/styles.xml").decode()
        footer = next(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
    assert 'w:eastAsia="仿宋_GB2312"' in styles
    assert 'w:eastAsia="方正小标宋简体"' in styles
    assert "PAGE" in footer and "—" in footer
    props = d.core_properties
    assert props.author == "支部工作台" and "python-docx" not in (props.comments or "")


def test_landscape_document() -> None:
    s = new_document(landscape=True).sections[0]
    assert round(s.page_width.mm) == 297 and round(s.page_height.mm) == 210


def test_election_minutes(tmp_path: Path) -> None:
    m = new_meeting(MeetingKind.ELECTION, "b1", "采油作业区第一党支部", DAY, people=_people())
    m = _fill(m, ["选举新一届支部委员会"])
    m.votes.append(new_vote(m, "通过选举办法", yes=10))
    m.elections.append(
        Election(
            subject="选举支部委员会委员",
            seats=3,
            candidates=[
                Candidate(name="王书记", votes=10),
                Candidate(name="李组织", votes=9),
                Candidate(name="张三", votes=6),
                Candidate(name="李四", votes=4),
                Candidate(name="赵五", votes=1, write_in=True),
            ],
            ballots_issued=10,
            ballots_returned=10,
            ballots_valid=10,
            scrutineers=["孙七"],
            counters=["周八"],
        )
    )
    text = _doc_text(minutes.export(finish(m, NOW), tmp_path))
    # Too long for one line: it breaks before the kind, never leaving 「记录」 alone.
    assert text[0] == "中共采油作业区第一党支部\n换届选举党员大会会议记录"
    assert "选举事项：选举支部委员会委员（应选3名，差额选举，无记名投票）。" in text
    assert "发出选票10张，收回10张，其中有效票10张、无效票0张。" in text
    assert (
        "得票情况：王书记得10票，李组织得9票，张三得6票，李四得4票；另选他人：赵五得1票。" in text
    )
    assert "选举结果：王书记、李组织、张三得票超过实到会有选举权党员的半数，当选。" in text
    assert not any(t.startswith("计票说明") for t in text)  # the arithmetic stays in the app
    assert "监票人：孙七；计票人：周八。" in text
    assert any(t.startswith("监票人（签字）") for t in text)


@pytest.mark.parametrize(
    ("kind", "org", "title"),
    [
        (MeetingKind.COMMITTEE, "采油作业区第一党支部", "中共采油作业区第一党支部委员会会议记录"),
        (MeetingKind.GROUP, "第一党支部第二党小组", "中共第一党支部第二党小组会议记录"),
        (MeetingKind.LECTURE, "第一党支部", "中共第一党支部党课记录"),
        (MeetingKind.ADMISSION, "中共第一党支部", "中共第一党支部接收预备党员支部大会会议记录"),
    ],
)
def test_titles_by_kind(kind: MeetingKind, org: str, title: str) -> None:
    m = new_meeting(kind, "b1", org, DAY)
    assert minutes.minutes_title(m) == title


def test_a_long_committee_title_breaks_after_the_branch_name(tmp_path: Path) -> None:
    """支委会 of 「…支部」: the title ends 支部委员会会议记录, but the break goes
    after the branch's name, not before its 支部 (found by the property test)."""
    m = new_meeting(MeetingKind.COMMITTEE, "b1", "采油作业区第一采油管理区第三党支部", DAY)
    text = _doc_text(minutes.export(m, tmp_path))
    assert text[0] == "中共采油作业区第一采油管理区第三党支部\n委员会会议记录"


def test_cn_numerals() -> None:
    assert [minutes.cn_numeral(n) for n in (1, 9, 10, 11, 20, 35, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "三十五",
        "九十九",
    ]


# -- Hostile text ----------------------------------------------------------


def test_xml_safe() -> None:
    assert xml_safe("a\x00b\x1b[2J\ud800c\ufffe\uffffd\x85e\u202e") == "ab[2Jcde"
    assert xml_safe("行一\n行二\t制表") == "行一\n行二\t制表"
    assert xml_safe(None) == ""


def test_hostile_text_exports(tmp_path: Path) -> None:
    m = assembly()
    # Bypass the model's own cleaning to prove the exporter does not rely on it.
    m.place = f"会议室{HOSTILE}"
    m.topics[0] = f"议题{HOSTILE}"
    m.summary = f"总结{HOSTILE}"
    m.steps[0].notes = f"记录{HOSTILE}"
    m.attendance[2].reason = f"病假{HOSTILE}"
    m.org_name = f"第一{HOSTILE}/支部"
    path = minutes.export(m, tmp_path)
    d = docx.Document(str(path))
    text = "\n".join(p.text for p in d.paragraphs)
    cells = "\n".join(c.text for r in d.tables[0].rows for c in r.cells)
    assert "总结[2J" in text and "一、议题[2J" in text
    assert "会议室[2J" in cells and "张三（病假[2J）" in cells
    assert "\x00" not in text + cells and "\x1b" not in text + cells
    assert "/" not in path.name and "\x1b" not in path.name


def test_helpers_clean_their_input() -> None:
    doc = new_document()
    add_title(doc, f"标题{HOSTILE}")
    add_paragraph(doc, f"正文{HOSTILE}", align="right", indent=False)
    t = add_table(doc, [["甲", f"乙{HOSTILE}"], ["丙"]], header=True, widths_mm=[40, 116])
    assert doc.paragraphs[0].text == "标题[2J"
    assert doc.paragraphs[1].text == "正文[2J"
    assert t.rows[0].cells[1].text == "乙[2J"
    assert t.rows[1].cells[0].text == t.rows[1].cells[1].text == "丙"  # merged
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    with pytest.raises(ValueError):
        add_table(doc, [["a", "b"]], widths_mm=[10])


# -- Saving ----------------------------------------------------------------


def test_file_name_and_no_clobbering(tmp_path: Path) -> None:
    m = assembly()
    first = minutes.export(m, tmp_path)
    assert first.name == "2026-03-15_采油作业区第一党支部_支部党员大会.docx"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    # Re-exporting the same meeting replaces its own file.
    assert minutes.export(m, tmp_path) == first
    # A correction takes the plain name; the corrected file is renamed as superseded.
    other = correction(m, "更正表决票数")
    second = minutes.export(other, tmp_path)
    assert second.name == "2026-03-15_采油作业区第一党支部_支部党员大会.docx"
    assert docx.Document(str(second)).core_properties.identifier == other.id
    old = tmp_path / "2026-03-15_采油作业区第一党支部_支部党员大会_第1版_已被更正.docx"
    assert docx.Document(str(old)).core_properties.identifier == m.id
    assert any("更正原因：更正表决票数" in t for t in _doc_text(second))
    # Another meeting with the same date, branch and kind gets a suffix, and a
    # foreign file with the name is never overwritten.
    stranger = tmp_path / "2026-03-15_采油作业区第一党支部_支部党员大会_2.docx"
    stranger.write_bytes(b"not a docx")
    third = minutes.export(m.model_copy(update={"id": "another-meeting"}), tmp_path)
    assert third.name.endswith("_3.docx") and stranger.read_bytes() == b"not a docx"


def test_unsafe_file_name_characters(tmp_path: Path) -> None:
    m = assembly().model_copy(update={"org_name": '一队/二队:*?"<>| 党支部'})
    name = minutes.file_name(m)
    assert name == "2026-03-15_一队_二队_党支部_支部党员大会.docx"
    assert minutes.export(m, tmp_path).parent == tmp_path


def test_save_atomic_keeps_the_old_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "minutes.docx"
    good = new_document()
    add_paragraph(good, "第一版")
    assert save_atomic(good, target) == target
    before = target.read_bytes()

    bad = new_document()
    add_paragraph(bad, "第二版")

    def boom(_stream: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bad, "save", boom)
    with pytest.raises(OSError):
        save_atomic(bad, target)
    assert target.read_bytes() == before
    assert [p.text for p in docx.Document(str(target)).paragraphs] == ["第一版"]
    assert sorted(os.listdir(tmp_path)) == ["minutes.docx"]  # temp file removed


def test_save_atomic_failure_on_replace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "minutes.docx"
    target.write_bytes(b"old")

    def no_replace(src: str, dst: object) -> None:
        raise PermissionError("denied")

    monkeypatch.setattr(docx_common.os, "replace", no_replace)
    with pytest.raises(PermissionError):
        save_atomic(new_document(), target)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["minutes.docx"]
