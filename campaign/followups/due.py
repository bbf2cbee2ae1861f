"""The follow-up cadence from DOMAIN.md: which touch is due for whom, when, and why.

Every number comes from [cadence] in campaign.toml. A due date on a weekend moves to Monday.
This module loads the ledger and shapes the answer; the rules themselves, each quoting its line
of DOMAIN.md, are in cadence.py.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict, namedtuple

from campaign.followups.items import KINDS, Due, _d

# Light rows: attribute access, no sqlite3.Row lookups by name (100,000 prospects, issue 6).
Sent = namedtuple("Sent", "dedupe channel sent_on")
Touch = namedtuple("Touch", "id kind on_date outcome people item")
Prospect = namedtuple(
    "Prospect", "id company first_name last_name email phone postal_code status role"
)


def _rows(conn: sqlite3.Connection, sql: str, shape) -> sqlite3.Cursor:
    cursor = conn.cursor()
    cursor.row_factory = lambda _, row: shape._make(row)
    return cursor.execute(sql)


def compute(
    conn: sqlite3.Connection,
    cadence: dict,
    today: dt.date,
    horizon: int = 0,
    *,
    only: int | None = None,
    keep_stale: bool = False,
) -> list[Due]:
    """Every follow-up due by today + horizon days, most overdue first within each kind.

    `only` limits it to one prospect; `keep_stale` adds the thank-yous that left the list
    within the last thank_you_late_days (marked `stale`), so `due` can say so once.
    """
    # Only prospects whose cadence can still produce something: contacts and insiders, anyone
    # interviewed (thank-yous, calls), and active prospects written to but not yet sent the
    # last follow-up letter. The rest of a year-old ledger is history, not work.
    conn.execute("DROP TABLE IF EXISTS temp.due_scope")
    conn.execute(
        "CREATE TEMP TABLE due_scope AS "
        "SELECT id FROM prospects WHERE role != 'employer' "
        "UNION SELECT prospect_id FROM touches WHERE kind = 'interview' "
        "UNION SELECT p.id FROM prospects p JOIN ("
        "  SELECT prospect_id FROM sends WHERE dedupe LIKE 'intro:%'"
        "  AND status IN ('sent', 'unknown')"
        "  EXCEPT SELECT prospect_id FROM sends WHERE dedupe LIKE 'followup2:%'"
        "  AND status IN ('sent', 'unknown')"
        ") AS written ON written.prospect_id = p.id WHERE p.status = 'active'"
    )
    if only is not None:
        conn.execute("DELETE FROM temp.due_scope WHERE id != ?", (only,))
    scope = "SELECT id FROM temp.due_scope"
    sends: dict[int, dict[str, Sent]] = defaultdict(dict)
    cursor = conn.cursor()
    cursor.row_factory = None
    for pid, dedupe, channel, sent_on in cursor.execute(
        "SELECT prospect_id, dedupe, channel, sent_on FROM sends "
        f"WHERE status IN ('sent', 'unknown') AND prospect_id IN ({scope}) "
        # A letter that bounced from an address since corrected never reached anyone: the
        # cadence starts again from the first letter to the new address (issue 11).
        "AND NOT (bounced_on IS NOT NULL AND lower(recipient) != "
        "lower((SELECT email FROM prospects WHERE prospects.id = sends.prospect_id)))"
    ):
        sends[pid][dedupe] = Sent(dedupe, channel, sent_on)
    touches: dict[int, list[Touch]] = defaultdict(list)
    for pid, *rest in cursor.execute(
        "SELECT prospect_id, id, kind, on_date, outcome, people, item FROM touches "
        f"WHERE prospect_id IN ({scope}) ORDER BY on_date, id"
    ):
        touches[pid].append(Touch._make(rest))
    prospects = _rows(
        conn,
        "SELECT id, company, first_name, last_name, email, phone, postal_code, status, role "
        f"FROM prospects WHERE id IN ({scope})",
        Prospect,
    )
    from campaign.followups.cadence import for_prospect

    limit = today + dt.timedelta(days=horizon)
    items: list[Due] = []
    no_sends: dict[str, Sent] = {}
    for p in prospects:
        sent, touched = sends.get(p.id, no_sends), touches.get(p.id, [])
        if sent or touched or p.role != "employer":
            items += for_prospect(p, sent, touched, cadence, today)
    items += _unknown_sends(conn, only)
    from campaign.followups.mailbox import adjust

    items = [
        i for i in adjust(conn, items, today) if i.due <= limit and (keep_stale or not i.stale)
    ]
    order = list(KINDS)
    items.sort(key=lambda i: (order.index(i.kind), i.due, i.prospect_id))
    return items


def _unknown_sends(conn: sqlite3.Connection, only: int | None) -> list[Due]:
    """Sends a run died in the middle of: the user says whether they went."""
    from campaign.email.unknown import listing

    out = []
    for u in listing(conn, only=only):
        # The send's id first: `due` cuts a long reason short in its table.
        said = (
            f"send {u['send_id']}, {u['letter']} to {u['recipient'] or 'the post'}: the run "
            f"stopped while sending; look for {u['message_id'] or u['subject']!r} in your Sent "
            "folder"
        )
        out.append(
            Due(
                u["prospect_id"],
                u["company"],
                u["name"],
                "unknown-send",
                "resolve",
                dt.date.fromisoformat(u["attempted_on"]),
                said,
                dedupe=f"unknown:{u['send_id']}",
                send_id=u["send_id"],
                hint="resolve-unknown",
                values={"id": u["send_id"]},
            )
        )
    return out


def first_letter_fields(conn: sqlite3.Connection, prospect_id: int, default: dt.date) -> dict:
    """When the first letter went (or `default`, before it has): first_sent, first_sent_long."""
    from campaign.letters.render import long_date

    first = conn.execute(
        "SELECT min(sent_on) FROM sends WHERE prospect_id = ? AND kind = 'intro' "
        "AND status = 'sent'",
        (prospect_id,),
    ).fetchone()[0]
    day = _d(first) if first else default
    return {"first_sent": day, "first_sent_long": long_date(day)}


def letter_fields(
    conn: sqlite3.Connection, item: Due, prospect, today: dt.date | None = None
) -> dict:
    """What follow-up templates name beyond the prospect: first letter's date, the person met.

    `met_when` is "today" on the day of the interview and "on November 30, 2026" after it,
    so a thank-you written late never says "today" (issue 9: letters say only what is true).
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
    conn: sqlite3.Connection, renderer, cadence: dict, today: dt.date, *channels: str
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
