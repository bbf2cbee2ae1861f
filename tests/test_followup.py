"""The follow-up cadence, moving the clock with --today across several weeks of a campaign.

One small campaign: five prospects written to on Wednesday 2026-11-25 (three by email, two by
post), a sixth kept out of the batch for the networking and insider cadences. Each test checks
exactly what `campaign due --json` lists, and when, as the user logs what happened.
"""

import datetime as dt
import email
import email.policy
import json
import sqlite3

import pytest
from pypdf import PdfReader

from campaign.followups.items import weekday
from tests.helpers import write_csv

SENT = "2026-11-25"  # a Wednesday: the receipt check (+3) lands on Saturday 2026-11-28
SHEET = (
    "Priority,Company,Contact,Title,Email,Address,City,State,ZIP,Phone\n"
    "1,Acme Tools,Maria Lopez,VP Ops,maria@acme.example,1 Main St,Boston,MA,02134,617-555-0101\n"
    "2,Birch Labs,Ken Ito,CTO,ken@birch.example,,,,,617-555-0102\n"
    "3,Cedar Co,Lia Park,CFO,,3 Oak Ave,Hartford,CT,06103,860-555-0103\n"
    "4,Dune Foods,Raj Rao,COO,,4 Pine Rd,Newark,NJ,07102,973-555-0104\n"
    "5,Elm Works,Sue Kim,CEO,sue@elm.example,,,,,212-555-0105\n"
    "9,Fir Partners,Tom Ward,Partner,tom@fir.example,,,,,212-555-0106\n"
)
EMAIL_IDS, POST_IDS = (1, 2, 5), (3, 4)


@pytest.fixture
def campaign(run, tmp_path):
    """The campaign on SENT: imported, batch of five, emails sent, post letters mailed."""
    assert run("import", write_csv(tmp_path / "list.csv", SHEET)).exit_code == 0
    picked = run.json("--today", SENT, "batch", "--size", "5")
    assert [p["id"] for p in picked["prospects"]] == [1, 2, 3, 4, 5]
    assert run.json("--today", SENT, "send", "--yes")["sent"] == 3
    assert run.json("--today", SENT, "print", "--mark-mailed")["mailed"] == 2
    return run


def due(run, today: str, days: int = 0) -> list[tuple]:
    """`campaign due --json` as (prospect, kind, channel, due date), in the order listed."""
    items = run.json("--today", today, "due", "--days", days)
    return [(i["prospect_id"], i["kind"], i["channel"], i["due"]) for i in items]


def log(run, today: str, *args: str) -> None:
    result = run("--today", today, "log", *args)
    assert result.exit_code == 0, result.stderr


def send_followups(run, today: str) -> int:
    return run.json("--today", today, "send", "--followups", "--yes")["sent"]


def emails(workspace, kind: str = "") -> list:
    """The .eml files in the outbox (of one kind of letter), parsed."""
    return [
        email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for path in sorted((workspace / "outbox").glob("*.eml"))
        if not kind or f"-{kind}-" in path.name
    ]


def text(message) -> str:
    # A 7bit or quoted-printable body keeps the file's CRLF line ends; a mail program shows
    # lines, so compare lines.
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def body_paragraphs(message) -> list[str]:
    """The paragraphs between the greeting and the closing (the signature is the same anyway)."""
    paragraphs = [" ".join(p.split()) for p in text(message).split("\n\n") if p.strip()]
    assert paragraphs[0].startswith("Dear ")
    closing = next(
        i for i, p in enumerate(paragraphs[1:], start=1) if p.endswith(",") and len(p) < 30
    )
    return paragraphs[1:closing]


def receipts(day: str = "2026-11-30", ids=(1, 2, 3, 4, 5)) -> list[tuple]:
    return [
        (pid, "receipt-check", "email" if pid in EMAIL_IDS else "call", day) for pid in sorted(ids)
    ]


def letters(number: int, due_on: str, ids) -> list[tuple]:
    return [
        (pid, f"followup-letter-{number}", "email" if pid in EMAIL_IDS else "post", due_on)
        for pid in sorted(ids)
    ]


# --- receipt checks and the weekend ------------------------------------------------------------


def test_weekday_moves_saturday_and_sunday_to_monday():
    friday, saturday, sunday, monday = (dt.date(2026, 11, 27) + dt.timedelta(n) for n in range(4))
    assert weekday(friday) == friday
    assert weekday(saturday) == monday
    assert weekday(sunday) == monday
    assert weekday(monday) == monday


def test_receipt_check_three_days_after_a_send_moves_off_the_weekend(campaign):
    assert due(campaign, SENT) == []
    assert due(campaign, "2026-11-27") == []  # Friday
    assert due(campaign, "2026-11-28") == []  # Saturday: +3 lands here, but moves to Monday
    assert due(campaign, "2026-11-29") == []
    # Monday: one per send; an email for the emailed letters, a call for the posted ones.
    assert due(campaign, "2026-11-30") == receipts()
    first = campaign.json("--today", "2026-11-30", "due")[0]
    assert first["company"] == "Acme Tools"
    assert first["name"] == "Maria Lopez"
    assert first["days_overdue"] == 0
    assert "2026-11-25" in first["reason"]
    # Looking ahead from the send day shows the same dates.
    assert due(campaign, SENT, days=5) == receipts()


def test_receipt_checks_stop_once_sent_or_confirmed(campaign, workspace):
    assert send_followups(campaign, "2026-11-30") == 3
    sent = emails(workspace, "receipt")
    assert sorted(m["To"].addresses[0].addr_spec for m in sent) == [
        "ken@birch.example",
        "maria@acme.example",
        "sue@elm.example",
    ]
    assert due(campaign, "2026-11-30") == receipts(ids=POST_IDS)
    # An answered call confirms the posted letter arrived; an unanswered one does not: it is
    # tried again two business days later.
    log(campaign, "2026-12-01", "3", "call", "--outcome", "spoke")
    log(campaign, "2026-12-01", "4", "call", "--outcome", "no-answer")
    assert due(campaign, "2026-12-01") == []
    assert due(campaign, "2026-12-03") == receipts("2026-12-03", ids=[4])
    log(campaign, "2026-12-02", "4", "received", "--note", "the assistant has it")
    assert due(campaign, "2026-12-02") == []


