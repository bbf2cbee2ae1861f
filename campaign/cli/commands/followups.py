"""campaign log, due, status, calls and export."""

from __future__ import annotations

from pathlib import Path

import click

from campaign.cli.hints import HINTS
from campaign.cli.options import horizon_option, json_option, pass_state
from campaign.cli.output import echo, emit_json, say, table
from campaign.errors import CampaignError
from campaign.followups.items import KINDS, LABELS, OUTCOMES
from campaign.followups.touches import EVENTS, SKIPPABLE, UNDO
from campaign.util.text import plural


@click.command("log")
@click.argument("prospect")
@click.argument("event", type=click.Choice([*EVENTS, UNDO]), metavar="EVENT")
@click.argument("touch_id", required=False, type=int, metavar="[EVENT_ID]")
@click.option("--note", default="", help="What was said, for the record.")
@click.option(
    "--on", "on", metavar="YYYY-MM-DD", help="When it happened (default: today; never after it)."
)
@click.option("--outcome", type=click.Choice(OUTCOMES), help="How a call went.")
@click.option("--assistant", default="", help="The assistant or secretary who answered.")
@click.option("--best-time", default="", help="When to call next time, e.g. 'Tue 9-10am'.")
@click.option(
    "--with",
    "people",
    default="",
    metavar='"NAME, TITLE, EMAIL; ..."',
    help="Everyone met at an interview (email optional): each gets a thank-you note.",
)
@click.option(
    "--item",
    default="",
    metavar="KIND",
    help="With skip: the follow-up to dismiss, one of " + ", ".join(SKIPPABLE) + ".",
)
@click.option("--again", is_flag=True, help="Record it even if the same was logged that day.")
@json_option
@pass_state
def log_(state, prospect, event, touch_id, as_json, **details):
    """Record a call, reply, interview or status change for a prospect.

    \b
    EVENT is one of:
      call       a phone call (--outcome, --assistant, --best-time)
      reply      they answered a letter: stops the letter follow-ups
      answered   you answered their reply
      received   they confirmed the letter arrived
      interview  an interview or appointment (--with "Name, Title, email; ...")
      offer      they made an offer
      rejected   a rejection: ends the follow-up, keeps the record
      closed     the position closed: ends the follow-up
      hired      hired (here or elsewhere): ends the follow-up
      note       a note for the record
      contact    mark as a networking contact: a progress call every 6 weeks
      insider    mark as a warm insider: a check-in every 4 to 6 days
      active     reopen a prospect whose follow-up had ended
      skip       dismiss a follow-up that is due (--item thank-you, receipt-check, ...)
      undo ID    undo an event logged by mistake (`campaign show` gives each its id);
                 it stays in the history, marked undone

    The same event for the same prospect on the same day is refused (--again records it).

    \b
    Examples:
      campaign log 12 call --outcome assistant --assistant "Pat" --best-time "Tue am"
      campaign log 12 interview --with "Ann Lee, CFO, ann@acme.com; Bo Chan, HR Lead"
      campaign log 12 skip --item receipt-check --note "she confirmed by email"
      campaign log 12 answered --note "proposed Tuesday 10am"
      campaign log 12 undo 45
      campaign log maria@example.com rejected --note "filled internally"
    """
    from campaign.ledger.queries import find_prospect

    row = find_prospect(state.conn, prospect)
    if event == UNDO:
        _undo(state, row, touch_id, as_json)
        return
    if touch_id is not None:
        raise CampaignError(f"an event id goes only with undo (got {touch_id})")
    _log(state, row, event, details, as_json)


def _log(state, row, event: str, details: dict, as_json: bool) -> None:
    from campaign.followups.touches import Logged, log
    from campaign.workspace.settings import parse_date

    on = details.pop("on")
    day = parse_date(on, "--on") if on else state.today
    details["outcome"] = details["outcome"] or ""
    entry = Logged(event, day, **details)
    touch_id = log(state.conn, row, entry, today=state.today, cadence=state.settings.cadence)
    if as_json:
        emit_json(
            {
                "touch_id": touch_id,
                "prospect_id": row["id"],
                "event": event,
                "on": day.isoformat(),
                **({"item": entry.item} if event == "skip" else {}),
            }
        )
    what = f"the {entry.item} (dismissed)" if event == "skip" else event
    say(f"Logged {what} for #{row['id']} {row['company']} on {day}.")


def _undo(state, row, touch_id: int | None, as_json: bool) -> None:
    from campaign.followups.touches import undo

    if touch_id is None:
        raise CampaignError(
            "undo needs the id of the event to undo", hint="show-history", id=row["id"]
        )
    touch = undo(state.conn, row, touch_id, state.today)
    if as_json:
        emit_json(
            {
                "touch_id": touch["id"],
                "prospect_id": row["id"],
                "event": "undo",
                "undone": touch["kind"],
                "on": state.today.isoformat(),
            }
        )
    say(
        f"Undid {touch['kind']} of {touch['on_date']} (event {touch['id']}) for #{row['id']} "
        f"{row['company']}; it stays in the history, marked undone."
    )


