"""campaign sync: read what arrived since last time and record what it means.

Headers are fetched in batches; a body only for a message that matched. Each batch is
recorded in one transaction together with the folder's new place (folders.py), so a connection
that drops mid-sync leaves the ledger consistent and the next sync starts where it stopped.
Nothing is recorded twice: mail_seen is unique on (Message-ID, prospect). A whole sync has a
deadline: a server too slow to finish in it is an error, and what was read is kept.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campaign.errors import MailboxError
from campaign.ledger.transaction import now, transaction
from campaign.mailbox.classify import Headers, Known, Ours, bounced, match, read_headers, snippet
from campaign.mailbox.folders import Source, batches, place, record
from campaign.mailbox.imap import HEADERS, FolderInfo, Header
from campaign.workspace.settings import Settings

BATCH = 1000  # UIDs whose headers are fetched at once
DEADLINE = 300.0  # seconds one whole sync may take, logging in to saving sent copies
KINDS = {"reply": "replies", "auto-reply": "auto_replies", "bounce": "bounces"}


@dataclass
class Found:
    prospect_id: int
    kind: str  # reply, auto-reply, bounce, delayed, possible-reply
    sender: str
    subject: str
    date: str
    key: str = ""
    address: str = ""  # for a bounce: the address that failed
    note: str = ""
    send_id: int | None = None  # for a bounce: the send it returns

    def as_dict(self) -> dict[str, Any]:
        return {
            "prospect_id": self.prospect_id,
            "kind": self.kind,
            "from": self.sender,
            "subject": self.subject,
            "date": self.date,
        }


@dataclass
class Result:
    scanned: int = 0
    items: list[Found] = field(default_factory=list)
    unreadable: list[tuple[int, str]] = field(default_factory=list)  # (uid, why)
    rescanned: bool = False
    reread: str = ""  # why it was read in full: 'renumbered' or 'past-end' (folders.Place)
    forged: int = 0  # messages the user's provider found forged: never replies
    drafts: list[dict[str, Any]] = field(default_factory=list)  # drafts found sent (drafts.py)
    drafts_error: str = ""

    def count(self, kind: str) -> int:
        return sum(i.kind == kind for i in self.items)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scanned": self.scanned,
            "replies": self.count("reply"),
            "auto_replies": self.count("auto-reply"),
            "bounces": self.count("bounce"),
            "possible_replies": self.count("possible-reply"),
            "delayed": self.count("delayed"),
            "failed_authentication": self.forged,
            "items": [i.as_dict() for i in self.items],
            "unreadable": [{"uid": uid, "reason": why} for uid, why in self.unreadable],
            "drafts_sent": self.drafts,
        }


def sync(
    conn: sqlite3.Connection,
    settings: Settings,
    mailbox: Source,
    today: dt.date,
    dry_run: bool,
    folder: str | None = None,
) -> Result:
    """Read the inbox's new messages, classify them and (unless dry_run) record them."""
    name = folder or (settings.imap.inbox if settings.imap else "INBOX")
    at = place(conn, name, mailbox.examine(name))
    result = Result(rescanned=bool(at.reread), reread=at.reread)
    known = Known.load(conn, settings)
    # Nothing that arrived before the first letter can be about it, and with no letter sent
    # nothing at all: the folder's place moves on without reading a word of it.
    read = known.since is not None
    for uids, upto in batches(mailbox, at, known.since, BATCH, read=read):
        found = _read(mailbox, uids, known, today, result)
        if dry_run:
            result.items += [f for f in found if not _seen(conn, f)]
            continue
        with transaction(conn):
            result.items += [f for f in found if _record(conn, f, today)]
            record(conn, at, upto)
    if not dry_run and not at.recorded and at.start > at.top:
        with transaction(conn):
            record(conn, at, at.top)
    return result


def _read(
    mailbox: Source, uids: list[int], known: Known, today: dt.date, result: Result
) -> list[Found]:
    """What the messages `uids` say, classified; the unreadable ones listed in `result`."""
    found: list[Found] = []
    for header in mailbox.headers(uids) if uids else ():
        result.scanned += 1
        try:
            h = read_headers(header.uid, header.raw, header.internaldate)
            kind, ids = match(h, known)
            result.forged += kind == "forged"
            if kind and kind != "forged":
                found += _classify(h, kind, ids, known, mailbox, today)
        except MailboxError:
            raise
        except Exception as err:  # a message no parser could read: list it, go on
            result.unreadable.append((header.uid, f"{type(err).__name__}: {err}"[:120]))
    return found


