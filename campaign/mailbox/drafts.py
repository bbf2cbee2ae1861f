"""What became of the drafts written to outbox/: the day each really went, and as what.

A draft goes when the user sends it from their mail program, which may be days after it was
written, and most mail programs give what they send a Message-ID of their own. With [imap],
sync finds each draft's copy in the Sent folder (same recipient and subject, sent on or after
the day the draft was written) and records the day it went and the Message-ID it went with,
so its follow-ups count from that day and thread to the message the employer received.
Without [imap] the user says the day (mark_sent).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from typing import Any

from campaign.errors import CampaignError
from campaign.ledger.transaction import transaction
from campaign.mailbox.classify import message_date, text
from campaign.mailbox.folders import batches, place, record
from campaign.mailbox.imap import SENT_HEADERS, Header, Mailbox, NoFolder

BATCH = 1000  # Sent messages whose headers are fetched at once
SENT_FOLDER = "sent:"  # mail_folders names the Sent folder's place with this before its name


def unconfirmed_where(table: str = "") -> str:
    """SQL: a send that is a draft nobody has confirmed went (`table`: the sends' alias).

    Drafts are the sends of the outbox transport; a bounce of one shows it went.
    """
    t = f"{table}." if table else ""
    return (
        f"{t}channel = 'email' AND {t}via = 'outbox' AND {t}status = 'sent' "
        f"AND {t}confirmed_by = '' AND {t}bounced_on IS NULL"
    )


UNCONFIRMED = unconfirmed_where()


def same_subject(subject: str) -> str:
    """A subject as compared: decoded, spaces collapsed, any case."""
    return " ".join(text(subject, 1000).split()).casefold()


@dataclass(frozen=True)
class Draft:
    send_id: int
    prospect_id: int
    recipient: str  # lower case
    subject: str  # same_subject()
    written: dt.date  # the campaign day it was written (sends.attempted_on)


@dataclass(frozen=True)
class Copy:
    """A message in the Sent folder, as far as finding a draft needs."""

    recipients: frozenset[str]
    subject: str  # same_subject()
    when: dt.datetime
    message_id: str  # as written, <...>, or ''


@dataclass(frozen=True)
class Confirmed:
    send_id: int
    prospect_id: int
    recipient: str
    sent_on: str  # the day it went (ISO)
    message_id: str  # the Message-ID it went with ('' when the copy has none)
    sent_at: str = ""  # when, as sends.sent_at writes it (UTC)

    def as_dict(self) -> dict[str, Any]:
        return {
            "send_id": self.send_id,
            "prospect_id": self.prospect_id,
            "to": self.recipient,
            "sent_on": self.sent_on,
            "message_id": self.message_id,
        }


@dataclass
class SentFound:
    found: list[Confirmed] = field(default_factory=list)
    error: str = ""  # why the Sent folder could not be read ('' when it was)


def unconfirmed(conn: sqlite3.Connection) -> list[Draft]:
    """Drafts nobody has confirmed went, oldest first."""
    return [
        Draft(
            row["id"],
            row["prospect_id"],
            row["recipient"].lower(),
            same_subject(row["subject"]),
            dt.date.fromisoformat(row["written"]),
        )
        for row in conn.execute(
            "SELECT id, prospect_id, recipient, subject, "
            "coalesce(attempted_on, sent_on) AS written FROM sends "
            f"WHERE {UNCONFIRMED} AND coalesce(attempted_on, sent_on) IS NOT NULL ORDER BY id"
        )
    ]


def read_copy(header: Header) -> Copy:
    msg = BytesHeaderParser(policy=compat32).parsebytes(header.raw)
    pairs = getaddresses([str(v) for v in (msg.get_all("To") or []) + (msg.get_all("Cc") or [])])
    ids = str(msg.get("Message-ID", "")).split()
    message_id = ids[0] if len(ids) == 1 and ids[0].startswith("<") and len(ids[0]) < 300 else ""
    return Copy(
        frozenset(a.strip().lower() for _, a in pairs if "@" in a),
        same_subject(str(msg.get("Subject", ""))),
        message_date(msg, header.internaldate),
        message_id,
    )


def match(copy: Copy, pool: list[Draft]) -> Draft | None:
    """The oldest draft in `pool` this copy is the sending of; taken out of the pool."""
    day = copy.when.astimezone().date()
    for draft in pool:
        same = draft.recipient in copy.recipients and draft.subject == copy.subject
        if same and draft.written <= day:
            pool.remove(draft)
            return draft
    return None


def find_sent(
    conn: sqlite3.Connection, mailbox: Mailbox, today: dt.date, dry_run: bool
) -> SentFound:
    """Read the Sent folder's new messages for the drafts the user sent; record each found.

    With no draft waiting, the folder's place moves to its end without reading it: a draft
    written later is sent later, so its copy comes after that place.
    """
    pool = unconfirmed(conn)
    result = SentFound()
    try:
        folder = mailbox.sent_folder()
        at = place(conn, SENT_FOLDER + folder, mailbox.examine(folder))
    except NoFolder as err:
        return SentFound(error=err.message)
    ours = {
        row[0]
        for row in conn.execute("SELECT message_id FROM sends WHERE via != 'outbox'")
        if row[0]
    }
    since = min(d.written for d in pool) - dt.timedelta(days=1) if pool else None
    for uids, upto in batches(mailbox, at, since, BATCH, read=bool(pool)):
        found = []
        for header in mailbox.headers(uids, SENT_HEADERS) if uids else ():
            copy = read_copy(header)
            draft = None if copy.message_id in ours else match(copy, pool)
            if draft is not None:
                found.append(_went(draft, copy, today))
        result.found += found
        if not dry_run:
            with transaction(conn):
                for c in found:
                    confirm(conn, c, "sent-folder")
                record(conn, at, upto)
    if not dry_run and not at.recorded and at.start > at.top:
        with transaction(conn):
            record(conn, at, at.top)
    return result


def _went(draft: Draft, copy: Copy, today: dt.date) -> Confirmed:
    """The draft as its copy shows it went: that day (never after today), that Message-ID."""
    day = min(copy.when.astimezone().date(), today)
    at = copy.when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Confirmed(
        draft.send_id, draft.prospect_id, draft.recipient, day.isoformat(), copy.message_id, at
    )


def confirm(conn: sqlite3.Connection, went: Confirmed, how: str) -> bool:
    """Record that a draft went on `went.sent_on` (with its Message-ID and time, when known).

    The Message-ID the draft was written with is kept in draft_message_id when another
    replaces it. Call inside a transaction; False if it was confirmed before.
    """
    row = conn.execute(
        f"SELECT message_id, sent_at FROM sends WHERE id = ? AND {UNCONFIRMED}", (went.send_id,)
    ).fetchone()
    if row is None:
        return False
    new_id = went.message_id or row["message_id"]
    conn.execute(
        "UPDATE sends SET sent_on = ?, sent_at = ?, confirmed_by = ?, message_id = ?, "
        "draft_message_id = CASE WHEN message_id != ? THEN message_id ELSE '' END "
        "WHERE id = ?",
        (went.sent_on, went.sent_at or row["sent_at"], how, new_id, new_id, went.send_id),
    )
    return True


@dataclass
class Marked:
    marked: int = 0
    written_later: int = 0  # drafts written after the day given: left as they are


def mark_sent(conn: sqlite3.Connection, day: dt.date, today: dt.date) -> Marked:
    """Record every draft written on or before `day`, and not confirmed yet, as sent on `day`."""
    if day > today:
        raise CampaignError(
            f"{day} is after today ({today}): record drafts once you have sent them"
        )
    result = Marked()
    with transaction(conn):
        for draft in unconfirmed(conn):
            if draft.written > day:
                result.written_later += 1
            else:
                went = Confirmed(draft.send_id, draft.prospect_id, draft.recipient,
                                 day.isoformat(), "")  # fmt: skip
                result.marked += confirm(conn, went, "said")
    return result
