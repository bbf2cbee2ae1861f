"""A hostile sheet through every output: nothing crashes, nothing runs, nothing leaks."""

from __future__ import annotations

import json
import sqlite3

import pytest
from pypdf import PdfReader

from tests.helpers import use_smtp, write_csv

TODAY = "2026-11-23"  # a Monday
LATER = "2026-11-26"  # receipt checks for the posted letters fall due
HUGE = "Long Company Name " * 560  # 10,080 characters
SHEET = (
    "Company,Contact,Title,Email,Address,City,ZIP,Phone\n"
    '<script>alert(1)</script>,Ann Lee,"CFO\r\nBcc: victim@example.com",ann@evil.example,,,,\n'
    "{{ 7*7 }} Labs,\u202eBo Chan,{% raw %}CEO,bo@labs.example,,,,\n"
    "Paper \u202eMill,Pat Post,Owner,,1 Mill Road,Springfield,62704,555-0101\n"
    f"{HUGE},Cy Diaz,COO,,2 Elm St,Newark,07102,555-0102\n"
)


@pytest.fixture
def hostile(run, workspace, tmp_path, smtp_server):
    use_smtp(workspace, smtp_server)
    result = run("import", write_csv(tmp_path / "hostile.csv", SHEET))
    assert result.exit_code == 0, result.stderr
    # A ledger written by an older version still holds control characters.
    conn = sqlite3.connect(workspace / "campaign.db")
    with conn:
        conn.execute("UPDATE prospects SET notes = ? WHERE id = 3", ("a\x00b\x1bc",))
        conn.execute("UPDATE prospects SET company = ? WHERE id = 3", ("Paper \x00\u202eMill",))
    conn.close()
    assert run("--today", TODAY, "batch").exit_code == 0
    return run


def _no_traceback(result):
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_emails_carry_values_as_data(hostile, smtp_server):
    result = hostile("--today", TODAY, "send", "--yes")
    _no_traceback(result)
    assert result.exit_code == 0, result.stderr
    assert len(smtp_server) == 2
    for received in smtp_server:
        assert received.rcpt_tos in (["ann@evil.example"], ["bo@labs.example"])
        assert "victim@example.com" not in received.message.get("Bcc", "")
        assert received.message["Bcc"] is None
    ann = smtp_server.to("ann@evil.example")[0].message
    assert ann["Subject"] == "CFO Bcc: victim@example.com at <script>alert(1)</script>: an " + (
        "experienced hand, ready now"
    )
    html = ann.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html
    bo = smtp_server.to("bo@labs.example")[0].message.get_body(("plain",)).get_content()
    assert "{{ 7*7 }} Labs" in bo  # printed as written, never run
    assert "49" not in bo


def test_print_calls_exports_preview_show_and_lists_survive(hostile, workspace, tmp_path):
    printed = hostile("--today", TODAY, "print", "--mark-mailed", "--json")
    _no_traceback(printed)
    assert printed.exit_code == 1  # the 10,000-character company is left out, the rest print
    report = json.loads(printed.stdout)
    assert report["letters"] == 1
    assert len(report["left_out"]) == 1
    assert all(len(line) < 400 for line in printed.stderr.splitlines())
    text = PdfReader(report["files"][0]).pages[0].extract_text()
    assert "Pat Post" in text
    assert "\x00" not in text

    for out in ("calls.pdf", "calls.xlsx"):
        calls = hostile("--today", LATER, "calls", "--out", tmp_path / out)
        _no_traceback(calls)
        assert calls.exit_code == 0, calls.stderr
    assert "Pat Post" in PdfReader(tmp_path / "calls.pdf").pages[0].extract_text()

    for out in ("tracker.xlsx", "followups.ics"):
        export = hostile("--today", LATER, "export", tmp_path / out)
        _no_traceback(export)
        assert export.exit_code == 0, export.stderr
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "tracker.xlsx")
    companies = [row[2] for row in book["Prospects"].iter_rows(min_row=2, values_only=True)]
    assert "<script>alert(1)</script>" in companies
    assert "Paper \u202eMill" in companies  # the NUL is gone, the text stays
    from icalendar import Calendar

    events = Calendar.from_ical((tmp_path / "followups.ics").read_bytes()).walk("VEVENT")
    assert any("Pat Post" in str(event["SUMMARY"]) for event in events)

    for args in (["preview", "1"], ["preview", "3"], ["show", "3"], ["prospects"], ["due"]):
        result = hostile("--today", LATER, *args)
        _no_traceback(result)
        assert result.exit_code == 0, (args, result.stderr)
        shown = result.stdout + result.stderr
        assert "\x00" not in shown
        assert "\x1b" not in shown
        assert "\u202e" not in shown  # bidi overrides are shown escaped, never applied
    assert "Paper \\u202eMill" in hostile("show", "3").stdout
