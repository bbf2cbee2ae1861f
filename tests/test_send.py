"""campaign send: what a real SMTP server received, and what the ledger says, run after run."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import signal
import subprocess
import sys
from email.utils import parsedate_to_datetime

import pytest

from tests.helpers import add_prospects, configure, people, use_smtp

TODAY = "2026-11-23"  # a Monday, week 2026-W48
PASSWORD = "correct-horse-battery-staple-7731"
USER = "jane.doe@example.org"

ZOE = {
    "Company": "Société Générale",
    "First Name": "Zoë",
    "Last Name": "Łukasiewicz",
    "Title": "Directrice",
    "Email": "zoe@gamma.example",
}
POST = {
    "Company": "Paper Mill",
    "First Name": "Pat",
    "Last Name": "Post",
    "Address": "1 Mill Road",
    "City": "Springfield",
    "ZIP": "62704",
}


def prepare(run, workspace, tmp_path, server, rows, **sending) -> None:
    """SMTP at `server`, the rows imported, this week's batch picked."""
    if server is not None:
        use_smtp(workspace, server, **sending)
    elif sending:
        configure(workspace, sending=sending)
    add_prospects(run, tmp_path, rows)
    picked = run("--today", TODAY, "batch", "--all")
    assert picked.exit_code == 0, picked.stderr


def send(run, *args, today: str = TODAY, env: dict | None = None):
    return run("--today", today, "send", *args, env=env)


def send_json(run, *args, today: str = TODAY, env: dict | None = None) -> tuple[int, dict]:
    result = send(run, "--json", *args, today=today, env=env)
    return result.exit_code, json.loads(result.stdout)


def counts(data: dict) -> dict:
    return {k: data[k] for k in ("sent", "failed", "unknown", "owed", "post")}


def rows(ledger) -> dict[str, dict]:
    """The sends, by recipient."""
    return {r["recipient"]: dict(r) for r in ledger.execute("SELECT * FROM sends ORDER BY id")}


def copies(server) -> dict[str, int]:
    """How many messages each recipient received."""
    seen: dict[str, int] = {}
    for received in server:
        for rcpt in received.rcpt_tos:
            seen[rcpt] = seen.get(rcpt, 0) + 1
    return seen


def addresses(count: int, start: int = 1) -> list[str]:
    return [f"person{n}@example.com" for n in range(start, start + count)]


# --- the outbox (no [smtp]) -----------------------------------------------------------------


def test_outbox_gets_one_eml_per_email_prospect_once(run, workspace, tmp_path, ledger):
    prepare(run, workspace, tmp_path, None, [*people(3), POST, ZOE])
    code, data = send_json(run, "--yes")
    assert code == 0
    assert counts(data) == {"sent": 4, "failed": 0, "unknown": 0, "owed": 0, "post": 1}
    files = sorted((workspace / "outbox").iterdir())
    assert [f.suffix for f in files] == [".eml"] * 4
    parsed = {}
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        (to,) = message["To"].addresses
        parsed[to.addr_spec] = message
        assert message["Subject"]
        assert message.get_body(("plain",)).get_content().startswith("Dear ")
        assert "<p>" in message.get_body(("html",)).get_content()
    assert set(parsed) == {*addresses(3), "zoe@gamma.example"}
    assert not any("paper-mill" in f.name for f in files)
    ledger_rows = rows(ledger)
    assert set(ledger_rows) == set(parsed)
    for to, message in parsed.items():
        assert ledger_rows[to]["status"] == "sent"
        assert ledger_rows[to]["message_id"] == message["Message-ID"]
    before = {f.name: f.read_bytes() for f in files}

    code, again = send_json(run, "--yes")
    assert code == 0
    assert counts(again) == {"sent": 0, "failed": 0, "unknown": 0, "owed": 0, "post": 1}
    assert {f.name: f.read_bytes() for f in (workspace / "outbox").iterdir()} == before
    assert len(rows(ledger)) == 4


# --- SMTP: what arrives ---------------------------------------------------------------------


