"""A letter exactly as one prospect will receive it: `campaign preview` and the web pages."""

from __future__ import annotations

import datetime as dt
import sqlite3


def letter_extras(conn: sqlite3.Connection, prospect, today: dt.date) -> dict:
    """What follow-up letters name, for a preview: the first letter's date, a person met."""
    from .followup import first_letter_fields
    from .render import long_date

    return {
        **first_letter_fields(conn, prospect["id"], today),
        "person_name": f"{prospect['first_name']} {prospect['last_name']}".strip(),
        "person_title": prospect["title"],
        "interview_date": long_date(today),
    }


def preview(conn: sqlite3.Connection, settings, prospect, today: dt.date, name: str | None = None):
    """The render.Letter `name` (default: the settings' letter) for `prospect`."""
    from .render import Renderer

    extra = letter_extras(conn, prospect, today)
    return Renderer(settings).render(name or settings.letter, prospect, today, extra)


def first_of_batch(conn: sqlite3.Connection, today: dt.date):
    """The first prospect of this week's batch, for a preview without a name."""
    from .batch import find, iso_week, members
    from .errors import CampaignError

    current = find(conn, iso_week(today))
    rows = members(conn, current["id"]) if current else []
    if not rows:
        raise CampaignError(
            "no batch this week to preview; name a prospect, or run `campaign batch` first."
        )
    return rows[0]
