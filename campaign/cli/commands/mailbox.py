"""campaign sync, campaign check-mail: the mailbox."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from campaign.cli.options import dry_run_option, json_option, pass_state
from campaign.cli.output import emit_json, say, table


@click.command()
@dry_run_option
@click.option(
    "--from-folder",
    "folder",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Read the .eml files in this folder instead of the IMAP inbox.",
)
@json_option
@pass_state
def sync(state, dry_run, folder, as_json):
    """Read your inbox for replies, out-of-office answers and bounces since the last sync.

    A reply stops that prospect's letter follow-ups; an out-of-office answer is noted and
    changes nothing; a bounce marks the address bad and `campaign due` asks for a new one;
    a message from someone else at a prospect's company is listed for you to confirm.
    Your mailbox is only read: nothing is marked as read, moved or deleted. Sent copies
    still owed to your Sent folder are saved too.

    \b
    Examples:
      campaign sync
      campaign sync --dry-run --json
    """
    from campaign.mailbox.sync import run

    conn = state.conn
    result, copies = run(state.settings, conn, state.today, dry_run=dry_run, folder=folder)
    data = result.as_dict()
    if copies is not None:
        data["sent_copies"] = copies.as_dict()
    if as_json:
        emit_json(data)
    _report(conn, result, copies, dry_run)
    if result.unreadable:
        raise SystemExit(1)


def _report(conn, result, copies, dry_run: bool) -> None:
    names = dict(conn.execute("SELECT id, company FROM prospects"))
    rows = [{**i.as_dict(), "company": names.get(i.prospect_id, "")} for i in result.items]
    if rows:
        say(
            table(
                rows,
                [
                    ("kind", "what", 14),
                    ("prospect_id", "id", 5),
                    ("company", "company", 24),
                    ("from", "from", 30),
                    ("subject", "subject", 40),
                ],
            )
        )
    if result.reread == "renumbered":
        say("The server renumbered the inbox (UIDVALIDITY changed): it was read again in full.")
    elif result.reread == "past-end":
        say(
            "Where the last read stopped lies past the inbox's end (a server once named a message "
            "it does not have): it was read again in full."
        )
    from campaign.util.text import plural

    data = result.as_dict()
    say(
        f"Read {plural(data['scanned'], 'new message')}: "
        f"{plural(data['replies'], 'reply', 'replies')}, "
        f"{plural(data['auto_replies'], 'automatic reply', 'automatic replies')}, "
        f"{plural(data['bounces'], 'bounce')}, "
        f"{plural(data['possible_replies'], 'possible reply', 'possible replies')}"
        + (
            f", {plural(data['delayed'], 'delayed delivery', 'delayed deliveries')}"
            if data["delayed"]
            else ""
        )
        + "."
    )
    if result.forged:
        say(
            f"{plural(result.forged, 'message')} failed your mail provider's sender checks "
            "(SPF, DKIM, DMARC): not taken as from whom they claim.",
            fg="yellow",
        )
    if result.drafts:
        say(
            f"Found {plural(len(result.drafts), 'draft')} you sent in your Sent folder: their "
            "follow-ups count from the day each went."
        )
    if result.drafts_error:
        say(f"Drafts not looked for in your Sent folder: {result.drafts_error}", fg="yellow")
    if data["bounces"] or data["possible_replies"]:
        say("`campaign due` lists the bounced addresses and the possible replies to check.")
    if dry_run:
        say("Nothing was recorded (--dry-run).")
    for uid, why in result.unreadable:
        say(f"  could not read message {uid}: {why}", fg="red")
    if copies is not None and copies.saved:
        say(f"Saved {plural(copies.saved, 'copy', 'copies')} of sent emails in your Sent folder.")
    if copies is not None and copies.error:
        say(
            f"{plural(copies.pending, 'sent email')} not in your Sent folder yet: {copies.error}",
            fg="yellow",
        )


@click.command("check-mail")
@click.option("--send-test", is_flag=True, help="Also email yourself a test message.")
@json_option
@pass_state
def check_mail(state, send_test, as_json):
    """Log in to your mail servers and say, in plain words, what works and what to fix.

    Tries the SMTP server (sending) and the IMAP server (replies, Sent copies) in
    campaign.toml: wrong password, app password needed, port blocked, TLS mismatch.

    \b
    Examples:
      campaign check-mail
      campaign check-mail --send-test    # a test email to [sender] email
    """
    from campaign.actions.checkmail import check_imap, check_smtp

    settings = state.settings
    report = {
        "smtp": check_smtp(settings, send_test, dt.datetime.now().astimezone()),
        "imap": check_imap(settings),
    }
    if as_json:
        emit_json(report)
    for name, result in report.items():
        mark = "ok" if result["ok"] else "problem"
        say(f"{name.upper():5} {mark}: {result['detail']}", fg=None if result["ok"] else "red")
        for line in result.get("fix", []):
            say(f"      {line}")
    if not all(r["ok"] for r in report.values()):
        raise SystemExit(1)