# --- follow-up letters at 2 and 4 weeks ----------------------------------------------------------


def test_follow_up_letters_at_two_and_four_weeks(campaign, workspace):
    log(campaign, "2026-11-30", "3", "received")
    log(campaign, "2026-11-30", "4", "received")
    assert send_followups(campaign, "2026-11-30") == 3  # the receipt emails
    assert due(campaign, "2026-12-08") == []
    assert due(campaign, "2026-12-09") == letters(1, "2026-12-09", [1, 2, 3, 4, 5])
    # Four weeks on, the second letter still waits for the first.
    assert due(campaign, "2026-12-23") == letters(1, "2026-12-09", [1, 2, 3, 4, 5])

    log(campaign, "2026-12-09", "2", "reply", "--note", "call me in January")
    # The reply stops Ken's letters and is the first thing to do today: answer it.
    assert due(campaign, "2026-12-09") == [
        (2, "answer-reply", "reply", "2026-12-09"),
        *letters(1, "2026-12-09", [1, 3, 4, 5]),
    ]
    log(campaign, "2026-12-09", "2", "answered", "--note", "will call on the 5th")
    assert due(campaign, "2026-12-09") == letters(1, "2026-12-09", [1, 3, 4, 5])
    before = len(emails(workspace))
    assert send_followups(campaign, "2026-12-09") == 2  # 1 and 5; 3 and 4 go by post
    assert [m["To"].addresses[0].addr_spec for m in emails(workspace, "followup1")] == [
        "maria@acme.example",
        "sue@elm.example",
    ]
    assert send_followups(campaign, "2026-12-09") == 0  # exactly once
    assert len(emails(workspace)) == before + 2
    assert due(campaign, "2026-12-09") == letters(1, "2026-12-09", POST_IDS)

    assert (
        campaign.json("--today", "2026-12-09", "print", "--followups", "--mark-mailed")["mailed"]
        == 2
    )
    assert due(campaign, "2026-12-09") == []
    assert due(campaign, "2026-12-22") == []
    assert due(campaign, "2026-12-23") == letters(2, "2026-12-23", [1, 3, 4, 5])
    assert send_followups(campaign, "2026-12-23") == 2
    assert send_followups(campaign, "2026-12-23") == 0
    assert len(emails(workspace, "followup2")) == 2
    assert campaign.json("--today", "2026-12-23", "mailed", "--followups")["mailed"] == 2
    # Two follow-up letters is the whole letter cadence: nothing more, ever.
    assert due(campaign, "2026-12-23", days=365) == []


def test_second_letter_keeps_its_gap_after_a_late_first(campaign):
    for pid in (1, 2, 3, 4, 5):
        log(campaign, "2026-11-30", str(pid), "received")
    # The first follow-up only goes on 2026-12-16, a week late.
    assert send_followups(campaign, "2026-12-16") == 3
    assert campaign.json("--today", "2026-12-16", "mailed", "--followups")["mailed"] == 2
    # Not 2026-12-23 (4 weeks after the intro) but two weeks after the first follow-up.
    assert due(campaign, "2026-12-23") == []
    assert due(campaign, "2026-12-29") == []
    assert due(campaign, "2026-12-30") == letters(2, "2026-12-30", [1, 2, 3, 4, 5])


@pytest.mark.parametrize(
    ("event", "status"),
    [("reply", "replied"), ("rejected", "rejected"), ("closed", "closed"), ("hired", "hired")],
)
def test_reply_rejection_closed_or_hire_ends_the_letters_but_keeps_the_record(
    campaign, event, status
):
    log(campaign, "2026-12-01", "1", event, "--note", "by phone")
    log(campaign, "2026-12-01", "3", event)
    # A reply is to be answered (the same day, and until the user says so); an end is not.
    answer = [(pid, "answer-reply", "reply", "2026-12-01") for pid in (1, 3)]
    answers = answer if event == "reply" else []
    assert due(campaign, "2026-12-01") == answers + receipts(ids=[2, 4, 5])
    # the first follow-up letter supersedes the receipt checks never made
    assert due(campaign, "2026-12-09") == answers + letters(1, "2026-12-09", [2, 4, 5])
    later = due(campaign, "2027-06-01")
    assert [r for r in later if r[0] in (1, 3)] == answers
    assert [p["stage"] for p in campaign.json("prospects") if p["id"] in (1, 3)] == [
        "answered" if event == "reply" else event
    ] * 2
    shown = campaign.json("show", "1")
    assert shown["status"] == status
    assert shown["company"] == "Acme Tools"
    assert [(h["date"], h["what"]) for h in shown["history"]] == [
        (SENT, "intro letter by email"),
        ("2026-12-01", event),
    ]
    assert shown["history"][1]["detail"] == "by phone"
    assert campaign.json("show", "3")["history"][0]["what"] == "intro letter by post"
    listed = {p["id"]: p["status"] for p in campaign.json("prospects")}
    assert listed == {1: status, 2: "active", 3: status, 4: "active", 5: "active", 6: "active"}


# --- interviews: thank-you notes, calls, the article ---------------------------------------------


