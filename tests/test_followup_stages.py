"""Stages and next steps, replies to answer, refused addresses, retries whatever prompted the
call, undo: each hole found by hand in a six-week campaign, and each new rule, as a plain test.

Monday 2026-09-28 starts every campaign here; `campaign due --json` is read as tuples.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from tests.helpers import add_prospects, kept_follow_ups_problems, use_smtp

MONDAY = "2026-09-28"
MARIA = {  # email and phone, no postal address
    "Company": "Acme Tools",
    "First Name": "Maria",
    "Last Name": "Lopez",
    "Title": "VP Operations",
    "Email": "maria@acme.example",
    "Phone": "617-555-0101",
}
KEN = {  # email only
    "Company": "Birch Labs",
    "First Name": "Ken",
    "Last Name": "Ito",
    "Title": "CTO",
    "Email": "ken@birch.example",
}


def due(run, today: str, days: int = 0) -> list[tuple]:
    items = run.json("--today", today, "due", "--days", days)
    return [(i["prospect_id"], i["kind"], i["channel"], i["due"]) for i in items]


def log(run, today: str, *args: str) -> None:
    result = run("--today", today, "log", *args)
    assert result.exit_code == 0, result.stderr


def written(run, tmp_path, *rows: dict) -> None:
    """Prospects imported, in this week's batch, their first letters written to outbox/ (or
    printed and posted)."""
    add_prospects(run, tmp_path, list(rows))
    assert run("--today", MONDAY, "batch").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 0
    if any(not row.get("Email") for row in rows):
        assert run("--today", MONDAY, "print", "--mark-mailed").exit_code == 0


# --- the holes -----------------------------------------------------------------------------------


def test_a_meeting_agreed_after_a_reply_asks_to_be_logged(run, tmp_path):
    # Reply -> call -> meeting is the usual path; the reminder came only without a reply.
    written(run, tmp_path, MARIA)
    log(run, "2026-10-05", "1", "reply", "--note", "Please call me.")
    log(run, "2026-10-05", "1", "call", "--outcome", "meeting-set", "--note", "Tue 10/13")
    assert due(run, "2026-10-12", 30) == [(1, "meeting-to-log", "log", "2026-10-12")]
    [item] = run.json("--today", "2026-10-12", "due")
    assert item["reason"] == (
        "meeting agreed on 2026-10-05: once held, log it as an interview with everyone met; "
        '`campaign log 1 interview --with "Name, Title, email"`'
    )
    log(run, "2026-10-13", "1", "interview")
    assert [r[1] for r in due(run, "2026-10-13")] == ["thank-you"]


def test_an_address_refused_at_sending_is_a_refused_item(run, workspace, tmp_path, smtp_server):
    add_prospects(run, tmp_path, [MARIA, KEN])
    use_smtp(workspace, smtp_server)
    smtp_server.refuse.add("maria@acme.example")
    assert run("--today", MONDAY, "batch").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 1
    [refused] = [i for i in run.json("--today", MONDAY, "due") if i["kind"] == "refused"]
    assert (refused["prospect_id"], refused["channel"], refused["due"]) == (1, "call", MONDAY)
    assert refused["reason"].startswith(
        "maria@acme.example was refused by the mail server on 2026-09-28; find a new address"
    )
    # No more email to it: the next run does not try it again, nor any follow-up letter.
    assert run("--today", "2026-10-12", "send", "--yes").exit_code == 0
    assert run("--today", "2026-10-12", "send", "--followups", "--yes").exit_code == 0
    assert smtp_server.to("maria@acme.example") == []
    shown = run.json("--today", "2026-10-12", "show", "1")
    assert shown["stage"] == "not-written"
    assert shown["next_step"]["kind"] == "refused"
    # A corrected address imported: the item goes, and the first letter is owed to it.
    add_prospects(run, tmp_path, [{**MARIA, "Email": "m.lopez@acme.example"}], name="fix.csv")
    assert [r for r in due(run, "2026-10-12") if r[0] == 1] == []
    assert run.json("--today", "2026-10-12", "show", "1")["next_step"]["kind"] == "first-letter"


def test_a_refusal_is_dealt_with_by_a_call_that_reached_them(run, workspace, tmp_path, smtp_server):
    add_prospects(run, tmp_path, [MARIA])
    use_smtp(workspace, smtp_server)
    smtp_server.refuse.add("maria@acme.example")
    assert run("--today", MONDAY, "batch").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 1
    log(run, "2026-09-29", "1", "call", "--outcome", "no-answer")
    assert "refused" in [r[1] for r in due(run, "2026-09-29")]  # nobody answered: still owed
    log(run, "2026-09-30", "1", "call", "--outcome", "spoke", "--note", "new address coming")
    assert "refused" not in [r[1] for r in due(run, "2026-09-30", 30)]


def test_an_unanswered_call_is_tried_again_whatever_prompted_it(run, tmp_path):
    # A call after a reply: no cadence row asked for it, and it used to be forgotten.
    written(run, tmp_path, MARIA)
    log(run, "2026-10-01", "1", "reply", "--note", "Call me Friday.")
    log(run, "2026-10-01", "1", "answered")
    log(run, "2026-10-02", "1", "call", "--outcome", "left-message")  # a Friday
    assert due(run, "2026-10-02", 30) == [(1, "call-back", "call", "2026-10-06")]
    [item] = run.json("--today", "2026-10-06", "due")
    assert item["reason"] == "left a message on 2026-10-02: try again"
    # Three in a row: change the approach, the next working day.
    log(run, "2026-10-06", "1", "call", "--outcome", "no-answer")
    log(run, "2026-10-08", "1", "call", "--outcome", "no-answer")
    assert due(run, "2026-10-09") == [(1, "change-approach", "call", "2026-10-09")]
    log(run, "2026-10-09", "1", "call", "--outcome", "spoke")
    assert due(run, "2026-10-09", 30) == []


def test_an_overdue_call_stays_listed_until_done(run, tmp_path):
    # A posted letter's receipt check went unanswered; the follow-up letter falling due used
    # to take the retry off the list with no word.
    written(run, tmp_path, {**MARIA, "Email": "", "Address": "1 Main St", "City": "Boston",
                            "ZIP": "02134"})  # fmt: skip
    log(run, "2026-10-07", "1", "call", "--outcome", "no-answer")
    assert due(run, "2026-10-09") == [(1, "receipt-check", "call", "2026-10-09")]
    later = due(run, "2026-10-19")
    assert (1, "call-back", "call", "2026-10-09") in later
    assert (1, "followup-letter-1", "post", "2026-10-12") in later


def test_the_web_due_page_lists_what_the_cli_lists(run, workspace, tmp_path):
    from campaign.web.cache import LedgerCache
    from campaign.workspace.settings import load

    written(run, tmp_path, {**MARIA, "Email": "", "Address": "1 Main St", "City": "Boston",
                            "ZIP": "02134"})  # fmt: skip
    log(run, "2026-10-07", "1", "call", "--outcome", "no-answer")
    cache = LedgerCache()
    try:
        listed = cache.followups(load(workspace), dt.date(2026, 10, 19))
        assert [(i.prospect_id, i.kind, i.channel, i.due.isoformat()) for i in listed] == due(
            run, "2026-10-19"
        )
    finally:
        cache.stop()


def test_a_follow_up_preview_never_dates_a_letter_that_did_not_go(run, tmp_path):
    add_prospects(run, tmp_path, [MARIA])
    shown = run("--today", MONDAY, "preview", "1", "--letter", "followup1")
    assert shown.exit_code == 0, shown.stderr
    assert "September 28, 2026, I wrote" not in shown.stdout
    assert "[the day your first letter goes]" in shown.stdout


# --- replies are to-dos ----------------------------------------------------------------------


def test_a_reply_is_first_on_the_list_until_answered(run, tmp_path):
    written(run, tmp_path, MARIA, KEN)
    log(run, "2026-10-12", "2", "reply", "--note", "Thanks for writing.\nCould we talk on Tue?")
    items = run.json("--today", "2026-10-13", "due")
    assert [(i["prospect_id"], i["kind"], i["due"]) for i in items] == [
        (2, "answer-reply", "2026-10-12"),
        (1, "followup-letter-1", "2026-10-12"),
    ]
    assert items[0]["reason"] == (
        "Ken Ito wrote on 2026-10-12: 'Thanks for writing.'; answer it today, then "
        "`campaign log 2 answered`"
    )
    assert "1 reply to answer today" in run("--today", "2026-10-13", "due").stderr
    # A call that only reached the assistant has not answered it; one that reached Ken has.
    log(run, "2026-10-13", "2", "call", "--outcome", "assistant")
    assert [r[1] for r in due(run, "2026-10-13") if r[0] == 2] == ["answer-reply"]
    log(run, "2026-10-13", "2", "call", "--outcome", "spoke")
    assert [r[1] for r in due(run, "2026-10-13") if r[0] == 2] == []


def test_a_reply_can_be_dismissed(run, tmp_path):
    written(run, tmp_path, MARIA)
    log(run, "2026-10-01", "1", "reply")
    log(run, "2026-10-01", "1", "skip", "--item", "answer-reply", "--note", "answered by phone")
    assert due(run, "2026-10-01", 60) == []
    shown = run.json("--today", "2026-10-01", "show", "1")
    assert (shown["stage"], shown["next_step"]) == ("answered", None)
    assert shown["nothing_planned"] == (
        "they replied on 2026-10-01; `campaign log 1 EVENT` records what happens next"
    )


# --- stages and next steps -------------------------------------------------------------------


def test_every_prospect_has_a_stage_and_a_next_step_or_why_not(run, tmp_path):
    add_prospects(run, tmp_path, [MARIA, KEN])
    listed = run.json("--today", MONDAY, "prospects")
    assert [(p["stage"], p["next_step"], p["nothing_planned"]) for p in listed] == [
        ("not-written", None, "not in a batch yet; run `campaign batch` first"),
    ] * 2
    assert run("--today", MONDAY, "batch", "--size", "1").exit_code == 0
    maria = run.json("--today", MONDAY, "show", "1")
    assert maria["next_step"] == {
        "kind": "first-letter",
        "due": MONDAY,
        "reason": "in the batch picked on 2026-09-28; `campaign send` (by email) or "
        "`campaign print` (by post) sends it",
    }
    assert run("--today", MONDAY, "send", "--yes").exit_code == 0
    assert run.json("--today", MONDAY, "show", "1")["next_step"]["kind"] == "receipt-check"
    # Two follow-up letters and no answer: nothing more is planned, and it says why.
    for day in ("2026-10-12", "2026-10-26"):
        assert run("--today", day, "send", "--followups", "--yes").exit_code == 0
    maria = run.json("--today", "2026-10-26", "show", "1")
    assert (maria["stage"], maria["next_step"]) == ("written", None)
    assert maria["nothing_planned"] == (
        "2 follow-up letters and no answer since 2026-10-26; call, or close it "
        "(`campaign log 1 closed`)"
    )
    table = run("--today", "2026-10-26", "prospects").stdout
    assert "written" in table
    assert "not-written" in table
    assert [p["id"] for p in run.json("prospects", "--stage", "not-written")] == [2]


def test_offer_and_interview_stages(run, tmp_path):
    written(run, tmp_path, MARIA)
    log(run, "2026-10-05", "1", "call", "--outcome", "meeting-set")
    assert run.json("--today", "2026-10-05", "show", "1")["stage"] == "meeting"
    log(run, "2026-10-08", "1", "interview")
    assert run.json("--today", "2026-10-08", "show", "1")["stage"] == "interviewed"
    assert "follow-up-call" in [r[1] for r in due(run, "2026-10-08", 60)]
    log(run, "2026-10-20", "1", "offer")
    shown = run.json("--today", "2026-10-20", "show", "1")
    assert (shown["stage"], shown["next_step"]) == ("offer", None)
    assert shown["nothing_planned"].startswith("an offer on 2026-10-20; `campaign log 1 hired`")
    log(run, "2026-10-22", "1", "hired")
    assert run.json("--today", "2026-10-22", "show", "1")["stage"] == "hired"
    assert run.json("--today", "2026-10-22", "status")["stages"]["hired"] == 1


def test_a_bad_address_and_no_other_way_is_paused(run, workspace, tmp_path, smtp_server):
    add_prospects(run, tmp_path, [KEN])
    use_smtp(workspace, smtp_server)
    smtp_server.refuse.add("ken@birch.example")
    assert run("--today", MONDAY, "batch").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 1
    assert run.json("--today", MONDAY, "show", "1")["stage"] == "paused"
    assert [p["id"] for p in run.json("--today", MONDAY, "prospects", "--stage", "paused")] == [1]


# --- undo ----------------------------------------------------------------------------------------


def test_undo_keeps_the_event_marked_and_restores_what_it_changed(run, tmp_path):
    written(run, tmp_path, MARIA)
    logged = run.json("--today", "2026-10-01", "log", "1", "rejected", "--note", "wrong one")
    assert run.json("--today", "2026-10-01", "show", "1")["status"] == "rejected"
    undone = run.json("--today", "2026-10-02", "log", "1", "undo", str(logged["touch_id"]))
    assert undone == {
        "touch_id": logged["touch_id"],
        "prospect_id": 1,
        "event": "undo",
        "undone": "rejected",
        "on": "2026-10-02",
    }
    shown = run.json("--today", "2026-10-02", "show", "1")
    assert (shown["status"], shown["stage"]) == ("active", "written")
    [event] = [h for h in shown["history"] if h["what"] == "rejected"]
    assert (event["touch_id"], event["undone_on"], event["detail"]) == (
        1,
        "2026-10-02",
        "wrong one",
    )
    assert "(undone on 2026-10-02)  [event 1]" in run("show", "1").stdout
    assert [r[1] for r in due(run, "2026-10-12")] == ["followup-letter-1"]
    again = run("--today", "2026-10-02", "log", "1", "undo", "1")
    assert again.exit_code == 2
    assert again.stderr == ("campaign: error: event 1 of #1 Acme Tools was undone on 2026-10-02\n")
    missing = run("--today", "2026-10-02", "log", "1", "undo", "99")
    assert missing.stderr == (
        "campaign: error: #1 Acme Tools has no logged event 99; `campaign show 1` gives each "
        "event its id\n"
    )
    assert run("--today", "2026-10-02", "log", "1", "undo").exit_code == 2


def test_undo_a_reply_and_a_skip(run, tmp_path):
    written(run, tmp_path, MARIA)
    reply = run.json("--today", "2026-10-01", "log", "1", "reply")["touch_id"]
    assert run.json("--today", "2026-10-01", "show", "1")["status"] == "replied"
    run.json("--today", "2026-10-01", "log", "1", "undo", str(reply))
    assert run.json("--today", "2026-10-01", "show", "1")["status"] == "active"
    assert due(run, "2026-10-01") == [(1, "receipt-check", "email", "2026-10-01")]
    skip = run.json("--today", "2026-10-01", "log", "1", "skip", "--item", "receipt-check")
    assert due(run, "2026-10-01") == []
    run.json("--today", "2026-10-01", "log", "1", "undo", str(skip["touch_id"]))
    assert due(run, "2026-10-01") == [(1, "receipt-check", "email", "2026-10-01")]
    # The same event can be logged again the same day once the first is undone.
    log(run, "2026-10-01", "1", "reply")


# --- kept in the ledger, computed again only when stale ------------------------------------------


def test_any_writer_marks_a_prospect_stale(run, workspace, tmp_path):
    from campaign.followups.store import differences
    from campaign.ledger.db import connect
    from campaign.workspace.settings import load

    written(run, tmp_path, MARIA, KEN)
    assert due(run, "2026-10-01") == [
        (1, "receipt-check", "email", "2026-10-01"),
        (2, "receipt-check", "email", "2026-10-01"),
    ]
    # Another program writes straight into the ledger: a trigger marks the prospect stale.
    raw = sqlite3.connect(workspace / "campaign.db")
    raw.execute(
        "INSERT INTO touches (prospect_id, kind, on_date, created_at) "
        "VALUES (2, 'received', '2026-09-30', '2026-09-30T10:00:00Z')"
    )
    raw.commit()
    assert raw.execute("SELECT prospect_id FROM followup_stale").fetchall() == [(2,)]
    raw.close()
    assert due(run, "2026-10-01") == [(1, "receipt-check", "email", "2026-10-01")]
    settings = load(workspace)
    conn = connect(settings.ledger_path)
    assert differences(conn, settings.cadence, dt.date(2026, 10, 1)) == []
    # A stored answer that went wrong is caught by the check the random histories run.
    conn.execute("UPDATE followup_items SET due = '2026-10-02' WHERE prospect_id = 1")
    found = differences(conn, settings.cadence, dt.date(2026, 10, 1))
    assert len(found) == 1
    assert found[0].startswith("#1 items: stored")
    conn.close()


def test_a_new_cadence_or_a_new_day_computes_again(run, workspace, tmp_path):
    from tests.helpers import configure

    written(run, tmp_path, MARIA)
    log(run, "2026-09-30", "1", "interview")
    assert (1, "thank-you", "email", "2026-09-30") in due(run, "2026-10-07")
    # Nothing was written, yet a week and a day on the thank-you has left the list.
    assert "thank-you" not in [r[1] for r in due(run, "2026-10-08", 60)]
    assert "left the list" in run("--today", "2026-10-08", "due").stderr
    # Back in time: computed again for that day.
    assert (1, "thank-you", "email", "2026-09-30") in due(run, "2026-10-01")
    configure(workspace, cadence={"first_call_after_meeting_days": 7})
    assert (1, "follow-up-call", "call", "2026-10-07") in due(run, "2026-10-01", 30)


def test_the_kept_counts_are_the_counts(run, workspace, tmp_path):
    from campaign.ledger.db import connect
    from campaign.reports.status import counts

    written(run, tmp_path, MARIA, KEN)
    log(run, "2026-10-01", "1", "call", "--outcome", "spoke")
    touch = run.json("--today", "2026-10-01", "log", "2", "reply")["touch_id"]
    run.json("--today", "2026-10-01", "log", "2", "undo", str(touch))
    run.json("--today", "2026-10-01", "status")
    conn = connect(workspace / "campaign.db")
    kept = counts(conn)
    assert kept["prospects"] == {"active": 2}
    assert kept["sends"] == {"sent|email|outbox": 2}
    assert kept["touches"] == {"call|1": 1, "reply|0": 1}
    assert kept["followup_state"] == {"written|written": 2}
    conn.close()
    assert kept_follow_ups_problems(workspace, dt.date(2026, 10, 1)) == []
