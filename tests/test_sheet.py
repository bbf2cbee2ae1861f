"""campaign.sheets.rows: real files read back as text cells, headers found, rows checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.errors import SheetError
from campaign.sheets.rows import fold, parse, parse_map, split_name
from campaign.sheets.workbook import read_cells
from tests.helpers import write_csv, write_xlsx


def write_xlsxwriter(path: Path, rows: list[list], sheet: str = "Employers") -> Path:
    """An .xlsx written with xlsxwriter; strings stay strings (no "=..." formulas)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    page = book.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                page.write_string(r, c, value)
            else:
                page.write_number(r, c, value)
    book.close()
    return path


# --- reading real files --------------------------------------------------------------------


def test_openpyxl_text_cells_keep_leading_zeros_and_empty_cells_are_empty(tmp_path):
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [
            ["Company", "Contact", "ZIP", "Phone", "Title"],
            ["Acme", "Maria Lopez", "02134", "0201 555 0101", None],
        ],
    )
    cells, notes = read_cells(path)
    assert cells == [
        ["Company", "Contact", "ZIP", "Phone", "Title"],
        ["Acme", "Maria Lopez", "02134", "0201 555 0101", ""],
    ]
    assert notes == []


def test_xlsxwriter_numbers_are_whole_and_formulas_give_cached_values(tmp_path):
    import xlsxwriter

    path = tmp_path / "list.xlsx"
    book = xlsxwriter.Workbook(str(path))
    page = book.add_worksheet("Data")
    page.write_row(0, 0, ["Company", "Contact", "Email", "Priority", "ZIP"])
    page.write_formula(1, 0, '=UPPER("acme")', None, "ACME")
    page.write_string(1, 1, "Maria Lopez")
    page.write_string(1, 2, "maria@example.com")
    page.write_formula(1, 3, "=1+1", None, 2)
    page.write_number(1, 4, 2134)
    book.close()
    cells, _ = read_cells(path)
    assert cells[1] == ["ACME", "Maria Lopez", "maria@example.com", "2", "2134"]


def test_ods_written_by_pandas(tmp_path):
    import pandas as pd

    path = tmp_path / "list.ods"
    frame = pd.DataFrame(
        [["Acme", "José Peña", "02134", ""]], columns=["Company", "Contact", "ZIP", "Notes"]
    )
    frame.to_excel(path, engine="odf", index=False)
    cells, _ = read_cells(path)
    assert cells[0][:3] == ["Company", "Contact", "ZIP"]
    assert cells[1][:3] == ["Acme", "José Peña", "02134"]
    assert all(cell != "nan" for row in cells for cell in row)


def test_dates_become_iso_text(tmp_path):
    import datetime as dt

    path = write_xlsx(tmp_path / "d.xlsx", [["Company", "Met on"], ["Acme", dt.date(2026, 3, 9)]])
    cells, _ = read_cells(path)
    assert cells[1] == ["Acme", "2026-03-09"]


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")]
)
def test_csv_encodings_read_the_accented_name(tmp_path, encoding, prefix):
    text = "Company,Contact\nPeña SA,José Peña\n"
    path = tmp_path / "list.csv"
    path.write_bytes(prefix + text.encode(encoding))
    cells, notes = read_cells(path)
    assert cells == [["Company", "Contact"], ["Peña SA", "José Peña"]]
    if encoding == "cp1252":
        [note] = notes
        assert note.hint == "encoding"  # the CLI names --encoding, the web how to save it
        assert "cp1252" in note.message
    else:
        assert notes == []


def test_csv_explicit_encoding_silences_the_guess_and_a_wrong_one_is_refused(tmp_path):
    path = write_csv(tmp_path / "l.csv", "Company,Contact\nPeña SA,José Peña\n", "cp1252")
    cells, notes = read_cells(path, encoding="cp1252")
    assert cells[1] == ["Peña SA", "José Peña"]
    assert notes == []
    with pytest.raises(SheetError, match="not valid utf-8 at byte"):
        read_cells(path, encoding="utf-8")
    with pytest.raises(SheetError, match="unknown encoding 'klingon'"):
        read_cells(path, encoding="klingon")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("semi.csv", "Company;Contact;Notes\nAcme;Maria Lopez;call, then write\n"),
        ("tabs.tsv", "Company\tContact\tNotes\nAcme\tMaria Lopez\tcall, then write\n"),
        ("quoted.csv", 'Company,Contact,Notes\nAcme,"Lopez, Maria","Mon; Tue"\n'),
    ],
)
def test_csv_delimiters_are_sniffed(tmp_path, name, text):
    cells, _ = read_cells(write_csv(tmp_path / name, text))
    assert cells[0] == ["Company", "Contact", "Notes"]
    assert cells[1][0] == "Acme"
    assert len(cells[1]) == 3