def test_interview_thank_you_for_every_person_met_the_same_day(campaign):
    log(campaign, "2026-12-03", "1", "interview", "--with", "Ann Lee, CFO; Bo Chan, HR Lead")
    items = campaign.json("--today", "2026-12-03", "due")
    thanks = [i for i in items if i["kind"] == "thank-you"]
    assert [(i["prospect_id"], i["name"], i["due"], i["channel"]) for i in thanks] == [
        (1, "Ann Lee", "2026-12-03", "post"),
        (1, "Bo Chan", "2026-12-03", "post"),
    ]
    assert [i["person"] for i in thanks] == [
        {"name": "Ann Lee", "title": "CFO"},
        {"name": "Bo Chan", "title": "HR Lead"},
    ]
    # The interview counts as a reply: no receipt check or follow-up letter for Acme now.
    assert [r for r in due(campaign, "2026-12-09") if r[0] == 1] == [
        (1, "thank-you", "post", "2026-12-03"),
        (1, "thank-you", "post", "2026-12-03"),
    ]
    printed = campaign.json("--today", "2026-12-03", "print", "--followups", "--mark-mailed")
    assert printed["letters"] == 2
    pages = [page.extract_text() for page in PdfReader(printed["files"][0]).pages]
    assert "Dear Ann Lee," in pages[0]
    assert "as CFO" in pages[0]
    assert "Dear Bo Chan," in pages[1]
    assert "1 Main St" in pages[1]
    assert not [r for r in due(campaign, "2026-12-03") if r[0] == 1]


def test_thank_you_email_to_the_person_met_by_name(campaign, workspace):
    log(campaign, "2026-12-03", "2", "interview", "--with", "Ann Lee, CFO, ann@birch.example")
    assert [r for r in due(campaign, "2026-12-03") if r[1] == "thank-you"] == [
        (2, "thank-you", "email", "2026-12-03")
    ]
    assert send_followups(campaign, "2026-12-03") == 3  # the thank-you and two receipt checks
    [thanks] = emails(workspace, "thankyou")
    assert thanks["To"].addresses[0].display_name == "Ann Lee"
    assert thanks["To"].addresses[0].addr_spec == "ann@birch.example"
    body = text(thanks)
    assert body.startswith("Dear Ann Lee,")
    assert "Birch Labs" in body
    assert "as CFO" in body
    assert send_followups(campaign, "2026-12-03") == 0
    assert [r for r in due(campaign, "2026-12-03") if r[1] == "thank-you"] == []


def test_history_in_words_names_the_letters_and_whom_each_thank_you_went_to(campaign, workspace):
    from campaign.ledger.db import connect
    from campaign.reports.history import history

    log(campaign, "2026-12-03", "2", "interview", "--with", "Ann Lee, CFO, ann@birch.example")
    send_followups(campaign, "2026-12-03")
    log(campaign, "2026-12-03", "2", "skip", "--item", "follow-up-call")
    conn = connect(workspace / "campaign.db")
    labels = [h["label"] for h in history(conn, 2, labels=True)]
    plain = history(conn, 2)
    conn.close()
    assert labels == [
        "First letter by email",
        "Thank-you note to Ann Lee by email",  # the same day: sends, then touches
        "Interview with Ann Lee",
        "Follow-up dismissed: Follow-up call",
    ]
    assert "label" not in plain[0]  # `campaign show --json` is unchanged


def test_interview_without_names_thanks_the_hiring_authority(campaign, workspace):
    log(campaign, "2026-12-03", "5", "interview")
    assert due(campaign, "2026-12-03")[0] == (5, "thank-you", "email", "2026-12-03")
    send_followups(campaign, "2026-12-03")
    [thanks] = emails(workspace, "thankyou")
    assert text(thanks).startswith("Dear Sue Kim,")


def test_each_thank_you_email_of_a_panel_is_its_own_file(campaign, workspace):
    log(
        campaign,
        "2026-12-03",
        "1",
        "interview",
        "--with",
        "Ann Lee, CFO, ann@acme.example; Bo Chan, HR Lead, bo@acme.example",
    )
    for pid in EMAIL_IDS + POST_IDS:
        log(campaign, "2026-12-03", str(pid), "received")
    assert send_followups(campaign, "2026-12-03") == 2
    sent = emails(workspace, "thankyou")
    assert sorted(m["To"].addresses[0].addr_spec for m in sent) == [
        "ann@acme.example",
        "bo@acme.example",
    ]


def test_thank_you_with_no_email_or_address_is_a_note_to_write_by_hand(campaign, workspace):
    log(campaign, "2026-12-03", "2", "interview", "--with", "Ann Lee, CFO")  # Birch: email only
    [thanks] = [
        i for i in campaign.json("--today", "2026-12-03", "due") if i["kind"] == "thank-you"
    ]
    assert (thanks["name"], thanks["channel"], thanks["due"]) == ("Ann Lee", "note", "2026-12-03")
    assert "write it by hand" in thanks["reason"]
    printed = campaign("--today", "2026-12-03", "print", "--followups")
    assert printed.exit_code == 0
    assert "Nothing to print" in printed.stderr
    send_followups(campaign, "2026-12-03")
    assert emails(workspace, "thankyou") == []


def test_a_thank_you_note_is_done_once_the_advice_is_followed(campaign, workspace):
    log(campaign, "2026-12-03", "2", "interview", "--with", "Ann Lee, CFO")
    log(campaign, "2026-12-03", "2", "interview", "--with", "Ann Lee, CFO, ann@birch.example")
    send_followups(campaign, "2026-12-03")
    assert len(emails(workspace, "thankyou")) == 1
    assert [r for r in due(campaign, "2026-12-10") if r[1] == "thank-you"] == []


def test_a_hand_written_note_is_recorded_by_mailed(campaign):
    log(campaign, "2026-12-03", "2", "interview", "--with", "Ann Lee, CFO")
    notes = [r for r in due(campaign, "2026-12-03") if r[1] == "thank-you"]
    assert notes == [(2, "thank-you", "note", "2026-12-03")]
    assert campaign.json("--today", "2026-12-03", "mailed", "--followups")["mailed"] == 1
    assert [r for r in due(campaign, "2026-12-10") if r[1] == "thank-you"] == []


