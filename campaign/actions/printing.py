"""Printing the post letters and recording them as posted: what `print`, `mailed` and the web
page's Print and Mark as posted buttons all call."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from campaign.errors import CampaignError
from campaign.workspace.settings import Settings


def printables(
    conn: sqlite3.Connection,
    settings,
    today: dt.date,
    week: str,
    letter: str | None = None,
    all_channels: bool = False,
    followups: bool = False,
    channels: tuple[str, ...] = ("post",),
    earlier: bool = False,
) -> list:
    """The week's batch letters for the post (or the follow-ups due by `channels`), rendered.

    `earlier`: also the post letters of earlier batches never recorded as posted, so a week
    whose letters were not printed in time is not lost (the web page's Print does this).
    """
    from campaign.followups.due import due_letters
    from campaign.letters.batch import find, no_batch_hint, week_of
    from campaign.letters.render import Letter, Renderer
    from campaign.post.printables import Printable, earlier_owed, intro_printables

    settings.check_sender(["name", "address"], "posted letters print {it} in the letterhead")
    renderer = Renderer(settings)
    if followups:
        due = due_letters(conn, renderer, settings.cadence, today, *channels)
        return [
            Printable(
                prospect,
                letter,
                item.dedupe,
                letter.kind,
                touch_id=item.touch_id,
                person=item.person or None,
            )
            for item, prospect, letter in ((i, p, cast(Letter, r)) for i, p, r in due)
        ]
    letter = letter or settings.letter
    before = earlier_owed(conn, renderer, today, letter, week) if earlier else []
    if find(conn, week) is None and before:
        return before
    if find(conn, week) is None:
        raise CampaignError(f"no batch for {week_of(week)}", hint=no_batch_hint(conn))
    return before + intro_printables(conn, renderer, today, letter, week, all_channels)


def fitting(settings: Settings, items: list, today: dt.date, paper: str | None = None):
    """(items that can be printed, [(who, why)] for those that cannot).

    One letter whose address cannot fit the envelope window is left out and listed; the
    others print, and `mailed` never records a letter that could not be printed.
    """
    fitted, left_out = _fitted(settings, items, today, paper)
    return [item for item, _ in fitted], left_out


def _fitted(settings: Settings, items: list, today: dt.date, paper: str | None = None):
    """([(item, its post.page.PostLetter)] that fit the window, [(who, why)] that do not)."""
    from campaign.post.page import AddressTooLong, fit_address
    from campaign.post.printables import to_post

    fitted, left_out = [], []
    for item in items:
        letter = to_post(item, today, settings.sender_name)
        if item.letter.blanks:  # never printed with a hole in a sentence
            why = f"{letter.recipient_name} ({letter.key}): {item.letter.held_because()}"
            left_out.append((letter.recipient_name, why))
            continue
        try:
            fit_address(letter, paper or settings.paper)
        except (AddressTooLong, ValueError) as err:
            left_out.append((letter.recipient_name, str(err)))
            continue
        fitted.append((item, letter))
    return fitted, left_out


@dataclass
class Printed:
    letters: int = 0
    pages: int = 0
    files: list[str] = field(default_factory=list)
    paper: str = "letter"
    items: list = field(default_factory=list)  # the Printables that were printed
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (who, why) not printed


def print_letters(
    settings,
    items: list,
    today: dt.date,
    out: Path,
    *,
    paper: str | None = None,
    per_letter: Path | None = None,
    envelopes: Path | None = None,
    labels: Path | None = None,
) -> Printed:
    """Write the letters (and envelopes, labels, one PDF per letter) as PDFs; record nothing."""
    from campaign.post.envelopes import write_envelopes, write_labels
    from campaign.post.letters import write_letters
    from campaign.post.page import Sender

    paper = paper or settings.paper
    sender = Sender(
        settings.sender_name,
        list(settings.sender_address),
        settings.sender_phone,
        settings.sender_email,
    )
    if settings.signature is not None and not settings.signature.is_file():
        raise CampaignError(
            f"campaign.toml: the signature image {settings.signature} does not exist."
        )
    fitted, left_out = _fitted(settings, items, today, paper)
    printed = [item for item, _ in fitted]
    letters = [letter for _, letter in fitted]
    if not letters:
        return Printed(paper=paper, left_out=left_out)
    if settings.resume is not None:
        from campaign.post.enclose import check_pdf

        check_pdf(settings.resume)
    if out.parent == settings.outbox:  # the workspace's own folder; never one the user named
        out.parent.mkdir(parents=True, exist_ok=True)
    options = {"paper": paper, "signature": settings.signature, "enclosure": settings.resume}
    try:
        pages = write_letters(letters, sender, out, **options)
        files = [str(out)]
        if per_letter:
            per_letter.mkdir(parents=True, exist_ok=True)
            for single in letters:
                target = per_letter / f"{single.key}.pdf"
                write_letters([single], sender, target, **options)
                files.append(str(target))
        if envelopes:
            write_envelopes(letters, sender, envelopes, paper=paper)
            files.append(str(envelopes))
        if labels:
            write_labels(letters, labels, paper=paper)
            files.append(str(labels))
    except (OSError, ValueError) as err:
        if isinstance(err, CampaignError):
            raise
        raise CampaignError(str(err)) from None
    return Printed(len(letters), pages, files, paper, printed, left_out)


@dataclass
class Posted:
    added: int = 0  # letters recorded as posted now
    already: int = 0  # recorded before
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (who, why) never printed


def posting_day(on: dt.date, today: dt.date) -> dt.date:
    """`on`, a day letters can be recorded as posted: never after today."""
    if on > today:
        raise CampaignError(f"{on} is after today ({today}): record letters once they are posted")
    return on


def record_posted(
    conn: sqlite3.Connection,
    settings,
    today: dt.date,
    week: str,
    on: dt.date,
    *,
    followups: bool = False,
    all_channels: bool = False,
    earlier: bool = False,
    channels: tuple[str, ...] = ("post", "note"),
) -> Posted:
    """Record the printed letters (and hand-written notes) as posted `on`, each once.

    What `campaign mailed` and the web page's Mark as posted both call: a letter whose address
    cannot fit the envelope window was never printed, so it is never recorded. `channels`: the
    follow-ups recorded (the web records the printed letters and the notes by hand apart).
    """
    posting_day(on, today)
    items = printables(
        conn, settings, today, week, None, all_channels, followups, channels, earlier
    )
    items, left_out = fitting(settings, items, today)
    return record_printed(conn, items, on, left_out)


def record_printed(
    conn: sqlite3.Connection,
    items: list,
    on: dt.date,
    left_out: list[tuple[str, str]] | None = None,
) -> Posted:
    """Record letters just printed (a Printed's items) as posted `on`: the one way a posted
    letter becomes a send, each once, whichever face printed it."""
    from campaign.post.printables import mark_mailed

    added = mark_mailed(conn, items, on)
    return Posted(added, len(items) - added, list(left_out or []))


@dataclass
class AlreadyPosted:
    """A letter of the week already recorded as posted, and the day it was."""

    name: str
    company: str
    on: str


def leave_out_posted(
    conn: sqlite3.Connection, items: list, again: bool = False
) -> tuple[list, list[AlreadyPosted]]:
    """(the letters to print, those already recorded as posted): a letter that went by post
    is printed again only when asked (`again`), so no second copy reaches an employer."""
    dedupes = [item.dedupe for item in items]
    posted = dict(
        conn.execute(
            "SELECT dedupe, sent_on FROM sends WHERE channel = 'post' AND status = 'sent' "
            "AND dedupe IN (SELECT value FROM json_each(?))",
            (json.dumps(dedupes),),
        ).fetchall()
    )
    already = [
        AlreadyPosted(
            (item.person or {}).get("name")
            or f"{item.prospect['first_name']} {item.prospect['last_name']}".strip(),
            item.prospect["company"],
            posted[item.dedupe],
        )
        for item in items
        if item.dedupe in posted
    ]
    if again:
        return items, already
    return [item for item in items if item.dedupe not in posted], already
