"""campaign demo: the weekly routine on the shipped sample list, in a temporary workspace."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from campaign.cli.output import say
from campaign.util.text import plural


@click.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Make the demo workspace here instead of a temporary folder.",
)
@click.pass_context
def demo(ctx: click.Context, directory: Path | None) -> None:
    """Run the weekly routine on the shipped sample list, touching nothing of yours.

    Makes a workspace (in a temporary folder unless --dir), imports the 120 sample
    employers, and walks through the week. No mail account is needed: emails are
    written as files to the workspace's outbox/.

    \b
    Example:
      campaign demo --dir /tmp/demo-search
    """
    from campaign.util.resources import sample_list

    root = directory or Path(tempfile.mkdtemp(prefix="campaign-demo-")) / "my-search"
    today = ctx.obj.today_arg
    base = ["--workspace", str(root)] + (["--today", today] if today else [])

    group = ctx.find_root().command  # the `campaign` group itself, as a user runs it
    assert isinstance(group, click.Group)

    def step(title: str, *args: str) -> None:
        say(f"\n$ campaign {' '.join(args)}", bold=True)
        say(f"  ({title})")
        if args[0] == "init":
            init = group.get_command(ctx, "init")
            assert init is not None
            ctx.invoke(
                init,
                directory=root,
                name="Jane Doe",
                email="jane.doe@example.org",
                phone="(217) 555-0142",
                address=("40 Oak Avenue", "Springfield, IL 62704"),
            )
            return
        group.main([*base, *args], standalone_mode=False, prog_name="campaign")

    step("make a workspace", "init", str(root))
    from campaign.workspace.skeleton import adopt_example_letters

    adopt_example_letters(root)
    say("  (the demo sends the example letters as they are; make yours your own first)")
    step("import the sample list of 120 employers", "import", str(sample_list()))
    step("pick this week's top twenty, best priority first", "batch")
    step("what the first of them will receive", "preview")
    step("email the batch: no [smtp] yet, so each is a draft in outbox/", "send", "--yes")
    step(
        "print the letters for those without email, and record them as posted",
        "print",
        "--envelopes",
        str(root / "outbox" / "envelopes.pdf"),
        "--mark-mailed",
    )
    inbox = sample_inbox(root)
    step(
        "read the inbox: a reply and a bounce (a sample folder here; yours needs [imap])",
        "sync",
        "--from-folder",
        str(inbox),
    )
    step("follow-ups falling due in the next four weeks", "due", "--days", "28")
    step(
        "this week's call sheet (receipt checks for the posted letters)",
        "calls",
        "--days",
        "7",
        "--out",
        str(root / "outbox" / "calls.pdf"),
    )
    step("the campaign at a glance", "status")
    step("a tracker workbook to open in Excel", "export", str(root / "tracker.xlsx"))
    outbox = sorted((root / "outbox").iterdir())
    say(f"\nThe demo workspace is {root}", bold=True)
    say(f"  {root / 'campaign.toml'}   your settings (commented)")
    say(f"  {root / 'templates'}/   the letters; edit them freely")
    say(f"  {root / 'campaign.db'}   the ledger")
    drafts = plural(sum(p.suffix == ".eml" for p in outbox), "email draft")
    say(f"  {root / 'outbox'}/   {drafts} (.eml), the letters, envelopes and call sheet (.pdf)")
    say(f"  {inbox}/   the sample inbox `campaign sync` read: a reply and a bounce")
    say(f"  {root / 'tracker.xlsx'}")
    say('Start your own: campaign init my-search --name "Your Name" --email you@example.org')


REPLY = """\
From: {name} <{email}>
To: Jane Doe <jane.doe@example.org>
Subject: Re: {subject}
Date: {date}
Message-ID: <demo-reply@{domain}>
In-Reply-To: {message_id}
References: {message_id}
Content-Type: text/plain; charset=utf-8

Thank you for your letter. Could you call me on Thursday morning?

On {date}, Jane Doe wrote:
> ...
"""

BOUNCE = """\
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: jane.doe@example.org
Subject: Undelivered Mail Returned to Sender
Date: {date}
Message-ID: <demo-bounce@mx.example.net>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

This is the mail system at mx.example.net. Your message could not be delivered.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; {email}
Original-Recipient: rfc822; {email}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <{email}>: user unknown

--b
Content-Type: text/rfc822-headers

From: Jane Doe <jane.doe@example.org>
To: {email}
Subject: {subject}
Message-ID: {message_id}

--b--
"""


def sample_inbox(root: Path) -> Path:
    """A folder of two messages: a reply to the first email sent, a bounce of the second."""
    import sqlite3
    from email.utils import formatdate

    conn = sqlite3.connect(root / "campaign.db")
    sent = conn.execute(
        "SELECT p.first_name || ' ' || p.last_name, s.recipient, s.subject, s.message_id "
        "FROM sends s JOIN prospects p ON p.id = s.prospect_id "
        "WHERE s.channel = 'email' AND s.status = 'sent' ORDER BY s.id LIMIT 2"
    ).fetchall()
    conn.close()
    folder = root / "inbox"
    folder.mkdir(exist_ok=True)
    date = formatdate(localtime=True)
    for index, (template, (name, email, subject, message_id)) in enumerate(
        zip((REPLY, BOUNCE), sent, strict=False), start=1
    ):
        text = template.format(
            name=name,
            email=email,
            subject=subject,
            message_id=message_id,
            date=date,
            domain=email.rpartition("@")[2],
        )
        (folder / f"{index}.eml").write_text(text.replace("\n", "\r\n"), encoding="utf-8")
    return folder