@click.command()
@horizon_option("Also show what is")
@json_option
@pass_state
def due(state, horizon, as_json):
    """What to follow up today: letters to send and calls to make, most overdue first.

    Receipt checks, follow-up letters at 2 and 4 weeks, thank-you notes, calls after a
    meeting (an unanswered one is retried 2 business days later), article notes,
    networking and insider calls, from the cadence in campaign.toml, and sends left
    unknown by a run that stopped. A reply, rejection, closed position or hire ends a
    prospect's follow-up; `campaign log P skip --item KIND` dismisses one follow-up.

    \b
    Examples:
      campaign due
      campaign due --days 7 --json
    """
    from campaign.actions.exports import due_items

    items = due_items(state.conn, state.settings, state.today, horizon, keep_stale=True)
    stale = [i for i in items if i.stale]
    items = [i for i in items if not i.stale]
    if as_json:
        emit_json([i.as_dict(state.today, HINTS) for i in items])
        return
    if stale:
        late = state.settings.cadence["thank_you_late_days"]
        who = "; ".join(f"#{i.prospect_id} {i.person.get('name') or i.name}" for i in stale)
        say(
            f"{plural(len(stale), 'thank-you note')} more than {plural(late, 'day')} after the "
            "interview "
            f"left the list: {who}.",
            fg="yellow",
        )
    if not items:
        say(f"Nothing due on {state.today}.")
        return
    for kind, (heading, _) in KINDS.items():
        group = [i.as_dict(state.today, HINTS) for i in items if i.kind == kind]
        if not group:
            continue
        click.echo(f"\n{heading} ({len(group)})")
        for row in group:
            late = row["days_overdue"]
            row["when"] = f"{late}d late" if late > 0 else "today" if late == 0 else f"in {-late}d"
        click.echo(
            table(
                group,
                [
                    ("due", "due", 10),
                    ("when", "", 9),
                    ("prospect_id", "id", 5),
                    ("company", "company", 26),
                    ("name", "who", 20),
                    ("channel", "by", 5),
                    ("reason", "why", 48),
                ],
            )
        )
    # What to do names commands that act on what is due today, not on what falls due later.
    now = [i for i in items if i.due <= state.today]
    later = len(items) - len(now)
    said = f"{plural(len(now), 'follow-up')} due: " + ", ".join(_summary(now)) if now else ""
    if later:
        coming = f"{plural(later, 'follow-up')} falling due in the next {plural(horizon, 'day')}"
        said = f"{said}; {coming}" if said else f"Nothing due on {state.today}; {coming}"
    say(f"\n{said}.")


# What the mailbox and the mail server add to `due` (but the calls among them).
MAIL_KINDS = ("check-reply", "bounced", "refused", "draft-unsent")


def _summary(items: list) -> list[str]:
    """What the follow-ups due come to, by what the user does about them."""
    counts: dict[str, int] = {}
    for i in items:
        what = (
            i.channel
            if i.channel in ("email", "post") and i.template is not None
            else "mail"
            if i.kind in ("check-reply", "bounced", "refused", "draft-unsent")
            and i.channel != "call"
            else i.channel
        )
        counts[what] = counts.get(what, 0) + 1
    replies = counts.pop("reply", 0)
    parts = [plural(replies, "reply", "replies") + " to answer today"] if replies else []
    words = {
        "email": lambda n: f"{plural(n, 'email')} to send (`campaign send --followups`)",
        "post": lambda n: f"{plural(n, 'letter')} to post (`campaign print --followups`)",
        "note": lambda n: (
            f"{plural(n, 'note')} to write by hand (then `campaign mailed --followups`)"
        ),
        "resolve": lambda n: f"{plural(n, 'unknown send')} to resolve (`campaign unknown`)",
        "mail": lambda n: (
            f"{n} from your mailbox or the mail server to look at (refused or "
            "bounced addresses, possible replies, drafts not seen sent)"
        ),
        "log": lambda n: f"{plural(n, 'meeting')} to log once held (`campaign log P interview`)",
    }
    for key, word in words.items():
        if counts.get(key):
            parts.append(word(counts.pop(key)))
    if sum(counts.values()):
        parts.append(f"{plural(sum(counts.values()), 'call')} (`campaign calls`)")
    return parts


