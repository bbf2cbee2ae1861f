"""The tracker workbook, the calendar (.ics), the call sheet and the dashboard, read back.

The workbook is read with openpyxl (cell types, not only values), the calendar with icalendar,
the call sheet PDF with pypdf. Dates come from --today; letters go to the outbox.
"""

import datetime as dt
import zipfile

import openpyxl
import pytest
from icalendar import Calendar
from pypdf import PdfReader

from campaign.reports.calls import session_estimate
from tests.helpers import write_csv

SENT = "2026-11-25"  # a Wednesday
HYPERLINK = '=HYPERLINK("http://x","y")'
SHEET = (
    "Priority,Company,Contact,Title,Email,Address,City,State,ZIP,Phone,Notes\n"
    '1,"=HYPERLINK(""http://x"",""y"")",Maria Lopez,VP Ops,maria@acme.example,1 Main St,'
    "Boston,MA,02134,617-555-0101,+1 555\n"
    "2,Birch Labs,Ken Ito,CTO,ken@birch.example,,,,,617-555-0102,@home\n"
    "3,Cedar Co,Lia Park,CFO,,3 Oak Ave,Hartford,CT,06103,860-555-0103,-call after 10\n"
    "4,Dune Foods,Raj Rao,COO,,4 Pine Rd,Newark,NJ,07102,973-555-0104,\n"
)


@pytest.fixture
def campaign(run, tmp_path):
    """Four prospects written to on SENT: 1 and 2 by email, 3 and 4 by post."""
    assert run("import", write_csv(tmp_path / "list.csv", SHEET)).exit_code == 0
    assert run("--today", SENT, "batch").exit_code == 0
    assert run.json("--today", SENT, "send", "--yes")["sent"] == 2
    assert run.json("--today", SENT, "print", "--mark-mailed")["mailed"] == 2
    return run


def log(run, today: str, *args: str) -> None:
    result = run("--today", today, "log", *args)
    assert result.exit_code == 0, result.stderr


def rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def column(sheet, heading: str) -> int:
    return [cell.value for cell in sheet[1]].index(heading)


# --- the tracker workbook ------------------------------------------------------------------------


@pytest.fixture
def tracker(campaign, tmp_path):
    log(campaign, "2026-11-30", "4", "call", "--outcome", "spoke", "--note", "=cmd|' /C calc'!A0")
    log(campaign, "2026-12-01", "2", "reply", "--note", "@ the fair")
    result = campaign("--today", "2026-12-01", "export", tmp_path / "tracker.xlsx")
    assert result.exit_code == 0, result.stderr
    assert "Wrote 4 prospects" in result.stderr
    return tmp_path / "tracker.xlsx"


