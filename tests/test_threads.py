"""Follow-up emails thread to the letters before them (In-Reply-To, References)."""

from __future__ import annotations

from tests.helpers import add_prospects, use_smtp


def test_receipt_check_and_thank_you_thread_to_the_first_letter(
    run, workspace, smtp_server, tmp_path
):
    use_smtp(workspace, smtp_server)
    ann = {"Company": "Acme", "First Name": "Ann", "Last Name": "Lee"}
    add_prospects(run, tmp_path, [{**ann, "Email": "ann@acme.example.com"}])
    assert run("--today", "2026-12-01", "batch").exit_code == 0
    assert run("--today", "2026-12-01", "send", "--yes").exit_code == 0
    [intro] = smtp_server
    assert intro.message["In-Reply-To"] is None  # a first letter starts the conversation
    first = intro.message["Message-ID"]
    assert run("--today", "2026-12-04", "send", "--followups", "--yes").exit_code == 0
    receipt = smtp_server[1].message
    assert receipt["In-Reply-To"] == first
    assert receipt["References"] == first
    assert run("--today", "2026-12-08", "log", "1", "interview").exit_code == 0
    assert run("--today", "2026-12-08", "send", "--followups", "--yes").exit_code == 0
    thanks = smtp_server[2].message
    assert thanks["In-Reply-To"] == receipt["Message-ID"]
    assert thanks["References"].split() == [first, receipt["Message-ID"]]
