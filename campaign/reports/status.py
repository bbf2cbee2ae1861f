"""The campaign at a glance: the numbers `campaign status` prints and the web dashboard draws."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence

from campaign.followups import store
from campaign.followups.items import STAGES, Due
from campaign.workspace.settings import Settings


def status(
    conn: sqlite3.Connection, settings: Settings, today: dt.date, items: Sequence[Due] | None = None
) -> dict:
    """Prospects by status and by stage, this week's batch, sends, follow-ups due and touches
    so far.

    `items`: today's follow-ups when the caller has them already (followups.due.compute's
    answer); else the counts are read from the ledger's kept follow-ups in one query. The
    other numbers come from the counts the ledger keeps (counts()).
    """
    from campaign.letters.batch import find, iso_week

    if items is None:
        store.refresh(conn, settings.cadence, today)
        due_today, overdue = store.counts(conn, today)
    else:
        due_today, overdue = sum(i.due == today for i in items), sum(i.due < today for i in items)
    counted = counts(conn)
    by_status = counted["prospects"]
    sends: dict[str, int] = {}
    channels: dict[str, int] = {}
    drafts = 0
    for key, n in counted["sends"].items():
        state, channel, via = key.split("|")
        sends[state] = sends.get(state, 0) + n
        if state == "sent":
            channels[channel] = channels.get(channel, 0) + n
            drafts += n if via == "outbox" else 0
    touches = {key.split("|")[0]: n for key, n in counted["touches"].items() if key.endswith("|1")}
    stages: dict[str, int] = {}
    for key, n in counted["followup_state"].items():
        stages[key.split("|")[0]] = stages.get(key.split("|")[0], 0) + n
    mail = counted["mail_seen"]
    week = iso_week(today)
    batch = find(conn, week)
    progress = {"week": week, "picked": 0, "sent": 0}
    if batch:
        progress["picked"] = conn.execute(
            "SELECT count(*) FROM batch_members WHERE batch_id = ?", (batch["id"],)
        ).fetchone()[0]
        progress["sent"] = conn.execute(
            "SELECT count(*) FROM sends WHERE batch_id = ? AND status = 'sent'", (batch["id"],)
        ).fetchone()[0]
    return {
        "today": today.isoformat(),
        "prospects": {"total": sum(by_status.values()), **by_status},
        "batch": progress,
        "sent": {"email": channels.get("email", 0), "post": channels.get("post", 0)},
        # Of the emails above, those written to outbox/ as drafts for the user to send, and
        # not yet seen in the Sent folder (or said sent).
        "drafts": drafts,
        "sends_by_status": sends,
        "due_today": due_today,
        "overdue": overdue,
        # Where each employer stands (docs/domain.md), every stage named, in order.
        "stages": {stage: stages.get(stage, 0) for stage in STAGES},
        "replies": touches.get("reply", 0),
        "interviews": touches.get("interview", 0),
        "calls": touches.get("call", 0),
        # From the mailbox: the replies above include those `sync` recorded.
        "bounces": mail.get("bounce", 0),
        "auto_replies": mail.get("auto-reply", 0),
        "possible_replies": mail.get("possible-reply", 0),
    }


def counts(conn: sqlite3.Connection) -> dict[str, dict[str, int]]:
    """How many prospects, sends, touches, mailbox findings and follow-up states of each kind
    the ledger holds: kept by triggers (ledger/migrations.py add_followup_store), one read."""
    out: dict[str, dict[str, int]] = {
        what: {} for what in ("prospects", "sends", "touches", "mail_seen", "followup_state")
    }
    for what, key, n in conn.execute("SELECT what, key, n FROM ledger_counts WHERE n != 0"):
        out.setdefault(what, {})[key] = n
    return out


def dashboard(
    conn: sqlite3.Connection, settings: Settings, today: dt.date, items: Sequence[Due] | None = None
) -> dict:
    """What the web dashboard shows: status(), the funnel, the letters sent per week, and how
    many prospects a new batch could take."""
    from campaign.letters.batch import remaining

    return {
        "numbers": status(conn, settings, today, items),
        "waiting": remaining(conn),
        "funnel": funnel(conn),
        "weeks": sends_per_week(conn, today),
    }


# The funnel's steps: the furthest stages (docs/domain.md, "Where each employer stands") that
# count as having come that far; a hire counts as an answer whatever was logged before it.
FUNNEL: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Written to", ("written", "answered", "meeting", "interviewed", "offer"), ()),
    ("Answered", ("answered", "meeting", "interviewed", "offer"), ("hired",)),
    ("Interviewed", ("interviewed", "offer"), ()),
    ("Hired", (), ("hired",)),
)


def funnel(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """Prospects at each step: all, written to, answered, interviewed, hired (from the stages
    kept with their follow-ups: call followups.store.refresh first)."""
    counted = counts(conn)
    states: list[tuple[str, str, int]] = []
    for key, n in counted["followup_state"].items():
        stage, reached = key.split("|", 1)
        states.append((stage, reached, n))
    out = [("Prospects", sum(counted["prospects"].values()))]
    for name, furthest, ended in FUNNEL:
        out.append((name, sum(n for st, r, n in states if r in furthest or st in ended)))
    # Prospects, not events: `status` counts the replies and interviews logged, and one
    # prospect may have several (or an interview and no reply, which still answered).
    return out


def sends_per_week(conn: sqlite3.Connection, today: dt.date, weeks: int = 12) -> list[tuple]:
    """Letters sent (email and post) in each of the last `weeks` ISO weeks, oldest first."""
    monday = today - dt.timedelta(days=today.weekday())
    start = monday - dt.timedelta(weeks=weeks - 1)
    counts = dict(
        conn.execute(
            "SELECT (julianday(sent_on) - julianday(?)) / 7, count(*) FROM sends "
            "WHERE status = 'sent' AND sent_on >= ? AND sent_on <= ? GROUP BY 1",
            (start.isoformat(), start.isoformat(), today.isoformat()),
        )
    )
    out = []
    for index in range(weeks):
        day = start + dt.timedelta(weeks=index)
        total = sum(n for k, n in counts.items() if int(k) == index)
        out.append((f"{day.isocalendar().year}-W{day.isocalendar().week:02d}", total))
    return out


def batch_progress(conn: sqlite3.Connection, today: dt.date) -> tuple[sqlite3.Row | None, list]:
    """This week's batch and its prospects, each with its channel and intro send status."""
    from campaign.letters.batch import channel_for, find, iso_week, members

    batch = find(conn, iso_week(today))
    if batch is None:
        return None, []
    sends = dict(
        conn.execute(
            "SELECT prospect_id, status FROM sends WHERE dedupe LIKE 'intro:%' AND prospect_id IN "
            "(SELECT prospect_id FROM batch_members WHERE batch_id = ?)",
            (batch["id"],),
        )
    )
    return batch, [
        {"prospect": row, "channel": channel_for(row), "send": sends.get(row["id"], "owed")}
        for row in members(conn, batch["id"])
    ]
