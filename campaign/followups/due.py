"""What is due: the follow-ups the cadence calls for, as `due`, the web's Due page and the
sending of follow-up letters read them (docs/domain.md, "Following up").

The rules are in cadence.py, one function per row of the follow-up table; store.py keeps their
answer for each prospect in the ledger and computes again only the prospects that changed.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable

from campaign.followups import store
from campaign.followups.items import Cadence, Due, _d
from campaign.followups.stages import Standing


def compute(
    conn: sqlite3.Connection,
    cadence: Cadence,
    today: dt.date,
    horizon: int = 0,
    *,
    only: int | None = None,
    keep_stale: bool = False,
) -> list[Due]:
    """Every follow-up due by today + horizon days, most overdue first within each kind.

    `only` limits it to one prospect (computed afresh, nothing stored); `keep_stale` adds the
    thank-yous that left the list within the last thank_you_late_days (marked `stale`), so
    `due` can say so once.
    """
    if only is not None:
        done = store.compute(conn, cadence, today, [only]).get(only)
        limit = today + dt.timedelta(days=horizon)
        return [
            i
            for i in (done.items if done else [])
            if i.due <= limit and (keep_stale or not i.stale)
        ]
    store.refresh(conn, cadence, today)
    return store.items(conn, today, horizon, keep_stale=keep_stale)


def standings(
    conn: sqlite3.Connection,
    cadence: Cadence,
    today: dt.date,
    *,
    ids: Iterable[int] | None = None,
    stage: str | None = None,
) -> dict[int, Standing]:
    """Where the prospects `ids` (None: all; or those at `stage`) stand today, and what next."""
    store.refresh(conn, cadence, today)
    return store.standings(conn, ids, stage)


# What a follow-up letter says of a first letter that has not gone yet (a preview): never a
# date it did not go on.
NOT_SENT_YET = "[the day your first letter goes]"


def first_letter_fields(
    conn: sqlite3.Connection, prospect_id: int, default: dt.date | None = None
) -> dict:
    """When the first letter went: first_sent, first_sent_long. Before it has, `default`, or
    without one a placeholder that shows it (a preview never says a letter went on a day it
    did not)."""
    from campaign.letters.render import long_date

    first = conn.execute(
        "SELECT min(sent_on) FROM sends WHERE prospect_id = ? AND kind = 'intro' "
        "AND status = 'sent'",
        (prospect_id,),
    ).fetchone()[0]
    day = _d(first) if first else default
    if day is None:
        return {"first_sent": None, "first_sent_long": NOT_SENT_YET}
    return {"first_sent": day, "first_sent_long": long_date(day)}


def letter_fields(
    conn: sqlite3.Connection, item: Due, prospect, today: dt.date | None = None
) -> dict:
    """What follow-up templates name beyond the prospect: first letter's date, the person met.

    `met_when` is "today" on the day of the interview and "on November 30, 2026" after it,
    so a thank-you written late never says "today": letters say only what is true.
    """
    from campaign.letters.render import long_date

    fields = first_letter_fields(conn, prospect["id"], item.due)
    if item.person:
        fields.update(person_name=item.person["name"], person_title=item.person.get("title", ""))
    if item.touch_id:
        on = conn.execute("SELECT on_date FROM touches WHERE id = ?", (item.touch_id,)).fetchone()
        met = _d(on[0])
        fields["interview_date"] = long_date(met)
        fields["met_when"] = "today" if met == (today or item.due) else f"on {long_date(met)}"
    return fields


def due_letters(
    conn: sqlite3.Connection, renderer, cadence: Cadence, today: dt.date, *channels: str
) -> list[tuple[Due, sqlite3.Row, object]]:
    """Follow-up letters due today by these channels (email, post, note), each rendered."""
    out = []
    for item in compute(conn, cadence, today):
        if item.channel not in channels or not item.template:
            continue
        prospect = conn.execute(
            "SELECT * FROM prospects WHERE id = ?", (item.prospect_id,)
        ).fetchone()
        letter = renderer.render(
            item.template, prospect, today, letter_fields(conn, item, prospect, today)
        )
        if item.person:
            letter.to_name = item.person["name"]
            letter.to_email = item.person.get("email") or prospect["email"]
        out.append((item, prospect, letter))
    return out
