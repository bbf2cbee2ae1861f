"""What the mailbox adds to `due`: bounced addresses, possible replies, drafts not seen sent.

A bounced address stops the email follow-ups to it and asks for a new address, a call or a
letter; a message from someone else at a prospect's company asks the user to confirm it is a
reply. Either item goes once the user acts: a corrected address re-imported, a call, a note,
a reply or interview logged, or a letter posted since. A draft written to outbox/ that the
Sent folder still does not hold a week later asks whether it was ever sent.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from campaign.mailbox.drafts import SENT_FOLDER, unconfirmed_where

# Touches that show the user has dealt with it (sync's own notes do not count, nor a call
# nobody answered: it is retried, issue 10).
ACTED = ("call", "note", "reply", "received", "interview", "rejected", "closed", "hired")
UNANSWERED = ("no-answer", "left-message")
# Follow-up letters to a bounced address go by post instead, where there is an address.
BY_POST = ("followup-letter-1", "followup-letter-2", "article-note")


def adjust(conn: sqlite3.Connection, items: list, today: dt.date) -> list:
    """`items` without email follow-ups to bounced addresses, plus bounced, check-reply and
    draft-unsent."""
    return _bounces_and_replies(conn, items) + unsent_drafts(conn, today)


def _bounces_and_replies(conn: sqlite3.Connection, items: list) -> list:
    from campaign.followups.items import Due, weekday

    bad = {}
    for row in conn.execute(
        "SELECT p.id, p.company, p.first_name, p.last_name, p.phone, p.bad_email, "
        "p.address, p.city, p.postal_code, "
        "max(s.bounced_on) AS bounced_on FROM prospects p JOIN sends s ON s.prospect_id = p.id "
        "WHERE p.bad_email != '' AND lower(p.bad_email) = lower(p.email) "
        "AND p.status NOT IN ('rejected', 'closed', 'hired') AND s.bounced_on IS NOT NULL "
        "GROUP BY p.id"
    ):
        bad[row["id"]] = row
    possible = conn.execute(
        "SELECT m.prospect_id, m.sender, m.subject, m.received_on, p.company, p.first_name, "
        "p.last_name FROM mail_seen m JOIN prospects p ON p.id = m.prospect_id "
        "WHERE m.kind = 'possible-reply' AND p.status = 'active' ORDER BY m.received_on"
    ).fetchall()
    if not bad and not possible:
        return items  # the usual case: nothing from the mailbox to add (100,000 prospects)
    acted = _acted(conn, {*bad, *(row["prospect_id"] for row in possible)})
    kept = []
    for i in items:
        row = bad.get(i.prospect_id)
        to_bad = (
            row is not None
            and i.channel == "email"
            and (i.person.get("email") or row["bad_email"]).lower() == row["bad_email"].lower()
        )
        if not to_bad:
            kept.append(i)
        elif i.kind in BY_POST and row["address"] and row["city"] and row["postal_code"]:
            i.channel = "post"
            i.reason += f"; by post, since {row['bad_email']} bounced"
            kept.append(i)
    for pid, row in bad.items():
        since = row["bounced_on"]
        if acted.get(pid, "") >= since or _posted_since(conn, pid, since):
            continue
        name = f"{row['first_name']} {row['last_name']}".strip()
        channel = "call" if row["phone"] else "post"
        kept.append(
            Due(
                pid,
                row["company"],
                name,
                "bounced",
                channel,
                weekday(dt.date.fromisoformat(since)),
                f"{row['bad_email']} bounced on {since}: find a new address "
                "(fix the sheet and import it again), or call / write",
            )
        )
    for row in possible:
        pid = row["prospect_id"]
        if acted.get(pid, "") >= row["received_on"]:
            continue
        kept.append(
            Due(
                pid,
                row["company"],
                f"{row['first_name']} {row['last_name']}".strip(),
                "check-reply",
                "inbox",
                weekday(dt.date.fromisoformat(row["received_on"])),
                f"{row['sender'][:60]} wrote {row['subject'][:60]!r}: a reply?",
                dedupe=f"check-reply:{pid}:{row['received_on']}",
                hint="log-reply",
                values={"id": pid},
            )
        )
    return kept


def _acted(conn: sqlite3.Connection, ids: set[int]) -> dict[int, str]:
    """The latest day the user logged something about each of the prospects `ids`."""
    marks = ", ".join(f"'{k}'" for k in ACTED)
    wanted = ", ".join(str(int(i)) for i in ids)
    return dict(
        conn.execute(
            f"SELECT prospect_id, max(on_date) FROM touches WHERE kind IN ({marks}) "
            f"AND prospect_id IN ({wanted}) "
            f"AND NOT (kind = 'call' AND outcome IN {UNANSWERED!r}) "
            "AND id NOT IN (SELECT touch_id FROM mail_seen WHERE touch_id IS NOT NULL) "
            "GROUP BY prospect_id"
        ).fetchall()
    )


def _posted_since(conn: sqlite3.Connection, prospect_id: int, since: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM sends WHERE prospect_id = ? AND channel = 'post' AND status = 'sent' "
            "AND sent_on >= ?",
            (prospect_id, since),
        ).fetchone()
        is not None
    )


DRAFT_WAIT = 7  # days a draft may wait in outbox/ before `due` asks whether it was sent


def unsent_drafts(conn: sqlite3.Connection, today: dt.date) -> list:
    """Drafts written a week ago or more that the Sent folder never showed (with [imap]).

    Only once sync has read a Sent folder: without one nothing can be seen sent. A draft
    goes from the list once found there, said sent on a day, or the item skipped.
    """
    from campaign.followups.items import Due, weekday

    if not conn.execute(
        "SELECT 1 FROM mail_folders WHERE substr(name, 1, ?) = ?", (len(SENT_FOLDER), SENT_FOLDER)
    ).fetchone():
        return []
    written = (today - dt.timedelta(days=DRAFT_WAIT)).isoformat()
    rows = conn.execute(
        "SELECT s.id, s.prospect_id, s.recipient, s.letter, s.attempted_on, p.company, "
        "p.first_name, p.last_name FROM sends s JOIN prospects p ON p.id = s.prospect_id "
        f"WHERE {unconfirmed_where('s')} AND s.attempted_on <= ? "
        "AND p.status = 'active' AND NOT EXISTS (SELECT 1 FROM touches t WHERE "
        "t.prospect_id = s.prospect_id AND t.kind = 'skip' AND t.item = 'draft-unsent' "
        "AND t.on_date >= s.attempted_on) ORDER BY s.attempted_on, s.id",
        (written,),
    ).fetchall()
    return [
        Due(
            row["prospect_id"],
            row["company"],
            f"{row['first_name']} {row['last_name']}".strip(),
            "draft-unsent",
            "outbox",
            weekday(dt.date.fromisoformat(row["attempted_on"]) + dt.timedelta(days=DRAFT_WAIT)),
            f"the {row['letter']} draft of {row['attempted_on']} to {row['recipient']} is not "
            "in your Sent folder: not sent yet?",
            dedupe=f"draft-unsent:{row['id']}",
            send_id=row["id"],
            hint="draft-unsent",
            values={"day": row["attempted_on"]},
        )
        for row in rows
    ]
