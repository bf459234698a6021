"""Shared python-docx plumbing for every Word export.

GB/T 9704 house style (docs/DOCUMENTS.md#house-style): A4, margins 37/35/28/26 mm, body
仿宋_GB2312 三号, title 方正小标宋简体 二号, level-1 headings 黑体 三号.
python-docx only sets w:ascii/w:hAnsi for a font name, so CJK text would keep
the theme font; the East-Asian font is written into w:eastAsia and the theme
attributes (which take precedence in Word) are removed
(docs/DOCUMENTS.md#house-style).

All text goes through xml_safe(): python-docx raises on control characters
and lone surrogates, and user notes can contain both.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, cast

import docx
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.section import Section
from docx.shared import Mm, Pt
from docx.styles.style import CharacterStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from exports.atomic import write_atomic

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"  # GB/T 9704 allows it for digits and Latin text
TITLE_LATIN_FALLBACK = "宋体"

BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
TABLE_PT = 14  # 四号

# Each official face with the faces Word/WPS should use when it is missing:
# a PC without 仿宋_GB2312 would otherwise substitute one sans face for all text.
FONT_FALLBACKS: dict[str, tuple[str, ...]] = {
    BODY_FONT: ("仿宋", "FangSong"),
    TITLE_FONT: ("宋体", "SimSun"),
    HEADING_FONT: ("SimHei",),
    "仿宋": ("FangSong",),
    "宋体": ("SimSun",),
}
# Panose/charset facts for the font table: 134 = GB2312 charset.
_FONT_FAMILY = {BODY_FONT: "modern", TITLE_FONT: "script", HEADING_FONT: "modern"}

TITLE_STYLE = "Title"
HEADING1_STYLE = "Heading 1"
TABLE_TEXT_STYLE = "ZB Table Text"

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}

# C0 controls except \t \n \r, DEL and C1, lone surrogates, XML non-characters
# and bidi overrides (Trojan-source style spoofing of names).
_XML_BAD = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
    r"\u202a-\u202e\u2066-\u2069]"
)


def xml_safe(text: object) -> str:
    """Text python-docx accepts and Word opens: control chars and surrogates removed."""
    if text is None:
        return ""
    s = text if isinstance(text, str) else str(text)
    return _XML_BAD.sub("", s)


def cn_date(d: dt.date | None) -> str:
    """2026年4月25日 — the only date form in an archived document ("" for None)."""
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")


def cn_dates_in(text: str) -> str:
    """Every ISO date in *text* (domain messages use them) as 2026年1月2日."""
    return _ISO_DATE.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", text)


# -- Fonts and styles ------------------------------------------------------


_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_rfonts(rpr: CT_RPr, east_asia: str, latin: str) -> None:
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


def _style_fonts(
    style: CharacterStyle, east_asia: str, latin: str, size_pt: float, *, bold: bool
) -> None:
    style.font.size = Pt(size_pt)
    style.font.bold = bold
    rpr = style.element.get_or_add_rPr()
    color = rpr.find(qn("w:color"))
    if color is not None:  # built-in headings are blue; minutes are black
        rpr.remove(color)
    _set_rfonts(rpr, east_asia, latin)


def _setup_defaults(doc: DocumentObject) -> None:
    # docDefaults carry theme fonts; replace them so nothing falls back to Calibri/MS Mincho.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None:
        return
    _set_rfonts(rpr, BODY_FONT, LATIN_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _setup_styles(doc: DocumentObject) -> None:
    _setup_defaults(doc)
    normal = doc.styles["Normal"]
    _style_fonts(normal, BODY_FONT, LATIN_FONT, BODY_PT, bold=False)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(28)  # 22 lines a page
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.first_line_indent = Pt(BODY_PT * 2)  # two characters

    title = doc.styles[TITLE_STYLE]
    _style_fonts(title, TITLE_FONT, TITLE_LATIN_FALLBACK, TITLE_PT, bold=False)
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)
    tf = title.paragraph_format
    tf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tf.first_line_indent = Pt(0)
    tf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tf.line_spacing = Pt(36)
    tf.space_before = Pt(0)
    tf.space_after = Pt(14)
    title.font.spacing = Pt(0)

    h1 = doc.styles[HEADING1_STYLE]
    _style_fonts(h1, HEADING_FONT, LATIN_FONT, BODY_PT, bold=False)
    hf = h1.paragraph_format
    hf.first_line_indent = Pt(BODY_PT * 2)
    hf.space_before = Pt(0)
    hf.space_after = Pt(0)
    hf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    hf.line_spacing = Pt(28)

    table_text = doc.styles.add_style(TABLE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    table_text.font.size = Pt(TABLE_PT)
    ttf = table_text.paragraph_format
    ttf.first_line_indent = Pt(0)
    ttf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    ttf.space_before = Pt(2)
    ttf.space_after = Pt(2)


def _add_page_number(section: Section) -> None:
    """Footer "— 1 —", centred (GB/T 9704 page number form)."""
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    p.add_run("— ")
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
    p.add_run(" —")
    for r in p.runs:
        r.font.size = Pt(TABLE_PT)


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _font_xml(name: str, alt: str | None) -> str:
    alt_el = f'<w:altName w:val="{alt}"/>' if alt else ""
    family = _FONT_FAMILY.get(name, "roman")
    return (
        f'<w:font w:name="{name}">{alt_el}<w:charset w:val="86"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
    )


def _font_table_xml() -> bytes:
    """Every face the styles use, each with its first fallback as w:altName.

    Word and WPS read w:altName when the named face is missing; the remaining
    fallbacks are declared as fonts of their own so they are on the table too.
    """
    fonts = [_font_xml(LATIN_FONT, None).replace('w:val="86"', 'w:val="00"')]
    seen = {LATIN_FONT}
    for name, alts in FONT_FALLBACKS.items():
        for face, alt in ((name, alts[0] if alts else None), *((a, None) for a in alts)):
            if face in seen:
                continue
            seen.add(face)
            fonts.append(_font_xml(face, alt))
    body = "".join(fonts)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:fonts xmlns:w="{_W_NS}">{body}</w:fonts>'
    ).encode()


_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>支部工作台</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><Company></Company><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
    "<AppVersion>1.0000</AppVersion></Properties>"
).encode()


def _replace_package_parts(doc: DocumentObject) -> None:
    # The python-docx template's font table lists only Latin faces and its
    # app.xml names "Microsoft Macintosh Word 14"; both are rewritten.
    for part in doc.part.package.iter_parts():
        name = str(part.partname)
        if name == "/word/fontTable.xml":
            part._blob = _font_table_xml()
        elif name == "/docProps/app.xml":
            part._blob = _APP_XML


def set_properties(doc: DocumentObject, *, title: str, subject: str) -> None:
    """docProps title and subject (author and created are set by new_document)."""
    doc.core_properties.title = xml_safe(title)[:255]
    doc.core_properties.subject = xml_safe(subject)[:255]


def new_document(
    *, landscape: bool = False, title: str = "", subject: str = ""
) -> DocumentObject:
    """An empty A4 document in the house style."""
    doc = docx.Document()
    section = doc.sections[0]
    width, height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = height, width
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    _setup_styles(doc)
    _add_page_number(section)
    # The template's metadata says "python-docx" and 2013; personal data
    # never goes into metadata (docs/DOCUMENTS.md#house-style).
    props = doc.core_properties
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.author = "支部工作台"
    props.last_modified_by = "支部工作台"
    props.comments = ""
    props.title = xml_safe(title)[:255]
    props.subject = xml_safe(subject)[:255]
    props.keywords = ""
    props.created = now
    props.modified = now
    props.revision = 1
    _replace_package_parts(doc)
    return doc


# -- Content helpers -------------------------------------------------------


def _text_width_chars(doc: DocumentObject, pt: float) -> int:
    section = doc.sections[-1]
    # A new python-docx section always has these set (A4, set by new_document).
    width = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
    return int(width / Pt(pt))


def add_title(doc: DocumentObject, text: str, *, split_at: int | None = None) -> Paragraph:
    """The title; too long for one line, it breaks at *split_at* (before the
    document's kind, e.g. 会议记录) so no lone 「记录」 ends up on a line."""
    text = xml_safe(text)
    p = doc.add_paragraph(style=TITLE_STYLE)
    if split_at and 0 < split_at < len(text) and len(text) > _text_width_chars(doc, TITLE_PT):
        p.add_run(text[:split_at])
        p.add_run().add_break()
        p.add_run(text[split_at:])
    else:
        p.add_run(text)
    keep_with_next(p)
    return p


def add_heading1(doc: DocumentObject, text: str) -> Paragraph:
    return doc.add_paragraph(xml_safe(text), style=HEADING1_STYLE)


def add_paragraph(
    doc: DocumentObject,
    text: str,
    *,
    align: Literal["left", "center", "right"] | None = None,
    indent: bool = True,
) -> Paragraph:
    """A body paragraph; newlines in *text* become line breaks."""
    p = doc.add_paragraph(xml_safe(text))
    if align is not None:
        p.alignment = _ALIGN[align]
    if not indent:
        p.paragraph_format.first_line_indent = Pt(0)
    return p


# Child order of CT_TblPr, CT_TrPr and CT_TcPr in ECMA-376; Word repairs (and
# strict readers reject) elements written out of this order.
_TBLPR_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
    "shd", "tblLayout", "tblCellMar", "tblLook",
)
_TRPR_ORDER = (
    "cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit",
    "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden",
)
_TCPR_ORDER = (
    "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap",
    "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark",
)