def test_csv_blank_lines_keep_the_row_numbers(tmp_path):
    path = write_csv(tmp_path / "l.csv", "Company,Contact,Email\n\n\nAcme,Maria Lopez,maria@\n")
    parsed = parse(read_cells(path)[0])
    [problem] = parsed.errors
    assert problem.row == 4
    assert problem.column == "Email"


def test_csv_title_row_padded_with_commas(tmp_path):
    """What Excel writes when a title sits above the header."""
    path = write_csv(
        tmp_path / "l.csv",
        "My target employers,,\n,,\nCompany,Contact,Email\nAcme,Maria Lopez,maria@example.com\n",
    )
    parsed = parse(read_cells(path)[0])
    assert parsed.header_row == 3
    assert [r.number for r in parsed.rows] == [4]


def test_csv_title_row_typed_by_hand(tmp_path):
    path = write_csv(
        tmp_path / "l.csv",
        "My target employers\n\nCompany,Contact,Email\nAcme,Maria Lopez,maria@example.com\n",
    )
    parsed = parse(read_cells(path)[0])
    assert parsed.header_row == 3
    assert parsed.rows[0].fields["email"] == "maria@example.com"


def test_csv_row_with_a_trailing_comma(tmp_path):
    path = write_csv(tmp_path / "l.csv", "Company,Contact\nAcme,Maria Lopez,\n")
    cells, _ = read_cells(path)
    assert cells[1][:2] == ["Acme", "Maria Lopez"]


def test_workbook_text_that_looks_like_missing_is_kept(tmp_path):
    path = write_xlsx(
        tmp_path / "na.xlsx",
        [["Company", "Contact", "Country", "Assistant"], ["NA", "Maria Lopez", "NA", "None"]],
    )
    cells, _ = read_cells(path)
    assert cells[1] == ["NA", "Maria Lopez", "NA", "None"]


def test_csv_text_that_looks_like_missing_is_kept(tmp_path):
    path = write_csv(tmp_path / "na.csv", "Company,Contact,Country\nNA,Maria Lopez,N/A\n")
    assert read_cells(path)[0][1] == ["NA", "Maria Lopez", "N/A"]


def test_blank_rows_and_columns_before_the_header_keep_the_row_numbers(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    page = book.active
    page["B3"], page["C3"], page["D3"] = "Company", "Contact", "Email"
    page["B5"], page["C5"], page["D5"] = "Acme", "Maria Lopez", "maria@"
    book.save(tmp_path / "l.xlsx")
    parsed = parse(read_cells(tmp_path / "l.xlsx")[0])
    assert parsed.header_row == 3
    assert [(p.row, p.column) for p in parsed.errors] == [(5, "Email")]


def test_sheet_option_picks_the_worksheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Old"
    book.active.append(["nothing here"])
    book.create_sheet("Employers").append(["Company", "Contact"])
    book["Employers"].append(["Acme", "Maria Lopez"])
    book.save(tmp_path / "two.xlsx")
    cells, _ = read_cells(tmp_path / "two.xlsx", sheet="Employers")
    assert cells[1] == ["Acme", "Maria Lopez"]
    # Sheet names match whatever the case.
    assert read_cells(tmp_path / "two.xlsx", sheet="employers ")[0] == cells
    with pytest.raises(SheetError, match='"Old", "Employers"'):
        read_cells(tmp_path / "two.xlsx", sheet="Employer")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("gone.xlsx", None, "no such file"),
        ("random.xlsx", bytes(range(256)) * 8, "password-protected or damaged"),
        (
            "locked.xlsx",
            bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00\x3e\x00\x03" * 200,
            "password-protected",
        ),
        ("notes.pdf", b"%PDF-1.4", "unknown file type .pdf"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_unreadable_files_raise_sheet_error(tmp_path, name, data, message):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(SheetError, match=message):
        read_cells(path)


def test_csv_refuses_sheet_option(tmp_path):
    path = write_csv(tmp_path / "l.csv", "Company,Contact\nAcme,Maria\n")
    with pytest.raises(SheetError, match="a CSV file has one sheet") as raised:
        read_cells(path, sheet="Employers")
    assert raised.value.hint == "csv-one-sheet"


# --- headers, names, mapping ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "folded"),
    [
        ("E-mail Address", "emailaddress"),
        ("Phone #", "phone"),
        ("  ZIP / Postcode ", "zippostcode"),
    ],
)
def test_fold(header, folded):
    assert fold(header) == folded


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Maria Lopez", "Maria", "Lopez"),
        ("Lopez, Maria", "Maria", "Lopez"),
        ("Dr. Maria  Lopez", "Maria", "Lopez"),
        ("Mary Ann van der Berg", "Mary", "Ann van der Berg"),
        ("Madonna", "Madonna", ""),
    ],
)
def test_split_name(full, first, last):
    assert split_name(full) == (first, last)


