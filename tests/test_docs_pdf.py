"""Every kind of document, rendered by LibreOffice and read page by page.

The archivist and the inspector read the printed pages, so the checks are on
pdftotext output: signature blocks share a page with the record, no page holds
only a date or a fragment of one row, no number or date breaks across lines,
no ISO dates or formula signs, and every header field of the kind is there.
All files go through ONE soffice run (its start-up is most of the cost).
"""

from __future__ import annotations

import re
import shutil

import docx
import pytest

from domain.meeting_kinds import kind_spec
from tests.docs_render import Rendered, pdf_pages, render_all, to_pdf

pytestmark = [
    pytest.mark.skipif(
        shutil.which("soffice") is None or shutil.which("pdftotext") is None,
        reason="LibreOffice Writer and poppler-utils are not installed (.ci/run installs them)",
    ),
    pytest.mark.xdist_group("soffice"),
]

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
# A line ending in a digit (or 年/月) whose next line starts with the rest of
# a number or date: 「2026年4月」/「25日」, 「4035.2」/「0」, 「100.0」/「%」.
_SPLIT = re.compile(r"(\d|\d年|\d月)\s*\n\s*(\d|年|月|日|%|\.\d)")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Rendered, list[str]]]:
    out = tmp_path_factory.mktemp("docs")
    docs = render_all(out)
    pdfs = to_pdf([r.docx for r in docs], out)
    return [(r, pdf_pages(p)) for r, p in zip(docs, pdfs, strict=True)]


def _lines(page: str) -> list[str]:
    return [ln.strip() for ln in page.splitlines() if ln.strip() and not re.fullmatch(r"—\s*\d+\s*—", ln.strip())]


def _cells_text(page: str) -> str:
    """A page's text with the layout's column gaps closed, so a value split
    inside one cell shows as a line break inside the value."""
    return "\n".join(re.sub(r"\s{2,}", " ", ln) for ln in _lines(page))


def test_every_kind_is_rendered(rendered: list[tuple[Rendered, list[str]]]) -> None:
    keys = {r.key for r, _ in rendered}
    from domain.meeting_kinds import MeetingKind

    assert {k.value for k in MeetingKind} <= keys
    assert {"台账", "党课计划", "季度报告1", "发展党员台账", "发展党员工作记实表"} <= keys


def test_signature_block_shares_a_page_with_the_record(
    rendered: list[tuple[Rendered, list[str]]],
) -> None:
    for r, pages in rendered:
        if r.kind is None:
            continue
        last = _lines(pages[-1])
        sign = [i for i, ln in enumerate(last) if "（签字）" in ln]
        assert sign, f"{r.key}: no signature lines on the last page"
        body = [ln for ln in last[: sign[0]] if ln]
        assert body, f"{r.key}: the signature block stands alone on its page"


def test_no_page_holds_only_a_date_or_a_fragment(
    rendered: list[tuple[Rendered, list[str]]],
) -> None:
    for r, pages in rendered:
        for n, page in enumerate(pages, 1):
            lines = _lines(page)
            assert lines, f"{r.key}: page {n} is empty"
            assert len(lines) > 2, f"{r.key}: page {n} holds only {lines}"


def test_no_number_or_date_split_across_lines(
    rendered: list[tuple[Rendered, list[str]]],
) -> None:
    for r, pages in rendered:
        for n, page in enumerate(pages, 1):
            for ln in _lines(page):
                # A lone 「日」「%」 or a digit run left on a line by itself.
                assert not re.fullmatch(r"(\d{1,2}\s*日|%|\d{1,3})", ln) or r.kind is None and ln.isdigit(), (
                    f"{r.key}: page {n} has a broken value line {ln!r}"
                )
            compact = re.sub(r"[ \t]+", "", page)
            for m in re.finditer(r"\d{4}年\d{1,2}\n", compact):
                pytest.fail(f"{r.key}: page {n} breaks a date: {m.group()!r}")
            for m in re.finditer(r"\d+\.\d*\n[\d%]", compact):
                pytest.fail(f"{r.key}: page {n} breaks an amount: {m.group()!r}")


def test_no_iso_date_and_no_formula_signs(rendered: list[tuple[Rendered, list[str]]]) -> None:
    for r, pages in rendered:
        text = "\n".join(pages)
        assert not _ISO.search(text), f"{r.key}: ISO date {_ISO.search(text)}"
        if r.kind is not None:
            for sign in ("×", "→", ">"):
                assert sign not in text, f"{r.key}: {sign} in the record"
            assert "按程序完成" not in text