def _set_child(parent: object, tag: str, order: tuple[str, ...]) -> object:
    """Replace or insert w:<tag> in *parent* at its schema position."""
    el_parent = parent  # lxml element
    old = el_parent.find(qn(f"w:{tag}"))  # type: ignore[attr-defined]
    if old is not None:
        el_parent.remove(old)  # type: ignore[attr-defined]
    el = OxmlElement(f"w:{tag}")
    later = set(order[order.index(tag) + 1 :])
    for i, child in enumerate(cast(Iterable[Any], el_parent)):
        local = child.tag.rsplit("}", 1)[-1]
        if local in later:
            el_parent.insert(i, el)  # type: ignore[attr-defined]
            return el
    el_parent.append(el)  # type: ignore[attr-defined]
    return el


def _set_table_borders(table: Table, *, visible: bool = True) -> None:
    tbl_pr = table._tbl.tblPr
    borders = _set_child(tbl_pr, "tblBorders", _TBLPR_ORDER)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single" if visible else "nil")
        if visible:
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        borders.append(el)  # type: ignore[attr-defined]


def _fixed_layout(table: Table) -> None:
    layout = _set_child(table._tbl.tblPr, "tblLayout", _TBLPR_ORDER)
    layout.set(qn("w:type"), "fixed")  # type: ignore[attr-defined]