@click.command()
@json_option
@pass_state
def status(state, as_json):
    """The campaign at a glance: prospects, this week's batch, sends, follow-ups due.

    \b
    Example:
      campaign status
    """
    from campaign.letters.batch import find, no_batch_hint, week_of
    from campaign.reports.status import status as numbers

    today = state.today
    data = numbers(state.conn, state.settings, today)
    by_status = {k: v for k, v in data["prospects"].items() if k != "total"}
    progress, sends, week = data["batch"], data["sends_by_status"], data["batch"]["week"]
    batch = find(state.conn, week)
    if as_json:
        emit_json(data)
        return
    p = data["prospects"]
    click.echo(f"Campaign on {today}")
    click.echo(
        f"  prospects   {p['total']}: "
        + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
        if p["total"]
        else "  prospects   none yet"
    )
    click.echo(
        f"  this week   {week_of(week)}: "
        + (
            f"{progress['sent']} of {progress['picked']} sent"
            if batch
            else f"no batch yet; {HINTS[no_batch_hint(state.conn)]}"
        )
    )
    click.echo(
        f"  sent        {data['sent']['email']} by email, {data['sent']['post']} by post"
        + (f" ({data['drafts']} of the emails as drafts in outbox/)" if data["drafts"] else "")
        + (f"; {sends['unknown']} unknown" if sends.get("unknown") else "")
        + (f"; {sends['failed']} failed" if sends.get("failed") else "")
    )
    click.echo(f"  follow-ups  {data['due_today']} due today, {data['overdue']} overdue")
    stages = ", ".join(f"{n} {stage}" for stage, n in data["stages"].items() if n)
    click.echo(f"  stages      {stages or 'none yet'}")
    click.echo(
        f"  so far      {plural(data['replies'], 'reply', 'replies')}, "
        f"{plural(data['interviews'], 'interview')}, {plural(data['calls'], 'call')}"
    )
    if data["bounces"] or data["auto_replies"] or data["possible_replies"]:
        click.echo(
            f"  mailbox     {plural(data['bounces'], 'bounce')}, "
            f"{plural(data['auto_replies'], 'automatic reply', 'automatic replies')}, "
            f"{plural(data['possible_replies'], 'possible reply', 'possible replies')} "
            "(campaign sync)"
        )


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the sheet to FILE.pdf (to print) or FILE.xlsx instead of the screen.",
)
@horizon_option("Also include calls")
@json_option
@pass_state
def calls(state, out, horizon, as_json):
    """The call sheet to take to the phone: who to call, what was sent, what to ask.

    For each call due: name, title, company, phone, assistant and best time, the letters
    sent and when, the last outcome, the call script and room for notes, with an estimate
    of the session at 8 calls an hour.

    \b
    Examples:
      campaign calls
      campaign calls --out calls.pdf
    """
    from campaign.actions.exports import call_sheet

    sheet = call_sheet(state.conn, state.settings, state.today, horizon, out)
    rows, script = sheet.rows, sheet.script
    if not rows:
        say(f"No calls due on {state.today}" + (": no call sheet written." if out else "."))
    if out and rows:
        say(f"Wrote the call sheet ({plural(len(rows), 'call')}) to {out}")
    if as_json:
        emit_json({"calls": rows, "estimate": sheet.estimate})
        return
    if out or not rows:
        return
    click.echo(f"Call sheet for {state.today}: {sheet.estimate}")
    click.echo("Script: " + " ".join(script))
    for number, r in enumerate(rows, start=1):
        said = LABELS.get(r["kind"], r["kind"])
        echo(f"\n{number}. {r['name']}, {r['title']}, {r['company']}  [{said}]")
        echo(
            f"   phone {r['phone'] or 'none on file: find it, or write instead'}   "
            f"assistant {r['assistant'] or '-'}   "
            f"best time {r['best_time'] or '-'}"
        )
        echo(f"   sent: {r['sent'] or '-'}")
        echo(f"   last call: {r['last_outcome'] or 'none'} ({r['attempts']} so far); {r['why']}")
        click.echo("   notes: ______________________________________________")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@horizon_option("For .ics: the follow-ups", default=90)
@json_option
@pass_state
def export(state, file, horizon, as_json):
    """Export the tracker workbook (.xlsx) or the follow-ups as calendar events (.ics).

    The workbook has every prospect with its next action and date, every touch, and
    what is due; it is safe to open in Excel (nothing in it runs as a formula). The
    calendar has one event per follow-up with a stable id, so importing it again
    updates the events instead of doubling them, and removes the ones that ended.

    \b
    Examples:
      campaign export tracker.xlsx
      campaign export followups.ics --days 30
    """
    from campaign.actions.exports import export as write

    done = write(state.conn, state.settings, state.today, file, horizon)
    if done.kind == "xlsx":
        what = plural(done.count, "prospect")
    else:
        changes = [f"{done.changed} changed"] if done.changed else []
        changes += [f"{done.cancelled} cancelled"] if done.cancelled else []
        what = plural(done.count, "follow-up") + (f" ({', '.join(changes)})" if changes else "")
    if as_json:
        emit_json(done.as_dict())
    say(f"Wrote {what} to {file}")