def test_headers_bodies_and_resume_as_received(run, workspace, tmp_path, smtp_server, ledger):
    resume = b"%PDF-1.4\n% a tiny stand-in resume\n%%EOF\n"
    (workspace / "resume.pdf").write_bytes(resume)
    configure(workspace, sender={"resume": "resume.pdf", "reply_to": "jane.replies@example.com"})
    maria = {
        "Company": "Acme",
        "First Name": "Maria",
        "Last Name": "Lopez, Jr.",
        "Title": "COO",
        "Email": "maria@acme.example",
    }
    prepare(run, workspace, tmp_path, smtp_server, [ZOE, maria])
    started = dt.datetime.now(dt.UTC)

    result = send(run, "--yes")

    assert result.exit_code == 0, result.stderr
    assert len(smtp_server) == 2
    assert smtp_server.connections == 1  # one connection for the whole batch
    zoe = smtp_server.to("zoe@gamma.example")[0]
    assert zoe.rcpt_tos == ["zoe@gamma.example"]
    assert zoe.mail_from == "jane.doe@example.org"
    message = zoe.message

    head = zoe.raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()  # non-ASCII names and subject are RFC 2047 encoded words
    to_line = next(h for h in head.split(b"\r\n") if h.startswith(b"To:"))
    assert b"=?utf-8?" in to_line.lower()
    (to,) = message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Zoë Łukasiewicz", "zoe@gamma.example")
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Jane Doe", "jane.doe@example.org")
    assert message["Reply-To"].addresses[0].addr_spec == "jane.replies@example.com"
    assert message["Subject"] == "Directrice at Société Générale: an experienced hand, ready now"
    sent_at = parsedate_to_datetime(message["Date"])
    assert sent_at.tzinfo is not None
    assert abs(sent_at - started) < dt.timedelta(minutes=5)

    (lopez_to,) = smtp_server.to("maria@acme.example")[0].message["To"].addresses
    assert lopez_to.display_name == "Maria Lopez, Jr."

    ids = [r.message["Message-ID"] for r in smtp_server]
    assert len(set(ids)) == 2
    assert all(i.startswith("<") and i.endswith(">") and "@" in i for i in ids)
    ledger_rows = rows(ledger)
    for received in smtp_server:
        (rcpt,) = received.rcpt_tos
        assert ledger_rows[rcpt]["message_id"] == received.message["Message-ID"]
        assert ledger_rows[rcpt]["status"] == "sent"
        assert ledger_rows[rcpt]["sent_on"] == TODAY

    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Dear Zoë Łukasiewicz,")
    assert "as Directrice at Société Générale, you" in text
    assert "results you can measure" in text
    assert "**" not in text
    html = message.get_body(("html",)).get_content()
    assert "<strong>results you can measure</strong>" in html
    assert "<li>cut operating costs by 18% in two years without cutting service</li>" in html

    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "resume.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == resume


def test_a_missing_resume_stops_before_anything_is_sent(
    run, workspace, tmp_path, smtp_server, ledger
):
    configure(workspace, sender={"resume": "resume.pdf"})
    prepare(run, workspace, tmp_path, smtp_server, people(2))
    result = send(run, "--yes")
    assert result.exit_code == 2
    assert "resume.pdf does not exist" in result.stderr
    assert smtp_server.connections == 0
    assert rows(ledger) == {}


def test_refused_recipient_is_failed_with_the_reply_and_the_rest_go(
    run, workspace, tmp_path, smtp_server, ledger
):
    prepare(run, workspace, tmp_path, smtp_server, [*people(4), POST])
    smtp_server.refuse.add("person2@example.com")

    code, data = send_json(run, "--yes")

    assert code == 1
    assert counts(data) == {"sent": 3, "failed": 1, "unknown": 0, "owed": 0, "post": 1}
    assert copies(smtp_server) == {a: 1 for a in addresses(4) if a != "person2@example.com"}
    failed = rows(ledger)["person2@example.com"]
    assert failed["status"] == "failed"
    assert failed["error"].startswith("550 5.1.1 <person2@example.com>")
    assert "User unknown" in failed["error"]
    assert data["failures"] == [{"to": "person2@example.com", "reason": failed["error"]}]

    # Not retried to the same address; retried once the address is corrected and re-imported.
    code, again = send_json(run, "--yes")
    assert (code, again["sent"], again["failed"]) == (0, 0, 0)
    fixed = people(4)
    fixed[1]["Email"] = "person2.new@example.com"
    add_prospects(run, tmp_path, fixed, name="fixed.csv")
    code, third = send_json(run, "--yes")
    assert (code, third["sent"]) == (0, 1)
    assert smtp_server[-1].rcpt_tos == ["person2.new@example.com"]
    assert rows(ledger)["person2.new@example.com"]["status"] == "sent"


def test_json_summary_shape(run, workspace, tmp_path, smtp_server):
    prepare(run, workspace, tmp_path, smtp_server, [*people(2), POST])
    code, data = send_json(run, "--yes")
    assert code == 0
    assert {"sent", "failed", "unknown", "owed", "post"} <= set(data)
    assert all(type(data[k]) is int for k in ("sent", "failed", "unknown", "owed", "post"))
    assert counts(data) == {"sent": 2, "failed": 0, "unknown": 0, "owed": 0, "post": 1}