def test_tracker_sheets_have_a_bold_frozen_filtered_header(tracker):
    book = openpyxl.load_workbook(tracker)
    assert book.sheetnames == ["Prospects", "Touches", "Due"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == sheet.dimensions
        assert sheet.auto_filter.ref.startswith("A1:")
        assert all(cell.font.b for cell in sheet[1])
        assert all(cell.data_type == "s" and cell.value for cell in sheet[1])
        assert not any(cell.font.b for row in sheet.iter_rows(min_row=2) for cell in row)
    prospects = book["Prospects"]
    assert prospects.column_dimensions["C"].width == 28  # company
    assert [c.value for c in prospects[1]][:3] == ["id", "priority", "company"]


def test_tracker_text_that_looks_like_a_formula_stays_text(tracker):
    book = openpyxl.load_workbook(tracker)
    prospects = book["Prospects"]
    company, notes = column(prospects, "company"), column(prospects, "notes")
    by_id = {row[0].value: row for row in prospects.iter_rows(min_row=2)}
    for pid, index, value in (
        (1, company, HYPERLINK),
        (1, notes, "+1 555"),
        (2, notes, "@home"),
        (3, notes, "-call after 10"),
    ):
        cell = by_id[pid][index]
        assert cell.data_type == "s", (pid, value)
        assert cell.value == value
    assert by_id[1][column(prospects, "phone")].value == "617-555-0101"
    assert by_id[1][column(prospects, "phone")].data_type == "s"
    touches = book["Touches"]
    details = {row[3].value: row[6] for row in touches.iter_rows(min_row=2)}
    assert details["call"].value == "=cmd|' /C calc'!A0"
    assert details["call"].data_type == "s"
    assert details["reply"].value == "@ the fair"
    # Nothing in the file is a formula: no <f> element anywhere in the sheets.
    with zipfile.ZipFile(tracker) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
                assert b"<f " not in archive.read(name), name


def test_tracker_dates_are_date_cells_and_next_actions_match_due(tracker, campaign):
    book = openpyxl.load_workbook(tracker)
    prospects = book["Prospects"]
    action, when = column(prospects, "next action"), column(prospects, "next date")
    next_actions = {
        row[0].value: (row[action].value, row[when]) for row in prospects.iter_rows(min_row=2)
    }
    assert {pid: kind for pid, (kind, _) in next_actions.items()} == {
        1: "receipt-check",
        2: "answer-reply",  # replied: the reply is to be answered, no more letters
        3: "receipt-check",
        4: "followup-letter-1",  # the call confirmed the letter arrived
    }
    date_cell = next_actions[1][1]
    assert date_cell.is_date
    assert date_cell.value.date() == dt.date(2026, 11, 30)
    assert next_actions[4][1].value.date() == dt.date(2026, 12, 9)

    touches = book["Touches"]
    history = [
        (row[0].value.date(), row[1].value, row[3].value, row[4].value, row[5].value)
        for row in touches.iter_rows(min_row=2)
    ]
    assert all(row[0].is_date for row in touches.iter_rows(min_row=2))
    assert history == [
        (dt.date(2026, 11, 25), 1, "intro letter", "email", "draft in outbox/"),
        (dt.date(2026, 11, 25), 2, "intro letter", "email", "draft in outbox/"),
        (dt.date(2026, 11, 25), 3, "intro letter", "post", "sent"),
        (dt.date(2026, 11, 25), 4, "intro letter", "post", "sent"),
        (dt.date(2026, 11, 30), 4, "call", None, "spoke"),
        (dt.date(2026, 12, 1), 2, "reply", None, None),
    ]

    due = campaign.json("--today", "2026-12-01", "due", "--days", "3650")
    sheet = book["Due"]
    assert all(row[0].is_date for row in sheet.iter_rows(min_row=2))
    listed = [
        (r[0].value.date().isoformat(), r[1].value, r[4].value, r[5].value)
        for r in sheet.iter_rows(min_row=2)
    ]
    assert listed == [(i["due"], i["prospect_id"], i["kind"], i["channel"]) for i in due]
    # Ken's reply to answer; receipt checks for 1 and 3, first follow-up letters for 1, 3 and 4
    # (the second waits).
    assert len(due) == 6


# --- the calendar --------------------------------------------------------------------------------


def events(path) -> list:
    return Calendar.from_ical(path.read_bytes()).walk("VEVENT")


def uid_dates(path) -> dict[str, dt.date]:
    return {str(e["uid"]): e["dtstart"].dt for e in events(path)}


def export_ics(run, today: str, path) -> None:
    result = run("--today", today, "export", path)
    assert result.exit_code == 0, result.stderr


def test_calendar_has_one_event_per_due_follow_up(campaign, tmp_path):
    log(campaign, "2026-12-01", "2", "interview", "--with", "Ann Lee, CFO; Bo Chan, HR Lead")
    path = tmp_path / "followups.ics"
    export_ics(campaign, "2026-12-01", path)
    cal = Calendar.from_ical(path.read_bytes())
    assert str(cal["version"]) == "2.0"
    assert cal["prodid"]
    due = campaign.json("--today", "2026-12-01", "due", "--days", "90")
    found = sorted(
        (e["dtstart"].dt.isoformat(), str(e["categories"].cats[0]), str(e["summary"]))
        for e in cal.walk("VEVENT")
    )
    # Thank-yous for Ann Lee and Bo Chan, receipt checks and first follow-up letters for 1, 3
    # and 4, and the call three weeks after the meeting.
    assert len(found) == len(due) == 9
    expected = sorted((i["due"], i["kind"], f"{i['name']}, {i['company']}") for i in due)
    for (day, kind, summary), (want_day, want_kind, who) in zip(found, expected, strict=True):
        assert (day, kind) == (want_day, want_kind)
        assert summary.endswith(who)
    for event in cal.walk("VEVENT"):
        start = event["dtstart"].dt
        assert isinstance(start, dt.date)
        assert not isinstance(start, dt.datetime)  # all-day events
        assert event["dtend"].dt == start + dt.timedelta(days=1)
        assert event["dtstamp"]
    assert any("Ann Lee, Birch Labs" in str(e["summary"]) for e in cal.walk("VEVENT"))
    uids = [str(e["uid"]) for e in cal.walk("VEVENT")]
    assert len(set(uids)) == len(uids)


def test_calendar_uids_are_stable_across_exports_and_date_changes(campaign, tmp_path):
    log(campaign, "2026-12-03", "2", "interview")
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    export_ics(campaign, "2026-12-03", first)
    export_ics(campaign, "2026-12-03", second)
    assert uid_dates(first) == uid_dates(second)
    calls = [uid for uid, day in uid_dates(first).items() if day == dt.date(2026, 12, 24)]
    assert len(calls) == 1  # the follow-up call three weeks after the meeting
    # A call moves that date: the same event (UID), a new date.
    log(campaign, "2026-12-24", "2", "call", "--outcome", "spoke")
    later = tmp_path / "c.ics"
    export_ics(campaign, "2026-12-24", later)
    assert uid_dates(later)[calls[0]] == dt.date(2027, 1, 21)
    # Everything else that is still due kept its UID and its date.
    old, new = uid_dates(first), uid_dates(later)
    assert {uid for uid in old.keys() & new.keys() if old[uid] != new[uid]} == {calls[0]}
    assert len(old.keys() & new.keys()) > 1


def test_calendar_uids_are_unique_when_calls_change_approach(campaign, tmp_path):
    for day in ("2026-11-30", "2026-12-01", "2026-12-02"):
        log(campaign, day, "4", "call", "--outcome", "no-answer")
    log(campaign, "2026-12-02", "4", "contact")
    path = tmp_path / "followups.ics"
    export_ics(campaign, "2026-12-02", path)
    mine = [e for e in events(path) if "Dune Foods" in str(e["summary"])]
    kinds = sorted(str(e["categories"].cats[0]) for e in mine)
    # The receipt call and the networking call were both pending: one change of approach.
    assert kinds == ["change-approach", "followup-letter-1"]
    uids = [str(e["uid"]) for e in mine]
    assert len(set(uids)) == len(uids)


def test_calendar_uid_survives_the_change_of_approach(campaign, tmp_path):
    before, after = tmp_path / "a.ics", tmp_path / "b.ics"
    export_ics(campaign, "2026-11-30", before)
    [receipt] = [
        str(e["uid"])
        for e in events(before)
        if "Dune Foods" in str(e["summary"]) and str(e["categories"].cats[0]) == "receipt-check"
    ]
    for day in ("2026-11-30", "2026-12-01", "2026-12-02"):
        log(campaign, day, "4", "call", "--outcome", "no-answer")
    export_ics(campaign, "2026-12-02", after)
    assert receipt in uid_dates(after)


def test_calendar_summaries_read_well(campaign, tmp_path):
    path = tmp_path / "followups.ics"
    export_ics(campaign, SENT, path)
    summaries = sorted(str(e["summary"]) for e in events(path) if "Cedar Co" in str(e["summary"]))
    assert summaries == [
        "Follow-up letter 1: Lia Park, Cedar Co",
        "Receipt check: Lia Park, Cedar Co",
    ]


# --- the call sheet ------------------------------------------------------------------------------


@pytest.fixture
def calls_due(campaign):
    """On Monday 2026-11-30 the posted letters (3 and 4) are owed a receipt-check call each:
    3 by the cadence, 4 as the retry of Thursday's unanswered call (two business days on)."""
    log(
        campaign,
        "2026-11-26",
        "4",
        "call",
        "--outcome",
        "left-message",
        "--assistant",
        "Pat Doe",
        "--best-time",
        "Tue 9am",
    )
    return campaign


def test_calls_json(calls_due):
    sheet = calls_due.json("--today", "2026-11-30", "calls")
    assert sheet["estimate"] == "2 calls at 8 an hour: about 15 min"
    assert [
        (r["prospect_id"], r["kind"], r["name"], r["title"], r["phone"], r["due"])
        for r in sheet["calls"]
    ] == [
        (3, "receipt-check", "Lia Park", "CFO", "860-555-0103", "2026-11-30"),
        (4, "receipt-check", "Raj Rao", "COO", "973-555-0104", "2026-11-30"),
    ]
    lia, raj = sheet["calls"]
    assert (lia["assistant"], lia["best_time"], lia["attempts"], lia["last_outcome"]) == (
        "",
        "",
        0,
        "",
    )
    assert (raj["assistant"], raj["best_time"], raj["attempts"]) == ("Pat Doe", "Tue 9am", 1)
    assert raj["last_outcome"] == "left a message on 2026-11-26"
    assert raj["sent"] == "intro by post 2026-11-25"
    # Only calls: the email receipt checks are not on the sheet.
    assert calls_due.json("--today", "2026-11-27", "calls")["calls"] == []
    assert len(calls_due.json("--today", "2026-11-27", "calls", "--days", "3")["calls"]) == 2


def test_calls_pdf(calls_due, tmp_path):
    out = tmp_path / "calls.pdf"
    result = calls_due("--today", "2026-11-30", "calls", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "2 calls" in result.stderr
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)
    for expected in (
        "Call sheet, Monday November 30, 2026",
        "Lia Park, CFO, Cedar Co",
        "860-555-0103",
        "Raj Rao, COO, Dune Foods",
        "973-555-0104",
        "Assistant: Pat Doe",
        "Best time: Tue 9am",
        "Sent: intro by post 2026-11-25",
        "left a message on 2026-11-26 (1 so far)",
        "2 calls at 8 an hour: about 15 min",
        "Ask where they are in the process.",
        "Ask for a meeting with the decision maker.",
        "Notes:",
    ):
        assert expected in text, expected


def test_calls_xlsx(calls_due, tmp_path):
    out = tmp_path / "calls.xlsx"
    result = calls_due("--today", "2026-11-30", "calls", "--out", out)
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(out)["Calls"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["due", "name", "title", "company", "phone"]
    assert header[-1] == "notes"
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    table = rows(sheet)
    assert [(r[1], r[4], r[5]) for r in table[1:3]] == [
        ("Lia Park", "860-555-0103", None),
        ("Raj Rao", "973-555-0104", "Pat Doe"),
    ]
    # Real dates, and nothing under the table: pandas reads exactly the two calls.
    assert [r[0] for r in table[1:]] == [dt.datetime(2026, 11, 30), dt.datetime(2026, 11, 30)]
    assert sheet.max_row == 3
    import pandas

    read = pandas.read_excel(out, sheet_name="Calls", engine="openpyxl")
    assert list(read["name"]) == ["Lia Park", "Raj Rao"]
    assert str(read["due"].dtype).startswith("datetime64")
    script = [r[0] for r in rows(openpyxl.load_workbook(out)["Script"])]
    assert script[:3] == [
        "before you call",
        "2 calls at 8 an hour: about 15 min",
        "Introduce yourself.",
    ]


def test_call_sheet_pdf_embeds_every_font(calls_due, tmp_path):
    import subprocess

    out = tmp_path / "calls.pdf"
    assert calls_due("--today", "2026-11-30", "calls", "--out", out).exit_code == 0
    listed = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    fonts = [line.split() for line in listed.stdout.splitlines()[2:]]
    assert fonts  # DejaVu Serif, regular and bold
    assert all("DejaVuSerif" in font[0] for font in fonts), listed.stdout
    assert all(font[-5] == "yes" for font in fonts), listed.stdout  # the "emb" column


def test_call_sheet_errors_and_nothing_due(campaign, tmp_path):
    result = campaign("--today", "2026-11-30", "calls", "--out", tmp_path / "calls.txt")
    assert result.exit_code == 2
    assert "calls.txt: the call sheet is written as .pdf or .xlsx." in result.stderr
    assert not (tmp_path / "calls.txt").exists()
    quiet = campaign("--today", "2026-11-26", "calls")
    assert quiet.exit_code == 0
    assert "No calls due on 2026-11-26." in quiet.stderr


def test_session_estimate_at_eight_calls_an_hour():
    assert session_estimate(1) == "1 call at 8 an hour: about 8 min"
    assert session_estimate(8) == "8 calls at 8 an hour: about 1 h 0 min"
    assert session_estimate(20) == "20 calls at 8 an hour: about 2 h 30 min"


# --- the dashboard -------------------------------------------------------------------------------


def test_status_counts(campaign):
    week = campaign.json("--today", "2026-11-27", "status")
    assert week == {
        "today": "2026-11-27",
        "prospects": {"total": 4, "active": 4},
        "batch": {"week": "2026-W48", "picked": 4, "sent": 4},
        "sent": {"email": 2, "post": 2},
        "drafts": 2,  # the two emails went to outbox/ as drafts
        "sends_by_status": {"sent": 4},
        "due_today": 0,
        "overdue": 0,
        "replies": 0,
        "interviews": 0,
        "calls": 0,
        "bounces": 0,
        "auto_replies": 0,
        "possible_replies": 0,
        "stages": {
            "not-written": 0,
            "written": 4,
            "answered": 0,
            "meeting": 0,
            "interviewed": 0,
            "offer": 0,
            "hired": 0,
            "closed": 0,
            "rejected": 0,
            "paused": 0,
        },
    }
    log(campaign, "2026-12-01", "2", "reply")
    log(campaign, "2026-12-01", "1", "interview")
    log(campaign, "2026-12-01", "3", "call", "--outcome", "spoke")
    log(campaign, "2026-12-01", "4", "call", "--outcome", "no-answer")
    later = campaign.json("--today", "2026-12-01", "status")
    assert later["prospects"] == {"total": 4, "active": 3, "replied": 1}
    assert later["batch"] == {"week": "2026-W49", "picked": 0, "sent": 0}
    assert later["sent"] == {"email": 2, "post": 2}
    # Due today: the reply to answer and the thank-you for the interview; Monday's receipt call
    # to 4 went unanswered today, so it is tried again on Thursday, not counted overdue.
    assert (later["due_today"], later["overdue"]) == (2, 0)
    assert (later["replies"], later["interviews"], later["calls"]) == (1, 1, 2)
    stages = {k: n for k, n in later["stages"].items() if n}
    assert stages == {"written": 2, "answered": 1, "interviewed": 1}
    text = campaign("--today", "2026-12-01", "status")
    assert "2 due today, 0 overdue" in text.stdout
    assert "1 reply, 1 interview, 2 calls" in text.stdout


# --- mistakes ------------------------------------------------------------------------------------


def test_export_needs_xlsx_or_ics(campaign, tmp_path):
    result = campaign("export", tmp_path / "foo.txt")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"campaign: error: {tmp_path / 'foo.txt'}: export writes .xlsx (the tracker) "
        "or .ics (a calendar)."
    )
    assert not (tmp_path / "foo.txt").exists()
    missing = campaign("export", tmp_path / "nowhere" / "tracker.xlsx")
    assert missing.exit_code == 2
    assert "no such folder" in missing.stderr
    # Every file written goes through atomic.replacing, which refuses a missing folder: the
    # call sheet too (it was a traceback), and nothing makes the folder up.
    for out in ("calls.pdf", "calls.xlsx"):
        sheet = campaign("--today", "2026-11-30", "calls", "--days", "30", "--out",
                         tmp_path / "nowhere" / out)  # fmt: skip
        assert sheet.exit_code == 2
        assert sheet.stderr.strip() == f"campaign: error: {tmp_path / 'nowhere'}: no such folder."
    assert not (tmp_path / "nowhere").exists()


# --- calendar updates ----------------------------------------------------------------


def by_uid(path) -> dict[str, dict]:
    """Each event of an .ics file read back: date, status, sequence, summary, description."""
    return {
        str(e["uid"]): {
            "start": e["dtstart"].dt,
            "status": str(e["status"]),
            "sequence": int(e["sequence"]),
            "summary": str(e["summary"]),
            "description": str(e["description"]),
        }
        for e in events(path)
    }


def test_ended_follow_ups_are_cancelled_with_a_higher_sequence(campaign, tmp_path):
    first, second, third, later = (tmp_path / f"{n}.ics" for n in "abcd")
    export_ics(campaign, "2026-11-30", first)
    before = by_uid(first)
    assert {e["status"] for e in before.values()} == {"CONFIRMED"}
    assert {e["sequence"] for e in before.values()} == {0}
    birch = {uid for uid, e in before.items() if "Birch Labs" in e["summary"]}
    assert len(birch) == 2  # the receipt check and the first follow-up letter

    log(campaign, "2026-11-30", "2", "reply", "--note", "call me in January")
    log(campaign, "2026-11-30", "2", "answered")  # the reply answered at once: nothing new
    log(campaign, "2026-11-30", "3", "call", "--outcome", "no-answer")  # moves Cedar's call
    result = campaign.json("--today", "2026-11-30", "export", second)
    assert (result["count"], result["changed"], result["cancelled"]) == (len(before) - 2, 1, 2)
    after = by_uid(second)
    assert after.keys() == before.keys()  # the same UIDs: nothing doubles on re-import
    for uid in birch:
        assert after[uid]["status"] == "CANCELLED"
        assert after[uid]["sequence"] == 1
        assert after[uid]["description"] == "No longer due: the prospect is replied."
        assert after[uid]["summary"] == before[uid]["summary"]
    [cedar_call] = [
        u for u, e in after.items() if e["summary"] == "Receipt check: Lia Park, Cedar Co"
    ]
    assert (after[cedar_call]["start"], after[cedar_call]["sequence"]) == (dt.date(2026, 12, 2), 1)
    unchanged = after.keys() - birch - {cedar_call}
    assert all(after[u] == before[u] for u in unchanged)

    # Exported again with nothing new: the same sequences (calendars keep what they have).
    export_ics(campaign, "2026-11-30", third)
    assert by_uid(third) == after
    # Done counts as ended: the receipt checks sent and the one confirmed are cancelled too.
    assert campaign.json("--today", "2026-12-01", "send", "--followups", "--yes")["sent"] == 1
    log(campaign, "2026-12-01", "3", "received")
    export_ics(campaign, "2026-12-01", later)
    ended = {u: e for u, e in by_uid(later).items() if e["status"] == "CANCELLED"}
    assert sorted(e["summary"] for e in ended.values()) == [
        "Follow-up letter 1: Ken Ito, Birch Labs",
        "Receipt check: Ken Ito, Birch Labs",
        "Receipt check: Lia Park, Cedar Co",
        'Receipt check: Maria Lopez, =HYPERLINK("http://x","y")',
    ]
    assert ended[cedar_call]["sequence"] == 2
    # A month after it ended, a cancelled event is no longer carried.
    export_ics(campaign, "2027-01-04", later)
    assert not any(uid in birch for uid in by_uid(later))


def test_call_events_carry_phone_assistant_and_best_time(calls_due, tmp_path):
    campaign = calls_due
    path = tmp_path / "calls.ics"
    export_ics(campaign, "2026-11-30", path)
    [call] = [
        e for e in by_uid(path).values() if e["summary"] == "Receipt check: Raj Rao, Dune Foods"
    ]
    assert call["start"] == dt.date(2026, 11, 30)
    lines = call["description"].splitlines()
    assert lines[0].startswith("left a message on 2026-11-26: try again")
    assert lines[1:] == ["Phone: 973-555-0104", "Assistant: Pat Doe", "Best time: Tue 9am"]
    letters = [e for e in by_uid(path).values() if e["summary"].startswith("Follow-up letter")]
    assert letters
    assert all("Phone:" not in e["description"] for e in letters)


def test_a_stale_thank_you_is_cancelled_in_the_calendar(campaign, tmp_path):
    log(campaign, "2026-12-03", "2", "interview", "--with", "Ann Lee, CFO, ann@birch.example")
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    export_ics(campaign, "2026-12-03", first)
    [thanks] = [u for u, e in by_uid(first).items() if e["summary"].startswith("Thank-you")]
    export_ics(campaign, "2026-12-11", second)
    assert (by_uid(second)[thanks]["status"], by_uid(second)[thanks]["sequence"]) == (
        "CANCELLED",
        1,
    )


def test_two_workspaces_never_share_a_calendar_uid(campaign, workspace, tmp_path):
    """Two job searches (or a demo beside the real one) exported into one calendar: importing
    the second never overwrites the first's events."""
    from tests.helpers import SENDER, Run

    other = tmp_path / "other"
    assert Run()("init", str(other), *SENDER).exit_code == 0
    from campaign.workspace.skeleton import adopt_example_letters

    adopt_example_letters(other)
    second = Run(other)
    assert second("import", write_csv(tmp_path / "again.csv", SHEET)).exit_code == 0
    assert second("--today", SENT, "batch").exit_code == 0
    assert second("--today", SENT, "send", "--yes").exit_code == 0
    mine, theirs = tmp_path / "mine.ics", tmp_path / "theirs.ics"
    export_ics(campaign, "2026-12-01", mine)
    export_ics(second, "2026-12-01", theirs)
    assert uid_dates(mine)
    assert uid_dates(theirs)
    assert uid_dates(mine).keys() & uid_dates(theirs).keys() == set()


def test_events_exported_under_the_old_shared_uids_are_cancelled_and_sent_again(
    campaign, workspace, tmp_path
):
    """A calendar made before UIDs named their workspace updates, never doubles: the next
    export cancels each old event and sends it under its new UID."""
    import sqlite3

    first = tmp_path / "before.ics"
    export_ics(campaign, "2026-12-01", first)
    new_uids = set(uid_dates(first))
    conn = sqlite3.connect(workspace / "campaign.db")
    with conn:  # as the ledger of an older campaign remembers them
        conn.execute(
            "UPDATE calendar_events SET uid = substr(uid, 1, instr(uid, '@')) || 'campaign.local'"
        )
    old_uids = {row[0] for row in conn.execute("SELECT uid FROM calendar_events")}
    conn.close()
    assert all(uid.endswith("@campaign.local") for uid in old_uids)
    again = tmp_path / "after.ics"
    export_ics(campaign, "2026-12-01", again)
    state = {str(e["uid"]): str(e["status"]) for e in events(again)}
    assert {uid for uid, s in state.items() if s == "CANCELLED"} == old_uids
    assert {uid for uid, s in state.items() if s == "CONFIRMED"} == new_uids


def test_a_call_due_without_a_phone_says_what_to_do_instead(run, tmp_path):
    """A follow-up call after a meeting, for someone whose number the sheet lacks."""
    sheet = "Company,Contact,Email,Phone\nCedar Co,Lia Park,lia@cedar.example,\n"
    assert run("import", write_csv(tmp_path / "list.csv", sheet)).exit_code == 0
    log(run, "2026-11-25", "1", "interview", "--with", "Lia Park")
    said = run("--today", "2026-12-16", "calls")
    assert said.exit_code == 0, said.stderr
    assert "Lia Park" in said.stdout
    assert "phone none on file: find it, or write instead" in said.stdout