def test_parse_map_folds_headers_and_checks_fields():
    assert parse_map(["Boss=name", "Zip Code = postal_code"]) == {
        "boss": "name",
        "zipcode": "postal_code",
    }
    with pytest.raises(SheetError, match="not a field"):
        parse_map(["Boss=chief"])
    with pytest.raises(SheetError, match="Column Header=field"):
        parse_map(["Boss"])


def test_parse_maps_aliases_and_keeps_extras():
    cells = [
        ["My employers", "", "", "", "", "", ""],
        ["", "", "", "", "", "", ""],
        ["Organisation", "Hiring Manager", "E-mail Address", "Postcode", "Phone #", "Industry", ""],
        ["Acme", "Dr. Maria Lopez", " Maria@Example.COM ", "02134", "0201", "Robots", ""],
    ]
    parsed = parse(cells)
    assert parsed.header_row == 3
    [row] = parsed.rows
    assert row.number == 4
    assert row.fields["company"] == "Acme"
    assert (row.fields["first_name"], row.fields["last_name"]) == ("Maria", "Lopez")
    assert row.fields["email"] == "Maria@example.com"
    assert row.fields["postal_code"] == "02134"
    assert row.fields["phone"] == "0201"
    assert row.extras == {"industry": "Robots"}
    assert parsed.columns["Industry"] == "industry"


def test_parse_repeated_column_is_kept_as_an_extra_with_a_warning():
    cells = [
        ["Company", "Contact", "Email", "Email"],
        ["Acme", "Maria Lopez", "a@example.com", "b"],
    ]
    parsed = parse(cells)
    assert parsed.rows[0].fields["email"] == "a@example.com"
    assert parsed.rows[0].extras == {"email_2": "b"}
    assert any('repeats "Email"' in w for w in parsed.warnings)


def test_parse_map_ignore_drops_a_column():
    cells = [["Company", "Contact", "Email", "Secret"], ["Acme", "Maria L", "a@example.com", "x"]]
    parsed = parse(cells, ["Secret=ignore"])
    assert parsed.rows[0].extras == {}


def test_parse_priority_words_and_numbers():
    cells = [
        ["Company", "Contact", "Email", "Priority"],
        ["A", "Ann A", "a@example.com", "high"],
        ["B", "Bob B", "b@example.com", "3"],
        ["C", "Cy C", "c@example.com", ""],
        ["D", "Di D", "d@example.com", "2.5"],
    ]
    parsed = parse(cells)
    assert [r.fields["priority"] for r in parsed.rows] == [1, 3, None]
    assert [(p.row, p.column) for p in parsed.errors] == [(5, "Priority")]


def test_parse_header_without_company_or_person_is_refused():
    with pytest.raises(SheetError, match="no header row found"):
        parse([["Foo", "Bar"], ["1", "2"]])
    with pytest.raises(SheetError, match="no Company column"):
        parse([["Contact", "Email"], ["Maria Lopez", "a@example.com"]])
    with pytest.raises(SheetError, match="hiring authority's name"):
        parse([["Company", "Email"], ["Acme", "a@example.com"]])
    with pytest.raises(SheetError, match="empty"):
        parse([["", ""], ["", ""]])
