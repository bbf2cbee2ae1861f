"""A letter exactly as one prospect will receive it: the preview command and the Letters page."""

from __future__ import annotations

import datetime as dt
import sqlite3

from campaign.workspace.settings import Settings


def letter_extras(conn: sqlite3.Connection, prospect, today: dt.date) -> dict:
    """What follow-up letters name, for a preview: the first letter's date, a person met."""
    from campaign.followups.due import first_letter_fields
    from campaign.letters.render import long_date

    return {
        # Never "On <today>, I wrote to you" for a prospect not written to yet.
        **first_letter_fields(conn, prospect["id"]),
        "person_name": f"{prospect['first_name']} {prospect['last_name']}".strip(),
        "person_title": prospect["title"],
        "interview_date": long_date(today),
        "met_when": "today",
    }


def preview(
    conn: sqlite3.Connection, settings: Settings, prospect, today: dt.date, name: str | None = None
):
    """The render.Letter `name` (default: the settings' letter) for `prospect`."""
    from campaign.letters.render import Renderer

    extra = letter_extras(conn, prospect, today)
    renderer = Renderer(settings, examples_ok=True)
    return renderer.render(name or settings.letter, prospect, today, extra)


def printable(prospect, letter):
    """A preview's letter as the Printable that `print` would make of it."""
    from campaign.post.printables import Printable

    return Printable(prospect, letter, f"preview:{prospect['id']}", letter.kind)


def as_printed(
    settings: Settings, prospect, letter, today: dt.date, paper: str | None = None
) -> str:
    """A posted letter as text, laid out as printed: letterhead, date, window address, body."""
    from campaign.post.letters import format_date
    from campaign.post.page import AddressTooLong, fit_address
    from campaign.post.printables import to_post

    paper = paper or settings.paper
    post = to_post(printable(prospect, letter), today, settings.sender_name)
    try:
        address, _ = fit_address(post, paper)
    except AddressTooLong as err:
        address = [*post.recipient_lines, f"(will not print: {err})"]
    head = [
        settings.sender_name,
        " · ".join(settings.sender_address),
        " · ".join(x for x in (settings.sender_phone, settings.sender_email) if x),
    ]
    parts = [
        "\n".join(x for x in head if x),
        format_date(today, paper),
        "\n".join(address),
        *letter.paragraphs(),
        "\n".join([letter.closing, "", "(your signature)" if settings.signature else "", ""])
        + settings.sender_name,
    ]
    return "\n\n".join(parts) + "\n"


def first_of_batch(conn: sqlite3.Connection, today: dt.date):
    """The first prospect of this week's batch, for a preview without a name."""
    from campaign.errors import CampaignError
    from campaign.letters.batch import find, iso_week, members, no_batch_hint

    current = find(conn, iso_week(today))
    rows = members(conn, current["id"]) if current else []
    if not rows:
        # Naming a prospect always works; picking a batch only while one is left to pick.
        hint = no_batch_hint(conn)
        hint = {"pick-batch": "name-or-pick", "import-more": "name-prospect"}.get(hint, hint)
        raise CampaignError("no batch this week to preview", hint=hint)
    return rows[0]
