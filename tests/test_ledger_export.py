"""一人一事台账 export: open the written .docx and check its table and page setup."""

from __future__ import annotations

import stat
from datetime import date

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from domain import followups as fx
from domain.followups import Actor, FollowUpConfig, Level, QuickForm
from domain.triggers import default_catalogue
from exports import ledger

pytestmark = pytest.mark.both_engines

CONFIG = FollowUpConfig()
SEC = Actor("sec", "王书记")
MEMBER = Actor("m1", "李四")
TEAM_POSTS = {"w1": "采煤一队/支架工", "w2": "机电队/电工"}


def _file(person_id: str, name: str, found: date, **extra: object) -> fx.FollowUp:
    form = QuickForm(
        person_id=person_id,
        person_name=name,
        trigger_code=extra.pop("trigger_code", "T2"),
        summary=extra.pop("summary", "井下未戴自救器"),
        responsible_id=MEMBER.person_id,
        responsible_name=MEMBER.name,
        found_on=found,
        **extra,
    )
    return fx.quick_file(form, default_catalogue("b1"), today=date(2026, 6, 30), config=CONFIG)


def _cases() -> list[fx.FollowUp]:
    # Filed second but found first, to check the row order.
    worked = _file("w1", "张三", date(2026, 3, 2), level=Level.SIGNIFICANT)
    worked = fx.log_contact(
        worked,
        fx.make_contact(
            date(2026, 3, 3),
            MEMBER,
            content="了解到家中老人生病",
            attitude="愿意改正",
            help_given="申请工会慰问",
        ),
        CONFIG,
    )
    worked = fx.escalate(worked, "基层党委", date(2026, 3, 4), "反复三违", SEC)
    worked = fx.resolve(worked, "已调整到地面岗位", date(2026, 3, 20), SEC, CONFIG)
    worked = fx.return_visit(worked, date(2026, 4, 10), MEMBER, "工作安心", appraisal="满意")
    new = _file(
        "w2",
        "王五",
        date(2026, 3, 9),
        trigger_code="V1",
        summary="妻子住院\x1b[31m",
        private=True,
    )
    return [new, worked]


def _table(path) -> list[list[str]]:
    doc = docx.Document(str(path))
    assert len(doc.tables) == 1
    return [[cell.text for cell in row.cells] for row in doc.tables[0].rows]


def test_export_writes_landscape_a4_with_one_row_per_case(tmp_path) -> None:
    path = ledger.export(
        "采煤一队党支部", _cases(), "2026年第一季度", tmp_path, team_posts=TEAM_POSTS
    )
    assert path == tmp_path / "一人一事台账_采煤一队党支部_2026年第一季度.docx"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    doc = docx.Document(str(path))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert abs(section.page_width - Mm(297)) < Mm(1)
    assert abs(section.page_height - Mm(210)) < Mm(1)
    texts = [p.text for p in doc.paragraphs]
    assert "采煤一队党支部一人一事思想政治工作台账" in texts
    assert "（2026年第一季度）" in texts
    assert "共2件，其中待办1件、已回访1件。" in texts
    assert ledger.PRIVACY_NOTE in texts
    # No personal data in the metadata.
    assert doc.core_properties.title == "一人一事思想政治工作台账"
    assert "张三" not in doc.core_properties.author

    rows = _table(path)
    assert rows[0] == ledger.HEADERS
    assert len(rows) == 3
    first, second = rows[1], rows[2]
    assert first[:7] == [
        "1",
        "张三",
        "采煤一队/支架工",
        "2026年3月2日\n谈心",
        "必谈：违章违纪",
        "［安全行为（三违）］井下未戴自救器",
        "李四",
    ]
    assert first[7].split("\n") == [
        "2026年3月3日 谈心（李四）：了解到家中老人生病；态度：愿意改正；帮扶：申请工会慰问",
        "2026年3月4日 上报基层党委：反复三违",
        "2026年4月10日 回访（李四）：工作安心",
    ]
    assert first[8] == "较大级"  # its own labelled column
    assert first[9] == "已回访"
    assert first[10].startswith("2026年")  # 办理时限
    assert first[11] == "已调整到地面岗位\n评价：满意"

    assert second[:6] == [
        "2",
        "王五",
        "机电队/电工",
        "2026年3月9日\n谈心",
        "必访：有病住院",
        "［健康］妻子住院[31m",
    ]
    assert second[7] == ""
    assert second[8] == "一般级" and second[9] == "待办"
    assert second[10] == "2026年3月24日\n下次谈访\n2026年3月12日"
    assert second[11] == ""
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert any(t.startswith("填报人：") for t in texts) and any(t.startswith("审核人：") for t in texts)
    assert any(t.startswith("日期：") for t in texts)
    # Rows never split and the header repeats.
    tbl = docx.Document(str(path)).tables[0]
    assert tbl.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in tbl.rows)


