"""campaign print, campaign mailed."""

from __future__ import annotations

from pathlib import Path

import click

from campaign.cli.options import chosen_week, json_option, pass_state, week_option
from campaign.cli.output import emit_json, say
from campaign.errors import CampaignError
from campaign.util.atomic import writable
from campaign.util.text import agree, plural

PDF = click.Path(dir_okay=False, path_type=Path)
POSTED = ("post", "note")  # what `mailed` records: letters for the post, notes by hand


def _printables(state, week, letter, all_channels, followups, channels=("post",)):
    from campaign.actions.printing import printables

    return printables(
        state.conn,
        state.settings,
        state.today,
        week,
        letter,
        all_channels,
        followups,
        channels,
    )


@click.command("print")
@week_option
@click.option(
    "--letter",
    metavar="NAME",
    help="The letter to use, a file in templates/ (default: intro).",
)
@click.option("--all-channels", is_flag=True, help="Print the whole batch, email ones too.")
@click.option("--followups", is_flag=True, help="Print the follow-up letters due by post.")
@click.option("--out", type=PDF, help="The combined PDF (default: outbox/letters-WEEK.pdf).")
@click.option(
    "--per-letter",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Also write one PDF per letter into DIR.",
)
@click.option(
    "--paper",
    type=click.Choice(["letter", "a4"]),
    help="Letter (US #10 window) or A4 (DL window); default from campaign.toml.",
)
@click.option("--envelopes", type=PDF, help="Also write an envelope per letter to this PDF.")
@click.option("--labels", type=PDF, help="Also write address labels (Avery 5160 / L7160).")
@click.option(
    "--mark-mailed",
    is_flag=True,
    help="Record the letters as posted today: starts their follow-up clock.",
)
@click.option(
    "--again",
    is_flag=True,
    help="Also print the letters already recorded as posted (they are left out otherwise).",
)
@json_option
@pass_state
def print_(
    state,
    week,
    letter,
    all_channels,
    followups,
    out,
    per_letter,
    paper,
    envelopes,
    labels,
    mark_mailed,
    again,
    as_json,
):
    """Print this week's letters for the post as one PDF, ready to sign and mail.

    Each letter has your letterhead, the date, the address placed for a window envelope,
    the body, your signature image (campaign.toml: signature) and typed name. Printing
    again is fine: only --mark-mailed (or `campaign mailed`) records the sends, once.

    \b
    Examples:
      campaign print
      campaign print --envelopes envelopes.pdf --labels labels.pdf --mark-mailed
      campaign print --followups --paper a4
    """
    from campaign.actions.printing import leave_out_posted, print_letters, record_printed

    week = chosen_week(state, week)
    items = _printables(state, week, letter, all_channels, followups)
    items, already = leave_out_posted(state.conn, items, again)
    _say_already(already, again, followups)
    if not items and already:
        if as_json:
            emit_json({"letters": 0, "pages": 0, "files": [], "mailed": 0, **_posted(already)})
        return
    if not items:
        say(
            f"Nothing to print: no follow-up letter is due by post on {state.today}."
            if followups
            else "Nothing to print: every letter in the batch goes by email "
            "(--all-channels prints them anyway)."
        )
        if as_json:
            emit_json({"letters": 0, "pages": 0, "files": [], "mailed": 0})
        return
    name = f"followups-{state.today}" if followups else f"letters-{week}"
    writable(out, envelopes, labels)  # every file's folder, before any is written
    out = out or state.settings.outbox / f"{name}.pdf"
    printed = print_letters(
        state.settings,
        items,
        state.today,
        out,
        paper=paper,
        per_letter=per_letter,
        envelopes=envelopes,
        labels=labels,
    )
    letters, pages, files, paper = printed.letters, printed.pages, printed.files, printed.paper
    mailed = record_printed(state.conn, printed.items, state.today).added if mark_mailed else 0
    if as_json:
        emit_json(
            {
                "letters": letters,
                "pages": pages,
                "files": files,
                "mailed": mailed,
                "left_out": [{"to": who, "reason": why} for who, why in printed.left_out],
                **_posted(already),
            }
        )
    if letters:
        paper = {"letter": "US Letter", "a4": "A4"}.get(paper, paper)
        say(f"Wrote {plural(letters, 'letter')} ({plural(pages, 'page')}, {paper}) to {out}")
    for extra in files[1:]:
        say(f"  and {extra}")
    for _, why in printed.left_out:
        say(f"  left out: {why}", fg="red")
    if mark_mailed:
        say(_mailed_said(mailed, len(printed.items) - mailed, state.today, followups))
    elif letters:
        them = agree(letters, "it", "them")
        say(
            f"Sign, fold and post {them}, then record {them} with `campaign mailed"
            + (" --followups`." if followups else "`.")
        )
    if printed.left_out:
        say(
            f"{plural(len(printed.left_out), 'letter')} left out: fix the address (or fill the "
            "empty field) in your sheet, import it again, then print again.",
            fg="red",
        )
        raise SystemExit(1)