def test_due_does_not_count_a_note_as_a_call(campaign):
    for pid in (1, 2, 3, 4, 5):
        log(campaign, "2026-11-30", str(pid), "received")
    log(campaign, "2026-12-03", "2", "interview", "--with", "Ann Lee, CFO")
    assert due(campaign, "2026-12-03") == [(2, "thank-you", "note", "2026-12-03")]
    result = campaign("--today", "2026-12-03", "due")
    assert "No calls due" in campaign("--today", "2026-12-03", "calls").stderr
    assert "1 calls" not in result.stderr


def test_calls_after_a_meeting_then_an_article_after_two(campaign, workspace):
    log(campaign, "2026-12-03", "1", "interview")
    assert send_followups(campaign, "2026-12-03") == 3  # the thank-you and two receipt checks
    for pid in POST_IDS:
        log(campaign, "2026-12-03", str(pid), "received")
    for pid in (2, 3, 4, 5):
        log(campaign, "2026-12-03", str(pid), "rejected")
    assert due(campaign, "2026-12-03") == []
    assert due(campaign, "2026-12-23") == []
    # Three weeks after the meeting.
    assert due(campaign, "2026-12-24") == [(1, "follow-up-call", "call", "2026-12-24")]
    log(campaign, "2026-12-24", "1", "call", "--outcome", "spoke", "--note", "no opening yet")
    # Then four weeks after the last call.
    assert due(campaign, "2026-12-24", days=60) == [(1, "follow-up-call", "call", "2027-01-21")]
    assert due(campaign, "2027-01-20") == []
    log(campaign, "2027-01-21", "1", "call", "--outcome", "spoke")
    # Two answered calls and still no opening: a note with an article, and the calls go on.
    assert due(campaign, "2027-01-21", days=60) == [
        (1, "follow-up-call", "call", "2027-02-18"),
        (1, "article-note", "email", "2027-01-21"),
    ]
    assert send_followups(campaign, "2027-01-21") == 1
    [article] = emails(workspace, "article")
    assert text(article).startswith("Dear Maria Lopez,")
    assert due(campaign, "2027-01-21", days=60) == [(1, "follow-up-call", "call", "2027-02-18")]
    log(campaign, "2027-02-01", "1", "hired", "--note", "hired elsewhere")
    assert due(campaign, "2027-06-01") == []
    assert campaign.json("show", "1")["status"] == "hired"


def test_unanswered_calls_after_a_meeting_do_not_count_toward_the_article(campaign):
    log(campaign, "2026-12-03", "1", "interview")
    log(campaign, "2026-12-24", "1", "call", "--outcome", "left-message")
    log(campaign, "2027-01-21", "1", "call", "--outcome", "spoke")
    kinds = [r[1] for r in due(campaign, "2027-01-21", days=60) if r[0] == 1]
    assert "article-note" not in kinds


# --- networking contacts and warm insiders -------------------------------------------------------


def test_networking_contact_progress_call_every_six_weeks(campaign):
    log(campaign, "2026-12-01", "6", "call", "--outcome", "spoke", "--note", "gave two names")
    log(campaign, "2026-12-02", "6", "contact")
    assert [r for r in due(campaign, "2027-01-11") if r[0] == 6] == []
    # 42 days after the last call.
    assert [r for r in due(campaign, "2027-01-12") if r[0] == 6] == [
        (6, "networking-call", "call", "2027-01-12")
    ]
    log(campaign, "2027-01-12", "6", "call", "--outcome", "spoke")
    assert [r for r in due(campaign, "2027-01-12", days=90) if r[0] == 6] == [
        (6, "networking-call", "call", "2027-02-23")
    ]
    assert campaign.json("show", "6")["role"] == "contact"


def test_networking_contact_without_calls_counts_from_when_marked(campaign):
    log(campaign, "2026-12-01", "6", "contact")
    assert [r for r in due(campaign, "2026-12-01", days=90) if r[0] == 6] == [
        (6, "networking-call", "call", "2027-01-12")
    ]


def test_warm_insider_check_in_four_days_later(campaign):
    log(campaign, "2026-11-30", "6", "insider")
    assert [r for r in due(campaign, "2026-12-03") if r[0] == 6] == []
    assert [r for r in due(campaign, "2026-12-04") if r[0] == 6] == [
        (6, "insider-check-in", "call", "2026-12-04")
    ]
    log(campaign, "2026-12-04", "6", "call", "--outcome", "spoke")
    assert [r for r in due(campaign, "2026-12-04", days=30) if r[0] == 6] == [
        (6, "insider-check-in", "call", "2026-12-08")
    ]
    # A note on a Wednesday: +4 is Sunday, so Monday.
    log(campaign, "2026-12-09", "6", "note", "--note", "coffee next week")
    assert [r for r in due(campaign, "2026-12-09", days=30) if r[0] == 6] == [
        (6, "insider-check-in", "call", "2026-12-14")
    ]
    assert campaign.json("show", "6")["role"] == "insider"


# --- calls: change of approach, assistants and best times ----------------------------------------


def test_three_unanswered_calls_in_a_row_change_the_approach(campaign):
    for pid in (1, 2, 3, 5):
        log(campaign, "2026-11-30", str(pid), "received")
    # Each unanswered try is retried two business days later (Friday's on Tuesday).
    log(campaign, "2026-11-30", "4", "call", "--outcome", "no-answer")
    assert due(campaign, "2026-12-01") == []
    assert due(campaign, "2026-12-02") == [(4, "receipt-check", "call", "2026-12-02")]
    log(campaign, "2026-12-02", "4", "call", "--outcome", "no-answer")
    assert due(campaign, "2026-12-04") == [(4, "receipt-check", "call", "2026-12-04")]
    log(campaign, "2026-12-04", "4", "call", "--outcome", "no-answer")
    # After the third, the approach changes now: the next working day, not at the retry date.
    assert due(campaign, "2026-12-04") == []
    assert due(campaign, "2026-12-07") == [(4, "change-approach", "call", "2026-12-07")]
    [item] = campaign.json("--today", "2026-12-08", "due")
    assert "3 calls in a row unanswered" in item["reason"]
    [row] = campaign.json("--today", "2026-12-08", "calls")["calls"]
    assert (row["kind"], row["attempts"]) == ("change-approach", 3)
    assert row["last_outcome"] == "no answer on 2026-12-04"
    # An answer breaks the run (and confirms the letter arrived).
    log(campaign, "2026-12-08", "4", "call", "--outcome", "spoke")
    assert due(campaign, "2026-12-08") == []


