"""exports.xlsx_common: the house style every spreadsheet export shares."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from exports import xlsx_common as xl
from tests import xlsx_check as xc


def test_a_table_keeps_types_freezes_its_header_and_fits_chinese_widths(tmp_path: Path) -> None:
    wb = xl.new_workbook()
    rows = [
        [1, "张伟", date(2026, 4, 25), 12.5, Decimal("30.00"), None],
        [2, "=HYPERLINK(\"x\")", date(2026, 12, 28), 0.925, Decimal("0"), "很长" * 50],
    ]
    xl.add_table(wb, "党费/收缴", ["序号", "姓名", "日期", "比例", "金额", "说明"], rows,
                 title="标题", number_formats={3: xl.PERCENT_FORMAT})  # fmt: skip
    path = xl.save_atomic(wb, tmp_path / "t.xlsx")
    ws = xc.sheets(path)["党费_收缴"]  # "/" is not allowed in a sheet title
    xc.assert_frozen_header(ws, 2)
    assert xc.row(ws, 1)[0] == "标题"
    assert xc.body(ws, 2) == [
        [1, "张伟", date(2026, 4, 25), 12.5, 30, None],
        [2, "=HYPERLINK(\"x\")", date(2026, 12, 28), 0.925, 0, "很长" * 50],
    ]
    assert ws["B4"].data_type == "s"  # user text that looks like a formula stays text
    assert ws["C3"].number_format == xl.DATE_FORMAT and ws["D3"].number_format == "0.0%"
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["B"] >= 2 * 2  # 张伟: two wide characters, two columns each
    assert widths["C"] >= xl.text_width(date(2026, 12, 28))
    assert widths["F"] == xl.MAX_WIDTH and ws["F4"].alignment.wrap_text


def test_an_empty_table_says_why(tmp_path: Path) -> None:
    wb = xl.new_workbook()
    xl.add_table(wb, "空", ["a", "b"], [], empty_text="本期无记录")
    ws = xc.sheets(xl.save_atomic(wb, tmp_path / "e.xlsx"))["空"]
    assert xc.body(ws, 1) == [["本期无记录", None]]
    xc.assert_frozen_header(ws, 1)


def test_text_width_counts_cjk_double() -> None:
    assert xl.text_width("ab") == 2 and xl.text_width("支部") == 4
    assert xl.text_width("第一行\n长一点的第二行") == 14


def test_a_table_prints_landscape_one_page_wide_with_its_header_on_every_page(
    tmp_path: Path,
) -> None:
    """Printed from Excel / WPS / LibreOffice: every column on the page (a
    ledger cut into one or two columns a page is unreadable), the header
    repeated on each page."""
    wb = xl.new_workbook()
    rows = [[i, "采油一队党支部", "很长的来源说明" * 6, "问题" * 15] for i in range(1, 80)]
    xl.add_table(wb, "台账", ["序号", "支部", "来源", "问题"], rows, title="标题")
    xl.add_table(wb, "无标题", ["a", "b"], [[1, 2]])
    sheets = xc.sheets(xl.save_atomic(wb, tmp_path / "p.xlsx"))
    for name, header_row in (("台账", 2), ("无标题", 1)):
        ws = sheets[name]
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == f"$1:${header_row}"