def test_preview_shows_what_is_then_received(run, workspace, tmp_path, smtp_server):
    prepare(run, workspace, tmp_path, smtp_server, [ZOE, *people(1)])
    shown = run("--today", TODAY, "preview")
    assert shown.exit_code == 0, shown.stderr
    head, _, body = shown.stdout.partition("\n\n")
    assert send(run, "--yes").exit_code == 0
    message = smtp_server.to("zoe@gamma.example")[0].message  # first of the batch
    assert head.splitlines() == [
        f"From: {message['From']}",
        f"To: {message['To']}",
        f"Subject: {message['Subject']}",
    ]
    received = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.strip() == received.strip()


def test_week_option_sends_only_that_weeks_batch(run, workspace, tmp_path, smtp_server, ledger):
    use_smtp(workspace, smtp_server)
    add_prospects(run, tmp_path, people(4))
    assert run("--today", TODAY, "batch", "--size", "2").exit_code == 0
    assert run("--today", "2026-11-30", "batch", "--size", "2").exit_code == 0
    code, data = send_json(run, "--yes", "--week", "2026-W48", today="2026-11-30")
    assert (code, data["sent"]) == (0, 2)
    assert copies(smtp_server) == {a: 1 for a in addresses(2)}
    code, data = send_json(run, "--yes", today="2026-11-30")  # this week and earlier
    assert (code, data["sent"]) == (0, 2)
    assert copies(smtp_server) == {a: 1 for a in addresses(4)}
    missing = send(run, "--yes", "--week", "2026-W50", today="2026-11-30")
    assert missing.exit_code == 2
    assert "no batch for 2026-W50" in missing.stderr


def test_what_earlier_batches_owe_goes_when_this_week_has_none(
    run, workspace, tmp_path, smtp_server
):
    prepare(run, workspace, tmp_path, smtp_server, people(2))
    result = send(run, "--yes", today="2026-12-01")
    assert result.exit_code == 0
    # No prospect is left to pick a batch from: no "run `campaign batch` first", only what went.
    assert result.stderr == "Sent 2 emails.\n"
    assert copies(smtp_server) == {a: 1 for a in addresses(2)}
    again = send(run, "--yes", today="2026-12-01")
    assert again.stderr == "Sent nothing: no email is waiting to go.\n"


# --- SMTP: trouble on the way ----------------------------------------------------------------


def test_a_drop_after_the_content_went_makes_that_send_unknown_never_resent(
    run, workspace, tmp_path, smtp_server, ledger
):
    # Message 3's content reached the server, which closed without answering: it may have
    # queued it. Resending it on our own could make two copies, so it becomes unknown.
    prepare(run, workspace, tmp_path, smtp_server, people(5))
    smtp_server.cut_at = 3
    code, data = send_json(run, "--yes")
    assert (data["sent"], data["unknown"], data["owed"]) == (4, 1, 0)
    assert code == 0
    statuses = {to: r["status"] for to, r in rows(ledger).items()}
    assert statuses.pop("person3@example.com") == "unknown"
    assert set(statuses.values()) == {"sent"}
    assert copies(smtp_server) == {a: 1 for a in addresses(5) if a != "person3@example.com"}
    # The user checked: it did not arrive. Owed again, it goes once.
    [send_id] = [r["id"] for r in rows(ledger).values() if r["status"] == "unknown"]
    assert run("--today", TODAY, "unknown", "--unsent", str(send_id)).exit_code == 0
    assert send_json(run, "--yes")[1]["sent"] == 1
    assert copies(smtp_server) == {a: 1 for a in addresses(5)}


@pytest.mark.parametrize(
    "drop",
    [pytest.param({"close_after": 2}, id="closed-after-accepting-message-2")],
)
def test_dropped_connection_reconnects_and_each_gets_one_copy(
    run, workspace, tmp_path, smtp_server, ledger, drop
):
    prepare(run, workspace, tmp_path, smtp_server, people(5))
    for knob, value in drop.items():
        setattr(smtp_server, knob, value)

    code, data = send_json(run, "--yes")

    assert code == 0
    assert data["sent"] == 5
    assert copies(smtp_server) == {a: 1 for a in addresses(5)}
    assert smtp_server.connections == 2
    assert {r["status"] for r in rows(ledger).values()} == {"sent"}
    assert [r.rcpt_tos[0] for r in smtp_server] == addresses(5)  # batch order kept


def test_temporary_refusal_is_retried(run, workspace, tmp_path, smtp_server, ledger):
    prepare(run, workspace, tmp_path, smtp_server, people(3))
    smtp_server.temporary["person2@example.com"] = 2  # greylisted twice, then accepted
    code, data = send_json(run, "--yes")
    assert (code, data["sent"], data["failed"]) == (0, 3, 0)
    assert copies(smtp_server) == {a: 1 for a in addresses(3)}
    assert rows(ledger)["person2@example.com"]["status"] == "sent"


