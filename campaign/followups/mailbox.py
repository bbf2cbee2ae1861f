"""What the mail says about a prospect, added to `due`: refused, bounced, possible replies
(docs/domain.md, "Refused and bounced letters"), drafts not seen sent.

A letter the mail server refused at sending (a send `failed`: 5xx) or that bounced later (read
by `campaign sync`) asks for a new address, a call or a letter; a message from someone else at
a prospect's company asks the user to confirm it is a reply. Each item goes once the user acts:
a corrected address imported, a call that reached someone, a note, an interview..., a letter
posted since, or dismissing it. (No more email to such an address: cadence.py's
no_email_to_bad_addresses.)

adjust() sees only the prospects being computed: those in story.SCOPE.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from campaign.followups.cadence import Clock
from campaign.followups.items import ENDED, Due, weekday
from campaign.followups.story import IN_SCOPE
from campaign.mailbox.drafts import SENT_FOLDER, unconfirmed_where

# Touches that show the user has dealt with an address (sync's own notes do not count, nor a
# call nobody answered: it is retried), and with a possible reply (a reply logged, too).
ACTED = ("call", "note", "received", "interview", "answered", "offer", *ENDED)
UNANSWERED = ("no-answer", "left-message")
ENDED_SQL = f"p.status NOT IN {ENDED!r}"


def adjust(conn: sqlite3.Connection, items: list[Due], today: dt.date) -> list[Due]:
    """`items` and what the mail adds for the prospects in scope: refused, bounced,
    check-reply. (`today` is not read: what the mail says holds whatever the day.)"""
    troubles = _troubles(conn)
    possible = conn.execute(
        "SELECT m.prospect_id, m.sender, m.subject, m.received_on, m.snippet, p.company, "
        "p.first_name, "
        "p.last_name FROM mail_seen m JOIN prospects p ON p.id = m.prospect_id "
        f"WHERE m.prospect_id {IN_SCOPE} AND m.kind = 'possible-reply' AND p.status = 'active' "
        "ORDER BY m.received_on"
    ).fetchall()
    if not troubles and not possible:
        return items  # the usual case: nothing from the mail to add
    ids = {row["id"] for row in troubles} | {row["prospect_id"] for row in possible}
    acted, replied, skipped = _acted(conn, ids)
    out = list(items)
    for row in troubles:
        kind, since = row["kind"], row["since"]
        if max(acted.get(row["id"], ""), skipped.get((row["id"], kind), "")) >= since:
            continue
        if _posted_since(conn, row["id"], since):
            continue
        out.append(_trouble(row))
    for row in possible:
        pid = row["prospect_id"]
        if max(acted.get(pid, ""), replied.get(pid, "")) >= row["received_on"]:
            continue
        out.append(
            Due(
                pid,
                row["company"],
                f"{row['first_name']} {row['last_name']}".strip(),
                "check-reply",
                "inbox",
                weekday(dt.date.fromisoformat(row["received_on"])),
                _possible(row),
                dedupe=f"check-reply:{pid}:{row['received_on']}",
                hint="log-reply",
                values={"id": pid},
            )
        )
    return out


def _possible(row: sqlite3.Row) -> str:
    """Who wrote, about what, and their first words: enough to tell an answer from news."""
    said = f"{row['sender'][:60]} wrote {row['subject'][:60]!r}"
    words = (row["snippet"] or "").strip()
    return said + (f": {words[:80]!r}" if words else "") + "; a reply?"


def _troubles(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Prospects in scope whose current email bounced or was refused, and since when."""
    return conn.execute(
        "SELECT 'bounced' AS kind, p.id, p.company, p.first_name, p.last_name, p.phone, "
        "p.bad_email AS address, max(s.bounced_on) AS since FROM prospects p "
        "JOIN sends s ON s.prospect_id = p.id "
        f"WHERE p.id {IN_SCOPE} AND p.bad_email != '' AND lower(p.bad_email) = lower(p.email) "
        f"AND {ENDED_SQL} AND s.bounced_on IS NOT NULL GROUP BY p.id "
        "UNION ALL "
        "SELECT 'refused', p.id, p.company, p.first_name, p.last_name, p.phone, p.email, "
        "max(coalesce(s.attempted_on, substr(s.created_at, 1, 10))) FROM prospects p "
        "JOIN sends s ON s.prospect_id = p.id "
        f"WHERE p.id {IN_SCOPE} AND s.status = 'failed' AND s.channel = 'email' "
        f"AND p.email != '' AND lower(s.recipient) = lower(p.email) AND {ENDED_SQL} "
        "GROUP BY p.id"
    ).fetchall()


