"""What tests/test_followup_properties.py found, each minimal example written out plainly.

Black-box through the CLI, as a user would meet each case. Dates: Monday 2026-09-28 is the
first day of every campaign here.
"""

from __future__ import annotations

import email
import email.policy

from tests.helpers import add_prospects, use_smtp
from tests.messages import dsn

MONDAY = "2026-09-28"
MARIA = {  # a hiring authority with an email and a phone, no postal address
    "Company": "Acme Tools",
    "First Name": "Maria",
    "Last Name": "Lopez",
    "Title": "VP Operations",
    "Email": "maria@acme.example",
    "Phone": "617-555-0101",
}


def due(run, today: str, days: int = 0) -> list[tuple]:
    """`campaign due --json` as (prospect, kind, channel, due date), in the order listed."""
    items = run.json("--today", today, "due", "--days", days)
    return [(i["prospect_id"], i["kind"], i["channel"], i["due"]) for i in items]


def log(run, today: str, *args: str) -> None:
    result = run("--today", today, "log", *args)
    assert result.exit_code == 0, result.stderr


# --- an unanswered call is tried again, whatever prompted it ---------------------------------


def test_an_unanswered_call_to_a_prospect_not_written_to_yet_is_tried_again(run, tmp_path):
    # DOMAIN: "An unanswered call is tried again within a couple of business days".
    add_prospects(run, tmp_path, [MARIA])
    log(run, MONDAY, "1", "call", "--outcome", "no-answer")
    calls = [(pid, channel, day) for pid, _, channel, day in due(run, MONDAY, 30)]
    assert calls == [(1, "call", "2026-09-30")]


def test_an_unanswered_call_after_a_reply_is_tried_again(run, tmp_path):
    # README: "an unanswered call (any of these calls) | the same call again 2 business days
    # later". After a reply the letters stop: nothing at all was listed.
    add_prospects(run, tmp_path, [MARIA])
    assert run("--today", MONDAY, "batch").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 0
    log(run, "2026-09-29", "1", "reply")
    log(run, "2026-09-30", "1", "call", "--outcome", "left-message")  # a Wednesday
    calls = [day for _, _, channel, day in due(run, "2026-09-30", 30) if channel == "call"]
    assert calls == ["2026-10-02"]


def test_an_unanswered_call_after_a_bounce_is_tried_again(run, tmp_path):
    # The `bounced` item (by call, due the day the bounce was read) stays listed, but nothing
    # says to try the call again on Friday.
    add_prospects(run, tmp_path, [MARIA])
    assert run("--today", MONDAY, "batch").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 0
    [draft] = (run.workspace / "outbox").glob("*.eml")
    sent = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "1.eml").write_bytes(dsn("maria@acme.example", original_id=sent["Message-ID"]))
    assert run.json("--today", "2026-09-29", "sync", "--from-folder", inbox)["bounces"] == 1
    log(run, "2026-09-30", "1", "call", "--outcome", "no-answer")  # a Wednesday
    listed = due(run, "2026-09-30", 30)
    assert (1, "bounced", "call", "2026-09-29") in listed
    retries = [i for i in listed if i[1] != "bounced" and i[2] == "call"]
    assert [day for *_, day in retries] == ["2026-10-02"]


# --- an address the server refused is a bad address ------------------------------------------


def test_a_refused_thank_you_address_gets_no_more_email(run, workspace, tmp_path, smtp_server):
    # DOMAIN: a letter the server refuses "is the same news as a bounce, only sooner"; README:
    # the thank-you goes by email at the prospect's email, "else by post ..., else a note".
    add_prospects(run, tmp_path, [MARIA])
    use_smtp(workspace, smtp_server)
    smtp_server.refuse.add("maria@acme.example")
    log(run, MONDAY, "1", "interview")
    result = run("--today", MONDAY, "send", "--followups", "--yes")
    assert result.exit_code == 1
    assert "550 5.1.1 <maria@acme.example>" in result.stderr
    thanks = [i for i in run.json("--today", MONDAY, "due") if i["kind"] == "thank-you"]
    assert [(i["name"], i["channel"]) for i in thanks] == [("Maria Lopez", "note")]