def test_persistent_4xx_stops_cleanly_and_the_rest_stays_owed(
    run, workspace, tmp_path, smtp_server, ledger
):
    prepare(run, workspace, tmp_path, smtp_server, people(4))
    smtp_server.temporary["person2@example.com"] = 100

    code, data = send_json(run, "--yes")

    assert code == 1
    assert counts(data) == {"sent": 1, "failed": 0, "unknown": 0, "owed": 3, "post": 0}
    assert "kept failing" in data["stopped"]
    assert "451" in data["stopped"]
    assert copies(smtp_server) == {"person1@example.com": 1}
    deferred = rows(ledger)["person2@example.com"]
    assert deferred["status"] == "deferred"
    assert "451 4.7.1" in deferred["error"]
    assert set(rows(ledger)) == {"person1@example.com", "person2@example.com"}

    smtp_server.temporary.clear()
    code, data = send_json(run, "--yes")
    assert (code, data["sent"], data["owed"]) == (0, 3, 0)
    assert copies(smtp_server) == {a: 1 for a in addresses(4)}


def test_temporary_refusal_at_mail_from_is_retried(run, workspace, tmp_path, smtp_server, ledger):
    prepare(run, workspace, tmp_path, smtp_server, people(3))
    smtp_server.busy = 1
    code, data = send_json(run, "--yes")
    assert (code, data["sent"]) == (0, 3)
    assert copies(smtp_server) == {a: 1 for a in addresses(3)}


def test_an_address_the_server_cannot_take_does_not_block_the_batch(
    run, workspace, tmp_path, start_smtp_server, ledger
):
    server = start_smtp_server(enable_SMTPUTF8=False)
    rows_ = people(3)
    rows_[0]["Email"] = "zoë@example.com"
    prepare(run, workspace, tmp_path, server, rows_)
    send(run, "--yes")
    code, data = send_json(run, "--yes")
    assert copies(server) == {a: 1 for a in addresses(2, start=2)}
    assert rows(ledger)["zoë@example.com"]["status"] == "failed"


def test_unreachable_server_is_a_clear_error(run, workspace, tmp_path, ledger):
    from tests.helpers import SmtpServer, free_port

    nobody = SmtpServer()
    nobody.port = free_port()  # nothing listens there
    prepare(run, workspace, tmp_path, nobody, people(2))
    result = send(run, "--yes")
    assert result.exit_code == 2
    assert f"cannot connect to 127.0.0.1:{nobody.port}: connection refused" in result.stderr
    assert "Traceback" not in result.output
    assert rows(ledger) == {}


def test_an_outbox_that_cannot_be_made_is_a_clear_error(run, workspace, tmp_path, ledger):
    prepare(run, workspace, tmp_path, None, people(2))
    (workspace / "outbox").rmdir()
    (workspace / "outbox").write_text("not a folder")
    result = send(run, "--yes")
    assert result.exit_code == 2
    assert "outbox" in result.stderr
    assert rows(ledger) == {}


# --- logging in ------------------------------------------------------------------------------


def all_workspace_bytes(workspace) -> bytes:
    return b"".join(p.read_bytes() for p in workspace.rglob("*") if p.is_file())


def test_login_with_the_env_password_which_is_never_written(
    run, workspace, tmp_path, start_smtp_server, ledger
):
    server = start_smtp_server(auth_required=False)
    server.credentials = (USER, PASSWORD)
    use_smtp(workspace, server, username=USER)
    prepare(run, workspace, tmp_path, None, people(3))

    result = send(run, "--yes", "--json", env={"CAMPAIGN_SMTP_PASSWORD": PASSWORD})

    assert result.exit_code == 0, (result.stderr, server.logins)
    assert server.logins == [(USER, True)]
    assert copies(server) == {a: 1 for a in addresses(3)}
    assert PASSWORD not in result.output
    assert PASSWORD.encode() not in all_workspace_bytes(workspace)


def test_login_with_a_plain_username(run, workspace, tmp_path, smtp_server, ledger):
    smtp_server.credentials = ("jdoe", PASSWORD)
    use_smtp(workspace, smtp_server, username="jdoe")
    prepare(run, workspace, tmp_path, None, people(2))
    result = send(run, "--yes", env={"CAMPAIGN_SMTP_PASSWORD": PASSWORD})
    assert smtp_server.logins == [("jdoe", True)]
    assert result.exit_code == 0
    assert copies(smtp_server) == {a: 1 for a in addresses(2)}