def test_column_widths_fit_landscape_text_area() -> None:
    doc = ledger.build("支部", _cases(), "2026年", team_posts=TEAM_POSTS)
    section = doc.sections[0]
    usable = section.page_width - section.left_margin - section.right_margin
    assert abs(Mm(sum(ledger.WIDTHS_MM)) - usable) < Mm(1)
    widths = [cell.width for cell in doc.tables[0].rows[1].cells]
    # Word stores widths in twips, so allow the rounding.
    assert len(widths) == len(ledger.WIDTHS_MM)
    assert all(abs(w - Mm(mm)) < Mm(0.1) for w, mm in zip(widths, ledger.WIDTHS_MM, strict=True))


def test_missing_team_post_gives_empty_cell() -> None:
    doc = ledger.build("支部", _cases(), "2026年")
    assert [r.cells[2].text for r in doc.tables[0].rows[1:]] == ["", ""]


def test_redact_private_blanks_the_private_case_only() -> None:
    doc = ledger.build("支部", _cases(), "2026年", team_posts=TEAM_POSTS, redact_private=True)
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[1][1] == "张三"
    private = rows[2]
    assert private[1] == "（保密）"
    # Redacted cells say where the details are instead of standing blank.
    assert private[2] == private[4] == private[5] == ledger.REDACTED_TEXT
    assert private[6] == "李四"
    assert "2026年3月12日" in private[10]
    all_text = "\n".join("\n".join(r) for r in rows)
    assert "王五" not in all_text and "住院" not in all_text and "机电队" not in all_text


def test_empty_ledger_says_so(tmp_path) -> None:
    path = ledger.export("支部", [], "2026年3月", tmp_path)
    rows = _table(path)
    assert rows[0] == ledger.HEADERS
    assert len(rows) == 2
    assert set(rows[1]) == {ledger.EMPTY_ROW}  # one cell merged across the row


def test_file_name_strips_unsafe_characters() -> None:
    assert ledger.file_name("一队/二队 支部", 'Q1:"x"') == "一人一事台账_一队二队支部_Q1x.docx"


def test_for_period_keeps_open_and_recently_closed_cases() -> None:
    early = _file("w1", "张三", date(2026, 1, 5))
    early_closed = fx.close(
        fx.return_visit(
            fx.resolve(early, "已解决", date(2026, 1, 10), SEC, CONFIG),
            date(2026, 1, 20),
            MEMBER,
            "好",
        ),
        date(2026, 1, 25),
        SEC,
    )
    closed_in_q = fx.close(
        fx.return_visit(
            fx.resolve(early, "已解决", date(2026, 2, 10), SEC, CONFIG),
            date(2026, 3, 20),
            MEMBER,
            "好",
        ),
        date(2026, 4, 2),
        SEC,
    )
    open_case = _file("w2", "王五", date(2026, 2, 1))
    later = _file("w2", "王五", date(2026, 6, 1))
    picked = ledger.for_period(
        [early_closed, closed_in_q, open_case, later], date(2026, 4, 1), date(2026, 5, 31)
    )
    assert picked == [closed_in_q, open_case]
