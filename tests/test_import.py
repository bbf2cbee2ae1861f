"""`campaign import`, `campaign prospects`, `campaign show`: real files in, ledger rows out."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.helpers import write_csv, write_xlsx
from tests.test_sheet import write_xlsxwriter


def stored(ledger) -> list[dict]:
    """Every prospect in the ledger, oldest first."""
    return [dict(r) for r in ledger.execute("SELECT * FROM prospects ORDER BY id")]


def count(ledger) -> int:
    return ledger.execute("SELECT count(*) FROM prospects").fetchone()[0]


def write_rows_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


# --- formats ---------------------------------------------------------------------------------


HEADER = ["Company", "Contact", "Email", "ZIP", "Phone"]
ROW = ["Acme", "Maria Lopez", "maria@example.com", "02134", "0201 555 0101"]


def _openpyxl(path: Path) -> Path:
    return write_xlsx(path.with_suffix(".xlsx"), [HEADER, ROW])


def _xlsxwriter(path: Path) -> Path:
    return write_xlsxwriter(path.with_suffix(".xlsx"), [HEADER, ROW])


def _ods(path: Path) -> Path:
    import pandas as pd

    path = path.with_suffix(".ods")
    pd.DataFrame([ROW], columns=HEADER).to_excel(path, engine="odf", index=False)
    return path


def _csv(path: Path) -> Path:
    return write_rows_csv(path.with_suffix(".csv"), [HEADER, ROW])


@pytest.mark.parametrize("writer", [_openpyxl, _xlsxwriter, _ods, _csv])
def test_each_format_is_stored_as_text(run, ledger, tmp_path, writer):
    path = writer(tmp_path / "employers")
    result = run("import", path)
    assert result.exit_code == 0, result.stderr
    [p] = stored(ledger)
    assert (p["company"], p["first_name"], p["last_name"]) == ("Acme", "Maria", "Lopez")
    assert p["email"] == "maria@example.com"
    assert p["postal_code"] == "02134"
    assert p["phone"] == "0201 555 0101"
    assert p["title"] == p["city"] == p["notes"] == ""
    assert p["priority"] is None
    assert p["source"] == f"{path.name} row 2"
    assert "nan" not in json.dumps(p).lower()


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_csv_with_or_without_bom(run, ledger, tmp_path, bom):
    path = tmp_path / "list.csv"
    path.write_bytes(bom + "Company,Contact,Email\nPeña SA,José Peña,jose@example.com\n".encode())
    result = run("import", path)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    [p] = stored(ledger)
    assert (p["company"], p["first_name"], p["last_name"]) == ("Peña SA", "José", "Peña")


def test_cp1252_csv_is_read_with_a_warning_naming_encoding(run, ledger, tmp_path):
    text = "Company,Contact,Email\nPeña SA,José Peña,jose@example.com\n"
    path = write_csv(tmp_path / "excel.csv", text, encoding="cp1252")
    result = run("import", path)
    assert result.exit_code == 0, result.stderr
    assert "--encoding" in result.stderr
    [p] = stored(ledger)
    assert (p["first_name"], p["last_name"], p["company"]) == ("José", "Peña", "Peña SA")


def test_encoding_option(run, ledger, tmp_path):
    text = "Company,Contact,Email\nAcme,Zoë Ørsted,z@example.com\n"
    path = write_csv(tmp_path / "l.csv", text, encoding="latin-1")
    result = run("import", path, "--encoding", "latin-1")
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    assert stored(ledger)[0]["first_name"] == "Zoë"
    assert stored(ledger)[0]["last_name"] == "Ørsted"


def test_formula_cells_give_their_cached_value(run, ledger, tmp_path):
    import xlsxwriter

    path = tmp_path / "f.xlsx"
    book = xlsxwriter.Workbook(str(path))
    page = book.add_worksheet()
    page.write_row(0, 0, ["Company", "Contact", "Email", "Priority"])
    page.write_formula(1, 0, '=PROPER("acme corp")', None, "Acme Corp")
    page.write_string(1, 1, "Maria Lopez")
    page.write_formula(1, 2, '=LOWER("MARIA@EXAMPLE.COM")', None, "maria@example.com")
    page.write_formula(1, 3, "=1+1", None, 2)
    book.close()
    assert run("import", path).exit_code == 0
    [p] = stored(ledger)
    assert (p["company"], p["email"], p["priority"]) == ("Acme Corp", "maria@example.com", 2)


# --- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("company", ["Company Name", "Employer", "Organisation", "ORGANIZATION"])
@pytest.mark.parametrize("person", ["Contact", "Hiring Manager", "Name"])
def test_header_aliases(run, ledger, tmp_path, company, person):
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            [company, person, "E-mail Address", "ZIP", "Phone #"],
            ["Acme", "Maria Lopez", "maria@example.com", "02134", "0201"],
        ],
    )
    assert run("import", path).exit_code == 0
    [p] = stored(ledger)
    assert (p["company"], p["first_name"], p["last_name"]) == ("Acme", "Maria", "Lopez")
    assert (p["email"], p["postal_code"], p["phone"]) == ("maria@example.com", "02134", "0201")


def test_first_and_last_name_columns_and_postcode(run, ledger, tmp_path):
    path = write_xlsxwriter(
        tmp_path / "a.xlsx",
        [
            ["Employer", "First Name", "Last Name", "Address", "Town", "Postcode"],
            ["Acme", "Maria", "de la Cruz", "1 Elm St", "Leeds", "LS1 4AP"],
        ],
    )
    assert run("import", path).exit_code == 0
    [p] = stored(ledger)
    assert (p["first_name"], p["last_name"]) == ("Maria", "de la Cruz")
    assert (p["address"], p["city"], p["postal_code"]) == ("1 Elm St", "Leeds", "LS1 4AP")


def test_title_and_blank_rows_above_the_header(run, ledger, tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [["Company", "Contact", "Email"], ["Acme", "Maria Lopez", "maria@example.com"]],
        title_rows=3,
    )
    assert run("import", path).exit_code == 0
    [p] = stored(ledger)
    assert p["company"] == "Acme"
    assert p["source"] == "t.xlsx row 5"


def test_map_override_and_extras(run, tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [
            ["Company", "Boss", "Email", "Referred by", "Industry"],
            ["Acme", "Maria Lopez", "maria@example.com", "Tom Ray", ""],
        ],
    )
    without = run("import", path, "--dry-run")
    assert without.exit_code == 2
    assert "hiring authority's name" in without.stderr
    result = run("import", path, "--map", "Boss=name")
    assert result.exit_code == 0, result.stderr
    [p] = run.json("prospects")
    assert (p["first_name"], p["last_name"]) == ("Maria", "Lopez")
    # every column of the sheet is a field, a blank cell an empty one
    assert p["extras"] == {"referred_by": "Tom Ray", "industry": ""}


# --- validation --------------------------------------------------------------------------------

BAD_ROWS = [
    ["Company", "Contact", "Email", "Address", "City", "ZIP", "Priority"],
    ["Acme", "Maria Lopez", "maria@", "", "", "", ""],  # row 4: bad email
    ["", "Bob Ray", "bob@example.com", "", "", "", ""],  # row 5: no company
    ["Beta", "", "ann@example.com", "", "", "", ""],  # row 6: no person
    ["Gamma", "Cy Young", "", "1 Elm St", "", "02134", ""],  # row 7: no way to reach
    ["Delta", "Di Prince", "di@example.com", "", "", "", "urgent"],  # row 8: bad priority
    ["Good Co", "Ed Good", "", "9 Oak Rd", "Boston", "02134", "1"],  # row 9: fine, post only
]
EXPECTED_ERRORS = [
    (4, "Email", "is not an email address"),
    (5, "Company", "company is empty"),
    (6, "Contact", "no hiring authority's name"),
    (7, "Email", "no email and no full postal address (missing City)"),
    (8, "Priority", '"urgent": priority must be a whole number'),
]


def _errors(document: dict) -> list[tuple]:
    return [(e["row"], e["column"], e["message"]) for e in document["errors"]]


def test_all_problems_in_one_run_and_nothing_imported(run, ledger, tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", BAD_ROWS, title_rows=2)
    result = run("import", path, "--json")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    assert {"new", "updated", "unchanged", "skipped", "errors"} <= document.keys()
    assert all(set(e) == {"row", "column", "message"} for e in document["errors"])
    got = _errors(document)
    assert [(r, c) for r, c, _ in got] == [(r, c) for r, c, _ in EXPECTED_ERRORS]
    for (_, _, message), (_, _, fragment) in zip(got, EXPECTED_ERRORS, strict=True):
        assert fragment in message
    assert document["skipped"] == 5
    assert document["new"] == 0
    assert "bad.xlsx row 4, Email:" in result.stderr
    assert "nothing was imported" in result.stderr
    assert count(ledger) == 0


def test_skip_invalid_imports_the_good_rows(run, ledger, tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", BAD_ROWS, title_rows=2)
    document = run.json("import", path, "--skip-invalid")
    assert (document["new"], document["skipped"]) == (1, 5)
    assert len(document["errors"]) == 5
    [p] = stored(ledger)
    assert (p["company"], p["priority"], p["email"]) == ("Good Co", 1, "")
    assert p["source"] == "bad.xlsx row 9"


def test_emails_and_names_are_trimmed(run, ledger, tmp_path):
    path = write_rows_csv(
        tmp_path / "t.csv",
        [
            ["Company", "First Name", "Last Name", "Email"],
            [" Acme ", " Maria ", "Lopez ", " m@x.org "],
        ],
    )
    assert run("import", path).exit_code == 0
    [p] = stored(ledger)
    assert (p["company"], p["first_name"], p["last_name"], p["email"]) == (
        "Acme",
        "Maria",
        "Lopez",
        "m@x.org",
    )


# --- duplicates ------------------------------------------------------------------------------


def test_duplicates_in_one_file_are_merged_with_a_warning(run, ledger, tmp_path):
    path = write_rows_csv(
        tmp_path / "d.csv",
        [
            ["Company", "Contact", "Email", "Title", "Address", "City", "ZIP"],
            ["Acme", "Maria Lopez", "maria@example.com", "", "", "", ""],
            ["Acme", "Maria Lopez", "MARIA@example.com", "CTO", "", "", ""],
            ["Beta", "Ann Lee", "", "", "1 Elm St", "Boston", "02134"],
            ["BETA", "ann lee", "", "Owner", "1 Elm St", "Boston", "02134"],
            ["Acme", "Bob Ray", "bob@example.com", "", "", "", ""],
        ],
    )
    document = run.json("import", path)
    assert document["new"] == 3
    assert any("row 3 repeats row 2 (same email)" in w for w in document["warnings"])
    assert any("row 5 repeats row 4 (same company and person)" in w for w in document["warnings"])
    people = {(p["company"], p["first_name"]): p for p in stored(ledger)}
    assert set(people) == {("Acme", "Maria"), ("Beta", "Ann"), ("Acme", "Bob")}
    assert people["Acme", "Maria"]["title"] == "CTO"
    assert people["Beta", "Ann"]["title"] == "Owner"


def test_duplicate_warning_is_shown_on_stderr(run, tmp_path):
    path = write_rows_csv(
        tmp_path / "d.csv",
        [
            ["Company", "Contact", "Email"],
            ["A", "Ann A", "a@example.com"],
            ["A", "Ann A", "a@example.com"],
        ],
    )
    result = run("import", path)
    assert result.exit_code == 0
    assert "warning: row 3 repeats row 2 (same email); merged" in result.stderr


# --- re-import -------------------------------------------------------------------------------


def _sheet_v1(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "v1.xlsx",
        [
            ["Company", "Contact", "Title", "Email", "Address", "City", "ZIP"],
            ["Acme", "Maria Lopez", "CTO", "maria@example.com", "", "", ""],
            ["Beta", "Ann Lee", "Owner", "ann@example.com", "", "", ""],
            ["Gamma", "Cy Young", "", "", "1 Elm St", "Boston", "02134"],
        ],
    )


def test_reimport_updates_in_place_keeps_history_and_deletes_nothing(run, ledger, tmp_path):
    assert run("import", _sheet_v1(tmp_path)).exit_code == 0
    before = {p["email"] or p["company"]: p for p in stored(ledger)}
    maria = before["maria@example.com"]["id"]
    ledger.execute(
        "INSERT INTO touches (prospect_id, kind, on_date, outcome, note, created_at)"
        " VALUES (?, 'call', '2026-01-05', 'no answer', 'left a message', '2026-01-05T09:00:00Z')",
        (maria,),
    )
    edited = write_xlsx(
        tmp_path / "v2.xlsx",
        [
            ["Company", "Contact", "Title", "Email", "Address", "City", "ZIP"],
            ["Acme", "Maria Lopez", "CEO", "MARIA@example.com", "", "", ""],
            ["Gamma", "Cy Young", "", "cy@example.com", "1 Elm St", "Boston", "02134"],
            ["Delta", "Di Prince", "", "di@example.com", "", "", ""],
        ],
    )
    document = run.json("--today", "2026-02-01", "import", edited)
    assert (document["new"], document["updated"], document["unchanged"]) == (1, 2, 0)
    after = {p["id"]: p for p in stored(ledger)}
    assert len(after) == 4  # Beta, missing from v2, is still there
    assert after[maria]["title"] == "CEO"
    assert after[maria]["updated_on"] == "2026-02-01"
    assert after[maria]["source"] == "v2.xlsx row 2"
    gamma = before["Gamma"]["id"]
    assert after[gamma]["email"] == "cy@example.com"  # matched by company + person
    assert any(p["company"] == "Beta" for p in after.values())
    touches = ledger.execute("SELECT * FROM touches WHERE prospect_id = ?", (maria,)).fetchall()
    assert [t["note"] for t in touches] == ["left a message"]
    shown = run.json("show", "maria@example.com")
    assert shown["id"] == maria
    assert [h["detail"] for h in shown["history"]] == ["left a message"]

    again = run.json("import", edited)
    assert (again["new"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert len(stored(ledger)) == 4


def test_dry_run_reports_and_writes_nothing(run, ledger, tmp_path):
    assert run("import", _sheet_v1(tmp_path)).exit_code == 0
    before = stored(ledger)
    edited = write_xlsx(
        tmp_path / "v2.xlsx",
        [
            ["Company", "Contact", "Title", "Email"],
            ["Acme", "Maria Lopez", "CEO", "maria@example.com"],
            ["Beta", "Ann Lee", "Owner", "ann@example.com"],
            ["Delta", "Di Prince", "", "di@example.com"],
        ],
    )
    document = run.json("import", edited, "--dry-run")
    assert (document["new"], document["updated"], document["unchanged"]) == (1, 1, 1)
    assert document["dry_run"] is True
    assert stored(ledger) == before
    text = run("import", edited, "--dry-run")
    assert "Would import v2.xlsx: 1 new, 1 updated, 1 unchanged, 0 skipped." in text.stderr
    assert stored(ledger) == before


def test_one_employer_with_two_contacts_is_two_prospects(run, ledger, tmp_path):
    path = write_rows_csv(
        tmp_path / "c.csv",
        [
            ["Company", "Contact", "Email"],
            ["Acme", "Maria Lopez", "maria@example.com"],
            ["Acme", "Bob Ray", "bob@example.com"],
        ],
    )
    assert run.json("import", path)["new"] == 2
    assert [(p["company"], p["first_name"]) for p in stored(ledger)] == [
        ("Acme", "Maria"),
        ("Acme", "Bob"),
    ]


def test_reimport_with_a_corrected_email_updates_the_prospect(run, ledger, tmp_path):
    first = write_rows_csv(
        tmp_path / "a.csv",
        [["Company", "Contact", "Email"], ["Acme", "Bob Ray", "bob@exmaple.com"]],
    )
    fixed = write_rows_csv(
        tmp_path / "b.csv",
        [["Company", "Contact", "Email"], ["Acme", "Bob Ray", "bob@example.com"]],
    )
    assert run("import", first).exit_code == 0
    document = run.json("import", fixed)
    assert (document["new"], document["updated"]) == (0, 1)
    assert [p["email"] for p in stored(ledger)] == ["bob@example.com"]


def test_one_person_given_two_addresses_in_one_sheet_is_merged_with_a_warning(
    run, ledger, tmp_path
):
    # The issue: rows with the same company + person are one prospect, merged with a warning.
    header = ["Company", "Contact", "Email", "Address", "City", "ZIP"]
    post = ["1 Elm St", "Boston", "02134"]
    first = write_rows_csv(tmp_path / "a.csv", [header, ["Acme", "Maria Lopez", "", *post]])
    second = write_rows_csv(
        tmp_path / "b.csv",
        [
            header,
            ["Acme", "Maria Lopez", "m1@example.com", *post],
            ["Acme", "Maria Lopez", "m2@example.com", *post],
        ],
    )
    assert run("import", first).exit_code == 0
    document = run.json("import", second)
    emails = sorted(p["email"] for p in stored(ledger))
    assert emails == ["m1@example.com"]
    assert (document["new"], document["updated"]) == (0, 1)
    assert any("row 3 repeats row 2" in w for w in document["warnings"])


# --- values are data -------------------------------------------------------------------------


def test_template_and_formula_text_is_stored_as_written(run, ledger, tmp_path):
    path = write_rows_csv(
        tmp_path / "v.csv",
        [
            ["Company", "First Name", "Last Name", "Email"],
            ['=HYPERLINK("http://x","y")', "{{ 7*7 }}", "{% raw %}", "a@example.com"],
        ],
    )
    assert run("import", path).exit_code == 0
    [p] = stored(ledger)
    assert p["company"] == '=HYPERLINK("http://x","y")'
    assert (p["first_name"], p["last_name"]) == ("{{ 7*7 }}", "{% raw %}")


def test_formula_looking_text_in_a_workbook_is_stored_as_written(run, ledger, tmp_path):
    path = write_xlsxwriter(
        tmp_path / "v.xlsx",
        [
            ["Company", "Contact", "Email"],
            ['=HYPERLINK("http://x","y")', "Ann Lee", "a@example.com"],
        ],
    )
    assert run("import", path).exit_code == 0
    assert stored(ledger)[0]["company"] == '=HYPERLINK("http://x","y")'


# --- bad input -------------------------------------------------------------------------------


def _workbook(tmp_path: Path, rows: list[list], name: str = "w.xlsx") -> Path:
    return write_xlsx(tmp_path / name, rows)


def _two_sheets(tmp_path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Employers"
    book.active.append(["Company", "Contact", "Email"])
    book.create_sheet("Archive 2025")
    book.save(tmp_path / "two.xlsx")
    return tmp_path / "two.xlsx"


def _bytes(name: str, data: bytes):
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return make


BAD_INPUTS = {
    "missing file": (lambda t: t / "nope.xlsx", [], "nope.xlsx: no such file"),
    "corrupt workbook": (
        _bytes("junk.xlsx", bytes(range(256)) * 16),
        [],
        "junk.xlsx: cannot be read as a spreadsheet",
    ),
    "encrypted workbook": (
        _bytes("locked.xlsx", bytes.fromhex("D0CF11E0A1B11AE1") + bytes(range(256)) * 8),
        [],
        "password-protected",
    ),
    "empty sheet": (lambda t: _workbook(t, []), [], "w.xlsx: the sheet is empty"),
    "no header": (lambda t: _workbook(t, [["Foo", "Bar"], [1, 2]]), [], "no header row found"),
    "wrong sheet": (
        _two_sheets,
        ["--sheet", "Employer"],
        'no sheet named "Employer"; the sheets are: "Employers", "Archive 2025"',
    ),
    "unknown extension": (_bytes("list.numbers", b"x"), [], "unknown file type .numbers"),
    "undecodable csv": (
        lambda t: write_csv(t / "c.csv", "Company,Contact\nPeña,José\n", "cp1252"),
        ["--encoding", "utf-8"],
        "--encoding",
    ),
    "bad map": (
        lambda t: _workbook(t, [["Company", "Boss"], ["Acme", "Maria Lopez"]]),
        ["--map", "Boss=chief"],
        "'chief' is not a field",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_and_the_ledger_untouched(run, ledger, tmp_path, case):
    make, args, message = BAD_INPUTS[case]
    good = write_rows_csv(
        tmp_path / "good.csv", [["Company", "Contact", "Email"], ["Acme", "Maria L", "m@x.org"]]
    )
    assert run("import", good).exit_code == 0
    before = stored(ledger)
    path = make(tmp_path)
    result = run("import", path, *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("campaign: error: ")
    assert message in lines[0]
    assert result.stdout == ""
    assert stored(ledger) == before


# --- listing and showing ---------------------------------------------------------------------


def _three(run, ledger, tmp_path) -> None:
    path = write_xlsx(
        tmp_path / "l.xlsx",
        [
            ["Company", "Contact", "Title", "Email", "Priority"],
            ["Acme Robotics", "Maria Lopez", "CTO", "maria@example.com", "2"],
            ["Beta Labs", "Ann Lee", "Owner", "ann@example.com", "1"],
            ["Gamma Inc", "Cy Young", "", "cy@example.com", ""],
        ],
    )
    assert run("import", path).exit_code == 0
    ledger.execute("UPDATE prospects SET status = 'rejected' WHERE email = 'cy@example.com'")


def test_prospects_table_by_status_best_first(run, ledger, tmp_path):
    _three(run, ledger, tmp_path)
    result = run("prospects", "--status", "active")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert " ".join(lines[0].split()) == (
        "id pri company hiring authority title reach status stage next step"
    )
    body = lines[2:]
    assert len(body) == 2
    assert "Beta Labs" in body[0]
    assert "Ann Lee" in body[0]
    assert "Acme Robotics" in body[1]
    assert "Gamma" not in result.stdout
    assert "2 prospects." in result.stderr
    rejected = run.json("prospects", "--status", "rejected")
    assert [p["company"] for p in rejected] == ["Gamma Inc"]


def test_prospects_json_fields(run, ledger, tmp_path):
    _three(run, ledger, tmp_path)
    [first, *_] = run.json("prospects")
    needed = {"id", "company", "first_name", "last_name", "title", "email", "address", "city"}
    needed |= {"state", "postal_code", "phone", "priority", "status", "extras"}
    assert needed <= first.keys()
    assert (first["company"], first["priority"], first["status"]) == ("Beta Labs", 1, "active")


def test_show_by_email_and_by_id(run, ledger, tmp_path):
    _three(run, ledger, tmp_path)
    result = run("show", "MARIA@example.com")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "#1  Maria Lopez, CTO at Acme Robotics"
    assert "History: nothing sent or logged yet." in result.stdout
    assert run("show", "2").stdout.startswith("#2  Ann Lee, Owner at Beta Labs")
    missing = run("show", "nobody@example.com")
    assert missing.exit_code == 2
    assert missing.stderr.startswith('campaign: error: no prospect "nobody@example.com"')


def test_reach_post_needs_a_full_address(run, tmp_path):
    path = write_rows_csv(
        tmp_path / "r.csv",
        [["Company", "Contact", "Email", "ZIP"], ["Acme", "Ann L", "a@x.org", "02134"]],
    )
    assert run("import", path).exit_code == 0
    row = run("prospects").stdout.splitlines()[2]
    assert "email + post" not in row


def test_show_by_name_or_company_lists_the_matches_when_several(run, ledger, tmp_path):
    _three(run, ledger, tmp_path)
    assert run("show", "beta labs").stdout.startswith("#2  Ann Lee, Owner at Beta Labs")
    assert run("show", "Maria Lopez").stdout.startswith("#1  Maria Lopez, CTO at Acme Robotics")
    assert run("show", "robot").stdout.startswith("#1  Maria Lopez")
    assert run("show", "MARÍA lópez").stdout.startswith("#1  Maria Lopez")  # accents or not
    several = run("show", "L")  # Maria Lopez, Ann Lee and Beta Labs
    assert several.exit_code == 2
    assert several.stderr.startswith('campaign: error: 2 prospects match "L": #1 Acme Robotics')
    assert "#2 Beta Labs (Ann Lee)" in several.stderr
    assert "name one by its id." in several.stderr


def test_importing_again_keeps_what_calls_logged(run, ledger, tmp_path):
    path = write_rows_csv(
        tmp_path / "l.csv",
        [["Company", "Contact", "Email", "Assistant"], ["Acme", "Ann Lee", "ann@acme.example", ""]],
    )
    assert run("import", path).exit_code == 0
    logged = run(
        "--today", "2026-11-30", "log", "1", "call", "--outcome", "assistant",
        "--assistant", "Kim Lee", "--best-time", "mornings",
    )  # fmt: skip
    assert logged.exit_code == 0, logged.stderr
    again = run("import", path, "--json")
    assert json.loads(again.stdout)["unchanged"] == 1
    row = ledger.execute("SELECT assistant, best_time FROM prospects").fetchone()
    assert tuple(row) == ("Kim Lee", "mornings")
