"""Values as the user meant them: what an import keeps, restores, takes apart and says."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.sheets.rows import _fast_email, check_email
from tests.helpers import write_csv, write_xlsx

DATA = Path(__file__).parent / "data" / "contacts"


def imported(run, path, *extra) -> dict:
    result = run("import", path, *extra, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_outlook_export_is_named_with_its_counts(run):
    result = run("import", DATA / "outlook_contacts_cp1252.csv")
    assert result.exit_code == 0, result.stderr
    assert "Outlook contacts export: 5 contacts, 4 with a business address" in result.stderr
    assert '"Title" → prefix' in result.stderr
    assert '"Job Title" → title' in result.stderr
    assert '"Business Phone" → phone' in result.stderr
    assert '"Home Street" → address' in result.stderr  # Whitaker's only address
    document = imported(run, DATA / "outlook_contacts_cp1252.csv", "--dry-run")
    assert document["export"] == "Outlook contacts export"


def test_map_wins_over_a_recognised_export(run):
    imported(run, DATA / "outlook_contacts_cp1252.csv", "--map", "Mobile Phone=phone")
    phones = {p["last_name"]: p["phone"] for p in run.json("prospects")}
    assert phones["Ørsted"] == "+49 170 5550987"  # her mobile, not the business number
    assert phones["Whitaker"] == "(617) 555-1000"


def test_a_reimport_never_respells_a_value_worse(run, tmp_path):
    header = ["Company", "Contact", "Email", "Phone", "Address", "City", "State", "ZIP"]
    first = write_xlsx(
        tmp_path / "first.xlsx",
        [header, ["Whitaker Cabinetry", "Daniel Whitaker", "", "(617) 555-1000", "14 Elm Street",
                  "Cambridge", "MA", "02139"]],
    )  # fmt: skip
    imported(run, first)
    again = write_csv(
        tmp_path / "again.csv",
        "Company,Contact,Email,Phone,Address,City,State,ZIP\r\n"
        "Whitaker Cabinetry,Daniel Whitaker,,6175551000,14 Elm Street,Cambridge,MA,2139\r\n",
    )
    document = imported(run, again, "--dry-run")
    assert document["unchanged"] == 1
    assert document["prospects"] == []
    imported(run, again)
    [shown] = run.json("prospects")
    assert (shown["phone"], shown["postal_code"]) == ("(617) 555-1000", "02139")
    # A real change of number still goes through.
    moved = write_csv(
        tmp_path / "moved.csv",
        "Company,Contact,Email,Phone,Address,City,State,ZIP\r\n"
        "Whitaker Cabinetry,Daniel Whitaker,,6175552000,14 Elm Street,Cambridge,MA,2139\r\n",
    )
    document = imported(run, moved)
    assert document["prospects"][0]["changes"] == {"phone": ["(617) 555-1000", "6175552000"]}


def test_a_zip_that_lost_its_zero_gets_it_back_with_a_warning(run, tmp_path):
    sheet = write_csv(
        tmp_path / "list.csv",
        "Company,Contact,Address,City,State,ZIP,Country\r\n"
        "Passaic Paper Mill Co.,Maria Lopez,1 Riverfront Plaza,Newark,NJ,7102,USA\r\n"
        "Springfield Tools,Ann Lee,1 Main St,Springfield,IL,6270,USA\r\n"
        "Harbour Ltd,Bo Chan,1 Quay,Dover,NH,3820.0,\r\n",
    )
    result = run("import", sheet)
    assert result.exit_code == 0, result.stderr
    assert (
        "warning: row 2, ZIP: read ZIP code 7102 for NJ as 07102 (the spreadsheet had dropped "
        "its leading zero)" in result.stderr
    )
    assert "row 4, ZIP: read ZIP code 3820 for NH as 03820" in result.stderr
    assert "row 3" not in result.stderr  # Illinois ZIPs start with 6: 6270 is left as typed
    zips = {p["company"]: p["postal_code"] for p in run.json("prospects")}
    assert zips == {
        "Passaic Paper Mill Co.": "07102",
        "Springfield Tools": "6270",
        "Harbour Ltd": "03820",
    }


def test_excel_escapes_are_decoded_before_control_characters_go(run, tmp_path):
    import xlsxwriter

    path = tmp_path / "l.xlsx"
    book = xlsxwriter.Workbook(str(path))  # writes cells as Excel does
    sheet = book.add_worksheet()
    for n, row in enumerate(
        [
            ["Company", "Contact", "Email"],
            ["Acme", "Eve\r\nJensen", "eve@acme.example"],
            ["Beta", "Bo\x07 Chan", "bo@beta.example"],
            ["Gamma", "Cy_x000D_", "cy@gamma.example"],  # typed literally
        ]
    ):
        sheet.write_row(n, 0, row)
    book.close()
    with zipfile.ZipFile(path) as archive:
        stored = archive.read("xl/sharedStrings.xml")
    assert b"Eve_x000D_\nJensen" in stored
    assert b"Bo_x0007_ Chan" in stored
    assert b"Cy_x005F_x000D_" in stored
    result = run("import", path)
    assert result.exit_code == 0, result.stderr
    assert 'warning: row 3, Contact: removed control characters from "Bo Chan"' in result.stderr
    assert "row 2" not in result.stderr  # a line break is not a control character to warn of
    names = {p["company"]: (p["first_name"], p["last_name"]) for p in run.json("prospects")}
    assert names == {"Acme": ("Eve", "Jensen"), "Beta": ("Bo", "Chan"), "Gamma": ("Cy_x000D_", "")}


def test_an_email_cell_with_a_name_or_two_addresses(run, tmp_path):
    sheet = write_csv(
        tmp_path / "list.csv",
        "Company,Contact,Email\r\n"
        "Acme,Jane Roe,Jane Roe <jane@acme.example>\r\n"
        "Beta,Bo Chan,bo@beta.example; sales@beta.example\r\n"
        "Gamma,Cy Diaz,cy\u200b@gamma.example\r\n",
    )
    result = run("import", sheet)
    assert result.exit_code == 0, result.stderr
    assert (
        'warning: row 2, Email: took the address "jane@acme.example" from '
        '"Jane Roe <jane@acme.example>"' in result.stderr
    )
    assert (
        'warning: row 3, Email: took the first of 2 addresses; kept "sales@beta.example" as '
        "email_2" in result.stderr
    )
    assert "warning: row 4, Email: removed invisible characters from the email" in result.stderr
    listed = {p["company"]: (p["email"], p["extras"]) for p in run.json("prospects")}
    assert listed["Acme"] == ("jane@acme.example", {})
    assert listed["Beta"] == ("bo@beta.example", {"email_2": "sales@beta.example"})
    assert listed["Gamma"] == ("cy@gamma.example", {})


@pytest.mark.parametrize("header", ["Province/State", "Region", "County", "State/Region"])
def test_region_headers_are_the_state(run, tmp_path, header):
    sheet = write_csv(
        tmp_path / "list.csv",
        f"Company,Contact,Address,City,{header},Postcode,Country/Region\r\n"
        "Laurentian Freight,Luc Tremblay,845 Sherbrooke St W,Montréal,QC,H3A 0G4,Canada\r\n",
    )
    imported(run, sheet)
    [shown] = run.json("prospects")
    assert (shown["state"], shown["country"]) == ("QC", "Canada")


def test_show_finds_names_whatever_the_accents_apostrophes_and_case(run):
    imported(run, DATA / "outlook_contacts_cp1252.csv")
    for ref in ("o'hara", "O’HARA", "siobhan ohara", "orsted", "NUNEZ"):
        result = run("show", ref)
        assert result.exit_code == 0, (ref, result.stderr)
    assert run("show", "o'hara").stdout.startswith(
        "#3  Ms. Siobhán O’Hara, VP of Engineering at Harbourview Systems Ltd"
    )


def test_show_lists_only_fields_with_a_value(run):
    imported(run, DATA / "outlook_contacts_cp1252.csv")
    shown = run("show", "Whitaker").stdout.splitlines()
    # Outlook's 92 columns, most of them empty for him: none is listed.
    assert shown == [
        "#5  Daniel Whitaker, Owner at Whitaker Cabinetry",
        "  phone      (617) 555-1000",
        "  status     active",
        "  role       employer",
        "  address    14 Elm Street, Cambridge, MA 02139, United States of America",
        "  from       outlook_contacts_cp1252.csv row 6",
        "  stage      not-written",
        "  next step  nothing planned: not in a batch yet; run `campaign batch` first",
        "History: nothing sent or logged yet.",
    ]


def test_the_web_list_search_ignores_accents_and_apostrophes(ledger, run):
    from campaign.ledger.search import find_prospects

    imported(run, DATA / "outlook_contacts_cp1252.csv")
    rows, total = find_prospects(ledger, "o'hara")
    assert [r["last_name"] for r in rows] == ["O’Hara"]
    rows, total = find_prospects(ledger, "zoe nordlys")
    assert [r["last_name"] for r in rows] == ["Ørsted"]
    assert total == 1


# --- the fast email check agrees with email_validator ------------------------------------------

_LOCAL = st.text(alphabet="abcXYZ019._+-!#'~\u00e9\u200b \"@", min_size=1, max_size=12)
_DOMAIN = st.text(alphabet="abcXYZ019.-_\u00fc", min_size=1, max_size=15)
_TLD = st.sampled_from(["com", "example", "ORG", "test", "local", "c", "co1", "xn--p1ai", "de"])


@settings(max_examples=600, deadline=None)
@given(local=_LOCAL, domain=_DOMAIN, tld=_TLD)
def test_the_fast_path_never_disagrees_with_email_validator(local, domain, tld):
    from email_validator import EmailNotValidError, validate_email

    address = f"{local}@{domain}.{tld}"
    fast = _fast_email(address)
    try:
        full = validate_email(address, check_deliverability=False, allow_smtputf8=True).normalized
    except EmailNotValidError:
        full = None
    if fast is not None:
        assert fast == full
    # Whatever the path, the public check gives email_validator's answer.
    if full is None:
        with pytest.raises(ValueError, match="."):
            check_email(address)
    else:
        assert check_email(address) == full


def test_everyday_addresses_take_the_fast_path():
    assert _fast_email("Maria.Lopez+jobs@Example.COM") == "Maria.Lopez+jobs@example.com"
    assert _fast_email("o'hara@harbourview.example") == "o'hara@harbourview.example"
    assert _fast_email("jose@núñez.example") is None  # international: the full check
    assert _fast_email("a..b@example.com") is None
    assert _fast_email("ann@localhost.test") is None


def test_rows_hidden_in_an_ods_are_skipped_and_named(run, tmp_path):
    def cells(*values):
        return "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in values
        )

    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:'
        'names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:'
        'xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:'
        'body><office:spreadsheet><table:table table:name="Employers">'
        f"<table:table-row>{cells('Company', 'Contact', 'Email')}</table:table-row>"
        f"<table:table-row>{cells('Acme', 'Ann Lee', 'ann@acme.example')}</table:table-row>"
        '<table:table-row table:visibility="filter">'
        f"{cells('Beta', 'Bo Chan', 'bo@beta.example')}</table:table-row>"
        '<table:table-row table:visibility="collapse">'
        f"{cells('Gamma', 'Cy Diaz', 'cy@gamma.example')}</table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "list.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    result = run("import", path)
    assert result.exit_code == 0, result.stderr
    assert (
        "warning: skipped 2 hidden rows (hidden by hand or by a filter): rows 3, 4; "
        "--include-hidden imports hidden rows too" in result.stderr
    )
    assert [p["company"] for p in run.json("prospects")] == ["Acme"]
    assert run("import", path, "--include-hidden").exit_code == 0
    assert [p["company"] for p in run.json("prospects")] == ["Acme", "Beta", "Gamma"]