def test_a_follow_up_email_refused_by_the_server_is_not_sent_there_again(
    run, workspace, tmp_path, smtp_server
):
    # README: a bounce marks "the address bad: email follow-ups to it stop"; DOMAIN: a refusal
    # "is the same news as a bounce, only sooner: find the right address, or call or write".
    add_prospects(run, tmp_path, [MARIA])
    assert run("--today", MONDAY, "batch").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 0  # a draft in outbox/
    use_smtp(workspace, smtp_server)
    smtp_server.refuse.add("maria@acme.example")
    assert run("--today", "2026-10-01", "send", "--followups", "--yes").exit_code == 1
    emails = [i for i in due(run, "2026-10-01", 30) if i[2] == "email"]
    assert emails == []
    smtp_server.refuse.clear()  # the server would take it now: the address is still bad
    assert run("--today", "2026-10-12", "send", "--followups", "--yes").exit_code == 0
    assert smtp_server.to("maria@acme.example") == []


def test_a_refused_address_is_listed_as_refused(run, workspace, tmp_path, smtp_server):
    # NEW: an address the server refuses at send time makes an item `refused` (like `bounced`).
    add_prospects(run, tmp_path, [MARIA])
    use_smtp(workspace, smtp_server)
    smtp_server.refuse.add("maria@acme.example")
    assert run("--today", MONDAY, "batch").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 1
    assert [i[1] for i in due(run, MONDAY)] == ["refused"]
    # It ends when a corrected email is imported.
    add_prospects(run, tmp_path, [{**MARIA, "Email": "m.lopez@acme.example"}], name="fixed.csv")
    assert [i[1] for i in due(run, MONDAY)] == []


def test_a_thank_you_to_the_prospect_goes_to_the_corrected_address(run, workspace, tmp_path):
    # README: the thank-you goes "by email ... when the person is the prospect, at the
    # prospect's email": the one on file when it goes, after the sheet was corrected.
    add_prospects(run, tmp_path, [MARIA])
    log(run, MONDAY, "1", "interview")
    add_prospects(run, tmp_path, [{**MARIA, "Email": "m.lopez@acme.example"}], name="fixed.csv")
    assert run("--today", MONDAY, "send", "--followups", "--yes").exit_code == 0
    [draft] = (workspace / "outbox").glob("*-thankyou-*.eml")
    sent = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert sent["To"].addresses[0].addr_spec == "m.lopez@acme.example"


# --- the weekend -------------------------------------------------------------------------------


def test_a_send_left_unknown_on_a_saturday_is_due_on_monday(run, workspace, tmp_path, smtp_server):
    # README: "A due date on a weekend moves to Monday."
    add_prospects(run, tmp_path, [MARIA])
    use_smtp(workspace, smtp_server)
    smtp_server.cut_at = 1  # the connection drops after DATA: the send is unknown
    assert run("--today", "2026-10-03", "batch").exit_code == 0
    assert run("--today", "2026-10-03", "send", "--yes").exit_code == 0
    assert due(run, "2026-10-03", 7) == [(1, "unknown-send", "resolve", "2026-10-05")]


def test_an_overdue_receipt_check_stays_until_the_follow_up_letter_is_listed(run, tmp_path):
    # README: what is due stays listed until done or dismissed (only a thank-you leaves the
    # list). A letter sent on a Saturday: its receipt check left the list on the Saturday two
    # weeks on, the follow-up letter replacing it comes on Monday.
    add_prospects(run, tmp_path, [MARIA])
    assert run("--today", "2026-10-03", "batch").exit_code == 0
    assert run("--today", "2026-10-03", "send", "--yes").exit_code == 0
    assert due(run, "2026-10-16") == [(1, "receipt-check", "email", "2026-10-06")]
    assert due(run, "2026-10-17") == [(1, "receipt-check", "email", "2026-10-06")]


