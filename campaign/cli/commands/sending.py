"""campaign batch, campaign preview, campaign send."""

from __future__ import annotations

import contextlib
import sys
from functools import partial
from pathlib import Path

import click

from campaign.cli.hints import HINTS
from campaign.cli.options import chosen_week, dry_run_option, json_option, pass_state, week_option
from campaign.cli.output import echo, emit_json, say, table
from campaign.errors import CampaignError, Declined, worded
from campaign.util.atomic import writable, write_private
from campaign.util.text import agree, plural, shorten, visible
from campaign.workspace.settings import Settings


def _member_dict(row) -> dict:
    from campaign.letters.batch import channel_for

    return {
        "id": row["id"],
        "position": row["position"],
        "company": row["company"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "title": row["title"],
        "email": row["email"],
        "priority": row["priority"],
        "channel": channel_for(row),
    }


@click.command()
@click.option("--size", type=click.IntRange(min=1), help="How many (default: batch_size, 20).")
@week_option
@click.option(
    "--all", "everyone", is_flag=True, help="Every remaining prospect: the large mailing."
)
@click.option(
    "--add",
    "adding",
    metavar="PROSPECT",
    multiple=True,
    help="Add a prospect (id, email, name or company) to the week's batch; repeatable.",
)
@click.option(
    "--take-out",
    "taking_out",
    metavar="PROSPECT",
    multiple=True,
    help="Take a prospect out of the week's batch before their letter goes; repeatable.",
)
@dry_run_option
@json_option
@pass_state
def batch(state, size, week, everyone, adding, taking_out, dry_run, as_json):
    """Pick this week's top twenty: active prospects not yet written to, best first.

    The batch is kept: running it again this week shows the same prospects; next week
    picks the next ones. Each goes by email if it has an address, else by post.

    \b
    Examples:
      campaign batch
      campaign batch --all          # the large mailing to everyone left
      campaign batch --dry-run      # who would be picked, keeping nothing
      campaign batch --take-out 12 --add "Acme Tools"
    """
    from campaign.letters.batch import candidates, find, members, pick, remaining, week_of

    week = chosen_week(state, week)
    size = size or state.settings.batch_size
    if adding or taking_out:
        if dry_run:
            raise CampaignError("--add and --take-out change the batch: leave out --dry-run")
        _change_batch(state, week, adding, taking_out)
    if dry_run and find(state.conn, week) is None:
        picked = candidates(state.conn, size, everyone)
        rows = [_member_dict({**dict(r), "position": n}) for n, r in enumerate(picked, 1)]
        new = True
    else:
        chosen, new = pick(state.conn, week, size, state.today, everyone=everyone)
        rows = [_member_dict(r) for r in members(state.conn, chosen["id"])]
    if as_json:
        emit_json({"week": week, "new": new, "prospects": rows})
        return
    for row in rows:
        row["name"] = f"{row['first_name']} {row['last_name']}".strip()
    echo(
        table(
            rows,
            [
                ("position", "#", 3),
                ("id", "id", 5),
                ("priority", "pri", 3),
                ("company", "company", 30),
                ("name", "hiring authority", 24),
                ("channel", "by", 5),
            ],
        )
    )
    emails = sum(r["channel"] == "email" for r in rows)
    verb = "Would pick" if dry_run and new else "Picked" if new else "Already picked"
    left = remaining(state.conn) - (len(rows) if dry_run and new else 0)
    if adding or taking_out:
        verb = "The batch now holds"
    say(
        f"{verb} {len(rows)} for {week_of(week)}: {emails} by email, {len(rows) - emails} by "
        f"post. {plural(left, 'prospect')} {agree(left, 'is', 'are')} left for later weeks."
    )
    if dry_run and new:
        say("Nothing was kept (--dry-run).")
    elif new:
        say("Next: campaign preview, then campaign send (and campaign print for the post).")


def _change_batch(state, week: str, adding: tuple, taking_out: tuple) -> None:
    """Each prospect named taken out of, or added to, the week's batch (one at a time: a
    problem with one leaves the changes before it made)."""
    from campaign.actions.batch import change_batch
    from campaign.ledger.queries import find_prospect

    for refs, add, said in ((taking_out, False, "Took out"), (adding, True, "Added")):
        for ref in refs:
            prospect = find_prospect(state.conn, ref)
            change_batch(state.conn, state.settings.root, week, prospect, add)
            say(f"{said} #{prospect['id']} {prospect['company']}.")


@click.command()
@click.argument("prospect", required=False)
@click.option(
    "--letter",
    metavar="NAME",
    help="The letter to use, a file in templates/ (default: intro).",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the HTML version to this file, to open in a browser.",
)
@click.option(
    "--pdf",
    "pdf_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the letter as printed for the post to this PDF.",
)
@pass_state
def preview(state, prospect, letter, html_file, pdf_file):
    """Show exactly what a prospect will receive: the email, or the letter as printed.

    Without PROSPECT (an id, email, name or company), shows the first of this week's
    batch. A prospect without an email gets a posted letter: it is shown laid out as
    printed, with your letterhead and the address that shows through the envelope.

    \b
    Examples:
      campaign preview
      campaign preview 12 --letter followup1 --html /tmp/letter.html
      campaign preview "Paper Mill" --pdf /tmp/letter.pdf
    """
    from campaign.actions.preview import as_printed, first_of_batch, printable
    from campaign.actions.preview import preview as render_preview
    from campaign.email.message import build_message
    from campaign.ledger.queries import find_prospect
    from campaign.letters.channel import letter_channel

    conn = state.conn
    writable(html_file, pdf_file)
    row = find_prospect(conn, prospect) if prospect else first_of_batch(conn, state.today)
    rendered = render_preview(conn, state.settings, row, state.today, letter)
    if rendered.example:
        say(
            f"warning: templates/{rendered.template}.md is still the example letter "
            f"({rendered.example}); `campaign send` and `print` refuse it until then.",
            fg="yellow",
        )
    if rendered.blanks:
        say(
            f"warning: held back: {rendered.held_because()}; `campaign send` and `print` leave "
            "this prospect out until it is filled (or guarded with {% if %}).",
            fg="red",
        )
    if letter_channel(row["email"]) == "email":
        import datetime as dt

        msg = build_message(rendered, state.settings, dt.datetime.now().astimezone())
        for header, value in msg.headers.items():
            echo(f"{header}: {value}")
        echo("")
        echo(rendered.text())
    else:
        paper = {"letter": "US Letter", "a4": "A4"}[state.settings.paper]
        echo(f"By post: the letter as printed on {paper}, for a window envelope")
        echo("-" * 72)
        echo(as_printed(state.settings, row, rendered, state.today))
    if html_file:
        write_private(html_file, rendered.html().encode("utf-8"))
        say(f"Wrote the HTML version to {html_file}")
    if pdf_file:
        from campaign.actions.printing import print_letters

        printed = print_letters(state.settings, [printable(row, rendered)], state.today, pdf_file)
        if printed.left_out:
            raise CampaignError(printed.left_out[0][1])
        say(f"Wrote the printed letter ({plural(printed.pages, 'page')}) to {pdf_file}")
    if rendered.blanks:
        raise SystemExit(1)


@click.command()
@week_option
@click.option(
    "--letter",
    metavar="NAME",
    help="The letter to use, a file in templates/ (default: intro).",
)
@dry_run_option
@click.option("--limit", type=click.IntRange(min=0), help="Send at most N emails this run.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--retry-unknown",
    is_flag=True,
    help="Also resend sends left unknown by a run that stopped mid-send.",
)
@click.option(
    "--followups",
    is_flag=True,
    help="Send the follow-up letters due today (see `campaign due`) instead.",
)
@click.option(
    "--no-inbox",
    is_flag=True,
    help="With --followups and [imap]: send without reading the inbox first.",
)
@json_option
@pass_state
def send(state, week, letter, dry_run, limit, yes, retry_unknown, followups, no_inbox, as_json):
    """Email the letters this week's batch is still owed, each exactly once.

    Renders every letter and logs in before the first message goes; asks before
    sending unless --yes. Without [smtp] in campaign.toml, emails are written to
    outbox/ as .eml files. Running it again sends only what is still owed. Prospects
    without an email are left for `campaign print`.

    \b
    Examples:
      campaign send --dry-run
      campaign send --yes --json
      campaign send --followups     # the 2- and 4-week letters, thank-yous... due today
    """
    from campaign.actions.send import SendRequest, send_owed
    from campaign.letters.batch import iso_week

    def on_plan(plan, jobs):
        _report_unknown(plan, retry_unknown)
        verb = "would send to" if state.settings.smtp else "would write a draft to"
        for job in jobs if dry_run else []:
            say(f"{verb} {job.letter.to_name} <{job.letter.to_email}>: {job.letter.subject}")

    request = SendRequest(
        week, letter, followups, retry_unknown, limit, dry_run, read_inbox=not no_inbox
    )
    try:
        summary = send_owed(
            state.settings,
            state.conn,
            state.today,
            request,
            confirm=(lambda count, via: None)
            if yes
            else partial(_confirm, settings=state.settings),
            progress=_progress,
            on_plan=on_plan,
            warn=lambda notice: say(worded(notice, HINTS), fg="yellow"),
        )
    except Declined:
        if as_json:
            emit_json({"sent": 0, "declined": True})
        say("Nothing sent.")
        return
    _finish(summary, as_json, iso_week(state.today), dry_run=dry_run)


def _who(item: dict) -> str:
    """#12 Acme (Ann Lee) <ann@acme.example>"""
    name = f" ({shorten(item['name'], 40)})" if item["name"] else ""
    return f"#{item['prospect_id']} {shorten(item['company'], 40)}{name} <{visible(item['to'])}>"


def _dry_run_said(summary) -> None:
    """What a real run would do now: the same caps, pacing and order (actions.send)."""
    going = len(summary.would_send or [])
    drafts = summary.transport == "outbox"
    verb = (
        f"would be written to outbox/ as {agree(going, 'a draft', 'drafts')}"
        if drafts
        else "would go"
    )
    owed = summary.owed
    what = plural(going, "email") if going == owed else f"{going:,} of {plural(owed, 'email')}"
    line = f"Dry run: {what} {verb}"
    if summary.continue_on and going < owed:
        line += (
            f" today; {owed - going:,} {agree(owed - going, 'waits', 'wait')} for "
            f"{summary.continue_on} ({summary.stopped})"
        )
    elif going < owed:
        line += f" (--limit); {owed - going:,} stay owed for the next run"
    if summary.pace_seconds >= 60:
        line += f", taking at least {round(summary.pace_seconds / 60):,} min ([sending] per_minute)"
    if summary.post:
        line += f"; {plural(summary.post, 'letter')} {agree(summary.post, 'goes', 'go')} by post"
    say(f"{line}. Nothing was sent or recorded.")


def _sent_said(summary) -> None:
    if summary.transport != "outbox" and (
        summary.sent or summary.owed or summary.failed or summary.unknown
    ):
        say(f"Sent {plural(summary.sent, 'email')}.")
    elif summary.transport != "outbox":
        say("Sent nothing: no email is waiting to go.")
    elif summary.sent:
        # Outbox files are drafts: say so, and when their follow-ups start.
        say(
            f"Wrote {plural(summary.sent, 'draft')} to outbox/: send "
            f"{agree(summary.sent, 'it', 'them')} from your mail program today; "
            f"{agree(summary.sent, 'its', 'their')} follow-ups count from today."
        )
    elif summary.owed or summary.failed or summary.unknown:
        say("Wrote no drafts.")  # the lines that follow say why
    else:
        say("Wrote no drafts: no email is waiting to go.")


def _report_unknown(plan, retry_unknown: bool) -> None:
    if plan.unknown and not retry_unknown:
        count = len(plan.unknown)
        say(
            f"{plural(count, 'send')} {agree(count, 'is', 'are')} unknown: a run stopped while "
            "sending, so it may have gone. Check your Sent folder, then say which went with "
            "`campaign unknown --sent ID` or `--unsent ID` (or resend with `campaign send "
            "--retry-unknown`):",
            fg="yellow",
        )
        for row in plan.unknown:
            say(
                f"  send {row['send_id']}: #{row['id']} {row['company']} <{row['email']}>",
                fg="yellow",
            )


def _confirm(count: int, via: str, settings: Settings) -> None:
    if not sys.stdin.isatty():
        raise CampaignError(
            "not sending without confirmation: no terminal to ask on; pass --yes to send."
        )
    who = f"{settings.sender_name} <{settings.sender_email}>"
    if settings.smtp is None:
        question = f"Write {plural(count, 'email')} as drafts from {who} to {via}?"
    else:
        question = f"Send {plural(count, 'email')} as {who} via {via}?"
    if not click.confirm(question, err=True):
        raise Declined()


@contextlib.contextmanager
def _progress(total: int):
    if not sys.stderr.isatty():
        yield lambda: None
        return
    with click.progressbar(length=total, label="Sending", file=sys.stderr) as bar:
        yield lambda: bar.update(1)


def _say_held(held: list[tuple[str, str]]) -> None:
    for who, why in held:
        say(f"  held back: {who}: {why}", fg="red")
    if held:
        say(
            f"  {plural(len(held), 'letter')} held back: fill the field in your sheet and import "
            "it again, or guard it in the letter ({% if field %}...{% endif %}); the next "
            "`campaign send` sends it.",
            fg="red",
        )


def _say_copies(copies) -> None:
    """The Sent copies saved this run, and those still to save."""
    if copies is not None and copies.saved:
        say(f"Saved {plural(copies.saved, 'copy', 'copies')} in your Sent folder.")
    if copies is not None and copies.error:
        say(
            f"{plural(copies.pending, 'sent email')} not in your Sent folder yet "
            f"({copies.error}); the next `campaign send` or `campaign sync` saves "
            f"{agree(copies.pending, 'it', 'them')}.",
            fg="yellow",
        )


def _say_post(summary, this_week: str) -> None:
    """The letters that go by post, and the print command for the weeks they belong to."""
    weeks = summary.post_weeks
    if summary.followups:
        commands = ["`campaign print --followups`"]
    elif weeks and weeks != [this_week]:
        commands = [f"`campaign print --week {w}`" for w in weeks]
    else:
        commands = ["`campaign print`"]
    say(
        f"{plural(summary.post, 'letter')} {agree(summary.post, 'goes', 'go')} by post and "
        f"{agree(summary.post, 'is', 'are')} not recorded as posted yet: print "
        f"{agree(summary.post, 'it', 'them')} with {' and '.join(commands)}."
    )


def _finish(summary, as_json: bool, this_week: str, dry_run: bool = False) -> None:
    data = summary.as_dict()
    if as_json:
        emit_json(data)
    held = summary.held
    if dry_run:
        _dry_run_said(summary)
        _say_held(held)
        if held:
            raise SystemExit(1)
        return
    _sent_said(summary)
    rest = [
        f"{count:,} {what}"
        for what, count in (
            ("refused", len(summary.failed)),
            ("unknown", summary.unknown),
            ("still to send", summary.owed),
        )
        if count
    ]
    if rest:
        say("  " + ", ".join(rest) + ".")
    if summary.unknown:
        say(
            "  Unknown: the connection dropped before the server answered, so it may have "
            "gone. Look in your Sent folder, then `campaign unknown` says how to record it.",
            fg="yellow",
        )
    for refused in summary.refused:
        say(f"  refused: {_who(refused)}: {refused['reason']}", fg="red")
    if summary.refused:
        say(
            f"  {agree(len(summary.refused), 'That address does', 'Those addresses do')} "
            "not take mail: find a new one (fix your sheet and import it again, and the next "
            "`campaign send` writes to it), or call / write: see `campaign due`."
        )
    _say_copies(summary.sent_copies)
    if summary.stopped:
        say(f"Stopped early: {summary.stopped}.", fg="yellow")
    if summary.continue_on:
        say(f"Run `campaign send` again on {summary.continue_on} for the rest.")
    if summary.post:
        _say_post(summary, this_week)
    _say_held(held)
    if summary.failed or held or (summary.stopped and not summary.continue_on):
        raise SystemExit(1)
