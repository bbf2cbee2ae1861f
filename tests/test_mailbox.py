"""campaign sync, sent copies and threaded follow-ups against a real Dovecot and aiosmtpd."""

from __future__ import annotations

import json

from tests.helpers import add_prospects, configure, free_port, use_imap, use_smtp
from tests.messages import dsn, newsletter, out_of_office, reply

SENT_ON = "2026-12-01"  # a Tuesday


def rows(count: int, **extra) -> list[dict]:
    """Prospects at their own companies' domains: person N <personN@companyN.test>."""
    return [
        {
            "Company": f"Company {n}",
            "First Name": f"Person{n}",
            "Last Name": f"Surname{n}",
            "Email": f"person{n}@company{n}.example.com",
            **extra,
        }
        for n in range(1, count + 1)
    ]


def sent_batch(run, workspace, smtp_server, imap, tmp_path, count=4, **imap_settings):
    """A workspace whose first batch went out through aiosmtpd; returns {address: Message-ID}."""
    use_smtp(workspace, smtp_server)
    use_imap(workspace, imap, **imap_settings)
    add_prospects(run, tmp_path, rows(count))
    assert run("--today", SENT_ON, "batch").exit_code == 0
    result = run("--today", SENT_ON, "send", "--yes")
    assert result.exit_code == 0, result.stderr
    return {m.rcpt_tos[0]: m.message["Message-ID"] for m in smtp_server}


def test_sync_stops_exactly_the_follow_ups_of_those_who_replied(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path)
    answer = "Yes, call me Monday.\n\n> Dear"
    imap.deliver(
        reply("Person1 <person1@company1.example.com>", "Re: your letter", answer,
              in_reply_to=ids["person1@company1.example.com"]),
        dsn("person2@company2.example.com", original_id=ids["person2@company2.example.com"]),
        out_of_office("person3@company3.example.com", ids["person3@company3.example.com"]),
        newsletter(),
        smtp_server[3].raw,  # our own letter to person 4, as a Bcc to ourselves leaves it
    )  # fmt: skip
    report = run.json("--today", "2026-12-02", "sync")
    assert {k: report[k] for k in ("scanned", "replies", "auto_replies", "bounces")} == {
        "scanned": 5,
        "replies": 1,
        "auto_replies": 1,
        "bounces": 1,
    }
    assert report["possible_replies"] == 0
    kinds = {(i["prospect_id"], i["kind"]) for i in report["items"]}
    assert kinds == {(1, "reply"), (2, "bounce"), (3, "auto-reply")}
    assert next(i for i in report["items"] if i["kind"] == "reply")["subject"] == "Re: your letter"
    # Read-only: nothing was marked as read.
    assert all("\\Seen" not in {f.decode() for f in flags} for flags, _ in imap.read())

    due = run.json("--today", "2026-12-15", "due")
    letters = sorted(i["prospect_id"] for i in due if i["kind"] == "followup-letter-1")
    assert letters == [3, 4]  # not 1 (replied), not 2 (bounced); 3's out-of-office changes nothing
    [bounced] = [i for i in due if i["kind"] == "bounced"]
    assert bounced["prospect_id"] == 2
    assert bounced["channel"] == "post"  # no phone: write
    assert "person2@company2.example.com bounced" in bounced["reason"]

    shown = run.json("show", "1")
    assert any(
        h["what"] == "reply" and "Yes, call me Monday" in h["detail"] for h in shown["history"]
    )
    assert "Dear" not in next(h["detail"] for h in shown["history"] if h["what"] == "reply")
    assert run.json("prospects", "--status", "replied")[0]["id"] == 1
    bounced = run.json("show", "2")["history"]
    assert [h["status"] for h in bounced if h["what"] == "intro letter by email"] == ["bounced"]

    again = run.json("--today", "2026-12-03", "sync")
    assert again["scanned"] == 0
    assert again["items"] == []
    assert (again["replies"], again["bounces"], again["auto_replies"]) == (0, 0, 0)
    status = run.json("--today", "2026-12-03", "status")
    assert (status["replies"], status["bounces"], status["auto_replies"]) == (1, 1, 1)