def test_unanswered_follow_up_calls_after_a_meeting_change_the_approach(campaign):
    log(campaign, "2026-12-03", "1", "interview")
    send_followups(campaign, "2026-12-03")
    for day in ("2026-12-24", "2026-12-28", "2026-12-30"):
        log(campaign, day, "1", "call", "--outcome", "no-answer")
    # Due the next working day after the third, as a change of approach.
    assert [r for r in due(campaign, "2027-02-01") if r[0] == 1] == [
        (1, "change-approach", "call", "2026-12-31")
    ]


def test_a_meeting_ends_the_run_of_unanswered_calls(campaign):
    for day in ("2026-11-30", "2026-12-01", "2026-12-02"):
        log(campaign, day, "4", "call", "--outcome", "no-answer")
    log(campaign, "2026-12-03", "4", "interview")
    assert [r for r in due(campaign, "2026-12-24") if r[0] == 4 and r[2] == "call"] == [
        (4, "follow-up-call", "call", "2026-12-24")
    ]


def test_assistant_and_best_time_are_stored_on_the_prospect(campaign):
    log(
        campaign,
        "2026-12-01",
        "4",
        "call",
        "--outcome",
        "assistant",
        "--assistant",
        "Pat Doe",
        "--best-time",
        "Tue 9-10am",
    )
    shown = campaign.json("show", "4")
    assert (shown["assistant"], shown["best_time"]) == ("Pat Doe", "Tue 9-10am")
    assert shown["history"][-1] == {
        "date": "2026-12-01",
        "what": "call",
        "status": "assistant",
        "detail": "",
        "touch_id": 1,
        "label": "Call",
    }
    # A later call without them keeps what was recorded.
    log(campaign, "2026-12-05", "4", "call", "--outcome", "no-answer")
    assert campaign.json("show", "4")["assistant"] == "Pat Doe"
    conn = sqlite3.connect(campaign.workspace / "campaign.db")
    assert conn.execute("SELECT assistant, best_time FROM prospects WHERE id = 4").fetchone() == (
        "Pat Doe",
        "Tue 9-10am",
    )
    conn.close()


# --- the follow-up letters themselves ------------------------------------------------------------


def test_follow_up_letters_name_the_first_letter_and_do_not_repeat_it(campaign, workspace):
    for pid in EMAIL_IDS:
        log(campaign, "2026-11-30", str(pid), "received")
    assert send_followups(campaign, "2026-12-09") == 3
    assert send_followups(campaign, "2026-12-23") == 3
    by_kind = {
        kind: {m["To"].addresses[0].addr_spec: m for m in emails(workspace, kind)}
        for kind in ("intro", "followup1", "followup2")
    }
    for address in ("maria@acme.example", "ken@birch.example", "sue@elm.example"):
        intro = by_kind["intro"][address]
        first, second = by_kind["followup1"][address], by_kind["followup2"][address]
        for follow in (first, second):
            assert "November 25, 2026" in text(follow)
            assert "Dear " + intro["To"].addresses[0].display_name in text(follow)
            assert not set(body_paragraphs(follow)) & set(body_paragraphs(intro))
            intro_lines = {line.strip() for line in text(intro).splitlines() if len(line) > 30}
            assert not intro_lines & {line.strip() for line in text(follow).splitlines()}
        assert not set(body_paragraphs(first)) & set(body_paragraphs(second))
        assert len({intro["Subject"], first["Subject"], second["Subject"]}) == 3
    assert "November 25, 2026" in by_kind["followup1"]["maria@acme.example"]["Subject"]


def test_print_followups_prints_the_post_ones_only(campaign, workspace):
    result = campaign.json("--today", "2026-12-09", "print", "--followups")
    assert result["letters"] == 2
    assert result["mailed"] == 0
    pages = [page.extract_text() for page in PdfReader(result["files"][0]).pages]
    assert "Lia Park" in pages[0]
    assert "3 Oak Ave" in pages[0]
    assert "Raj Rao" in pages[1]
    assert all("November 25, 2026" in page for page in pages)
    assert not any("Maria Lopez" in page for page in pages)
    # Printing records nothing; `mailed --followups` does, once.
    assert [r for r in due(campaign, "2026-12-09") if r[1] == "followup-letter-1"] == letters(
        1, "2026-12-09", [1, 2, 3, 4, 5]
    )
    assert campaign.json("--today", "2026-12-09", "mailed", "--followups")["mailed"] == 2
    assert campaign.json("--today", "2026-12-09", "mailed", "--followups")["mailed"] == 0
    assert [r for r in due(campaign, "2026-12-09") if r[1] == "followup-letter-1"] == letters(
        1, "2026-12-09", EMAIL_IDS
    )
    conn = sqlite3.connect(workspace / "campaign.db")
    rows = conn.execute(
        "SELECT prospect_id, kind, channel, sent_on FROM sends WHERE kind = 'followup1' "
        "ORDER BY prospect_id"
    ).fetchall()
    conn.close()
    assert rows == [(3, "followup1", "post", "2026-12-09"), (4, "followup1", "post", "2026-12-09")]


# --- mistakes ------------------------------------------------------------------------------------


def test_log_a_prospect_that_does_not_exist(campaign):
    result = campaign("log", "999", "call", "--outcome", "spoke")
    assert result.exit_code == 2
    assert 'no prospect "999"' in result.stderr
    assert "Traceback" not in result.stderr