def test_every_header_field_of_the_kind_is_present(
    rendered: list[tuple[Rendered, list[str]]],
) -> None:
    for r, pages in rendered:
        if r.kind is None:
            continue
        text = re.sub(r"\s+", "", "".join(pages))
        for item in kind_spec(r.kind).minutes.header:
            if item.optional:
                continue
            assert item.label in text, f"{r.key}: header lacks {item.label}"
        for field in kind_spec(r.kind).content:  # 对照检查, 评定等次 …: recorded, not 未记录
            assert f"{field.label}：" in text and f"{field.label}：未记录" not in text, field.label


def test_docx_properties_and_fonts(rendered: list[tuple[Rendered, list[str]]]) -> None:
    for r, _ in rendered:
        d = docx.Document(str(r.docx))
        props = d.core_properties
        assert props.title and props.subject and props.author and props.created, r.key
        parts = {str(p.partname): p.blob for p in d.part.package.iter_parts()}
        assert b"Macintosh" not in parts["/docProps/app.xml"]
        fonts = parts["/word/fontTable.xml"].decode()
        for face in ("仿宋_GB2312", "仿宋", "FangSong", "方正小标宋简体", "宋体", "SimSun", "黑体", "SimHei"):
            assert f'w:name="{face}"' in fonts, f"{r.key}: font table lacks {face}"
        assert 'w:altName w:val="仿宋"' in fonts


def _header_values(path: object) -> list[str]:
    """The value cells of a minutes header table, as written in the .docx."""
    table = docx.Document(str(path)).tables[0]
    values: list[str] = []
    for row in table.rows:
        seen: list[object] = []
        cells = [c for c in row.cells if not any(c._tc is s for s in seen) and not seen.append(c._tc)]
        values += [c.text for c in cells[1::2]]
    return values


def test_no_header_value_wraps(rendered: list[tuple[Rendered, list[str]]]) -> None:
    """应到/实到, the time, the probation dates …: each header value on one printed line."""
    for r, pages in rendered:
        if r.kind is None:
            continue
        lines = [re.sub(r"\s+", "", ln) for ln in pages[0].splitlines()]
        for value in _header_values(r.docx):
            em = sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in value)
            if "\n" in value or value in ("无", "未记录") or em > 25:
                continue  # lists and long text may wrap; a value that fits a line never
            v = re.sub(r"\s+", "", value)
            assert any(v in ln for ln in lines), f"{r.key}: header value wraps: {value!r}"


def test_no_heading_at_a_page_bottom(rendered: list[tuple[Rendered, list[str]]]) -> None:
    """A section heading (一、…) shares its page with what follows it."""
    for r, pages in rendered:
        for n, page in enumerate(pages[:-1], 1):
            last = _lines(page)[-1]
            assert not re.match(r"[一二三四五六七八九十]、", last), f"{r.key}: page {n} ends {last!r}"


_CN_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def test_development_dates_and_cells_print_whole(
    rendered: list[tuple[Rendered, list[str]]],
) -> None:
    """发展党员 ledger and 记实表: each date in a table prints on one line (the
    date checks above miss a date split inside a row whose neighbour goes on),
    no timeline row has an empty cell, and no ledger shows 「×」 counts."""
    docs = {r.key: (r, pages) for r, pages in rendered}
    for key in ("发展党员台账", "发展党员工作记实表"):
        r, pages = docs[key]
        lines = [re.sub(r"\s+", "", ln) for page in pages for ln in page.splitlines()]
        d = docx.Document(str(r.docx))
        dates = {m.group() for t in d.tables for row in t.rows for c in row.cells
                 for m in _CN_DATE.finditer(c.text)}  # fmt: skip
        assert dates, key
        for value in sorted(dates):
            assert any(value in ln for ln in lines), f"{key}: date wraps: {value!r}"
        assert "×" not in "".join(pages), key
    sheet = docx.Document(str(docs["发展党员工作记实表"][0].docx))
    timeline = sheet.tables[-1]
    for row in timeline.rows[1:]:
        assert all(c.text.strip() for c in row.cells), [c.text for c in row.cells]
    info = [c.text for row in sheet.tables[0].rows for c in row.cells]
    for label in ("姓名", "性别", "出生日期", "所处阶段", "预备期满", "党龄起算"):
        assert label in info, f"记实表 lacks {label}"
