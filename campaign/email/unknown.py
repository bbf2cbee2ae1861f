"""Sends left *unknown* by a run that died mid-send, and the user's word on whether they went.

A run killed while the server had the message cannot know if it was accepted, so it never
resends on its own (delivery.py). The user checks their Sent folder for the Message-ID and
says so: `--sent` records it as sent on the day it was tried (its follow-ups start from
then); `--unsent` makes it owed again, so the next `campaign send` sends it, once.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from campaign.errors import CampaignError
from campaign.ledger.transaction import transaction


def settle(conn: sqlite3.Connection, root: Path) -> int:
    """Mark the sends of a run that died as unknown, unless a sending run is going."""
    from campaign.email.delivery import run_lock, settle_interrupted
    from campaign.errors import SendError

    try:
        with run_lock(root):
            return settle_interrupted(conn)
    except (SendError, OSError):  # a run is sending right now (its rows are in flight), or
        return 0  # the workspace is read-only: list what the ledger says as it is


def answer(conn: sqlite3.Connection, root: Path, send_ids: list[int], *, went: bool) -> Resolved:
    """The user's word on unknown sends, under the sending lock (as `send` itself takes it),
    so no run is sending while they change: what both faces call."""
    from campaign.email.delivery import run_lock, settle_interrupted

    with run_lock(root):
        settle_interrupted(conn)
        return resolve(conn, send_ids, went=went)


def listing(conn: sqlite3.Connection, only: int | None = None) -> list[dict]:
    """Every unknown send (of one prospect, with `only`), oldest first."""
    rows = conn.execute(
        "SELECT s.id, s.prospect_id, p.company, p.first_name, p.last_name, s.kind, s.letter, "
        "s.channel, s.recipient, s.subject, s.message_id, "
        "coalesce(s.attempted_on, substr(s.created_at, 1, 10)) AS attempted_on "
        "FROM sends s JOIN prospects p ON p.id = s.prospect_id "
        "WHERE s.status = 'unknown' AND (? IS NULL OR s.prospect_id = ?) ORDER BY s.id",
        (only, only),
    )
    return [
        {
            "send_id": r["id"],
            "prospect_id": r["prospect_id"],
            "company": r["company"],
            "name": f"{r['first_name']} {r['last_name']}".strip(),
            "kind": r["kind"],
            "letter": r["letter"],
            "channel": r["channel"],
            "recipient": r["recipient"],
            "attempted_on": r["attempted_on"],
            "subject": r["subject"],
            "message_id": r["message_id"],
        }
        for r in rows
    ]


@dataclass
class Resolved:
    sent: list[int] = field(default_factory=list)
    unsent: list[int] = field(default_factory=list)


def resolve(conn: sqlite3.Connection, send_ids: list[int], *, went: bool) -> Resolved:
    """Record unknown sends as sent (on the day tried) or as owed again; all or none."""
    if not send_ids:
        raise CampaignError("name the sends by id", hint="list-unknown")
    done = Resolved()
    with transaction(conn):
        for send_id in dict.fromkeys(send_ids):
            row = conn.execute(
                "SELECT status, coalesce(attempted_on, substr(created_at, 1, 10)) AS day "
                "FROM sends WHERE id = ?",
                (send_id,),
            ).fetchone()
            if row is None:
                raise CampaignError(f"no send {send_id}", hint="list-unknown")
            if row["status"] != "unknown":
                raise CampaignError(
                    f"send {send_id} is {row['status']}, not unknown; nothing was changed."
                )
            if went:
                conn.execute(
                    "UPDATE sends SET status = 'sent', sent_on = ?, "
                    "error = 'recorded as sent by you (seen in the Sent folder)' WHERE id = ?",
                    (row["day"], send_id),
                )
                done.sent.append(send_id)
            else:
                # `deferred` is owed: the next `campaign send` (or --followups) sends it once.
                conn.execute(
                    "UPDATE sends SET status = 'deferred', "
                    "error = 'not in the Sent folder, so owed again' WHERE id = ?",
                    (send_id,),
                )
                done.unsent.append(send_id)
    return done
