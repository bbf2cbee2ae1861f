"""One whole sending run, exactly once: what the send command and the web page's Send call.

Lock, settle interrupted sends, plan (the batch's letters or the follow-ups due), pre-flight,
open the transport, confirm, send and record (delivery.execute), save the Sent copies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from campaign.email.delivery import (
    Job,
    Plan,
    Sending,
    Summary,
    execute,
    plan_intros,
    preflight,
    run_lock,
    settle_interrupted,
    standing_refusals,
    todays_share,
)
from campaign.errors import CampaignError, MailboxError, Notice
from campaign.letters.render import Letter, Renderer
from campaign.workspace.settings import Settings


def plan_followups(
    conn: sqlite3.Connection, renderer: Renderer, settings: Settings, today: dt.date
) -> Plan:
    """The follow-up letters due today by email, rendered; those by post only counted."""
    from campaign.followups.due import due_letters

    # One pass over the cadence: the email letters to send, the post ones only counted.
    due = due_letters(conn, renderer, settings.cadence, today, "email", "post")
    jobs = [
        Job(prospect, item.dedupe, letter.kind, letter, touch_id=item.touch_id)
        for item, prospect, letter in ((i, p, cast(Letter, x)) for i, p, x in due)
        if item.channel == "email"
    ]
    post = sum(item.channel == "post" for item, _, _ in due)
    return Plan(jobs=jobs, post=post)


@dataclass
class SendRequest:
    """What one `send` run covers: the CLI's options, the web page's form."""

    week: str | None = None  # a batch week "YYYY-Www"; None: every batch up to this week
    letter: str | None = None  # the template (default: settings.letter)
    followups: bool = False  # the follow-up letters due today instead of the intros
    retry_unknown: bool = False
    limit: int | None = None
    dry_run: bool = False
    read_inbox: bool = True  # follow-ups: read the inbox first (with [imap]), so no one who
    # answered gets "Following up on my letter..."


def _read_inbox_first(settings: Settings, conn, today, request, warn, interactive) -> None:
    """Sync before follow-ups: a reply that arrived since the last sync stops its letters."""
    from campaign.mailbox.sync import run

    if not request.read_inbox:
        warn(Notice("Not reading your inbox first: a reply since it was last read is not seen."))
        return
    if request.dry_run:
        warn(Notice("Dry run: the inbox is read only when sending."))
        return
    try:
        result, _ = run(settings, conn, today, interactive=interactive)
    except MailboxError as err:
        raise CampaignError(
            f"{err.message} Follow-ups are not sent without reading your inbox first, so that no "
            "one who answered gets one",
            hint="read-inbox-first",
        ) from None
    from campaign.util.text import plural

    found = result.as_dict()
    words = {
        "replies": ("reply", "replies"),
        "bounces": ("bounce", "bounces"),
        "possible_replies": ("possible reply", "possible replies"),
    }
    news = [plural(found[k], *words[k]) for k in words if found[k]]
    if news:
        warn(Notice(f"Read your inbox first: {', '.join(news)}; their follow-ups are held back."))


def _no_progress(total: int) -> contextlib.AbstractContextManager[Callable[[], None]]:
    return contextlib.nullcontext(lambda: None)


def send_owed(
    settings,
    conn: sqlite3.Connection,
    today: dt.date,
    request: SendRequest,
    *,
    confirm: Callable[[int, str], None] = lambda count, via: None,
    progress: Callable[[int], contextlib.AbstractContextManager[Callable[[], None]]] = (
        _no_progress
    ),
    on_plan: Callable[[Plan, list[Job]], None] = lambda plan, jobs: None,
    warn: Callable[[Notice], None] = lambda notice: None,
    interactive: bool | None = None,
) -> Summary:
    """One whole sending run, exactly once: lock, settle, plan, pre-flight, send, record.

    Both faces call this. `confirm(count, via)` runs once the server has accepted the login,
    before the first message (raise to stop); `progress(total)` is a context manager giving
    a function called after each message; `on_plan` sees the plan before anything is sent.
    """
    from campaign.letters.batch import find, iso_week, parse_week

    if request.followups and (request.week or request.letter):
        raise CampaignError("follow-ups go as they fall due: they take no week or letter")
    this_week = iso_week(today)
    week = parse_week(request.week) if request.week else None
    weeks = (week, week) if week else ("0000-W00", this_week)
    if week and find(conn, week) is None:
        raise CampaignError(f"no batch for {week}", hint="pick-batch-week", week=week)
    if not week and not request.followups and find(conn, this_week) is None:
        _no_batch_notice(conn, this_week, warn)
    if request.followups and settings.imap is not None:
        _read_inbox_first(settings, conn, today, request, warn, interactive)
    renderer = Renderer(settings)
    with run_lock(settings.root):
        if not request.dry_run:  # a dry run touches nothing, not even an interrupted send
            settle_interrupted(conn)
        if request.followups:
            plan = plan_followups(conn, renderer, settings, today)
        else:
            letter = request.letter or settings.letter
            plan = plan_intros(conn, renderer, today, letter, weeks, request.retry_unknown)
        plan.jobs, held = hold_blanks(plan.jobs)
        attachments = preflight(settings, plan.jobs)
        # One planning step for the dry run and the real one: the same caps, the same order.
        share = todays_share(conn, settings, plan.jobs, today, request.limit)
        on_plan(plan, share.jobs)
        earlier = standing_refusals(conn)
        if earlier:
            warn(_refused_notice(earlier))
        if request.dry_run or not share.jobs:
            summary = Summary()
            if request.dry_run:
                summary.would_send = [_going(job) for job in share.jobs]
            else:
                summary.sent_copies = _save_leftover_copies(conn, settings, interactive)
        else:
            hooks = _Hooks(confirm, progress, interactive)
            summary = _send(settings, conn, today, share.jobs, attachments, hooks)
    if not summary.stopped:
        summary.stopped, summary.continue_on = share.stopped, share.continue_on
    summary.pace_seconds = share.pace_seconds
    summary.refused_before = earlier
    summary.owed = len(plan.jobs) - summary.sent - len(summary.failed) - summary.unknown
    summary.post = plan.post
    summary.post_weeks = plan.post_weeks
    # Those a run left unknown before, and any this run handed over without an answer.
    summary.unknown += len(plan.unknown) if not request.retry_unknown else 0
    summary.transport = "outbox" if settings.smtp is None else "smtp"
    summary.followups = request.followups
    summary.held = held
    return summary


def _no_batch_notice(conn: sqlite3.Connection, week: str, warn: Callable[[Notice], None]) -> None:
    """A week without a batch: say so while one can be picked (or nothing was imported yet);
    with every prospect in an earlier batch, the run simply sends what those still need."""
    from campaign.letters.batch import NO_PROSPECTS, no_batch_hint, week_of

    hint = no_batch_hint(conn)
    if hint == "pick-batch":
        warn(
            Notice(
                f"No batch for {week_of(week)} yet: only what earlier batches still need goes.",
                hint=hint,
            )
        )
    elif hint == "import-list":
        warn(Notice(NO_PROSPECTS[:1].upper() + NO_PROSPECTS[1:], hint=hint))


@dataclass
class _Hooks:
    """How a face takes part in a real run (see send_owed)."""

    confirm: Callable[[int, str], None]
    progress: Callable[[int], contextlib.AbstractContextManager[Callable[[], None]]]
    interactive: bool | None


def _send(
    settings: Settings,
    conn: sqlite3.Connection,
    today: dt.date,
    jobs: list[Job],
    attachments: list[Path],
    hooks: _Hooks,
) -> Summary:
    """Open the transport (log in), confirm, send and record each, save the Sent copies."""
    from campaign.email.transport import transport as make_transport

    transport = make_transport(settings, hooks.interactive)
    transport.open()
    saver = _copy_saver(settings, hooks.interactive)
    try:
        hooks.confirm(len(jobs), transport.description)
        with hooks.progress(len(jobs)) as tick:
            run = Sending(conn, settings, today, transport, attachments, copies=saver)
            summary = execute(run, jobs, tick)
    finally:
        transport.close()
        copies = saver.finish(conn) if saver is not None else None
    summary.sent_copies = copies
    return summary


def _going(job: Job) -> dict:
    """One email a dry run would send, as the summary lists it."""
    row = job.prospect
    return {
        "prospect_id": row["id"],
        "company": row["company"],
        "name": job.letter.to_name,
        "to": job.letter.to_email,
        "kind": job.kind,
        "subject": job.letter.subject,
    }


def _refused_notice(earlier: list[dict]) -> Notice:
    """Addresses refused in an earlier run that nothing has been done about yet."""
    from campaign.util.text import agree, plural, shorten

    shown = [
        f"{r['to']} (#{r['prospect_id']} {shorten(r['company'], 40)}, {r['on']}: "
        f"{shorten(r['reason'], 100)})"
        for r in earlier[:3]
    ]
    if len(earlier) > 3:
        shown.append(f"and {len(earlier) - 3} more")
    count = len(earlier)
    return Notice(
        f"{plural(count, 'address', 'addresses')} {agree(count, 'was', 'were')} refused "
        f"last time: {'; '.join(shown)}",
        hint="refused-earlier",
    )


def hold_blanks(jobs: list[Job]) -> tuple[list[Job], list[tuple[str, str]]]:
    """The jobs whose letter has no empty field, and (who, why) for those held back."""
    letters = [(job, job.letter) for job in jobs]
    held = [
        (f"{letter.to_name} <{letter.to_email}>", letter.held_because())
        for _, letter in letters
        if letter.blanks
    ]
    return [job for job, letter in letters if not letter.blanks], held


def _copy_saver(settings: Settings, interactive: bool | None):
    """A background saver of sent copies when [imap] save_sent is on, else None."""
    from campaign.mailbox.sentcopies import Saver, wanted

    return Saver(settings, interactive).start() if wanted(settings) else None


def _save_leftover_copies(conn: sqlite3.Connection, settings: Settings, interactive: bool | None):
    """Copies an earlier run could not save, retried by a run with nothing to send."""
    from campaign.mailbox.sentcopies import save_pending, wanted

    return save_pending(conn, settings, interactive) if wanted(settings) else None