def test_follow_ups_thread_to_the_first_letter_and_copies_land_in_sent_once(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=2)
    sent = imap.read("Sent")
    assert len(sent) == 2
    assert all(b"\\Seen" in flags for flags, _ in sent)
    assert {m.raw for m in smtp_server} == {data for _, data in sent}  # the exact bytes
    result = run("--today", "2026-12-15", "send", "--followups", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["sent_copies"] == {"saved": 2, "pending": 0, "error": ""}
    followups = smtp_server[2:]
    assert len(followups) == 2
    for message in (m.message for m in followups):
        first = ids[message["To"].addresses[0].addr_spec]
        assert message["In-Reply-To"] == first
        assert message["References"] == first
    # Nothing owed: a rerun sends nothing and appends nothing.
    assert run("--today", "2026-12-15", "send", "--followups", "--yes").exit_code == 0
    assert run("--today", "2026-12-16", "sync").exit_code == 0
    assert len(imap.read("Sent")) == 4


def test_a_failed_append_keeps_the_send_and_the_next_sync_saves_the_copy(
    run, workspace, smtp_server, imap, tmp_path
):
    use_smtp(workspace, smtp_server)
    use_imap(workspace, imap, sent="Missing")
    add_prospects(run, tmp_path, rows(2))
    assert run("--today", SENT_ON, "batch").exit_code == 0
    result = run("--today", SENT_ON, "send", "--yes", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["sent"] == 2
    assert data["sent_copies"]["pending"] == 2
    assert "there is no folder 'Missing'" in data["sent_copies"]["error"]
    assert "not in your Sent folder yet" in result.stderr
    assert run.json("status")["sends_by_status"] == {"sent": 2}
    use_imap(workspace, imap, sent="")  # back to the folder flagged \Sent
    synced = run.json("--today", "2026-12-02", "sync")
    assert synced["sent_copies"] == {"saved": 2, "pending": 0, "error": ""}
    assert run.json("--today", "2026-12-02", "sync")["sent_copies"]["saved"] == 0
    assert sorted(data for _, data in imap.read("Sent")) == sorted(m.raw for m in smtp_server)


def test_save_sent_off_and_the_outbox_keep_no_copies(run, workspace, smtp_server, imap, tmp_path):
    sent_batch(run, workspace, smtp_server, imap, tmp_path, count=1, save_sent=False)
    assert imap.read("Sent") == []
    assert run.json("--today", "2026-12-02", "sync").get("sent_copies") is None


def test_send_followups_reads_the_inbox_first(run, workspace, smtp_server, imap, tmp_path):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=2)
    # Person 1 answered after the last sync; nobody ran `campaign sync` since.
    imap.deliver(
        reply("person1@company1.example.com", "Re: your letter", "We are not hiring, thanks.",
              in_reply_to=ids["person1@company1.example.com"])
    )  # fmt: skip
    result = run("--today", "2026-12-14", "send", "--followups", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert "Read your inbox first: 1 reply; their follow-ups are held back." in result.stderr
    assert [m.rcpt_tos for m in smtp_server[2:]] == [["person2@company2.example.com"]]
    assert (
        smtp_server.to("person1@company1.example.com")[-1].message["Subject"]
        == (smtp_server[0].message["Subject"])
    )  # person 1 had only the first letter


def test_send_followups_refuses_when_the_inbox_cannot_be_read(
    run, workspace, smtp_server, imap, tmp_path
):
    sent_batch(run, workspace, smtp_server, imap, tmp_path, count=1)
    configure(workspace, imap={"port": free_port()})  # nothing listens there: refused
    result = run("--today", "2026-12-14", "send", "--followups", "--yes")
    assert result.exit_code == 2
    assert "Follow-ups are not sent without reading your inbox first" in result.stderr
    assert len(smtp_server) == 1
    skipped = run("--today", "2026-12-14", "send", "--followups", "--yes", "--no-inbox")
    assert skipped.exit_code == 0, skipped.stderr
    assert "Not reading your inbox first" in skipped.stderr
    assert len(smtp_server) == 2
