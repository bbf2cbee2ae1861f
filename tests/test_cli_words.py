"""What the command line says is true for the state the user is in: a new user's weeks.

Each test walks a workspace into one state through the CLI and reads every line a command
says there: the counts, the plurals, and that each hint names the command that fits.
"""

from __future__ import annotations

from tests.helpers import configure, write_csv

MONDAY = "2026-11-23"  # the week of November 23 (2026-W48)
TUESDAY = "2026-11-24"
THURSDAY = "2026-11-26"
NEXT_MONDAY = "2026-11-30"  # the week of November 30 (2026-W49)
SHEET = (
    "Company,Contact,Title,Email,Address,City,State,ZIP,Phone\n"
    "Acme Tools,Maria Lopez,VP Ops,maria@example.com,1 Main St,Boston,MA,02134,\n"
    "Gamma Corp,Ann Lee,CFO,ann@example.com,5 Elm St,Newark,NJ,07102,\n"
    "Dvořák Castings,Tomáš Dvořák,Plant Manager,,22 Mill Rd,Hartford,CT,06103,860-555-0102\n"
)
IMPORT_FIRST = "import your list first: `campaign import employers.xlsx`"


def imported(run, tmp_path):
    assert run("import", write_csv(tmp_path / "list.csv", SHEET)).exit_code == 0
    return run


def test_an_empty_workspace_points_at_import_not_at_batch(run):
    batch = run("--today", MONDAY, "batch")
    assert (batch.exit_code, batch.stderr) == (
        2,
        f"campaign: error: no prospects yet; {IMPORT_FIRST}\n",
    )
    preview = run("--today", MONDAY, "preview")
    assert preview.stderr == f"campaign: error: no batch this week to preview; {IMPORT_FIRST}\n"
    status = run("--today", MONDAY, "status")
    assert status.stdout.splitlines()[1:3] == [
        "  prospects   none yet",
        f"  this week   the week of November 23 (2026-W48): no batch yet; {IMPORT_FIRST}",
    ]
    send = run("--today", MONDAY, "send", "--dry-run")
    assert send.stderr.splitlines() == [
        "No prospects yet; import your list first: `campaign import employers.xlsx`",
        "Dry run: 0 emails would be written to outbox/ as drafts. Nothing was sent or recorded.",
    ]


def test_a_week_with_no_prospect_left_points_at_import(run, tmp_path):
    imported(run, tmp_path)
    picked = run("--today", MONDAY, "batch")
    assert picked.stderr.splitlines()[0] == (
        "Picked 3 for the week of November 23 (2026-W48): 2 by email, 1 by post. "
        "0 prospects are left for later weeks."
    )
    more = "import more employers with `campaign import` to start another"
    status = run("--today", NEXT_MONDAY, "status")
    assert status.stdout.splitlines()[2] == (
        f"  this week   the week of November 30 (2026-W49): no batch yet; {more}"
    )
    printed = run("--today", NEXT_MONDAY, "print")
    assert printed.stderr == (
        f"campaign: error: no batch for the week of November 30 (2026-W49); {more}\n"
    )
    mailed = run("--today", NEXT_MONDAY, "mailed")
    assert mailed.stderr == printed.stderr
    preview = run("--today", NEXT_MONDAY, "preview")
    assert preview.stderr == (
        "campaign: error: no batch this week to preview; name a prospect: `campaign preview "
        "12` (`campaign prospects` lists them)\n"
    )
    # Nothing to pick: the send says only what it did, with no "run `campaign batch`".
    send = run("--today", NEXT_MONDAY, "send", "--dry-run")
    assert send.stderr.splitlines() == [
        "would write a draft to Maria Lopez <maria@example.com>: VP Ops at Acme Tools: an "
        "experienced "
        "hand, ready now",
        "would write a draft to Ann Lee <ann@example.com>: CFO at Gamma Corp: an experienced "
        "hand, "
        "ready now",
        "Dry run: 2 emails would be written to outbox/ as drafts; 1 letter goes by post. "
        "Nothing was sent or recorded.",
    ]


def test_a_week_with_prospects_left_but_no_batch_points_at_batch(run, tmp_path):
    imported(run, tmp_path)
    assert run("--today", MONDAY, "batch", "--size", "1").exit_code == 0
    preview = run("--today", NEXT_MONDAY, "preview")
    assert preview.stderr == (
        "campaign: error: no batch this week to preview; name a prospect (`campaign preview "
        "12`), or run `campaign batch` first\n"
    )
    send = run("--today", NEXT_MONDAY, "send", "--dry-run")
    assert send.stderr.splitlines()[0] == (
        "No batch for the week of November 30 (2026-W49) yet: only what earlier batches still "
        "need goes. Run `campaign batch` first"
    )