def _row_flag(row: object, tag: str) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    _set_child(tr_pr, tag, _TRPR_ORDER)


def _repeat_as_header(row: object) -> None:
    _row_flag(row, "tblHeader")


def no_wrap(cell: object) -> None:
    """A cell whose text (a number, a date) must never break across lines."""
    tc_pr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    _set_child(tc_pr, "noWrap", _TCPR_ORDER)


def keep_with_next(p: Paragraph, on: bool = True) -> None:
    p.paragraph_format.keep_with_next = on
    p.paragraph_format.keep_together = True


def keep_block(paragraphs: list[Paragraph]) -> None:
    """Lay *paragraphs* on one page: each keeps with the next, none splits."""
    for i, p in enumerate(paragraphs):
        keep_with_next(p, i < len(paragraphs) - 1)


# Amounts, counts, rates, ratios and dates: a cell holding only these never wraps.
_NUMERIC_CELL = re.compile(
    r"^(?:[\d.,%/×✗✓—+\-]+|\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月|\d+人)$"
)


_CELL_MARGINS_MM = 4.0  # Word's default 1.9 mm each side, rounded up
_PT_MM = 0.3528


def text_width_mm(text: str, pt: float) -> float:
    """Rough printed width: CJK and full-width characters 1 em, the rest 0.55 em."""
    em = pt * _PT_MM
    return sum(em if ord(ch) > 0x2E7F else 0.55 * em for ch in text)


def fit_widths(
    rows: list[list[str]], total_mm: float, pt: float, *, header: bool = True
) -> list[float]:
    """Column widths that keep numbers and dates on one line.

    A column whose body cells are all numeric gets the width of its widest
    value; the other columns share what remains in proportion to their
    longest text. LibreOffice ignores w:noWrap, so the width is what counts.
    """
    ncols = max(len(r) for r in rows)
    body = rows[1:] if header else rows
    natural = [0.0] * ncols
    numeric = [True] * ncols
    for r in body:
        if len(r) < ncols:
            continue  # a spanning row says nothing about one column
        for c, v in enumerate(r):
            width = max((text_width_mm(line, pt) for line in (v or "").split("\n")), default=0)
            natural[c] = max(natural[c], width + _CELL_MARGINS_MM)
            if v and not _NUMERIC_CELL.match(v):
                numeric[c] = False
    if header and rows:
        for c, v in enumerate(rows[0][:ncols]):
            # Header words may wrap at a character, but not below two characters.
            natural[c] = max(natural[c], 2 * pt * _PT_MM + _CELL_MARGINS_MM)
            if not body:
                natural[c] = max(natural[c], text_width_mm(v, pt) + _CELL_MARGINS_MM)
    fixed = sum(w for w, n in zip(natural, numeric, strict=True) if n)
    flexible = [w if not n else 0.0 for w, n in zip(natural, numeric, strict=True)]
    if sum(natural) <= total_mm:
        spare = total_mm - sum(natural)
        return [w + spare * w / sum(natural) for w in natural]
    room = max(total_mm - fixed, 0.0)
    share = sum(flexible) or 1.0
    return [natural[c] if numeric[c] else room * flexible[c] / share for c in range(ncols)]


