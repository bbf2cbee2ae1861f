"""Copies of sent emails in the IMAP Sent folder, each saved exactly once.

Most providers file nothing sent over SMTP in the Sent folder. The exact bytes the server
accepted are kept in the ledger (in the transaction that records the send) and appended
with \\Seen after the run; a failed APPEND is reported and retried by the next send or sync,
and never touches the send's own status.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from campaign.errors import MailboxError
from campaign.ledger.transaction import now, transaction
from campaign.mailbox.imap import Mailbox
from campaign.workspace.settings import Settings


def wanted(settings: Settings) -> bool:
    """Whether sends through SMTP should leave a copy in the Sent folder."""
    return settings.smtp is not None and settings.imap is not None and settings.imap.save_sent


@dataclass
class Saved:
    saved: int = 0
    pending: int = 0
    error: str = ""

    def as_dict(self) -> dict:
        return {"saved": self.saved, "pending": self.pending, "error": self.error}


def pending(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM sent_copies WHERE saved_at IS NULL").fetchone()[0]


def save(conn: sqlite3.Connection, mailbox: Mailbox, chunk: int = 50) -> Saved:
    """APPEND every copy not yet in the Sent folder, a chunk at a time; stop at a failure."""
    result = Saved()
    rows = conn.execute(
        "SELECT c.send_id, c.message_id, c.attempts, s.sent_at FROM sent_copies c "
        "JOIN sends s ON s.id = c.send_id WHERE c.saved_at IS NULL ORDER BY c.send_id"
    ).fetchall()
    if not rows:
        return result
    try:
        folder = mailbox.sent_folder()
        for start in range(0, len(rows), chunk):
            batch = []
            for row in rows[start : start + chunk]:
                # Tried before: the APPEND may have worked just before the run died.
                if row["attempts"] and mailbox.holds(folder, row["message_id"]):
                    _done(conn, [row["send_id"]])
                    result.saved += 1
                else:
                    batch.append(row)
            if not batch:
                continue
            ids = [row["send_id"] for row in batch]
            marks = ", ".join("?" * len(ids))
            with transaction(conn):
                conn.execute(
                    f"UPDATE sent_copies SET attempts = attempts + 1 WHERE send_id IN ({marks})",
                    ids,
                )
            data = dict(
                conn.execute(
                    f"SELECT send_id, data FROM sent_copies WHERE send_id IN ({marks})", ids
                ).fetchall()
            )
            mailbox.append(folder, [(bytes(data[r["send_id"]]), _when(r)) for r in batch])
            _done(conn, ids)
            result.saved += len(ids)
    except MailboxError as err:
        result.error = str(err)
        with transaction(conn):
            conn.execute(
                "UPDATE sent_copies SET error = ? WHERE saved_at IS NULL", (result.error[:300],)
            )
    result.pending = pending(conn)
    return result


def _when(row: sqlite3.Row) -> dt.datetime | None:
    if not row["sent_at"]:
        return None
    return dt.datetime.strptime(row["sent_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def _done(conn: sqlite3.Connection, send_ids: list[int]) -> None:
    marks = ", ".join("?" * len(send_ids))
    with transaction(conn):
        conn.execute(
            "UPDATE sent_copies SET saved_at = ?, data = NULL, error = '' "
            f"WHERE send_id IN ({marks})",
            (now(), *send_ids),
        )


def save_pending(
    conn: sqlite3.Connection, settings: Settings, interactive: bool | None = None
) -> Saved:
    """Log in to [imap] and save what is pending; a failure is reported, never raised."""
    from campaign.mailbox.imap import connect

    if not pending(conn):
        return Saved()
    try:
        with connect(settings, interactive) as mailbox:
            return save(conn, mailbox)
    except MailboxError as err:
        return Saved(pending=pending(conn), error=str(err))


class Saver:
    """Saves copies in a background thread while the batch is still being sent.

    The IMAP login, the Sent folder lookup and each APPEND overlap the SMTP conversation, so
    save_sent costs a send little (bench/bench_mailbox.py). The password is looked up here,
    in the calling thread, so a prompt comes before the first email, not after the last.
    """

    def __init__(self, settings: Settings, interactive: bool | None):
        import queue
        import threading

        self.settings = settings
        self.interactive = interactive
        self.queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue()
        self.saved: list[str] = []  # dedupes appended
        self.error = ""
        self.thread = threading.Thread(target=self._run, name="sent-copies", daemon=True)
        self.mailbox: Mailbox | None = None

    def start(self) -> Saver:
        import sys

        from campaign.mailbox.imap import imap_password

        config = self.settings.imap
        interactive = sys.stdin.isatty() if self.interactive is None else self.interactive
        try:
            if config is None or not config.username:
                raise MailboxError("[imap] needs a username (or [smtp] one)")
            password = imap_password(config, self.settings.smtp, interactive)
        except MailboxError as err:
            self.error = str(err)
            return self
        self.mailbox = Mailbox(config, password)
        self.thread.start()
        return self

    def put(self, dedupe: str, data: bytes) -> None:
        if self.mailbox is not None and not self.error:
            self.queue.put((dedupe, data))

    def _run(self) -> None:
        mailbox = self.mailbox
        assert mailbox is not None  # start() made it before starting this thread
        try:
            mailbox.open()
            folder = mailbox.sent_folder()
            done = False
            while not done:
                # A few at a time: one MULTIAPPEND, one commit on the server, for each 25.
                batch = [self.queue.get()]
                while len(batch) < 25 and batch[-1] is not None:
                    batch.append(self.queue.get())
                done = None in batch
                items = [item for item in batch if item is not None]
                if items:
                    mailbox.append(folder, [(data, None) for _, data in items])
                    self.saved += [dedupe for dedupe, _ in items]
        except MailboxError as err:
            self.error = str(err)
        except Exception as err:  # never let a copy take the send down with it
            self.error = f"{type(err).__name__}: {err}"
        finally:
            mailbox.close()

    def finish(self, conn: sqlite3.Connection) -> Saved:
        """Wait for the last APPEND, record what was saved, report what was not."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if self.saved:
            marks = ", ".join("?" * len(self.saved))
            with transaction(conn):
                conn.execute(
                    "UPDATE sent_copies SET saved_at = ?, data = NULL, error = '' WHERE send_id "
                    f"IN (SELECT id FROM sends WHERE dedupe IN ({marks}))",
                    (now(), *self.saved),
                )
        if self.error:
            with transaction(conn):
                conn.execute(
                    "UPDATE sent_copies SET error = ? WHERE saved_at IS NULL", (self.error[:300],)
                )
            return Saved(saved=len(self.saved), pending=pending(conn), error=self.error)
        result = Saved()
        if pending(conn) and self.mailbox is not None:  # copies an earlier run could not save
            try:
                with self.mailbox.open() as mailbox:
                    result = save(conn, mailbox)
            except MailboxError as err:
                result = Saved(pending=pending(conn), error=str(err))
        result.saved += len(self.saved)
        return result
