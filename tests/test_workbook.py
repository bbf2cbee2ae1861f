"""Sheets read as the user sees them in Excel or LibreOffice: real files, real formats."""

from __future__ import annotations

import json

import pytest

from campaign.sheets.cells import displayed
from campaign.sheets.workbook import read_cells

HEADER = ["Company", "Contact", "Address", "City", "State", "ZIP", "Phone"]


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (7102, "00000", "07102"),
        (21341234, "00000-0000", "02134-1234"),
        (2134, "[<=99999]00000;00000-0000", "02134"),  # Excel's Special: Zip Code + 4
        (21341234, "[<=99999]00000;00000-0000", "02134-1234"),
        (6175551002, "(###) ###-####", "(617) 555-1002"),
        (6175551002, "[<=9999999]###-####;(###) ###-####", "(617) 555-1002"),  # Special: Phone
        (5551002, "[<=9999999]###-####;(###) ###-####", "555-1002"),
        (123456789, "000-00-0000", "123-45-6789"),
        (85000, "#,##0", "85,000"),
        (7102, '"ZIP "00000', "ZIP 07102"),
        (7102, "General", None),
        (7102, "0.00", None),
        (7102, "mm/dd/yy", None),
    ],
)
def test_number_formats_as_excel_shows_them(value, fmt, shown):
    assert displayed(value, fmt) == shown