# --- nothing listed twice ------------------------------------------------------------------------


def test_the_same_person_met_twice_in_a_day_gets_one_thank_you(run, tmp_path):
    # DOMAIN: "a thank-you note to every person met": one each. The interview logged twice
    # (--again) with the hiring authority listed two identical notes.
    add_prospects(run, tmp_path, [MARIA])
    log(run, MONDAY, "1", "interview")
    log(run, MONDAY, "1", "interview", "--again")
    assert due(run, MONDAY) == [(1, "thank-you", "email", MONDAY)]


# --- a reply, a meeting agreed, an offer: the NEW contract --------------------------------------


def test_a_reply_is_answered_the_same_day(run, tmp_path):
    # DOMAIN: a reply "is answered the same day ... Until the user says what they did, it is
    # the first thing on the list."
    add_prospects(run, tmp_path, [MARIA])
    log(run, MONDAY, "1", "reply")
    assert [(pid, kind, day) for pid, kind, _, day in due(run, MONDAY)] == [
        (1, "answer-reply", MONDAY)
    ]
    log(run, MONDAY, "1", "answered")
    assert due(run, MONDAY) == []


def test_a_meeting_agreed_by_phone_before_any_letter_is_to_be_logged(run, tmp_path):
    # README: "a meeting agreed on the phone | a reminder a week on to log it"; NEW: always.
    add_prospects(run, tmp_path, [MARIA])
    log(run, MONDAY, "1", "call", "--outcome", "meeting-set")
    assert [(i[1], i[3]) for i in due(run, MONDAY, 30)] == [("meeting-to-log", "2026-10-05")]


def test_a_meeting_agreed_by_phone_after_a_reply_is_to_be_logged(run, tmp_path):
    # NEW: a meeting agreed by phone "always gets a meeting-to-log item ... whether or not a
    # reply came first".
    add_prospects(run, tmp_path, [MARIA])
    assert run("--today", MONDAY, "batch").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 0
    log(run, "2026-09-29", "1", "reply")
    log(run, "2026-09-30", "1", "call", "--outcome", "meeting-set")
    assert [(i[1], i[3]) for i in due(run, "2026-09-30", 30)] == [("meeting-to-log", "2026-10-07")]


def test_offer_and_answered_are_events(run, tmp_path):
    # NEW: `log P offer` (a stage of its own) and `log P answered` (you answered their reply).
    add_prospects(run, tmp_path, [MARIA])
    for event in ("answered", "offer"):
        result = run("--today", MONDAY, "log", "1", event)
        assert result.exit_code == 0, result.stderr


def test_every_prospect_has_a_stage_and_a_next_step_or_nothing_planned(run, tmp_path):
    # DOMAIN: "Every employer on the list is always somewhere ... the user can see the next
    # step and its date, or that nothing more is planned".
    add_prospects(run, tmp_path, [MARIA])
    [maria] = run.json("--today", MONDAY, "prospects")
    assert maria["stage"] == "not-written"
    assert maria["next_step"] is not None or maria["nothing_planned"]
    listed = run.json("--today", MONDAY, "prospects", "--stage", "not-written")
    assert [p["id"] for p in listed] == [1]


# --- a dismissed thank-you answers the interviews logged before it, not a later one ---------


def test_a_second_interview_the_same_day_after_a_dismissal_owes_its_own_thank_you(run, tmp_path):
    # DOMAIN: "a thank-you note to every person met, the same day". The first meeting's note
    # was dismissed; a second meeting logged afterwards (--again) owes its own.
    add_prospects(run, tmp_path, [MARIA])
    log(run, MONDAY, "1", "interview")
    assert [kind for _, kind, _, _ in due(run, MONDAY)] == ["thank-you"]
    log(run, MONDAY, "1", "skip", "--item", "thank-you")
    assert due(run, MONDAY) == []
    log(run, MONDAY, "1", "interview", "--again")
    assert due(run, MONDAY) == [(1, "thank-you", "email", MONDAY)]