def test_a_call_needs_an_outcome(campaign, workspace):
    result = campaign("log", "1", "call")
    assert result.exit_code == 2
    assert "--outcome" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    conn = sqlite3.connect(workspace / "campaign.db")
    assert conn.execute("SELECT count(*) FROM touches").fetchone()[0] == 0
    conn.close()


def test_log_json_and_with_only_goes_with_an_interview(campaign):
    logged = campaign.json("--today", "2026-12-01", "log", "2", "note", "--note", "met at a fair")
    assert logged == {"touch_id": 1, "prospect_id": 2, "event": "note", "on": "2026-12-01"}
    result = campaign("log", "2", "call", "--outcome", "spoke", "--with", "Ann Lee")
    assert result.exit_code == 2
    assert result.stderr == "campaign: error: people met go only with an interview\n"
    by_email = campaign.json("--today", "2026-12-01", "log", "sue@elm.example", "reply")
    assert by_email["prospect_id"] == 5
    assert json.dumps(campaign.json("show", "5")["history"][-1]).count("reply") == 1


# --- call retries ------------------------------------------------------------------


def calls_for(run, today: str, pid: int, days: int = 60) -> list[tuple]:
    return [r for r in due(run, today, days) if r[0] == pid and r[2] == "call"]


def test_an_unanswered_call_after_a_meeting_is_retried_two_business_days_later(campaign):
    log(campaign, "2026-12-03", "1", "interview")
    assert calls_for(campaign, "2026-12-03", 1) == [(1, "follow-up-call", "call", "2026-12-24")]
    # Thursday, no answer: try again Monday (two business days), not in four weeks.
    log(campaign, "2026-12-24", "1", "call", "--outcome", "no-answer")
    assert calls_for(campaign, "2026-12-24", 1) == [(1, "follow-up-call", "call", "2026-12-28")]
    [item] = [i for i in campaign.json("--today", "2026-12-28", "due") if i["prospect_id"] == 1]
    assert item["reason"].startswith("no answer on 2026-12-24: try again")
    log(campaign, "2026-12-28", "1", "call", "--outcome", "left-message")
    assert calls_for(campaign, "2026-12-28", 1) == [(1, "follow-up-call", "call", "2026-12-30")]
    # Reached at last: the long rhythm counts from this call, four weeks on.
    log(campaign, "2026-12-30", "1", "call", "--outcome", "spoke")
    assert calls_for(campaign, "2026-12-30", 1) == [(1, "follow-up-call", "call", "2027-01-27")]
    # One answered call is not two: no article yet; the retries did not count.
    assert "article-note" not in [r[1] for r in due(campaign, "2027-01-27") if r[0] == 1]


def test_receipt_check_calls_for_posted_letters_are_retried_too(campaign):
    for pid in (1, 2, 4, 5):
        log(campaign, "2026-11-30", str(pid), "received")
    log(campaign, "2026-11-30", "3", "call", "--outcome", "left-message")
    assert calls_for(campaign, "2026-11-30", 3) == [(3, "receipt-check", "call", "2026-12-02")]
    log(campaign, "2026-12-02", "3", "call", "--outcome", "assistant", "--assistant", "Pat")
    assert calls_for(campaign, "2026-12-02", 3) == []  # the assistant confirmed it arrived


def test_networking_and_insider_calls_are_retried_then_keep_their_rhythm(campaign):
    log(campaign, "2026-12-01", "6", "call", "--outcome", "spoke")
    log(campaign, "2026-12-01", "6", "contact")
    assert calls_for(campaign, "2026-12-01", 6) == [(6, "networking-call", "call", "2027-01-12")]
    log(campaign, "2027-01-12", "6", "call", "--outcome", "no-answer")
    assert calls_for(campaign, "2027-01-12", 6) == [(6, "networking-call", "call", "2027-01-14")]
    log(campaign, "2027-01-14", "6", "call", "--outcome", "spoke")
    assert calls_for(campaign, "2027-01-14", 6) == [(6, "networking-call", "call", "2027-02-25")]
    log(campaign, "2027-01-15", "6", "insider")
    log(campaign, "2027-01-19", "6", "call", "--outcome", "no-answer")
    assert calls_for(campaign, "2027-01-19", 6) == [(6, "insider-check-in", "call", "2027-01-21")]


def test_retry_call_days_comes_from_campaign_toml(campaign, workspace):
    from tests.helpers import configure

    configure(workspace, cadence={"retry_call_days": 1})
    log(campaign, "2026-12-03", "1", "interview")
    log(campaign, "2026-12-24", "1", "call", "--outcome", "no-answer")  # a Thursday
    assert calls_for(campaign, "2026-12-24", 1) == [(1, "follow-up-call", "call", "2026-12-25")]
    configure(workspace, cadence={"retry_call_days": "two"})
    result = campaign("--today", "2026-12-24", "due")
    assert result.exit_code == 2
    assert "cadence.retry_call_days = 'two' is not valid" in result.stderr


def test_the_commented_template_documents_the_new_settings(workspace):
    text = (workspace / "campaign.toml").read_text()
    assert "retry_call_days = 2" in text
    assert "thank_you_late_days = 7" in text


# --- people met ---------------------------------------------------------------------