def run(
    settings: Settings,
    conn: sqlite3.Connection,
    today: dt.date,
    *,
    dry_run: bool = False,
    folder: Path | str | None = None,
    interactive: bool | None = None,
) -> tuple[Result, Any]:
    """One whole sync, for both faces: log in, read the inbox, find the drafts the user sent,
    save owed sent copies; all within DEADLINE seconds.

    `folder`: a folder of .eml files read instead of the IMAP inbox (the demo). Returns the
    Result and the sentcopies.Saved (None when no copies are kept or on a dry run).
    """
    from campaign.mailbox.drafts import find_sent
    from campaign.mailbox.imap import connect
    from campaign.mailbox.sentcopies import save, wanted

    if folder is not None:
        source = FolderMailbox(folder)
        name = f"folder:{source.folder.resolve()}"
        return sync(conn, settings, source, today, dry_run, folder=name), None
    with connect(settings, interactive, DEADLINE) as mailbox:
        result = sync(conn, settings, mailbox, today, dry_run)
        drafts = find_sent(conn, mailbox, today, dry_run)
        result.drafts, result.drafts_error = [d.as_dict() for d in drafts.found], drafts.error
        copies = save(conn, mailbox) if wanted(settings) and not dry_run else None
    return result, copies


def _classify(
    h: Headers, kind: str, ids: list[int], known: Known, mailbox: Source, today: dt.date
) -> list[Found]:
    day = min(h.when.astimezone().date(), today).isoformat()

    def found(pid: int, kind: str, **extra: Any) -> Found:
        return Found(pid, kind, h.sender_text, h.subject, day, key=h.key, **extra)

    if kind == "bounce?":
        verdict, sends = bounced(mailbox.body(h.uid), known)
        return [
            Found(
                s.prospect_id,
                verdict,
                h.sender_text,
                h.subject,
                bounce_day(h, s, today).isoformat(),
                key=h.key,
                address=s.recipient,
                send_id=s.send_id,
            )
            for s in sends
        ]
    note = ""
    if kind in ("reply", "possible-reply"):  # what they wrote, shown with the to-do
        note = snippet(mailbox.body(h.uid))
    return [found(pid, kind, note=note) for pid in ids]


def bounce_day(h: Headers, sent: Ours, today: dt.date) -> dt.date:
    """The day a bounce is recorded on: its own Date, never before the letter it returns
    went, never after today (so `due` and a prospect's history give the same day)."""
    day = h.when.astimezone().date()
    if sent.sent_on:
        day = max(day, dt.date.fromisoformat(sent.sent_on))
    return min(day, today)


def _seen(conn: sqlite3.Connection, f: Found) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM mail_seen WHERE key = ? AND prospect_id = ?", (f.key, f.prospect_id)
        ).fetchone()
        is not None
    )


def _record(conn: sqlite3.Connection, f: Found, today: dt.date) -> bool:
    """Record one finding and its effect; False if it was recorded before."""
    if _seen(conn, f):
        return False
    touch_id = send_id = None
    if f.kind in ("reply", "auto-reply", "bounce"):
        label = {"reply": "reply", "auto-reply": "note", "bounce": "bounced"}[f.kind]
        what = {
            "reply": "replied by email",
            "auto-reply": "automatic reply (out of office?)",
            "bounce": f"{f.address} bounced: find a new address, or call / write",
        }[f.kind]
        note = f"{what}: {f.subject!r} from {f.sender}" + (f" - {f.note}" if f.note else "")
        touch_id = conn.execute(
            "INSERT INTO touches (prospect_id, kind, on_date, note, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (f.prospect_id, label, f.date, note, now()),
        ).lastrowid
    if f.kind == "reply":
        # Like `campaign log P reply`, except that an ended follow-up stays ended.
        conn.execute(
            "UPDATE prospects SET status = 'replied', updated_on = ? "
            "WHERE id = ? AND status = 'active'",
            (today.isoformat(), f.prospect_id),
        )
    if f.kind == "bounce":
        # The send whose Message-ID the report quoted: the others went (or bounce on their own
        # report), and their record stays as it was.
        send_id = f.send_id
        conn.execute(
            "UPDATE sends SET bounced_on = ? WHERE id = ? AND bounced_on IS NULL",
            (f.date, send_id),
        )
        conn.execute(
            "UPDATE prospects SET bad_email = ?, updated_on = ? WHERE id = ? AND lower(email) = ?",
            (f.address, today.isoformat(), f.prospect_id, f.address),
        )
    conn.execute(
        "INSERT INTO mail_seen (key, prospect_id, kind, sender, subject, received_on, snippet, "
        "touch_id, send_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            f.key,
            f.prospect_id,
            f.kind,
            f.sender,
            f.subject,
            f.date,
            f.note,
            touch_id,
            send_id,
            now(),
        ),
    )
    return True


class FolderMailbox:
    """A folder of .eml files read like an inbox (the demo; a mailbox exported to disk)."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() == ".eml")
        self.description = str(self.folder)

    def examine(self, folder: str) -> FolderInfo:
        return FolderInfo(1, len(self.files) + 1, len(self.files))

    def uids(self, first: int, last: int, since: dt.date | None = None) -> list[int]:
        return list(range(first, min(last, len(self.files)) + 1))

    def headers(self, uids: list[int], fields: bytes = HEADERS) -> Iterator[Header]:
        for uid in uids:
            raw = self.files[uid - 1].read_bytes()
            yield Header(uid, raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0], None)

    def body(self, uid: int) -> bytes:
        return self.files[uid - 1].read_bytes()