def test_wrong_password_is_a_clear_error_before_anything_is_sent(
    run, workspace, tmp_path, smtp_server, ledger
):
    smtp_server.credentials = (USER, PASSWORD)
    use_smtp(workspace, smtp_server, username=USER)
    prepare(run, workspace, tmp_path, None, people(3))
    wrong = "not-the-password-4471"

    result = send(run, "--yes", env={"CAMPAIGN_SMTP_PASSWORD": wrong})

    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"refused the login for {USER}" in lines[0]
    assert "535" in lines[0]
    assert "check the username and password" in lines[0]
    assert "Traceback" not in result.output
    assert (USER, False) in smtp_server.logins
    assert len(smtp_server) == 0
    assert rows(ledger) == {}
    assert wrong not in result.output
    assert wrong.encode() not in all_workspace_bytes(workspace)


def test_no_password_anywhere_on_a_headless_machine(
    run, workspace, tmp_path, smtp_server, ledger, monkeypatch
):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    smtp_server.credentials = (USER, PASSWORD)
    use_smtp(workspace, smtp_server, username=USER)
    prepare(run, workspace, tmp_path, None, people(2))
    result = send(run, "--yes")
    assert result.exit_code == 2
    assert f"no SMTP password for {USER}" in result.stderr
    assert "CAMPAIGN_SMTP_PASSWORD" in result.stderr
    assert "Traceback" not in result.output
    assert len(smtp_server) == 0
    assert rows(ledger) == {}


# --- asking, rehearsing, pacing --------------------------------------------------------------


def test_no_terminal_and_no_yes_refuses(run, workspace, tmp_path, smtp_server, ledger):
    prepare(run, workspace, tmp_path, smtp_server, people(2))
    result = send(run)
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert len(smtp_server) == 0
    assert rows(ledger) == {}


def test_dry_run_sends_and_records_nothing(run, workspace, tmp_path, smtp_server, ledger):
    prepare(run, workspace, tmp_path, smtp_server, [*people(3), POST])
    result = send(run, "--yes", "--dry-run", "--json")
    assert result.exit_code == 0
    assert counts(json.loads(result.stdout)) == {
        "sent": 0,
        "failed": 0,
        "unknown": 0,
        "owed": 3,
        "post": 1,
    }
    would = [line for line in result.stderr.splitlines() if line.startswith("would send to")]
    assert len(would) == 3
    assert "Person1 Surname1 <person1@example.com>" in would[0]
    assert smtp_server.connections == 0
    assert len(smtp_server) == 0
    assert rows(ledger) == {}


def test_limit_sends_the_first_n_and_leaves_the_rest_owed(
    run, workspace, tmp_path, smtp_server, ledger
):
    prepare(run, workspace, tmp_path, smtp_server, people(5))
    code, data = send_json(run, "--yes", "--limit", "2")
    assert (code, data["sent"], data["owed"]) == (0, 2, 3)
    assert [r.rcpt_tos[0] for r in smtp_server] == addresses(2)
    assert set(rows(ledger)) == set(addresses(2))
    code, data = send_json(run, "--yes", "--limit", "2")
    assert (data["sent"], data["owed"]) == (2, 1)
    code, data = send_json(run, "--yes")
    assert (data["sent"], data["owed"]) == (1, 0)
    assert [r.rcpt_tos[0] for r in smtp_server] == addresses(5)


def test_daily_cap_leaves_the_rest_owed_and_says_when_to_continue(
    run, workspace, tmp_path, smtp_server, ledger
):
    prepare(run, workspace, tmp_path, smtp_server, people(5), per_day=3)

    result = send(run, "--yes", "--json")

    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["sent"], data["owed"], data["continue_on"]) == (3, 2, "2026-11-24")
    assert "Run `campaign send` again on 2026-11-24 for the rest." in result.stderr
    assert len(smtp_server) == 3

    code, same_day = send_json(run, "--yes")
    assert (same_day["sent"], same_day["owed"]) == (0, 2)
    assert len(smtp_server) == 3

    code, next_day = send_json(run, "--yes", today="2026-11-24")
    assert (code, next_day["sent"], next_day["owed"]) == (0, 2, 0)
    assert copies(smtp_server) == {a: 1 for a in addresses(5)}
    assert sorted(r["sent_on"] for r in rows(ledger).values()) == [TODAY] * 3 + ["2026-11-24"] * 2


def test_per_minute_paces_the_messages(run, workspace, tmp_path, smtp_server):
    import time

    prepare(run, workspace, tmp_path, smtp_server, people(3), per_minute=600)  # one per 0.1 s
    started = time.monotonic()
    assert send(run, "--yes").exit_code == 0
    assert time.monotonic() - started >= 0.2
    assert len(smtp_server) == 3


# --- a run that dies mid-batch ---------------------------------------------------------------


