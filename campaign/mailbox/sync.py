"""campaign sync (issue 11): read what arrived since last time and record what it means.

Headers are fetched in batches; a body only for a message that matched. Each batch is
recorded in one transaction together with the folder's new high-water UID, so a connection
that drops mid-sync leaves the ledger consistent and the next sync starts where it stopped.
Nothing is recorded twice: mail_seen is unique on (Message-ID, prospect).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field

from campaign.errors import MailboxError
from campaign.ledger.transaction import now, transaction
from campaign.mailbox.classify import Headers, Known, bounced, match, read_headers, snippet
from campaign.mailbox.imap import chunks

BATCH = 1000  # UIDs whose headers are fetched at once
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

    def as_dict(self) -> dict:
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

    def count(self, kind: str) -> int:
        return sum(i.kind == kind for i in self.items)

    def as_dict(self) -> dict:
        return {
            "scanned": self.scanned,
            "replies": self.count("reply"),
            "auto_replies": self.count("auto-reply"),
            "bounces": self.count("bounce"),
            "possible_replies": self.count("possible-reply"),
            "delayed": self.count("delayed"),
            "items": [i.as_dict() for i in self.items],
            "unreadable": [{"uid": uid, "reason": why} for uid, why in self.unreadable],
        }


def sync(
    conn: sqlite3.Connection,
    settings,
    mailbox,
    today: dt.date,
    dry_run: bool,
    folder: str | None = None,
) -> Result:
    """Read the inbox's new messages, classify them and (unless dry_run) record them."""
    folder = folder or settings.imap.inbox
    validity = mailbox.examine(folder)
    state = conn.execute(
        "SELECT uidvalidity, last_uid FROM mail_folders WHERE name = ?", (folder,)
    ).fetchone()
    result = Result()
    last = 0
    if state is not None:
        if state["uidvalidity"] == validity:
            last = state["last_uid"]
        else:
            result.rescanned = True  # the server renumbered the folder: look at all of it
    known = Known.load(conn, settings)
    for uids in chunks(mailbox.uids_after(last), BATCH):
        found: list[Found] = []
        for header in mailbox.headers(uids):
            result.scanned += 1
            try:
                found += _classify(read_headers(header.uid, header.raw, header.internaldate),
                                   known, mailbox, today)  # fmt: skip
            except MailboxError:
                raise
            except Exception as err:  # a message no parser could read: list it, go on
                result.unreadable.append((header.uid, f"{type(err).__name__}: {err}"[:120]))
        if dry_run:
            result.items += [f for f in found if not _seen(conn, f)]
            continue
        with transaction(conn):
            result.items += [f for f in found if _record(conn, f, today)]
            conn.execute(
                "INSERT INTO mail_folders (name, uidvalidity, last_uid, synced_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, "
                "synced_at = excluded.synced_at",
                (folder, validity, max(uids), now()),
            )
    if not dry_run and state is None and result.scanned == 0:
        with transaction(conn):
            conn.execute(
                "INSERT OR IGNORE INTO mail_folders (name, uidvalidity, last_uid, synced_at) "
                "VALUES (?, ?, 0, ?)",
                (folder, validity, now()),
            )
    return result


def run(settings, conn: sqlite3.Connection, today: dt.date, *, dry_run: bool = False,
        folder=None, interactive: bool | None = None):  # fmt: skip
    """One whole sync, for both faces: log in, read the inbox, save owed sent copies.

    `folder`: a folder of .eml files read instead of the IMAP inbox (the demo). Returns the
    Result and the sentcopies.Saved (None when no copies are kept or on a dry run).
    """
    from campaign.mailbox.imap import connect
    from campaign.mailbox.sentcopies import save, wanted

    if folder is not None:
        source = FolderMailbox(folder)
        name = f"folder:{source.folder.resolve()}"
        return sync(conn, settings, source, today, dry_run, folder=name), None
    with connect(settings, interactive) as mailbox:
        result = sync(conn, settings, mailbox, today, dry_run)
        copies = save(conn, mailbox) if wanted(settings) and not dry_run else None
    return result, copies


def _classify(h: Headers, known: Known, mailbox, today: dt.date) -> list[Found]:
    kind, ids = match(h, known)
    if not kind:
        return []
    day = min(h.when.astimezone().date(), today).isoformat()

    def found(pid: int, kind: str, **extra) -> Found:
        return Found(pid, kind, h.sender_text, h.subject, day, key=h.key, **extra)

    if kind == "bounce?":
        verdict, hits = bounced(mailbox.body(h.uid), known)
        return [found(pid, verdict, address=address) for pid, address in hits]
    note = ""
    if kind == "reply":
        note = snippet(mailbox.body(h.uid))
    return [found(pid, kind, note=note) for pid in ids]


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
        row = conn.execute(
            "SELECT id FROM sends WHERE prospect_id = ? AND channel = 'email' "
            "AND lower(recipient) = ? AND status IN ('sent', 'unknown') ORDER BY id DESC",
            (f.prospect_id, f.address),
        ).fetchone()
        send_id = row["id"] if row else None
        # The latest email to that address is the one that bounced; the earlier ones went
        # (or bounced on their own DSN), and their record stays as it was.
        conn.execute(
            "UPDATE sends SET bounced_on = ? WHERE id = ? AND bounced_on IS NULL",
            (today.isoformat(), send_id),
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

    def __init__(self, folder):
        from pathlib import Path

        self.folder = Path(folder)
        self.files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() == ".eml")
        self.description = str(self.folder)

    def examine(self, folder: str) -> int:
        return 1

    def uids_after(self, last: int) -> list[int]:
        return list(range(last + 1, len(self.files) + 1))

    def headers(self, uids: list[int]):
        from campaign.mailbox.imap import Header

        for uid in uids:
            raw = self.files[uid - 1].read_bytes()
            yield Header(uid, raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0], None)

    def body(self, uid: int) -> bytes:
        return self.files[uid - 1].read_bytes()
