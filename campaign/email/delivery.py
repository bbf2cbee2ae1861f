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
from typing import Any

from campaign.errors import SendError
from campaign.ledger.transaction import now, transaction
from campaign.letters.batch import INTRO_SEND, intro_owed
from campaign.letters.channel import letter_channel
from campaign.letters.render import Letter
from campaign.util.text import plural
from campaign.workspace.settings import Settings

RETRIES = 3  # after the first try, for dropped connections and 4xx replies


@dataclass
class Job:
    """One email owed to one prospect."""

    prospect: sqlite3.Row
    dedupe: str
    kind: str
    letter: Letter
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
    sent_copies: Any = None  # mailbox.sentcopies.Saved when [imap] save_sent is on
    refused: list[dict] = field(default_factory=list)  # refused by the server in this run
    refused_before: list[dict] = field(default_factory=list)  # ...in an earlier run, standing
    would_send: list[dict] | None = None  # a dry run: what a real run would send, in order
    pace_seconds: float = 0.0  # the least time [sending] per_minute makes the run take
    held: list[tuple[str, str]] = field(default_factory=list)  # (who, why): a blank field

    def as_dict(self) -> dict:
        copies = self.sent_copies
        extra: dict = {"sent_copies": copies.as_dict()} if copies is not None else {}
        if self.would_send is not None:
            extra["would_send"] = self.would_send
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
            "refused": self.refused,
            "refused_before": self.refused_before,
            "pace_seconds": self.pace_seconds,
        }


@contextlib.contextmanager
def run_lock(root: Path) -> Iterator[None]:
    """One sending run per workspace at a time, on Windows, macOS and Linux alike.

    filelock takes an OS lock (LockFileEx on Windows, flock elsewhere), which the system
    releases when the process dies, so a run that was killed never leaves the workspace locked.
    """
    import warnings

    with warnings.catch_warnings():
        # Without fcntl (and not on Windows) filelock falls back to its soft lock, and says so.
        warnings.simplefilter("ignore")
        from filelock import FileLock, Timeout

    lock = FileLock(root / ".campaign.lock", timeout=0, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        raise SendError(
            "another sending run is going in this workspace", hint="another-run"
        ) from None
    try:
        yield
    finally:
        lock.release()


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
        # A first letter that went (and did not bounce) is neither owed nor unknown: a year of
        # batches holds thousands, left in the ledger.
        "AND (s.status IS NULL OR s.status != 'sent' OR s.bounced_on IS NOT NULL) "
        "ORDER BY b.week, m.position",
        weeks,
    ).fetchall()
    plan = Plan(jobs=[])
    for row in rows:
        # Under the sending lock a `sending` row is one a dead run left: a dry run (which
        # settles nothing) counts it as the real run will, once settled, as unknown.
        interrupted = row["send_status"] == "sending"
        if row["send_status"] == "unknown" or interrupted:
            plan.unknown.append(row)
        if not (intro_owed(row, retry_unknown) or (interrupted and retry_unknown)):
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


@dataclass
class Share:
    """What one run sends out of what is owed: the same for a dry run and a real one."""

    jobs: list[Job]  # what goes this run, in order
    stopped: str = ""  # why not all that is owed goes
    continue_on: dt.date | None = None  # the day the daily cap lets the rest go
    pace_seconds: float = 0.0  # the least time [sending] per_minute makes the run take


def todays_share(
    conn: sqlite3.Connection, settings: Settings, jobs: list[Job], today: dt.date, limit: int | None
) -> Share:
    """The jobs this run sends: the first `limit` (--limit), then no more than the daily cap
    ([sending] per_day) leaves for today; paced at [sending] per_minute."""
    going = jobs[:limit] if limit is not None else list(jobs)
    share = Share(going)
    if settings.per_day:
        left_today = max(settings.per_day - sent_today(conn, today), 0)
        if left_today < len(going):
            share.jobs = going[:left_today]
            cap = plural(settings.per_day, "email")
            share.stopped = f"the cap of {cap} a day, [sending] per_day"
            share.continue_on = today + dt.timedelta(days=1)
    if settings.per_minute and share.jobs:
        share.pace_seconds = (len(share.jobs) - 1) * 60.0 / settings.per_minute
    return share


def standing_refusals(conn: sqlite3.Connection) -> list[dict]:
    """Emails the server refused for good, to an address the prospect still has, with nothing
    done about it since (no call, letter, note or other touch on or after that day)."""
    rows = conn.execute(
        "SELECT s.id, s.prospect_id, p.company, p.first_name, p.last_name, s.kind, s.recipient, "
        "s.error, coalesce(s.attempted_on, substr(s.created_at, 1, 10)) AS tried_on "
        "FROM sends s JOIN prospects p ON p.id = s.prospect_id "
        "WHERE s.channel = 'email' AND s.status = 'failed' "
        "AND p.status NOT IN ('rejected', 'closed', 'hired') "
        "AND lower(s.recipient) = lower(p.email) "
        "AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.prospect_id = s.prospect_id "
        "    AND t.on_date >= coalesce(s.attempted_on, substr(s.created_at, 1, 10))) "
        "AND NOT EXISTS (SELECT 1 FROM sends o WHERE o.prospect_id = s.prospect_id "
        "    AND o.id != s.id AND o.status = 'sent' "
        "    AND o.sent_on >= coalesce(s.attempted_on, substr(s.created_at, 1, 10))) "
        "ORDER BY s.id"
    )
    return [
        _refusal(r["prospect_id"], r["company"], r["first_name"], r["last_name"], r["recipient"])
        | {"send_id": r["id"], "kind": r["kind"], "reason": r["error"], "on": r["tried_on"]}
        for r in rows
    ]


