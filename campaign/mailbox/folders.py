"""Where each read of a folder stopped (mail_folders), and reading on from there in windows.

A folder's place is the highest UID read, kept with the folder's UIDVALIDITY. It only ever
moves to a UID below the folder's UIDNEXT: a server that once claimed UID 4294967295 cannot
make every later message look already read, and a place recorded past the end by an earlier
version is read again from the start (nothing is recorded twice: mail_seen is unique).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from campaign.ledger.transaction import now
from campaign.mailbox.imap import FolderInfo, Header, chunks, windows


class Source(Protocol):
    """What reading a folder needs: the IMAP Mailbox, or a folder of .eml files."""

    description: str

    def examine(self, folder: str) -> FolderInfo: ...

    def uids(self, first: int, last: int, since: dt.date | None = None) -> list[int]: ...

    def headers(self, uids: list[int], fields: bytes = ...) -> Iterator[Header]: ...

    def body(self, uid: int) -> bytes: ...


@dataclass(frozen=True)
class Place:
    """Where to read a folder from, and up to where it can hold anything."""

    name: str  # the key in mail_folders
    validity: int
    start: int  # the first UID not read yet
    top: int  # UIDNEXT - 1: the highest UID the folder can hold now
    exists: int
    recorded: bool  # mail_folders had a row for it
    reread: str = ""  # why it is read again from the start: 'renumbered', 'past-end'


def place(conn: sqlite3.Connection, name: str, info: FolderInfo) -> Place:
    """Where the last read of `name` stopped, checked against what the server says now."""
    row = conn.execute(
        "SELECT uidvalidity, last_uid FROM mail_folders WHERE name = ?", (name,)
    ).fetchone()
    last, reread = 0, ""
    if row is not None:
        if row["uidvalidity"] != info.validity:
            reread = "renumbered"
        elif row["last_uid"] >= info.uidnext:
            reread = "past-end"
        else:
            last = row["last_uid"]
    top = max(info.uidnext - 1, 0)
    return Place(name, info.validity, last + 1, top, info.exists, row is not None, reread)


def record(conn: sqlite3.Connection, at: Place, last_uid: int) -> None:
    """Record that `at` was read up to `last_uid` (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO mail_folders (name, uidvalidity, last_uid, synced_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
        "uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, "
        "synced_at = excluded.synced_at",
        (at.name, at.validity, min(last_uid, at.top), now()),
    )


def batches(
    source: Source, at: Place, since: dt.date | None, size: int, *, read: bool = True
) -> Iterator[tuple[list[int], int]]:
    """(UIDs, read up to) for each batch of at most `size` new UIDs, in order.

    `since`: only messages that arrived on or after that day (IMAP SEARCH SINCE, by the
    server's arrival date). `read` False: nothing there can matter, so the place moves to
    the end without a search.
    """
    if at.start > at.top:
        return
    if not read:
        yield [], at.top
        return
    for first, last in windows(at.start, at.top, at.exists):
        uids = source.uids(first, last, since)
        if not uids:
            yield [], last
            continue
        parts = list(chunks(uids, size))
        for index, part in enumerate(parts):
            yield part, last if index == len(parts) - 1 else part[-1]