def _posted(already: list) -> dict:
    """The letters already recorded as posted, for --json."""
    return {"already_posted": [{"to": a.name, "company": a.company, "on": a.on} for a in already]}


def _say_already(already: list, again: bool, followups: bool) -> None:
    """Which letters went by post before, and when: printed again only with --again."""
    if not already:
        return
    shown = "; ".join(f"{a.name} ({a.company}) on {a.on}" for a in already[:5])
    more = f"; and {len(already) - 5} more" if len(already) > 5 else ""
    count = len(already)
    said = (
        f"{plural(count, 'letter')} {agree(count, 'was', 'were')} already recorded as "
        f"posted: {shown}{more}"
    )
    if again:
        say(f"{said}. Printing {agree(count, 'it', 'them')} again (--again).", fg="yellow")
        return
    flag = " --followups" if followups else ""
    say(
        f"{said}. Left out, so no second copy reaches an employer; `campaign print{flag} "
        "--again` prints them anyway.",
        fg="yellow",
    )


@click.command()
@week_option
@click.option("--on", "on", metavar="YYYY-MM-DD", help="The day they were posted (default today).")
@click.option("--followups", is_flag=True, help="Record the follow-up letters due by post.")
@click.option("--all-channels", is_flag=True, help="Record the whole batch as posted.")
@click.option(
    "--drafts",
    is_flag=True,
    help="Record the email drafts in outbox/ you sent from your mail program as sent that day.",
)
@json_option
@pass_state
def mailed(state, week, on, followups, all_channels, drafts, as_json):
    """Record the week's printed letters as posted: starts their follow-up clock.

    Safe to run twice: a letter already recorded is not recorded again. With --drafts, the
    email drafts written to outbox/ and sent from your mail program are recorded as sent on
    --on instead (with [imap], `campaign sync` finds them in your Sent folder by itself).

    \b
    Examples:
      campaign mailed --on 2026-11-24
      campaign mailed --drafts --on 2026-11-25
    """
    from campaign.actions.printing import record_posted
    from campaign.letters.batch import NO_BATCH_HINTS
    from campaign.util.text import shorten
    from campaign.workspace.settings import parse_date

    day = parse_date(on, "--on") if on else state.today
    if day > state.today:
        raise CampaignError(
            f"--on {day} is after today ({state.today}): record letters once they are posted."
        )
    if drafts:
        if week or followups or all_channels:
            raise CampaignError("--drafts records email drafts: it takes no other option but --on")
        _drafts_mailed(state, day, as_json)
        return
    # Hand-written notes (a thank-you with no address known) are recorded here too.
    try:
        posted = record_posted(
            state.conn,
            state.settings,
            state.today,
            chosen_week(state, week),
            day,
            followups=followups,
            all_channels=all_channels,
        )
    except CampaignError as err:
        # No batch this week, but follow-up letters due by post: those are what was printed.
        if err.hint in NO_BATCH_HINTS and _printables(state, week, None, False, True, POSTED):
            raise CampaignError(err.message, hint="mailed-followups") from None
        raise
    added, already, left_out = posted.added, posted.already, posted.left_out
    if as_json:
        emit_json({"mailed": added, "already": already, "on": day.isoformat()})
    say(_mailed_said(added, already, day, followups))
    for who, why in left_out:
        reason = "its address does not fit the envelope window"
        if "prints {{" in why:  # a field the letter prints is empty for them
            reason = why.split("): ", 1)[-1]
        say(f"  not recorded: {shorten(who)}: {reason}", fg="red")


def _mailed_said(added: int, already: int, day, followups: bool) -> str:
    """What `mailed` recorded, leaving out the counts that are nought."""
    before = f"{plural(already, 'letter')} {agree(already, 'was', 'were')} already recorded"
    if added and already:
        return f"Recorded {plural(added, 'letter')} as posted on {day}; {before}."
    if added:
        return f"Recorded {plural(added, 'letter')} as posted on {day}."
    if already:
        return f"Nothing new to record: {before} as posted."
    if followups:
        return "Nothing to record: no follow-up letter is due by post."
    return "Nothing to record: no letter of the batch goes by post."


def _drafts_mailed(state, day, as_json: bool) -> None:
    from campaign.mailbox.drafts import mark_sent

    marked = mark_sent(state.conn, day, state.today)
    if as_json:
        emit_json(
            {"drafts": marked.marked, "written_later": marked.written_later, "on": day.isoformat()}
        )
    said = f"Recorded {plural(marked.marked, 'draft')} as sent on {day}"
    if marked.written_later:
        said += f"; {plural(marked.written_later, 'draft')} written after {day} left as they are"
    say(said + ".")