def _refusal(prospect_id: int, company: str, first: str, last: str, to: str) -> dict:
    name = f"{first} {last}".strip()
    return {"prospect_id": prospect_id, "company": company, "name": name, "to": to}


def preflight(settings: Settings, jobs: list[Job]) -> list[Path]:
    """Check the sender and attachments before anything is sent; return the attachments."""
    from email_validator import EmailNotValidError, validate_email

    from campaign.email.headers import BadAddress, parse_address

    if not jobs:
        return []
    settings.check_sender(["name", "email"], "every email's From: line shows {it}")
    for key, value, line in (
        ("email", settings.sender_email, "From:"),
        ("reply_to", settings.reply_to, "Reply-To:"),
    ):
        if not value:
            continue
        try:
            validate_email(value, check_deliverability=False)
            parse_address(value)
        except (EmailNotValidError, BadAddress):
            raise SendError(
                f"campaign.toml: [sender] {key} = {value!r} is not one email address; the "
                f"{line} line needs one."
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
        # Only the main thread may set a handler (the web app sends from a worker thread), and
        # only where the platform has SIGINT (every desktop does; some embedded Pythons do not).
        self.previous = None
        sigint = getattr(signal, "SIGINT", None)
        if sigint is not None and threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(sigint, self._handle)
        return self

    def _handle(self, signum, frame):
        self.requested = True

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False


@dataclass
class Sending:
    """What every message of one run shares: the ledger, the settings, the campaign day (the
    --today every event is dated by), the open transport, the attachments, the Sent saver."""

    conn: sqlite3.Connection
    settings: Settings
    today: dt.date
    transport: Any  # transport.Outbox or transport.Smtp, already open (logged in)
    attachments: list[Path] = field(default_factory=list)
    copies: Any = None  # mailbox.sentcopies.Saver when [imap] save_sent is on


def execute(run: Sending, jobs: list[Job], progress: Callable[[], None] = lambda: None) -> Summary:
    """Send the jobs (todays_share's) in order, recording each; `progress` after each."""
    summary = Summary()
    per_minute = run.settings.per_minute
    interval = 60.0 / per_minute if per_minute else 0.0
    last = 0.0
    with _StopOnInterrupt() as interrupt:
        for job in jobs:
            if interrupt.requested:
                summary.stopped = "Ctrl-C"
                break
            if interval:
                time.sleep(max(0.0, last + interval - time.monotonic()))
                last = time.monotonic()
            outcome = _send_one(run, job)
            progress()
            if outcome.startswith("stopped:"):
                summary.stopped = outcome[9:]
                break
            _count(summary, job, outcome, run.today)
    done = summary.sent + len(summary.failed) + summary.unknown
    summary.owed = len(jobs) - done
    return summary


def _count(summary: Summary, job: Job, outcome: str, today: dt.date) -> None:
    if outcome == "sent":
        summary.sent += 1
    elif outcome.startswith("unknown:"):
        summary.unknown += 1
    elif outcome.startswith("failed:"):
        reason, row = outcome[7:], job.prospect
        summary.failed.append((job.letter.to_email, reason))
        who = _refusal(
            row["id"], row["company"], row["first_name"], row["last_name"], job.letter.to_email
        )
        summary.refused.append(who | {"kind": job.kind, "reason": reason, "on": today.isoformat()})


def _record(conn, job: Job, message_id: str, today: dt.date, via: str = "smtp") -> None:
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
                message_id,
                now(),
            ),
        )
        # The campaign day it was tried: an unknown send resolved as sent went that day; and
        # whether it went to the server or was written as a draft (honest outbox).
        conn.execute(
            "UPDATE sends SET attempted_on = ?, via = ? WHERE dedupe = ?",
            (today.isoformat(), via, job.dedupe),
        )


def _finish(conn, job: Job, status: str, today: dt.date, error: str = "", copy=None) -> None:
    with transaction(conn):
        if copy is not None:  # the bytes the server took, for the Sent folder
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


def _send_one(run: Sending, job: Job) -> str:
    """Send one message: 'sent', 'failed:REASON', 'unknown:REASON' or 'stopped: REASON'."""
    from campaign.email.headers import BadAddress
    from campaign.email.message import build_message
    from campaign.email.threads import references
    from campaign.email.transport import Refused, Temporary, Unanswered

    conn, settings, today, transport = run.conn, run.settings, run.today, run.transport
    thread = references(conn, job.prospect["id"], job.letter.to_email, job.dedupe)
    via = "outbox" if transport.drafts else "smtp"
    try:
        msg = build_message(
            job.letter,
            settings,
            dt.datetime.now().astimezone(),  # the Date: header is when it really leaves
            run.attachments,
            references=thread,
            draft=transport.drafts,
        )
    except BadAddress as err:  # the sender's were checked before the run: the prospect's
        _record(conn, job, "", today, via)
        _finish(conn, job, "failed", today, err.message)
        return f"failed:{err.message}"
    _record(conn, job, msg.message_id, today, via)
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
        _finish(conn, job, "sent", today, copy=msg if run.copies is not None else None)
        if run.copies is not None:
            run.copies.put(job.dedupe, msg.data)  # saved to Sent while the batch goes on
        return "sent"
    _finish(conn, job, "deferred", today, problem)
    return (
        f"stopped: {transport.description} kept failing ({problem}) after {RETRIES + 1} tries; "
        "what was not sent is still owed: send again later"
    )
