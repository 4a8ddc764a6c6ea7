"""The records' downloads (``quizapp/records/exports.py``): CSV that Excel opens with its
Vietnamese intact, XLSX with real numbers, dates and percentages, and text that never runs as a
formula."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from quizapp.records import exports
from quizapp.records.exports import DAY, INT, PERCENT, Column, Table


def table() -> Table:
    rows = [{"name": "Trường THCS Đồng Hỷ", "n": 1234, "share": 0.8567, "day": date(2025, 10, 6)},
            {"name": "=HYPERLINK(\"http://x\")", "n": 0, "share": None, "day": date(2025, 11, 30)},
            {"name": "-1+2", "n": 7, "share": 0.0, "day": date(2025, 10, 7)},
            {"name": "@SUM(A1)", "n": 3, "share": 1.0, "day": date(2025, 10, 8)}]
    return Table("t", "Trường/lớp: [tên]", [Column("Tên", lambda r: r["name"]),
                                            Column("Số", lambda r: r["n"], INT),
                                            Column("Đúng (%)", lambda r: r["share"], PERCENT),
                                            Column("Ngày", lambda r: r["day"], DAY)], rows)


def test_csv_is_utf8_with_a_bom_and_crlf():
    data = exports.csv_bytes(table())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.count("\r\n") == 5 and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Tên", "Số", "Đúng (%)", "Ngày"]
    assert rows[1] == ["Trường THCS Đồng Hỷ", "1234", "85.7", "2025-10-06"]
    assert rows[2][2] == ""  # no figure, an empty cell


def test_csv_text_never_starts_a_formula():
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(table()).decode("utf-8-sig"))))
    assert [r[0] for r in rows[2:]] == ["'=HYPERLINK(\"http://x\")", "'-1+2", "'@SUM(A1)"]


def test_xlsx_has_real_numbers_dates_and_percentages():
    book = load_workbook(io.BytesIO(exports.xlsx_bytes([table(), table()])))
    first, second = book.worksheets
    # sheet names cannot hold / [ ] and must differ
    assert first.title == "Trường-lớp- -tên-" and second.title == "Trường-lớp- -tên- (2)"
    assert [c.value for c in first[1]] == ["Tên", "Số", "Đúng (%)", "Ngày"]
    assert first["A1"].font.bold and first.freeze_panes == "A2"
    name, n, share, day = first[2]
    assert (name.value, n.value, share.value) == ("Trường THCS Đồng Hỷ", 1234, 0.8567)
    assert n.number_format == "#,##0" and share.number_format == "0.0%"
    assert day.value == datetime(2025, 10, 6) and day.is_date
    assert first["C3"].value is None


def test_xlsx_text_is_text_whatever_it_starts_with():
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes([table()]))).worksheets[0]
    for row in (3, 4, 5):
        cell = sheet.cell(row=row, column=1)
        assert cell.data_type == "s", (cell.value, cell.data_type)
    assert sheet["A3"].value == "=HYPERLINK(\"http://x\")"  # shown as written, never run


def test_a_table_of_figures_takes_each_rows_kind():
    summary = exports.summary_table("Tóm tắt", [("Buổi", 12, INT), ("Đúng", 0.5, PERCENT),
                                                ("Từ ngày", date(2025, 10, 6), DAY)])
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(summary).decode("utf-8-sig"))))
    assert rows[1:] == [["Buổi", "12"], ["Đúng", "50.0"], ["Từ ngày", "2025-10-06"]]
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes([summary]))).worksheets[0]
    assert sheet["B3"].number_format == "0.0%" and sheet["B4"].is_date


@pytest.mark.parametrize("parts, name", [
    (("khong-mot-minh-2025", "units"), "khong-mot-minh-2025-units"),
    (("THCS Đồng/Hỷ", "sessions"), "THCS-Dong-Hy-sessions"),
    (("../../etc", "x"), "etc-x"),
    (("",), "x"),
])
def test_file_names_are_plain(parts, name):
    assert exports.file_name(*parts) == name


def test_an_empty_table_is_a_header(app):
    with app.test_request_context("/?lang=en"):
        units = exports.units_table([])
    assert exports.csv_bytes(units).decode("utf-8-sig").splitlines() == [(
        "Commune/ward,Province,Schools,Schools with an in-person session,Schools reached,"
        "Sessions,Students,Covered")]
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes([units]))).worksheets[0]
    assert sheet.max_row == 1