def _formatted_book(path):
    """A sheet typed the way people type in Excel: a merged title, numbers with formats."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Targets"
    sheet.append(["My target employers, autumn 2026"])
    sheet.merge_cells("A1:G1")
    sheet.append(HEADER)
    rows = [
        ["Garden State Tools", "Ann Lee", "1 Broad St", "Newark", "NJ", 7102, 6175551002],
        ["Beacon Hill Labs", "Bo Chan", "2 Pinckney St", "Boston", "MA", 21341234, 5551002],
        [None, "Cy Diaz", "2 Pinckney St", "Boston", "MA", 2134, 447911123456.0],
    ]
    formats = {
        2: ("00000", "(###) ###-####"),
        3: ("00000-0000", "[<=9999999]###-####;(###) ###-####"),
        4: ("[<=99999]00000;00000-0000", "General"),
    }
    for number, row in enumerate(rows, start=3):
        sheet.append(row)
        zip_format, phone_format = formats[number - 1]
        sheet.cell(number, 6).number_format = zip_format
        sheet.cell(number, 7).number_format = phone_format
    # Beacon Hill Labs typed once, in a cell merged over the two rows it covers.
    sheet.merge_cells("A4:A5")
    book.save(path)
    return path


def test_xlsx_cells_read_as_shown_with_merged_cells_filled(tmp_path):
    cells, _ = read_cells(_formatted_book(tmp_path / "targets.xlsx"))
    assert cells[0][0] == "My target employers, autumn 2026"
    assert cells[2][5:] == ["07102", "(617) 555-1002"]
    assert cells[3][0] == "Beacon Hill Labs"
    assert cells[3][5:] == ["02134-1234", "555-1002"]
    assert cells[4][0] == "Beacon Hill Labs"  # the merged cell's second row
    assert cells[4][5] == "02134"
    assert cells[4][6] == "447911123456"  # no 4.47911123456e+11, no .0


def test_xlsxwriter_special_formats_reach_the_ledger(run, tmp_path, ledger):
    import xlsxwriter

    path = tmp_path / "special.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Employers")
    sheet.write_row(0, 0, HEADER)
    zip4 = book.add_format({"num_format": "[<=99999]00000;00000-0000"})
    phone = book.add_format({"num_format": "[<=9999999]###-####;(###) ###-####"})
    sheet.write_row(1, 0, ["Garden State Tools", "Ann Lee", "1 Broad St", "Newark", "NJ"])
    sheet.write_number(1, 5, 7102, zip4)
    sheet.write_number(1, 6, 9735551000, phone)
    book.close()
    result = run("import", path)
    assert result.exit_code == 0, result.stderr
    row = ledger.execute("SELECT postal_code, phone FROM prospects").fetchone()
    assert tuple(row) == ("07102", "(973) 555-1000")


def test_ods_keeps_the_text_as_written(tmp_path):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="Employers")

    def row(*cells):
        tr = TableRow()
        for cell in cells:
            tr.addElement(cell)
        table.addElement(tr)

    def text(value, **attrs):
        cell = TableCell(valuetype="string", **attrs)
        cell.addElement(P(text=value))
        return cell

    def number(value, shown):
        cell = TableCell(valuetype="float", value=value)
        cell.addElement(P(text=shown))
        return cell

    row(*(text(h) for h in HEADER))
    row(
        text("Beacon Hill Labs", numberrowsspanned=2),
        text("Bo Chan"),
        text("2 Pinckney St"),
        text("Boston"),
        text("MA"),
        number("2134", "02134"),
        number("6175551002", "(617) 555-1002"),
    )
    row(CoveredTableCell(), text("Cy Diaz"), text("3 Beacon St"), text("Boston"), text("MA"))
    path = tmp_path / "list.ods"
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    cells, _ = read_cells(path, sheet="EMPLOYERS")
    assert cells[1] == [
        "Beacon Hill Labs",
        "Bo Chan",
        "2 Pinckney St",
        "Boston",
        "MA",
        "02134",
        "(617) 555-1002",
    ]
    assert cells[2][:2] == ["Beacon Hill Labs", "Cy Diaz"]


def test_merged_company_imports_on_every_row_it_covers(run, tmp_path, ledger):
    result = run("import", _formatted_book(tmp_path / "targets.xlsx"), "--json")
    assert result.exit_code == 0, result.stderr
    companies = [r[0] for r in ledger.execute("SELECT company FROM prospects ORDER BY id")]
    assert companies == ["Garden State Tools", "Beacon Hill Labs", "Beacon Hill Labs"]
    document = json.loads(result.stdout)
    assert document["columns"]["fields"]["ZIP"] == "postal_code"
    assert "Columns (header row 2):" in result.stderr
    assert '"Contact" → name (split into first and last)' in result.stderr


def test_control_characters_are_removed_with_a_warning(run, tmp_path, ledger):
    path = tmp_path / "hostile.csv"
    path.write_text(
        "Company,Contact,Email\nAc\x00me\x1b[31m Corp,Ann Lee,ann@acme.example\n", encoding="utf-8"
    )
    result = run("import", path)
    assert result.exit_code == 0, result.stderr
    assert ledger.execute("SELECT company FROM prospects").fetchone()[0] == "Acme[31m Corp"
    assert 'warning: row 2, Company: removed control characters from "Acme[31m Corp"' in (
        result.stderr
    )


def test_dry_run_lists_new_and_changed_prospects(run, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("Company,Contact,Email,Phone\nAcme,Ann Lee,ann@acme.example,555-0101\n")
    assert run("import", first).exit_code == 0
    second = tmp_path / "b.csv"
    second.write_text(
        "Company,Contact,Email,Phone,Industry\n"
        "Acme,Ann Lee,ann@acme.example,555-0199,Tools\n"
        "Beta,Bo Chan,bo@beta.example,,Labs\n"
    )
    result = run("import", second, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    update, new = document["prospects"]
    assert update["action"] == "update"
    assert update["prospect_id"] == 1
    assert update["changes"]["phone"] == ["555-0101", "555-0199"]
    assert update["changes"]["industry"] == [None, "Tools"]
    assert new == {
        "row": 3,
        "company": "Beta",
        "name": "Bo Chan",
        "prospect_id": None,
        "action": "new",
        "changes": {},
    }
    assert '  update  row 2: #1 Acme (Ann Lee): phone "555-0101" -> "555-0199"' in result.stderr
    assert "  new     row 3: Beta (Bo Chan)" in result.stderr
    assert 'Kept as extra fields for your letters: "Industry" → {{ industry }}' in result.stderr


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.ods", "empty.csv"])
def test_an_empty_file_says_so(run, tmp_path, name):
    (tmp_path / name).write_bytes(b"")
    result = run("import", tmp_path / name)
    assert result.exit_code == 2
    assert "the file is empty (0 bytes)" in result.stderr