def test_people_met_are_stored_and_shown_per_interview(campaign):
    log(
        campaign,
        "2026-12-03",
        "2",
        "interview",
        "--with",
        "Hans Weber, VP, Engineering, hans@birch.example; Ann Lee, CFO; ken  ITO, CTO",
    )
    [interview] = [h for h in campaign.json("show", "2")["history"] if h["what"] == "interview"]
    assert interview["people"] == [
        {"name": "Hans Weber", "title": "VP, Engineering", "email": "hans@birch.example"},
        {"name": "Ann Lee", "title": "CFO"},
        # The person met is the prospect (Ken Ito): the thank-you uses the prospect's email.
        {"name": "ken ITO", "title": "CTO", "email": "ken@birch.example"},
    ]
    shown = campaign("show", "2").stdout
    # Said in words, with no empty "()".
    assert "2026-12-03  Interview with Hans Weber, Ann Lee, ken ITO  [event 1]\n" in shown
    assert "met Hans Weber (VP, Engineering, hans@birch.example)" in shown
    assert "met Ann Lee (CFO)" in shown
    thanks = [
        (i["name"], i["channel"])
        for i in campaign.json("--today", "2026-12-03", "due")
        if i["kind"] == "thank-you"
    ]
    assert thanks == [("Hans Weber", "email"), ("Ann Lee", "note"), ("ken ITO", "email")]


def test_the_prospect_met_by_name_gets_the_thank_you_by_email(campaign, workspace):
    log(campaign, "2026-12-03", "5", "interview", "--with", "Sue Kim, CEO; Bo Chan, HR Lead")
    sent = send_followups(campaign, "2026-12-03")
    assert sent == 3  # Sue's thank-you and the receipt checks of 1 and 2; Bo's is a note
    [thanks] = emails(workspace, "thankyou")
    assert thanks["To"].addresses[0].addr_spec == "sue@elm.example"
    assert text(thanks).startswith("Dear Sue Kim,")


def test_with_help_and_bad_emails(campaign, workspace):
    help_text = campaign("log", "--help").stdout
    assert '"NAME, TITLE, EMAIL; ..."' in help_text
    assert 'interview --with "Ann Lee, CFO, ann@acme.com' in help_text
    result = campaign("--today", "2026-12-03", "log", "1", "interview", "--with", "Ann, CFO, ann@")
    assert result.exit_code == 2
    assert result.stderr == (
        'campaign: error: people met: "ann@" is not an email address; write each as --with '
        '"Name, Title, email; ..."\n'
    )
    conn = sqlite3.connect(workspace / "campaign.db")
    assert conn.execute("SELECT count(*) FROM touches").fetchone()[0] == 0
    conn.close()


# --- stale thank-yous and dismissing a follow-up ----------------------------------


def test_a_thank_you_a_week_late_leaves_due_with_one_line(campaign, workspace):
    log(campaign, "2026-12-03", "2", "interview", "--with", "Ann Lee, CFO, ann@birch.example")
    thanks = (2, "thank-you", "email", "2026-12-03")
    assert thanks in due(campaign, "2026-12-10")  # a week on: still worth it
    assert thanks not in due(campaign, "2026-12-11")
    human = campaign("--today", "2026-12-11", "due")
    assert (
        "1 thank-you note more than 7 days after the interview left the list: #2 Ann Lee."
        in human.stderr
    )
    assert send_followups(campaign, "2026-12-11") == 2  # follow-ups to 1 and 5, no thank-you
    assert emails(workspace, "thankyou") == []
    # The line says it once, for a week; the 49-day-late note is long gone.
    assert "left the list" not in campaign("--today", "2026-12-18", "due").stderr
    assert not [r for r in due(campaign, "2027-01-21") if r[1] == "thank-you"]


def test_thank_you_late_days_is_a_setting(campaign, workspace):
    from tests.helpers import configure

    configure(workspace, cadence={"thank_you_late_days": 2})
    log(campaign, "2026-12-03", "5", "interview")
    assert (5, "thank-you", "email", "2026-12-03") in due(campaign, "2026-12-05")
    assert (5, "thank-you", "email", "2026-12-03") not in due(campaign, "2026-12-06")


def test_skip_dismisses_one_follow_up_and_is_shown(campaign):
    assert (1, "receipt-check", "email", "2026-11-30") in due(campaign, "2026-11-30")
    result = campaign(
        "--today",
        "2026-11-30",
        "log",
        "1",
        "skip",
        "--item",
        "receipt-check",
        "--note",
        "she wrote",
    )
    assert result.stderr == (
        "Logged the receipt-check (dismissed) for #1 Acme Tools on 2026-11-30.\n"
    )
    assert [r for r in due(campaign, "2026-11-30") if r[0] == 1] == []
    # Dismissing the first follow-up letter: the second comes two weeks after the dismissal.
    logged = campaign.json(
        "--today", "2026-12-09", "log", "1", "skip", "--item", "followup-letter-1"
    )
    assert (logged["event"], logged["item"], logged["on"]) == (
        "skip",
        "followup-letter-1",
        "2026-12-09",
    )
    assert [r for r in due(campaign, "2026-12-09", days=30) if r[0] == 1] == [
        (1, "followup-letter-2", "email", "2026-12-23")
    ]
    history = campaign.json("show", "1")["history"]
    assert [(h["date"], h["what"], h["status"], h["detail"]) for h in history[1:]] == [
        ("2026-11-30", "skip", "receipt-check", "she wrote"),
        ("2026-12-09", "skip", "followup-letter-1", ""),
    ]
    shown = campaign("show", "1").stdout
    assert "2026-11-30  Follow-up dismissed: Receipt check - she wrote" in shown


def test_skip_a_thank_you_or_a_change_of_approach(campaign):
    log(campaign, "2026-12-03", "2", "interview", "--with", "Ann Lee, CFO; Bo Chan, HR")
    log(campaign, "2026-12-03", "2", "skip", "--item", "thank-you")
    assert [r for r in due(campaign, "2026-12-03") if r[1] == "thank-you"] == []
    for day in ("2026-11-30", "2026-12-02", "2026-12-04"):
        log(campaign, day, "4", "call", "--outcome", "no-answer")
    assert calls_for(campaign, "2026-12-08", 4) == [(4, "change-approach", "call", "2026-12-07")]
    # Dismissing the advice: the next call is a full period away (the receipt check ended).
    log(campaign, "2026-12-08", "4", "skip", "--item", "change-approach")
    assert calls_for(campaign, "2026-12-08", 4, days=365) == []