def add_table(
    doc: DocumentObject,
    rows: list[list[str]],
    *,
    header: bool = True,
    widths_mm: list[float] | None = None,
    nowrap_cols: frozenset[int] = frozenset(),
    nowrap_numeric: bool = False,
    keep_together: bool = False,
    cell_pt: float | None = None,
) -> Table:
    """A bordered table.

    The column count is the longest row.  A shorter row's last cell spans the
    remaining columns, which gives the "label | merged value" rows of a minutes
    header.  With *header* the first row is bold and repeats on every page.
    No row splits across pages; cells in *nowrap_cols* never wrap (numbers,
    dates).  With *keep_together* the whole table stays on one page.
    *cell_pt*: the cells' type size when a wide table needs smaller type than
    the 四号 of the house style (a ledger, a report's tables).
    """
    if not rows:
        raise ValueError("table needs at least one row")
    ncols = max(len(r) for r in rows)
    if widths_mm is not None and ncols and len(widths_mm) > ncols:
        ncols = len(widths_mm)  # every row short: its last cell spans the rest
    if ncols == 0:
        raise ValueError("table needs at least one column")
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_table_borders(table)
    if widths_mm is not None and len(widths_mm) != ncols:
        raise ValueError("widths_mm must give one width per column")
    if widths_mm is not None:
        table.autofit = False
        _fixed_layout(table)
        for i, col in enumerate(table.columns):
            col.width = Mm(widths_mm[i])
    # Looked up once: styles[...] and row.cells are slow in python-docx, and a
    # ledger or report has hundreds of cells.
    style = doc.styles[TABLE_TEXT_STYLE]
    size = Pt(cell_pt) if cell_pt is not None else None
    widths = [Mm(w) for w in widths_mm] if widths_mm is not None else None
    last = len(rows) - 1
    for r, values in enumerate(rows):
        if nowrap_numeric:
            nowrap_here = nowrap_cols | {
                c for c, v in enumerate(values) if _NUMERIC_CELL.match(v or "")
            }
        else:
            nowrap_here = nowrap_cols
        row = table.rows[r]
        _row_flag(row, "cantSplit")
        cells = row.cells
        if widths is not None:
            for i, cell in enumerate(cells):
                cell.width = widths[i]
        if values and len(values) < ncols:
            cells[len(values) - 1].merge(cells[ncols - 1])
            cells = row.cells
        for c, value in enumerate(values):
            cell = cells[c]
            cell.text = xml_safe(value)
            if c in nowrap_here:
                no_wrap(cell)
            for p in cell.paragraphs:
                p.style = style
                if cell_pt is not None:
                    for run in p.runs:
                        run.font.size = size
                if keep_together and r < last:
                    p.paragraph_format.keep_with_next = True
                if header and r == 0:
                    p.paragraph_format.keep_with_next = True
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    for run in p.runs:
                        run.bold = True
        if header and r == 0:
            _repeat_as_header(row)
    return table


def add_sign_off(
    doc: DocumentObject, labels: list[str], *, on: dt.date | None = None, date_label: str = "日期"
) -> list[Paragraph]:
    """Signature lines, one per label, each short enough for one line, kept on
    one page with the paragraph before them."""
    paras: list[Paragraph] = []
    prev = doc.paragraphs[-1] if doc.paragraphs else None
    if prev is not None:
        keep_with_next(prev)
    for label in labels:
        paras.append(add_paragraph(doc, f"{label}：{SIGN_LINE}", indent=False))
    if on is not None or date_label:
        text = f"{date_label}：{cn_date(on)}" if on is not None else f"{date_label}：{SIGN_LINE}"
        paras.append(add_paragraph(doc, text, indent=False))
    for p in paras:
        p.paragraph_format.left_indent = Pt(BODY_PT * 8)
    keep_block(paras)
    return paras


# Full-width underscores so the line has a fixed width in CJK fonts; eight of
# them plus the longest label (支部书记（签字）：) fit in half the text width.
SIGN_LINE = "\uff3f" * 8


# -- Saving ----------------------------------------------------------------


def save_atomic(doc: DocumentObject, path: str | os.PathLike[str]) -> Path:
    """Write *doc* so that *path* is either the old file or the complete new one
    (exports.atomic: temp file, fsync, rename, directory fsync).

    The zip is built in memory first: written straight into the file, a full
    disk left python-docx's ZipFile half-closed, and its __del__ later printed
    a traceback over the screen."""
    import io

    buf = io.BytesIO()
    doc.save(buf)
    data = buf.getvalue()
    return write_atomic(path, lambda f: f.write(data), suffix=".docx.tmp")
