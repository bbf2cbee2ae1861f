"""Sending a batch by email exactly once: plan what is owed, pre-flight, then send and record.

Each send is committed as `sending` before the message is handed to the server and as `sent`
once the server accepts it, so the ledger is right at every instant: a run that dies leaves
`sending` rows, which the next run reports as `unknown` and never resends on its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from campaign.errors import SendError
from campaign.ledger.transaction import now, transaction
from campaign.letters.batch import INTRO_SEND, intro_owed
from campaign.letters.channel import letter_channel

RETRIES = 3  # after the first try, for dropped connections and 4xx replies


@dataclass
class Job:
    """One email owed to one prospect."""

    prospect: sqlite3.Row
    dedupe: str
    kind: str
    letter: object  # render.Letter
    batch_id: int | None = None
    touch_id: int | None = None


@dataclass
class Plan:
    jobs: list[Job]
    post: int = 0  # letters in scope that go by post instead
    post_weeks: list[str] = field(default_factory=list)  # the batches they are in
    unknown: list[sqlite3.Row] = field(default_factory=list)


@dataclass
class Summary:
    sent: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    unknown: int = 0
    owed: int = 0
    post: int = 0
    post_weeks: list[str] = field(default_factory=list)
    stopped: str = ""  # why the run ended early, if it did
    continue_on: dt.date | None = None
    transport: str = "outbox"  # outbox: drafts written to outbox/; smtp: through the server
    followups: bool = False  # the run sent follow-up letters, not the batch's first letters
    sent_copies: object = None  # sentcopies.Saved when [imap] save_sent is on (issue 11)
    held: list[tuple[str, str]] = field(default_factory=list)  # (who, why): a blank field

    def as_dict(self) -> dict:
        copies = self.sent_copies
        extra = {"sent_copies": copies.as_dict()} if copies is not None else {}
        return {
            **extra,
            "transport": self.transport,
            "sent": self.sent,
            "failed": len(self.failed),
            "unknown": self.unknown,
            "owed": self.owed,
            "post": self.post,
            "failures": [{"to": who, "reason": why} for who, why in self.failed],
            "held": [{"to": who, "reason": why} for who, why in self.held],
            "stopped": self.stopped,
            "continue_on": self.continue_on.isoformat() if self.continue_on else None,
        }


@contextlib.contextmanager
def run_lock(root: Path) -> Iterator[None]:
    """One sending run per workspace at a time."""
    import fcntl

    with open(root / ".campaign.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SendError(
                "another sending run is going in this workspace", hint="another-run"
            ) from None
        yield


def settle_interrupted(conn: sqlite3.Connection) -> int:
    """Sends left `sending` by a run that died are `unknown`: they may have gone."""
    with transaction(conn):
        return conn.execute(
            "UPDATE sends SET status = 'unknown', error = 'the run stopped while sending' "
            "WHERE status = 'sending'"
        ).rowcount


def plan_intros(
    conn: sqlite3.Connection,
    renderer,
    today: dt.date,
    letter: str,
    weeks: tuple[str, str],
    retry_unknown: bool = False,
) -> Plan:
    """Every intro owed by email in the batches of weeks[0]..weeks[1], rendered."""
    join, columns = INTRO_SEND
    rows = conn.execute(
        f"SELECT p.*, m.batch_id, b.week, {columns} FROM batch_members m "
        "JOIN batches b ON b.id = m.batch_id JOIN prospects p ON p.id = m.prospect_id "
        f"{join} WHERE b.week BETWEEN ? AND ? AND p.status = 'active' "
        "ORDER BY b.week, m.position",
        weeks,
    ).fetchall()
    plan = Plan(jobs=[])
    for row in rows:
        status = row["send_status"]
        if status == "unknown":
            plan.unknown.append(row)
        if not intro_owed(row, retry_unknown):
            continue
        if letter_channel(row["email"]) == "post":
            plan.post += 1
            if row["week"] not in plan.post_weeks:
                plan.post_weeks.append(row["week"])
            continue
        plan.jobs.append(
            Job(
                row,
                f"intro:{row['id']}",
                "intro",
                renderer.render(letter, row, today),
                batch_id=row["batch_id"],
            )
        )
    return plan


def preflight(settings, jobs: list[Job]) -> list[Path]:
    """Check the sender and attachments before anything is sent; return the attachments."""
    from email_validator import EmailNotValidError, validate_email

    if not jobs:
        return []
    settings.check_sender(["name", "email"], "every email's From: line shows {it}")
    try:
        validate_email(settings.sender_email, check_deliverability=False)
    except EmailNotValidError:
        raise SendError(
            f"campaign.toml: [sender] email = {settings.sender_email!r} is not an email "
            "address; the From: line needs one."
        ) from None
    attachments = []
    if settings.resume is not None:
        if not settings.resume.is_file():
            raise SendError(f"campaign.toml: the resume {settings.resume} does not exist.")
        attachments.append(settings.resume)
    return attachments


def keep(conn: sqlite3.Connection, dedupe: str, message_id: str, data: bytes) -> None:
    """Keep the bytes of the send `dedupe` for the Sent folder; call inside its transaction.

    mailbox.sentcopies appends them to the Sent folder after the run.

    attempts starts at 1: a Saver may append it any moment now, so whoever retries it later
    first looks for it in the Sent folder, and a copy is never saved twice.
    """
    conn.execute(
        "INSERT INTO sent_copies (send_id, message_id, data, attempts) "
        "SELECT id, ?, ?, 1 FROM sends WHERE dedupe = ? "
        "ON CONFLICT (send_id) DO UPDATE SET message_id = excluded.message_id, "
        "data = excluded.data, saved_at = NULL, attempts = 1, error = ''",
        (message_id, data, dedupe),
    )


def outbox_name(job: Job, today: dt.date) -> str:
    from campaign.util.text import slug

    occasion = job.dedupe.replace(":", "-")  # unique: one file per send
    return f"{today.isoformat()}-{occasion}-{slug(job.prospect['company'], 40)}"


def sent_today(conn: sqlite3.Connection, today: dt.date) -> int:
    return conn.execute(
        "SELECT count(*) FROM sends WHERE channel = 'email' AND status = 'sent' AND sent_on = ?",
        (today.isoformat(),),
    ).fetchone()[0]


class _StopOnInterrupt:
    """Ctrl-C finishes the current message, then stops the run cleanly."""

    def __init__(self):
        self.requested = False

    def __enter__(self):
        # Only the main thread may set a handler; the web app sends from a worker thread.
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        self.requested = True

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False


def execute(
    conn: sqlite3.Connection,
    settings,
    jobs: list[Job],
    transport,
    today: dt.date,
    attachments: list[Path],
    *,
    progress: Callable[[], None] = lambda: None,
    copies=None,
) -> Summary:
    """Send the jobs, recording each; transport must already be open (logged in)."""
    summary = Summary()
    capacity = len(jobs)
    if settings.per_day:
        left_today = max(settings.per_day - sent_today(conn, today), 0)
        if left_today < capacity:
            capacity = left_today
            summary.stopped = f"the daily cap of {settings.per_day} emails ([sending] per_day)"
            summary.continue_on = today + dt.timedelta(days=1)
    interval = 60.0 / settings.per_minute if settings.per_minute else 0.0
    last = 0.0
    with _StopOnInterrupt() as interrupt:
        for index, job in enumerate(jobs):
            if index >= capacity:
                break
            if interrupt.requested:
                summary.stopped = "Ctrl-C"
                break
            if interval:
                time.sleep(max(0.0, last + interval - time.monotonic()))
                last = time.monotonic()
            outcome = _send_one(conn, settings, job, transport, today, attachments, copies)
            progress()
            if outcome == "sent":
                summary.sent += 1
            elif outcome.startswith("unknown:"):
                summary.unknown += 1
            elif outcome.startswith("failed:"):
                summary.failed.append((job.letter.to_email, outcome[7:]))
            else:
                summary.stopped = outcome[9:]
                break
    done = summary.sent + len(summary.failed) + summary.unknown
    summary.owed = len(jobs) - done
    return summary


def _record(conn, job: Job, msg, today: dt.date, via: str = "smtp") -> None:
    with transaction(conn):
        conn.execute(
            "INSERT INTO sends (prospect_id, batch_id, touch_id, dedupe, kind, letter, channel, "
            "status, recipient, subject, message_id, attempts, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'email', 'sending', ?, ?, ?, 1, ?) "
            "ON CONFLICT (dedupe) DO UPDATE SET status = 'sending', recipient = excluded.recipient,"
            " subject = excluded.subject, message_id = excluded.message_id, error = '',"
            " bounced_on = NULL, attempts = attempts + 1",
            (
                job.prospect["id"],
                job.batch_id,
                job.touch_id,
                job.dedupe,
                job.kind,
                job.letter.template,
                job.letter.to_email,
                job.letter.subject,
                msg.message_id,
                now(),
            ),
        )
        # The campaign day it was tried: an unknown send resolved as sent went that day; and
        # whether it went to the server or was written as a draft (issue 9: honest outbox).
        conn.execute(
            "UPDATE sends SET attempted_on = ?, via = ? WHERE dedupe = ?",
            (today.isoformat(), via, job.dedupe),
        )


def _finish(conn, job: Job, status: str, today: dt.date, error: str = "", copy=None) -> None:
    with transaction(conn):
        if copy is not None:  # the bytes the server took, for the Sent folder (issue 11)
            keep(conn, job.dedupe, copy.message_id, copy.data)
        conn.execute(
            "UPDATE sends SET status = ?, error = ?, sent_on = ?, sent_at = ? WHERE dedupe = ?",
            (
                status,
                error,
                today.isoformat() if status == "sent" else None,
                now() if status == "sent" else None,
                job.dedupe,
            ),
        )


def _send_one(conn, settings, job, transport, today, attachments, copies=None) -> str:
    """Send one message: 'sent', 'failed:REASON' or 'stopped: REASON'."""
    from campaign.email.message import build_message
    from campaign.email.threads import references
    from campaign.email.transport import Refused, Temporary, Unanswered

    thread = references(conn, job.prospect["id"], job.letter.to_email, job.dedupe)
    msg = build_message(
        job.letter,
        settings,
        dt.datetime.now().astimezone(),
        attachments,
        references=thread,
        draft=transport.drafts,
    )
    _record(conn, job, msg, today, "outbox" if transport.drafts else "smtp")
    name = outbox_name(job, today)
    problem = ""
    for attempt in range(RETRIES + 1):
        if attempt:
            time.sleep(settings.retry_seconds * 2 ** (attempt - 1))
            try:
                transport.reconnect()
            except SendError as err:
                problem = str(err)
                continue
        try:
            transport.send(msg, name)
        except Refused as err:
            _finish(conn, job, "failed", today, str(err))
            return f"failed:{err}"
        except Unanswered as err:
            # Handed over, no answer: it may have gone. Never resent on its own; the user
            # says which (`campaign unknown`), and the run goes on with the next one.
            _finish(
                conn, job, "unknown", today, f"the connection dropped before the answer ({err})"
            )
            return f"unknown:{err}"
        except Temporary as err:
            problem = str(err)
            continue
        except SendError as err:
            _finish(conn, job, "deferred", today, str(err))
            return f"stopped: {err}"
        except OSError as err:  # the outbox folder is not writable, the disk is full...
            _finish(conn, job, "deferred", today, str(err))
            return f"stopped: cannot write to {transport.description}: {err}"
        _finish(conn, job, "sent", today, copy=msg if copies is not None else None)
        if copies is not None:
            copies.put(job.dedupe, msg.data)  # saved to Sent while the batch goes on
        return "sent"
    _finish(conn, job, "deferred", today, problem)
    return (
        f"stopped: {transport.description} kept failing ({problem}) after {RETRIES + 1} tries; "
        "what was not sent is still owed: send again later"
    )
