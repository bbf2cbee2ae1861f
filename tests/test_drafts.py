"""Drafts close their own loop: sync finds each draft the user sent in a real Dovecot's Sent
folder (a later day, a new Message-ID) and its follow-ups count from then and thread to it;
a draft never found asks "not sent yet?"; without [imap], `mailed --drafts` says the day."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
from email.message import EmailMessage
from email.utils import format_datetime

from tests.helpers import add_prospects, use_imap
from tests.test_mailbox import SENT_ON, rows

ME = "Jane Doe <jane.doe@example.org>"


def sent_copy(to: str, subject: str, on: dt.datetime, message_id: str) -> bytes:
    """What a mail program files in Sent when the user sends a draft: its own Message-ID."""
    msg = EmailMessage()
    msg["From"] = ME
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(on)
    msg["Message-ID"] = message_id
    msg.set_content("Dear ...")
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def drafts(run, tmp_path, count: int, on: str = SENT_ON, start: int = 1) -> None:
    add_prospects(run, tmp_path, rows(start + count - 1)[start - 1 :], name=f"list{start}.csv")
    assert run("--today", on, "batch", "--size", str(count)).exit_code == 0
    result = run("--today", on, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    assert " to outbox/" in result.stderr


def _sends(ledger) -> dict[int, tuple]:
    return {
        row[0]: tuple(row[1:])
        for row in ledger.execute(
            "SELECT prospect_id, sent_on, message_id, draft_message_id, confirmed_by FROM sends "
            "WHERE kind = 'intro'"
        )
    }


def test_sync_finds_the_drafts_sent_later_and_follow_ups_count_and_thread_from_them(
    run, workspace, imap, tmp_path, ledger
):
    use_imap(workspace, imap)
    drafts(run, tmp_path, 3)
    written = _sends(ledger)
    subject = dict(ledger.execute("SELECT prospect_id, subject FROM sends"))
    at = lambda day: dt.datetime(2026, 12, day, 15, tzinfo=dt.UTC)  # noqa: E731
    imap.deliver(
        # Person 1's draft went two days after it was written, Person 2's the next day with
        # the address written differently; both with the mail program's own Message-IDs.
        sent_copy("person1@company1.example.com", subject[1], at(3), "<tb-1@jane.example>"),
        sent_copy("Person2 <PERSON2@Company2.example.com>", subject[2], at(2),
                  "<tb-2@jane.example>"),
        # Not Person 3's draft: another address, another subject, and a message sent before
        # the draft existed.
        sent_copy("someone@company3.example.com", subject[3], at(2), "<tb-3@jane.example>"),
        sent_copy("person3@company3.example.com", subject[1], at(2), "<tb-5@jane.example>"),
        sent_copy("person3@company3.example.com", subject[3],
                  dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC), "<tb-4@jane.example>"),
        folder="Sent",
    )  # fmt: skip
    dry = run.json("--today", "2026-12-04", "sync", "--dry-run")
    assert [d["prospect_id"] for d in dry["drafts_sent"]] == [1, 2]
    assert _sends(ledger) == written
    result = run("--today", "2026-12-04", "sync", "--json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)["drafts_sent"]
    assert [(d["prospect_id"], d["sent_on"], d["message_id"]) for d in found] == [
        (1, "2026-12-03", "<tb-1@jane.example>"),
        (2, "2026-12-02", "<tb-2@jane.example>"),
    ]
    assert "Found 2 drafts you sent in your Sent folder" in result.stderr
    now = _sends(ledger)
    assert now[1] == ("2026-12-03", "<tb-1@jane.example>", written[1][1], "sent-folder")
    assert now[2] == ("2026-12-02", "<tb-2@jane.example>", written[2][1], "sent-folder")
    assert now[3] == written[3]
    assert run.json("--today", "2026-12-05", "sync")["drafts_sent"] == []  # found once

    # A week on, Person 3's draft is still not in Sent: not sent yet?
    assert [i["kind"] for i in run.json("--today", "2026-12-07", "due")] == [
        "receipt-check",
        "receipt-check",
        "receipt-check",
    ]
    due = run.json("--today", "2026-12-08", "due")
    [unsent] = [i for i in due if i["kind"] == "draft-unsent"]
    assert (unsent["prospect_id"], unsent["due"], unsent["channel"]) == (3, "2026-12-08", "outbox")
    assert unsent["reason"].startswith(
        "the intro draft of 2026-12-01 to person3@company3.example.com is not in your Sent "
        "folder: not sent yet?; send it from outbox/ if not; if it went, `campaign mailed "
        "--drafts --on DAY` records the day"
    )

    # Follow-ups count from the day each really went.
    due = run.json("--today", "2026-12-17", "due")
    letters = {i["prospect_id"]: i["due"] for i in due if i["kind"] == "followup-letter-1"}
    assert letters == {1: "2026-12-17", 2: "2026-12-16", 3: "2026-12-15"}
    history = run.json("show", "1")["history"]
    assert [(h["date"], h["status"]) for h in history] == [("2026-12-03", "sent")]
    # ... and thread to the message the employer received.
    result = run("--today", "2026-12-17", "send", "--followups", "--yes", "--no-inbox")
    assert result.exit_code == 0, result.stderr
    [followup] = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in (workspace / "outbox").glob("2026-12-17-followup1-1-*.eml")
    ]
    assert followup["In-Reply-To"] == "<tb-1@jane.example>"

    # Skipping the question dismisses it.
    assert run("--today", "2026-12-17", "log", "3", "skip", "--item", "draft-unsent").exit_code == 0
    assert "draft-unsent" not in [i["kind"] for i in run.json("--today", "2026-12-18", "due")]


def test_without_a_sent_folder_read_nothing_asks_and_mailed_drafts_says_the_day(
    run, workspace, tmp_path, ledger
):
    drafts(run, tmp_path, 2)
    drafts(run, tmp_path, 1, on="2026-12-08", start=3)  # next week's batch
    assert "draft-unsent" not in [i["kind"] for i in run.json("--today", "2026-12-20", "due")]
    later = run("--today", "2026-12-09", "mailed", "--drafts", "--on", "2026-12-10")
    assert later.exit_code == 2
    assert later.stderr.count("\n") == 1
    mixed = run("--today", "2026-12-09", "mailed", "--drafts", "--followups")
    assert mixed.exit_code == 2
    result = run("--today", "2026-12-09", "mailed", "--drafts", "--on", "2026-12-04", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"drafts": 2, "written_later": 1, "on": "2026-12-04"}
    assert "Recorded 2 drafts as sent on 2026-12-04" in result.stderr
    sends = _sends(ledger)
    assert [sends[p][0] for p in (1, 2, 3)] == ["2026-12-04", "2026-12-04", "2026-12-08"]
    assert [sends[p][3] for p in (1, 2, 3)] == ["said", "said", ""]
    assert [sends[p][2] for p in (1, 2, 3)] == ["", "", ""]  # the draft's Message-ID stays
    again = run.json("--today", "2026-12-09", "mailed", "--drafts")
    assert again == {"drafts": 1, "written_later": 0, "on": "2026-12-09"}
    due = run.json("--today", "2026-12-18", "due")
    letters = {i["prospect_id"]: i["due"] for i in due if i["kind"] == "followup-letter-1"}
    assert letters == {1: "2026-12-18", 2: "2026-12-18"}
