"""campaign batch, campaign preview, campaign send."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli import cli, dry_run_option, emit_json, json_option, pass_state, say, table
from ..errors import CampaignError


def week_option(func):
    return click.option(
        "--week", metavar="YYYY-Www", help="The week (default: this week), e.g. 2026-W48."
    )(func)


def _week(state, week: str | None) -> str:
    from ..batch import iso_week, parse_week

    return parse_week(week) if week else iso_week(state.today)


def _member_dict(row) -> dict:
    from ..batch import channel_for

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


@cli.command()
@click.option("--size", type=click.IntRange(min=1), help="How many (default: batch_size, 20).")
@week_option
@click.option(
    "--all", "everyone", is_flag=True, help="Every remaining prospect: the large mailing."
)
@dry_run_option
@json_option
@pass_state
def batch(state, size, week, everyone, dry_run, as_json):
    """Pick this week's top twenty: active prospects not yet written to, best first.

    The batch is kept: running it again this week shows the same prospects; next week
    picks the next ones. Each goes by email if it has an address, else by post.

    \b
    Examples:
      campaign batch
      campaign batch --all          # the large mailing to everyone left
      campaign batch --dry-run      # who would be picked, keeping nothing
    """
    from ..batch import candidates, find, members, pick, remaining

    week = _week(state, week)
    size = size or state.settings.batch_size
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
    click.echo(
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
    say(
        f"{verb} {len(rows)} for {week}: {emails} by email, {len(rows) - emails} by post. "
        f"{remaining(state.conn) - (len(rows) if dry_run and new else 0)} prospects are left "
        "for later weeks."
    )
    if dry_run and new:
        say("Nothing was kept (--dry-run).")
    elif new:
        say("Next: campaign preview, then campaign send (and campaign print for the post).")


@cli.command()
@click.argument("prospect", required=False)
@click.option("--letter", metavar="NAME", help="The template (default: sending.letter, intro).")
@click.option(
    "--html",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the HTML version to this file, to open in a browser.",
)
@pass_state
def preview(state, prospect, letter, html_file):
    """Show exactly what a prospect will receive: headers and text.

    Without PROSPECT (an id or email), shows the first of this week's batch.

    \b
    Examples:
      campaign preview
      campaign preview 12 --letter followup1 --html /tmp/letter.html
    """
    from ..batch import find, iso_week, members
    from ..channels.mail import build_message
    from ..ledger import find_prospect
    from ..render import Renderer

    conn = state.conn
    if prospect:
        row = find_prospect(conn, prospect)
    else:
        current = find(conn, iso_week(state.today))
        rows = members(conn, current["id"]) if current else []
        if not rows:
            raise CampaignError(
                "no batch this week to preview; name a prospect, or run `campaign batch` first."
            )
        row = rows[0]
    name = letter or state.settings.letter
    extra = _letter_extras(conn, row, state.today)
    rendered = Renderer(state.settings).render(name, row, state.today, extra)
    if row["email"]:
        import datetime as dt

        msg = build_message(rendered, state.settings, dt.datetime.now().astimezone())
        for header, value in msg.headers.items():
            click.echo(f"{header}: {value}")
    else:
        click.echo(f"By post to: {rendered.to_name}, {row['company']}")
        click.echo(f"Subject: {rendered.subject}")
    click.echo("")
    click.echo(rendered.text())
    if html_file:
        html_file.write_text(rendered.html(), encoding="utf-8")
        say(f"Wrote the HTML version to {html_file}")


def _letter_extras(conn, prospect, today) -> dict:
    """What follow-up letters name, for a preview: the first letter's date, a person met."""
    from ..followup import first_letter_fields
    from ..render import long_date

    return {
        **first_letter_fields(conn, prospect["id"], today),
        "person_name": f"{prospect['first_name']} {prospect['last_name']}".strip(),
        "person_title": prospect["title"],
        "interview_date": long_date(today),
    }


@cli.command()
@week_option
@click.option("--letter", metavar="NAME", help="The template (default: sending.letter, intro).")
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
@json_option
@pass_state
def send(state, week, letter, dry_run, limit, yes, retry_unknown, followups, as_json):
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
    from ..batch import find, iso_week
    from ..channels.mail import transport as make_transport
    from ..delivery import Summary, plan_intros, preflight, run_lock, settle_interrupted
    from ..render import Renderer

    settings, conn = state.settings, state.conn
    if followups and (week or letter):
        raise CampaignError(
            "--followups sends what `campaign due` lists; it takes no --week or --letter."
        )
    this_week = iso_week(state.today)
    weeks = (_week(state, week),) * 2 if week else ("0000-W00", this_week)
    if week and find(conn, weeks[0]) is None:
        raise CampaignError(
            f"no batch for {weeks[0]}; `campaign batch --week {weeks[0]}` picks one."
        )
    if not week and not followups and find(conn, this_week) is None:
        say(
            f"No batch for this week ({this_week}) yet: run `campaign batch` to pick one. "
            "Sending what earlier batches still owe.",
            fg="yellow",
        )
    renderer = Renderer(settings)
    with run_lock(settings.root):
        settle_interrupted(conn)
        if followups:
            plan = _plan_followups(conn, renderer, settings, state.today)
        else:
            plan = plan_intros(
                conn, renderer, state.today, letter or settings.letter, weeks, retry_unknown
            )
        attachments = preflight(settings, plan.jobs)
        _report_unknown(plan, retry_unknown)
        jobs = plan.jobs[:limit] if limit is not None else plan.jobs
        if dry_run or not jobs:
            summary = Summary(owed=len(plan.jobs), post=plan.post, unknown=len(plan.unknown))
            for job in jobs if dry_run else []:
                say(
                    f"would send to {job.letter.to_name} <{job.letter.to_email}>: "
                    f"{job.letter.subject}"
                )
            summary.post_weeks = plan.post_weeks
            copies = None if dry_run else _save_sent_copies(conn, settings)
            _finish(summary, as_json, this_week, dry_run=dry_run, copies=copies)
            return
        transport = make_transport(settings)
        transport.open()
        try:
            if not yes:
                _confirm(len(jobs), settings, transport)
            summary = _send_with_progress(conn, settings, jobs, transport, state, attachments)
        finally:
            transport.close()
        copies = _save_sent_copies(conn, settings)
    summary.owed = len(plan.jobs) - summary.sent - len(summary.failed)
    summary.post = plan.post
    summary.post_weeks = plan.post_weeks
    summary.unknown = len(plan.unknown) if not retry_unknown else 0
    _finish(summary, as_json, this_week, copies=copies)