def test_skip_mistakes(campaign, workspace):
    cases = [
        (
            ("1", "skip"),
            "a skip needs the follow-up it dismisses; pass --item, one of: answer-reply, thank-you",
        ),
        (("1", "skip", "--item", "lunch"), '"lunch" is not a follow-up to dismiss; pass --item,'),
        (
            ("1", "skip", "--item", "unknown-send"),
            "whether it went, not dismissed; `campaign unknown`",
        ),
        (
            ("1", "skip", "--item", "thank-you"),
            "#1 Acme Tools has no thank-you to dismiss; pending: receipt-check, followup-letter-1",
        ),
        (
            ("1", "call", "--outcome", "spoke", "--item", "thank-you"),
            "a follow-up to dismiss goes only with a skip",
        ),
    ]
    for args, message in cases:
        result = campaign("--today", "2026-11-30", "log", *args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("campaign: error: "), args
        assert message in result.stderr, (args, result.stderr)
        assert len(result.stderr.splitlines()) == 1
    conn = sqlite3.connect(workspace / "campaign.db")
    assert conn.execute("SELECT count(*) FROM touches").fetchone()[0] == 0
    conn.close()


# --- checked logging ----------------------------------------------------------------


def test_a_date_after_today_is_refused(campaign, workspace):
    result = campaign("--today", "2026-12-15", "log", "1", "reply", "--on", "2026-12-20")
    assert result.exit_code == 2
    assert result.stderr == (
        "campaign: error: 2026-12-20 is after today (2026-12-15): "
        "log what has happened, once it has.\n"
    )
    assert campaign.json("show", "1")["status"] == "active"
    log(campaign, "2026-12-15", "1", "reply", "--on", "2026-12-14")
    assert campaign.json("show", "1")["history"][-1]["date"] == "2026-12-14"


def test_the_same_event_twice_on_a_day_is_refused_unless_again(campaign, workspace):
    log(campaign, "2026-12-03", "1", "interview", "--with", "Ann Lee, CFO")
    for _ in range(2):
        result = campaign("--today", "2026-12-03", "log", "1", "interview")
        assert result.exit_code == 2
        assert result.stderr == (
            "campaign: error: #1 Acme Tools already has this interview on 2026-12-03; "
            "pass --again to record it a second time\n"
        )
    log(campaign, "2026-12-03", "1", "call", "--outcome", "no-answer")
    again = campaign("--today", "2026-12-03", "log", "1", "call", "--outcome", "no-answer")
    assert "already has this call (no-answer) on 2026-12-03; pass --again" in again.stderr
    # Calling back later the same day and getting through is another call, not a repeat.
    log(campaign, "2026-12-03", "1", "call", "--outcome", "spoke")
    # Two different notes are two events; the same note twice is one.
    log(campaign, "2026-12-03", "1", "note", "--note", "sent the portfolio")
    log(campaign, "2026-12-03", "1", "note", "--note", "asked about the team")
    same = campaign("--today", "2026-12-03", "log", "1", "note", "--note", "asked about the team")
    assert same.exit_code == 2
    kinds = [h["what"] for h in campaign.json("show", "1")["history"][1:]]
    assert kinds == ["interview", "call", "call", "note", "note"]
    # A second interview that day, on purpose.
    log(campaign, "2026-12-03", "1", "interview", "--with", "Bo Chan, HR", "--again")
    assert len([r for r in due(campaign, "2026-12-03") if r[1] == "thank-you"]) == 2


def test_skipping_a_call_puts_the_next_one_a_full_period_later(campaign):
    log(campaign, "2026-12-03", "1", "interview")
    log(campaign, "2026-12-24", "1", "call", "--outcome", "no-answer")
    assert calls_for(campaign, "2026-12-28", 1) == [(1, "follow-up-call", "call", "2026-12-28")]
    log(campaign, "2026-12-28", "1", "skip", "--item", "follow-up-call", "--note", "holidays")
    assert calls_for(campaign, "2026-12-28", 1) == [(1, "follow-up-call", "call", "2027-01-25")]


def test_a_meeting_set_on_the_phone_stops_the_letter_follow_ups(campaign):
    # Ken Ito agrees to meet on a call: no more "may we meet?" letters to him.
    log(campaign, "2026-12-01", "2", "call", "--outcome", "meeting-set", "--note", "meet 12/15")
    kinds = {(pid, kind) for pid, kind, _, _ in due(campaign, "2026-12-23")}
    assert (1, "followup-letter-1") in kinds  # Maria never answered: her letters go on
    assert not {k for k in kinds if k[0] == 2 and k[1].startswith("followup-letter")}


def test_a_thank_you_sent_late_says_when_the_meeting_was(campaign, workspace):
    log(campaign, "2026-11-30", "1", "interview")
    assert send_followups(campaign, "2026-12-02") >= 1
    [thanks] = emails(workspace, "thankyou")
    assert thanks["Subject"] == "Thank you for meeting with me on November 30, 2026"
    assert "meet with me on November 30, 2026 at Acme Tools" in " ".join(text(thanks).split())
    assert "today" not in text(thanks)


def test_a_meeting_agreed_on_the_phone_asks_to_be_logged_once_held(campaign):
    log(campaign, "2026-12-01", "2", "call", "--outcome", "meeting-set", "--note", "Tue 12/8")
    assert [r for r in due(campaign, "2026-12-07") if r[0] == 2] == []
    assert [r for r in due(campaign, "2026-12-08") if r[0] == 2] == [
        (2, "meeting-to-log", "log", "2026-12-08")
    ]
    result = campaign("--today", "2026-12-08", "due")
    assert "1 meeting to log once held" in result.stderr
    # Logged: the reminder goes, the thank-you comes.
    log(campaign, "2026-12-08", "2", "interview", "--with", "Ken Ito, CTO")
    assert [r[1] for r in due(campaign, "2026-12-08") if r[0] == 2] == ["thank-you"]