def _trouble(row: sqlite3.Row) -> Due:
    """One refused or bounced address: by phone where there is one, else a letter."""
    what = "bounced" if row["kind"] == "bounced" else "was refused by the mail server"
    return Due(
        row["id"],
        row["company"],
        f"{row['first_name']} {row['last_name']}".strip(),
        row["kind"],
        "call" if row["phone"] else "post",
        weekday(dt.date.fromisoformat(row["since"])),
        f"{row['address']} {what} on {row['since']}",
        hint="new-address",
        values={"id": row["id"]},
    )


def _acted(
    conn: sqlite3.Connection, ids: set[int]
) -> tuple[dict[int, str], dict[int, str], dict[tuple[int, str], str]]:
    """The latest day the user logged something about each prospect (ACTED), logged a reply,
    and dismissed each kind of follow-up."""
    wanted = ", ".join(str(int(i)) for i in ids)
    live = (
        f"prospect_id IN ({wanted}) AND undone_on IS NULL "
        "AND id NOT IN (SELECT touch_id FROM mail_seen WHERE touch_id IS NOT NULL)"
    )
    acted = dict(
        conn.execute(
            f"SELECT prospect_id, max(on_date) FROM touches WHERE {live} "
            f"AND kind IN {ACTED!r} AND NOT (kind = 'call' AND outcome IN {UNANSWERED!r}) "
            "GROUP BY prospect_id"
        ).fetchall()
    )
    replied = dict(
        conn.execute(
            f"SELECT prospect_id, max(on_date) FROM touches WHERE {live} AND kind = 'reply' "
            "GROUP BY prospect_id"
        ).fetchall()
    )
    skipped = {
        (pid, item): day
        for pid, item, day in conn.execute(
            f"SELECT prospect_id, item, max(on_date) FROM touches WHERE {live} AND kind = 'skip' "
            "GROUP BY prospect_id, item"
        )
    }
    return acted, replied, skipped


def _posted_since(conn: sqlite3.Connection, prospect_id: int, since: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM sends WHERE prospect_id = ? AND channel = 'post' AND status = 'sent' "
            "AND sent_on >= ?",
            (prospect_id, since),
        ).fetchone()
        is not None
    )


# A draft written to outbox/ is sent by the user from their mail program, the same day as a
# rule; a week on, a copy still missing from the Sent folder asks whether it ever went.
DRAFT_WAIT = 7


def unsent_drafts(conn: sqlite3.Connection, clocks: dict[int, Clock]) -> list[Due]:
    """Drafts of the prospects in scope written a week ago or more that the Sent folder never
    showed (with [imap]); each prospect's clock learns when its next draft comes due.

    Only once sync has read a Sent folder: without one nothing can be seen sent. A draft goes
    from the list once found there, said sent on a day, or the item skipped.
    """
    if not conn.execute(
        "SELECT 1 FROM mail_folders WHERE substr(name, 1, ?) = ?", (len(SENT_FOLDER), SENT_FOLDER)
    ).fetchone():
        return []
    rows = conn.execute(
        "SELECT s.id, s.prospect_id, s.recipient, s.letter, s.attempted_on, p.company, "
        "p.first_name, p.last_name FROM sends s JOIN prospects p ON p.id = s.prospect_id "
        f"WHERE s.prospect_id {IN_SCOPE} AND {unconfirmed_where('s')} "
        "AND s.attempted_on IS NOT NULL AND p.status = 'active' AND NOT EXISTS (SELECT 1 FROM "
        "touches t WHERE t.prospect_id = s.prospect_id AND t.kind = 'skip' AND "
        "t.item = 'draft-unsent' AND t.undone_on IS NULL AND t.on_date >= s.attempted_on) "
        "ORDER BY s.attempted_on, s.id"
    ).fetchall()
    out = []
    for row in rows:
        due = dt.date.fromisoformat(row["attempted_on"]) + dt.timedelta(days=DRAFT_WAIT)
        clock = clocks.get(row["prospect_id"])
        if clock is None or not clock.reached(due):
            continue
        out.append(
            Due(
                row["prospect_id"],
                row["company"],
                f"{row['first_name']} {row['last_name']}".strip(),
                "draft-unsent",
                "outbox",
                weekday(due),
                f"the {row['letter']} draft of {row['attempted_on']} to {row['recipient']} is "
                "not in your Sent folder: not sent yet?",
                dedupe=f"draft-unsent:{row['id']}",
                send_id=row["id"],
                hint="draft-unsent",
                values={"day": row["attempted_on"]},
            )
        )
    return out