def _save_sent_copies(conn, settings):
    """Copies in the IMAP Sent folder (issue 11): reported, never a reason to fail the run."""
    from ..sentcopies import save_pending, wanted

    if not wanted(settings):
        return None
    saved = save_pending(conn, settings)
    if saved.saved:
        say(f"Saved {saved.saved} copies in your Sent folder.")
    if saved.error:
        say(
            f"{saved.pending} sent emails are not in your Sent folder yet ({saved.error}); "
            "the next `campaign send` or `campaign sync` saves them.",
            fg="yellow",
        )
    return saved


def _plan_followups(conn, renderer, settings, today):
    from ..delivery import Job, Plan
    from ..followup import due_letters

    # One pass over the cadence: the email letters to send, the post ones only counted.
    due = due_letters(conn, renderer, settings.cadence, today, "email", "post")
    jobs = [
        Job(prospect, item.dedupe, letter.kind, letter, touch_id=item.touch_id)
        for item, prospect, letter in due
        if item.channel == "email"
    ]
    post = sum(item.channel == "post" for item, _, _ in due)
    return Plan(jobs=jobs, post=post)


def _report_unknown(plan, retry_unknown: bool) -> None:
    if plan.unknown and not retry_unknown:
        say(
            f"{len(plan.unknown)} sends are unknown: a run stopped while sending them, so they "
            "may have gone. Check your Sent folder, then `campaign send --retry-unknown` "
            "resends them:",
            fg="yellow",
        )
        for row in plan.unknown:
            say(f"  #{row['id']} {row['company']} <{row['email']}>", fg="yellow")


def _confirm(count: int, settings, transport) -> None:
    if not sys.stdin.isatty():
        raise CampaignError(
            "not sending without confirmation: no terminal to ask on; pass --yes to send."
        )
    who = f"{settings.sender_name} <{settings.sender_email}>"
    if not click.confirm(f"Send {count} emails as {who} via {transport.description}?", err=True):
        raise click.Abort()


def _send_with_progress(conn, settings, jobs, transport, state, attachments):
    from ..delivery import execute
    from ..sentcopies import wanted

    keep = wanted(settings)
    if not sys.stderr.isatty():
        return execute(conn, settings, jobs, transport, state.today, attachments, keep_copies=keep)
    with click.progressbar(length=len(jobs), label="Sending", file=sys.stderr) as bar:
        return execute(
            conn,
            settings,
            jobs,
            transport,
            state.today,
            attachments,
            progress=lambda: bar.update(1),
            keep_copies=keep,
        )


def _finish(summary, as_json: bool, this_week: str, dry_run: bool = False, copies=None) -> None:
    data = summary.as_dict()
    if copies is not None:
        data["sent_copies"] = copies.as_dict()
    if as_json:
        emit_json(data)
    if dry_run:
        say(
            f"Dry run: {summary.owed} emails would go; {summary.post} letters go by post. "
            "Nothing was sent or recorded."
        )
        return
    say(
        f"Sent {summary.sent}, failed {len(summary.failed)}, unknown {summary.unknown}, "
        f"still owed {summary.owed}, by post {summary.post}."
    )
    for who, why in summary.failed:
        say(f"  failed: {who}: {why}", fg="red")
    if summary.failed:
        say(
            "  Fix those addresses in your sheet and import it again; the next "
            "`campaign send` retries them."
        )
    if summary.stopped:
        say(f"Stopped early: {summary.stopped}.", fg="yellow")
    if summary.continue_on:
        say(f"Run `campaign send` again on {summary.continue_on} for the rest.")
    if summary.post:
        weeks = summary.post_weeks
        commands = (
            [f"`campaign print --week {w}`" for w in weeks]
            if weeks and weeks != [this_week]
            else ["`campaign print`"]
        )
        say(
            f"{summary.post} letters go by post and are not recorded as posted yet: print them "
            f"with {' and '.join(commands)}."
        )
    if summary.failed or (summary.stopped and not summary.continue_on):
        raise SystemExit(1)