def spawn_send(workspace, *args) -> subprocess.Popen:
    """`campaign send --yes` in its own process, as a user's terminal would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from campaign.cli.main import main; main()",
            "--workspace",
            str(workspace),
            "--today",
            TODAY,
            "send",
            "--yes",
            *args,
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("third_arrived", [False, True], ids=["3rd-lost", "3rd-delivered"])
def test_killed_mid_batch_leaves_one_unknown_never_resent(
    run, workspace, tmp_path, smtp_server, ledger, third_arrived
):
    prepare(run, workspace, tmp_path, smtp_server, people(5))
    smtp_server.block_at = 3
    smtp_server.keep_blocked = third_arrived
    process = spawn_send(workspace)
    arrived = smtp_server.blocked.wait(timeout=20)  # the 3rd DATA is in
    process.send_signal(signal.SIGKILL)
    _, err = process.communicate(timeout=10)
    smtp_server.release.set()
    assert arrived, err.decode()
    assert smtp_server.unblocked.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    third = "person3@example.com"
    assert rows(ledger)[third]["status"] == "sending"

    code, data = send_json(run, "--yes")

    assert code == 0
    assert counts(data) == {"sent": 2, "failed": 0, "unknown": 1, "owed": 0, "post": 0}
    statuses = {to: r["status"] for to, r in rows(ledger).items()}
    assert statuses == {a: "unknown" if a == third else "sent" for a in addresses(5)}
    expected = {a: 1 for a in addresses(5)}
    if not third_arrived:
        del expected[third]
    assert copies(smtp_server) == expected  # nobody has two copies
    code, again = send_json(run, "--yes")
    assert (again["sent"], again["unknown"]) == (0, 1)
    assert copies(smtp_server) == expected

    if not third_arrived:  # the user checked the Sent folder: it never went
        code, retried = send_json(run, "--yes", "--retry-unknown")
        assert (code, retried["sent"], retried["unknown"]) == (0, 1, 0)
        assert copies(smtp_server) == {a: 1 for a in addresses(5)}
        assert rows(ledger)[third]["status"] == "sent"
        code, after = send_json(run, "--yes", "--retry-unknown")
        assert after["sent"] == 0


def test_ctrl_c_finishes_the_current_message_then_stops(
    run, workspace, tmp_path, smtp_server, ledger
):
    prepare(run, workspace, tmp_path, smtp_server, people(5))
    smtp_server.block_at = 3
    smtp_server.keep_blocked = True
    process = spawn_send(workspace, "--json")
    arrived = smtp_server.blocked.wait(timeout=20)  # the 3rd DATA is in
    process.send_signal(signal.SIGINT)
    smtp_server.release.set()
    out, err = process.communicate(timeout=20)
    assert arrived, err.decode()
    assert process.returncode == 1, err.decode()
    data = json.loads(out)
    assert (data["sent"], data["owed"], data["stopped"]) == (3, 2, "Ctrl-C")
    assert copies(smtp_server) == {a: 1 for a in addresses(3)}
    assert {r["status"] for r in rows(ledger).values()} == {"sent"}
    assert set(rows(ledger)) == set(addresses(3))


# --- what a dry run says is what a real run does ----------------------------------------------


def delivered(server) -> list[str]:
    """Every recipient the server took, in the order it took them."""
    return [rcpt for received in server for rcpt in received.rcpt_tos]


def test_dry_run_lists_exactly_what_send_then_delivers_under_the_daily_cap(
    run, workspace, tmp_path, smtp_server, ledger
):
    prepare(run, workspace, tmp_path, smtp_server, [*people(14), POST], per_day=5)

    dry = send(run, "--dry-run", "--json")

    assert dry.exit_code == 0, dry.stderr
    plan = json.loads(dry.stdout)
    would = [item["to"] for item in plan["would_send"]]
    assert would == addresses(5)
    assert plan["would_send"][0] == {
        "prospect_id": 1,
        "company": "Company 1",
        "name": "Person1 Surname1",
        "to": "person1@example.com",
        "kind": "intro",
        "subject": "Director at Company 1: an experienced hand, ready now",
    }
    assert (plan["owed"], plan["continue_on"]) == (14, "2026-11-24")
    assert (
        "Dry run: 5 of 14 emails would go today; 9 wait for 2026-11-24 (the cap of 5 emails "
        "a day, [sending] per_day); 1 letter goes by post. Nothing was sent or recorded."
    ) in dry.stderr
    listed = [line for line in dry.stderr.splitlines() if line.startswith("would send to")]
    assert listed == [
        f"would send to Person{n} Surname{n} <person{n}@example.com>: Director at Company {n}: "
        "an experienced hand, ready now"
        for n in range(1, 6)
    ]
    assert rows(ledger) == {}
    assert smtp_server.connections == 0

    code, sent = send_json(run, "--yes")
    assert (code, sent["sent"], sent["owed"]) == (0, 5, 9)
    assert delivered(smtp_server) == would  # the same five, in the same order

    # The same day: the cap is spent, and both say so.
    again = send(run, "--dry-run", "--json")
    assert json.loads(again.stdout)["would_send"] == []
    assert "Dry run: 0 of 9 emails would go today; 9 wait for 2026-11-24" in again.stderr

    # The next day, with --limit under the cap: the limit decides, the rest stay owed.
    dry = send(run, "--dry-run", "--json", "--limit", "3", today="2026-11-24")
    would = [item["to"] for item in json.loads(dry.stdout)["would_send"]]
    assert would == addresses(3, start=6)
    assert "Dry run: 3 of 9 emails would go (--limit); 6 stay owed for the next run" in dry.stderr
    code, sent = send_json(run, "--yes", "--limit", "3", today="2026-11-24")
    assert (code, sent["sent"], sent["owed"]) == (0, 3, 6)
    assert delivered(smtp_server) == addresses(8)


def test_dry_run_says_how_long_pacing_makes_the_run(run, workspace, tmp_path):
    prepare(run, workspace, tmp_path, None, people(11), per_minute=5)
    dry = send(run, "--dry-run", "--json")
    assert json.loads(dry.stdout)["pace_seconds"] == 120.0  # 10 gaps of 12 s
    assert (
        "Dry run: 11 emails would be written to outbox/ as drafts, taking at least 2 min "
        "([sending] per_minute). Nothing was sent or recorded." in dry.stderr
    )


def test_a_dry_run_counts_a_send_a_dead_run_left_as_unknown(
    run, workspace, tmp_path, smtp_server, ledger
):
    prepare(run, workspace, tmp_path, smtp_server, people(3))
    assert send(run, "--yes", "--limit", "1").exit_code == 0
    ledger.execute("UPDATE sends SET status = 'sending'")  # as a run killed mid-send leaves it
    code, dry = send_json(run, "--dry-run")
    assert (dry["unknown"], dry["owed"]) == (1, 2)
    assert [item["to"] for item in dry["would_send"]] == addresses(2, start=2)
    assert rows(ledger)["person1@example.com"]["status"] == "sending"  # touched nothing
    code, real = send_json(run, "--yes")
    assert (real["unknown"], real["sent"]) == (1, 2)


# --- refusals: named now, and in the next run --------------------------------------------------


def test_a_refusal_is_named_with_its_campaign_day_and_again_in_the_next_send(
    run, workspace, tmp_path, smtp_server, ledger
):
    prepare(run, workspace, tmp_path, smtp_server, people(3))
    smtp_server.refuse.add("person2@example.com")

    result = send(run, "--yes", "--json")

    assert result.exit_code == 1
    data = json.loads(result.stdout)
    reason = "550 5.1.1 <person2@example.com>: Recipient address rejected: User unknown"
    assert data["refused"] == [
        {
            "prospect_id": 2,
            "company": "Company 2",
            "name": "Person2 Surname2",
            "to": "person2@example.com",
            "kind": "intro",
            "reason": reason,
            "on": TODAY,
        }
    ]
    assert data["failures"] == [{"to": "person2@example.com", "reason": reason}]  # kept
    assert f"  refused: #2 Company 2 (Person2 Surname2) <person2@example.com>: {reason}" in (
        result.stderr
    )
    # The attempt is dated by the campaign's day (--today), not by the wall clock.
    refused = rows(ledger)["person2@example.com"]
    assert (refused["status"], refused["attempted_on"], refused["sent_on"]) == (
        "failed",
        TODAY,
        None,
    )
    shown = run("show", "2", "--json")
    history = json.loads(shown.stdout)["history"]
    assert [(h["date"], h["status"]) for h in history] == [(TODAY, "failed")]

    later = "2026-11-25"
    code, data = send_json(run, "--yes", today=later)
    assert code == 0
    assert data["refused_before"] == [
        {
            "prospect_id": 2,
            "company": "Company 2",
            "name": "Person2 Surname2",
            "to": "person2@example.com",
            "send_id": refused["id"],
            "kind": "intro",
            "reason": reason,
            "on": TODAY,
        }
    ]
    said = send(run, "--yes", today=later).stderr
    assert (
        f"1 address was refused last time: person2@example.com (#2 Company 2, {TODAY}: 550 "
        "5.1.1 <person2@example.com>: Recipient address rejected: User unknown); find a new "
        "one, or call / write: see `campaign due`" in said
    )

    # Once something is done about it (a call), it is no longer news.
    assert run("--today", later, "log", "2", "call", "--outcome", "no-answer").exit_code == 0
    code, data = send_json(run, "--yes", today=later)
    assert data["refused_before"] == []
    assert "refused last time" not in send(run, "--yes", today=later).stderr


def test_a_new_address_for_a_refused_one_ends_the_notice(
    run, workspace, tmp_path, smtp_server, ledger
):
    prepare(run, workspace, tmp_path, smtp_server, people(2))
    smtp_server.refuse.add("person1@example.com")
    assert send(run, "--yes").exit_code == 1
    fixed = people(2)
    fixed[0]["Email"] = "person1.new@example.com"
    add_prospects(run, tmp_path, fixed, name="fixed.csv")
    code, data = send_json(run, "--yes", today="2026-11-24")
    assert (code, data["sent"], data["refused_before"]) == (0, 1, [])
    assert delivered(smtp_server)[-1] == "person1.new@example.com"


# --- one run per workspace, on any platform ----------------------------------------------------


def test_a_second_run_while_one_holds_the_lock_is_refused(run, workspace, tmp_path, ledger):
    from campaign.email.delivery import run_lock

    prepare(run, workspace, tmp_path, None, people(2))
    with run_lock(workspace):
        result = send(run, "--yes")
    assert result.exit_code == 2
    assert "another sending run is going in this workspace" in result.stderr
    assert rows(ledger) == {}
    assert send(run, "--yes").exit_code == 0  # released


WITHOUT_FCNTL = (
    "import sys; sys.modules['fcntl'] = None; "  # `import fcntl` now fails, as on Windows
    "from campaign.cli.main import main; main()"
)


def test_send_runs_where_fcntl_does_not_exist_and_each_email_arrives_once(
    run, workspace, tmp_path, smtp_server, ledger
):
    prepare(run, workspace, tmp_path, smtp_server, [*people(3), ZOE])
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    command = [sys.executable, "-c", WITHOUT_FCNTL, "--workspace", str(workspace)]
    for attempt in range(2):
        done = subprocess.run(
            [*command, "--today", TODAY, "send", "--yes", "--json"],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()
        assert json.loads(done.stdout)["sent"] == (4 if attempt == 0 else 0)
        assert b"Traceback" not in done.stderr
    assert copies(smtp_server) == {**{a: 1 for a in addresses(3)}, "zoe@gamma.example": 1}
    assert {r["status"] for r in rows(ledger).values()} == {"sent"}
    probe = subprocess.run(
        [sys.executable, "-c", WITHOUT_FCNTL.replace("main()", "import fcntl")],
        capture_output=True,
        check=False,
    )
    assert b"import of fcntl halted" in probe.stderr  # the wrapper really takes fcntl away


def test_a_prospect_taken_out_after_a_deferred_letter_is_picked_again_and_sent_once(
    run, workspace, tmp_path, smtp_server, ledger
):
    """A letter the server kept deferring was never sent: taking its prospect out of the
    batch puts them back among those waiting, and a later week's batch sends it, once."""
    use_smtp(workspace, smtp_server)
    add_prospects(run, tmp_path, people(3))
    assert run("--today", TODAY, "batch", "--size", "2").exit_code == 0
    smtp_server.temporary["person2@example.com"] = 100
    assert send_json(run, "--yes")[0] == 1
    assert rows(ledger)["person2@example.com"]["status"] == "deferred"
    taken = run("--today", TODAY, "batch", "--take-out", "2")
    assert taken.exit_code == 0, taken.stderr
    smtp_server.temporary.clear()
    later = "2026-11-30"
    picked = run.json("--today", later, "batch", "--size", "2")
    assert [p["id"] for p in picked["prospects"]] == [2, 3]
    assert send_json(run, "--yes", today=later)[1]["sent"] == 2
    assert copies(smtp_server) == {f"person{n}@example.com": 1 for n in (1, 2, 3)}


def test_the_batch_cannot_change_while_its_letters_are_being_sent(
    run, workspace, tmp_path, smtp_server, ledger
):
    """A run plans its letters once: taking a prospect out under it would not stop their
    letter, so the change waits until the run is over, and says so."""
    prepare(run, workspace, tmp_path, smtp_server, people(3))
    smtp_server.block_at = 1
    smtp_server.keep_blocked = True
    process = spawn_send(workspace)
    try:
        assert smtp_server.blocked.wait(timeout=20)
        refused = run("--today", TODAY, "batch", "--take-out", "3")
        assert refused.exit_code == 2
        assert "letters are being sent now; change the batch once that has finished" in (
            refused.stderr
        )
    finally:
        smtp_server.release.set()
        process.communicate(timeout=30)
    assert process.returncode == 0
    assert copies(smtp_server) == {f"person{n}@example.com": 1 for n in (1, 2, 3)}
    assert [p["id"] for p in run.json("--today", TODAY, "batch")["prospects"]] == [1, 2, 3]
