"""Mail believed only when it proves itself: forged bounces, strangers in a letter's thread,
senders the user's provider found forged, and bulk mail, in a real Dovecot."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from campaign.mailbox.classify import forged
from tests.messages import dsn, out_of_office, reply
from tests.test_mailbox import SENT_ON, sent_batch

ALICE, BOB, CAROL, DAN = (f"person{n}@company{n}.example.com" for n in range(1, 5))
# The provider's own verdict, written above everything the sender put in the message.
FAILED = (
    "mx.provider.test; spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=company4.example.com; "
    "dkim=fail (signature did not verify) header.d=company4.example.com; "
    "dmarc=fail (p=REJECT) header.from=company4.example.com"
)
PASSED = (
    "mx.provider.test; spf=pass smtp.mailfrom=company4.example.com; "
    "dkim=pass header.d=company4.example.com; dmarc=pass header.from=company4.example.com"
)


def _kinds(report: dict) -> set[tuple[int, str]]:
    return {(i["prospect_id"], i["kind"]) for i in report["items"]}


def test_a_bounce_counts_only_about_a_letter_we_sent_to_the_address_it_names(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=3)
    imap.deliver(
        # A stranger calling itself MAILER-DAEMON, naming Bob, quoting nothing of ours.
        dsn(BOB, sender="MAILER-DAEMON <mailer-daemon@evil.test>"),
        # A report quoting Alice's letter (someone saw it) but naming Carol.
        dsn(CAROL, original_id=ids[ALICE]),
        # A report quoting Bob's letter and naming Alice.
        dsn(ALICE, original_id=ids[BOB]),
    )
    report = run.json("--today", "2026-12-02", "sync")
    assert (report["scanned"], report["bounces"], report["delayed"]) == (3, 0, 0)
    assert report["items"] == []
    assert run.json("--today", "2026-12-02", "due") == []
    for pid in (1, 2, 3):
        history = run.json("show", str(pid))["history"]
        assert [h["status"] for h in history] == ["sent"]
    due = run.json("--today", "2026-12-15", "due")
    assert sorted(i["prospect_id"] for i in due if i["kind"] == "followup-letter-1") == [1, 2, 3]

    # The real report: Carol's own letter quoted back, Carol named.
    imap.deliver(dsn(CAROL, original_id=ids[CAROL]))
    report = run.json("--today", "2026-12-02", "sync")
    assert _kinds(report) == {(3, "bounce")}
    assert [i["prospect_id"] for i in run.json("--today", "2026-12-02", "due")] == [3]


def test_a_bounce_returning_the_whole_message_or_in_plain_text_is_read(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=2)
    whole = next(m.raw for m in smtp_server if m.rcpt_tos == [ALICE])
    returned = (
        b"From: MAILER-DAEMON@mx.mail.test\r\nTo: jane.doe@example.org\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <r1@mx.mail.test>\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;"
        b' boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n'
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.mail.test\r\n"
        b"\r\nFinal-Recipient: rfc822; " + ALICE.encode() + b"\r\nAction: failed\r\n"
        b"Status: 5.1.1\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
        + whole
        + b"\r\n--b--\r\n"
    )
    qmail = (
        b"From: MAILER-DAEMON@mx.mail.test\r\nTo: jane.doe@example.org\r\n"
        b"Subject: failure notice\r\nMessage-ID: <q1@mx.mail.test>\r\n\r\n"
        b"Hi. This is the qmail-send program at mx.mail.test.\r\n"
        b"I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
        b"This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
        b"<" + BOB.encode() + b">:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
        b"--- Below this line is a copy of the message.\r\n\r\n"
        b"Return-Path: <jane.doe@example.org>\r\nMessage-ID: " + ids[BOB].encode() + b"\r\n"
        b"Subject: a letter\r\n\r\nDear Person2\r\n"
    )
    imap.deliver(returned, qmail)
    report = run.json("--today", "2026-12-02", "sync")
    assert _kinds(report) == {(1, "bounce"), (2, "bounce")}


def test_a_reply_in_a_letters_thread_from_a_stranger_is_only_a_possible_reply(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=3)
    imap.deliver(
        reply("Mallory <mallory@gmail.com>", "Re: your letter", "Stop writing.", ids[ALICE]),
        reply("Eve <eve@elsewhere.test>", "Re: your letter", "No.", ids[BOB]),
        # A colleague at the prospect's own company answering in the thread: their reply.
        reply("Pat <pat@company3.example.com>", "Re: your letter", "Call me.", ids[CAROL]),
    )
    report = run.json("--today", "2026-12-02", "sync")
    assert (report["replies"], report["possible_replies"]) == (1, 2)
    assert _kinds(report) == {(1, "possible-reply"), (2, "possible-reply"), (3, "reply")}
    assert [p["id"] for p in run.json("prospects", "--status", "replied")] == [3]
    checks = [i for i in run.json("--today", "2026-12-02", "due") if i["kind"] == "check-reply"]
    assert [(i["prospect_id"], i["channel"]) for i in checks] == [(1, "inbox"), (2, "inbox")]
    assert run("prospects", "--status", "replied").stderr.endswith("1 prospect.\n")
    assert "mallory@gmail.com" in checks[0]["reason"]
    assert "'Stop writing.'; a reply?" in checks[0]["reason"]  # their first words too
    # Their follow-ups go on until the user says it was an answer.
    due = run.json("--today", "2026-12-15", "due")
    assert sorted(i["prospect_id"] for i in due if i["kind"] == "followup-letter-1") == [1, 2]


def test_a_sender_the_users_provider_found_forged_is_never_a_reply(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=4)
    # "Dan" in his letter's thread; the provider's failing verdict on top, and a passing one
    # the sender wrote into the message below it, which says nothing.
    forged = b"Authentication-Results: " + FAILED.encode() + b"\r\n" + reply(
        "Dan <person4@company4.example.com>", "Re: your letter", "We are not hiring.", ids[DAN],
        Authentication_Results=PASSED,
    )  # fmt: skip
    imap.deliver(forged)
    result = run("--today", "2026-12-02", "sync", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["scanned"], report["replies"], report["possible_replies"]) == (1, 0, 0)
    assert report["failed_authentication"] == 1
    assert report["items"] == []
    assert "1 message failed your mail provider's sender checks" in result.stderr
    assert run.json("prospects", "--status", "replied") == []

    # Dan's real answer: the provider's verdict on top passes; a failing one below it came
    # with the message.
    genuine = b"Authentication-Results: " + PASSED.encode() + b"\r\n" + reply(
        "Dan <person4@company4.example.com>", "Re: your letter", "Call me.", ids[DAN],
        Authentication_Results=FAILED,
    )  # fmt: skip
    imap.deliver(genuine)
    report = run.json("--today", "2026-12-03", "sync")
    assert _kinds(report) == {(4, "reply")}
    assert report["failed_authentication"] == 0


def test_bulk_mail_is_never_a_reply_and_an_out_of_office_stays_an_automatic_reply(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=4)
    imap.deliver(
        # The company newsletter, from Alice's own address and in her letter's thread.
        reply(ALICE, "Our news", "Read all about it.", ids[ALICE],
              List_Unsubscribe="<mailto:leave@company1.example.com>"),
        reply("news@company2.example.com", "Our news", "Deals.", List_Id="<news.company2>"),
        reply("team@company3.example.com", "Our news", "Deals.", Precedence="bulk"),
        reply(CAROL, "Your ticket", "Opened.", Auto_Submitted="auto-generated"),
        reply(DAN, "Digest", "Weekly.", ids[DAN], Precedence="list"),
        # A vacation program's answer may be marked junk: it is an out-of-office all the same.
        reply(BOB, "Away until Monday", "Back Monday.", ids[BOB], Auto_Submitted="auto-replied",
              Precedence="junk"),
        out_of_office(DAN, ids[DAN]),
    )  # fmt: skip
    report = run.json("--today", "2026-12-02", "sync")
    assert (report["replies"], report["possible_replies"], report["auto_replies"]) == (0, 0, 2)
    assert _kinds(report) == {(2, "auto-reply"), (4, "auto-reply")}
    assert run.json("prospects", "--status", "replied") == []
    assert [i["kind"] for i in run.json("--today", "2026-12-02", "due")] == []


def test_a_bounce_is_recorded_on_its_own_date_within_the_send_and_today(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=3)
    imap.deliver(
        dsn(ALICE, original_id=ids[ALICE], when=dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC)),
        # A Date before the letter went (a wrong clock), and one after today.
        dsn(BOB, original_id=ids[BOB], when=dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)),
        dsn(CAROL, original_id=ids[CAROL], when=dt.datetime(2027, 5, 1, 10, tzinfo=dt.UTC)),
    )
    today = "2026-12-09"
    report = run.json("--today", today, "sync")
    dates = {i["prospect_id"]: i["date"] for i in report["items"]}
    assert dates == {1: "2026-12-03", 2: SENT_ON, 3: today}
    due = {i["prospect_id"]: i for i in run.json("--today", today, "due")}
    for pid, day in dates.items():
        assert due[pid]["kind"] == "bounced"
        assert due[pid]["due"] == day
        assert f"bounced on {day}" in due[pid]["reason"]
        history = run.json("show", str(pid))["history"]
        assert [h["date"] for h in history if h["what"] == "bounced"] == [day]


# --- the provider's verdict: only the topmost Authentication-Results counts ---------------------


VERDICTS = st.fixed_dictionaries(
    {},
    optional={
        m: st.sampled_from(["pass", "fail", "softfail", "none", "neutral", "temperror"])
        for m in ("spf", "dkim", "dmarc")
    },
)


def _header(verdict: dict[str, str]) -> str:
    said = "; ".join(f"{m}={r} (a comment; with=signs) x.y=z" for m, r in verdict.items())
    return f"mx.provider.test; {said or 'none'}"


@given(top=VERDICTS, below=st.lists(VERDICTS, max_size=3))
def test_only_the_topmost_verdict_counts_and_dmarc_decides_when_given(top, below):
    said = forged([_header(top), *map(_header, below)])
    assert said == forged([_header(top)])
    # Written from RFC 7489 and RFC 8601, not from the code: DMARC's result when there is one,
    # else forged when nothing passed and something failed.
    if "dmarc" in top:
        assert said == (top["dmarc"] == "fail")
    else:
        checks = {top.get("spf"), top.get("dkim")}
        assert said == ("fail" in checks and "pass" not in checks)


def test_a_verdict_without_an_authserv_id_is_read_too():
    # Microsoft's form: no authserv-id, results first.
    microsoft = (
        "spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=x.test; dkim=none; "
        "dmarc=fail action=none header.from=x.test;compauth=fail reason=000"
    )
    assert forged([microsoft])
    assert not forged(["spf=pass smtp.mailfrom=x.test; dkim=pass; dmarc=pass header.from=x.test"])
    assert not forged([])