def test_a_send_stopped_by_the_daily_cap_never_says_nothing_is_waiting(run, workspace, tmp_path):
    imported(run, tmp_path)
    configure(workspace, sending={"per_day": 1})
    assert run("--today", MONDAY, "batch").exit_code == 0
    first = run("--today", MONDAY, "send", "--yes")
    assert first.stderr.splitlines()[:4] == [
        "Wrote 1 draft to outbox/: send it from your mail program today; its follow-ups count "
        "from today.",
        "  1 still to send.",
        "Stopped early: the cap of 1 email a day, [sending] per_day.",
        f"Run `campaign send` again on {TUESDAY} for the rest.",
    ]
    again = run("--today", MONDAY, "send", "--yes")
    assert again.stderr.splitlines()[:4] == [
        "Wrote no drafts.",
        "  1 still to send.",
        "Stopped early: the cap of 1 email a day, [sending] per_day.",
        f"Run `campaign send` again on {TUESDAY} for the rest.",
    ]
    assert run("--today", TUESDAY, "send", "--yes").exit_code == 0
    done = run("--today", TUESDAY, "send", "--yes")
    assert done.stderr.splitlines()[0] == "Wrote no drafts: no email is waiting to go."


def test_print_and_mailed_say_one_letter_and_the_paper_by_its_name(run, workspace, tmp_path):
    imported(run, tmp_path)
    assert run("--today", MONDAY, "batch").exit_code == 0
    printed = run("--today", MONDAY, "print", "--paper", "a4")
    assert printed.stderr.splitlines() == [
        f"Wrote 1 letter (1 page, A4) to {workspace / 'outbox' / 'letters-2026-W48.pdf'}",
        "Sign, fold and post it, then record it with `campaign mailed`.",
    ]
    mailed = run("--today", MONDAY, "mailed")
    assert mailed.stderr == f"Recorded 1 letter as posted on {MONDAY}.\n"
    again = run("--today", MONDAY, "mailed")
    assert again.stderr == "Nothing new to record: 1 letter was already recorded as posted.\n"


def test_due_names_only_the_commands_its_follow_ups_need(run, tmp_path):
    imported(run, tmp_path)
    assert run("--today", MONDAY, "batch").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 0
    # The post letter is not recorded yet: only the two emails have a receipt check due.
    due = run("--today", THURSDAY, "due")
    assert due.stderr.strip().splitlines()[-1] == (
        "2 follow-ups due: 2 emails to send (`campaign send --followups`)."
    )
    # Looking ahead counts what falls due later apart: no command acts on it today.
    ahead = run("--today", MONDAY, "due", "--days", "3")
    assert ahead.stderr.strip().splitlines()[-1] == (
        "Nothing due on 2026-11-23; 2 follow-ups falling due in the next 3 days."
    )
    assert run("--today", MONDAY, "mailed").exit_code == 0
    assert run("--today", THURSDAY, "send", "--followups", "--yes").exit_code == 0
    calls = run("--today", THURSDAY, "due")
    assert calls.stderr.strip().splitlines()[-1] == "1 follow-up due: 1 call (`campaign calls`)."


def test_a_sheet_typed_in_excel_imports_and_one_hidden_row_is_one_row(run, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = "My target employers — spring"
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["Company Name", "Contact", "E-mail Address", "Street", "City", "State", "ZIP"])
    sheet.append(["Beta Café", "Jean-Luc Désiré", "", "22 Rue St", "Boston", "MA", 2134])
    sheet.append(["Eta Group", "Lee Kim", "lee@eta.example", "8 Cedar", "Miami", "FL", 33101])
    sheet.append([None, "Kim Lee", "kim@eta.example", "8 Cedar", "Miami", "FL", 33101])
    sheet.merge_cells("A5:A6")  # one company, two people
    sheet.append(["Old Lead", "Pat Doe", "pat@old.example", "1 Main", "Salem", "MA", 1970])
    sheet.row_dimensions[7].hidden = True
    for (cell,) in sheet.iter_rows(min_row=4, min_col=7, max_col=7):
        cell.number_format = "00000"  # Excel shows 02134; the cell holds 2134
    book.save(tmp_path / "employers.xlsx")
    result = run("import", tmp_path / "employers.xlsx")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[1:] == [
        "warning: skipped 1 hidden row (hidden by hand or by a filter): row 7; "
        "--include-hidden imports hidden rows too",
        "Imported employers.xlsx: 3 new, 0 updated, 0 unchanged, 0 skipped.",
    ]
    listed = run.json("prospects")
    assert [(p["company"], p["postal_code"]) for p in listed] == [
        ("Beta Café", "02134"),
        ("Eta Group", "33101"),
        ("Eta Group", "33101"),
    ]
