"""The weekly top-twenty batch: active prospects not yet written to, best first."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from campaign.errors import CampaignError
from campaign.ledger.transaction import transaction

WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def iso_week(day: dt.date) -> str:
    """2026-W48."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_of(week: str) -> str:
    """The week as a reader knows it, by its Monday, with the code --week and file names use:
    "the week of November 23 (2026-W48)"."""
    monday = dt.date.fromisocalendar(int(week[:4]), int(week[6:8]), 1)
    return f"the week of {monday:%B} {monday.day} ({week})"


def parse_week(text: str) -> str:
    """A YYYY-Www week, checked."""
    match = WEEK.match(text.strip().upper())
    if not match:
        raise CampaignError(f"week {text!r} is not a week; write it like 2026-W48.")
    try:
        dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise CampaignError(f"week {text!r} does not exist.") from None
    return text.strip().upper()


def channel_for(prospect) -> str:
    """Email where there is an email address, else post."""
    from campaign.letters.channel import letter_channel

    return letter_channel(prospect["email"])


def find(conn: sqlite3.Connection, week: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM batches WHERE week = ?", (week,)).fetchone()


def members(conn: sqlite3.Connection, batch_id: int) -> list[sqlite3.Row]:
    """The batch's prospects, in the order they were picked."""
    return conn.execute(
        "SELECT p.*, m.position, m.channel AS planned_channel FROM batch_members m "
        "JOIN prospects p ON p.id = m.prospect_id WHERE m.batch_id = ? ORDER BY m.position",
        (batch_id,),
    ).fetchall()


# When no prospect is left for a new batch (hint "import-more" says what to do).
NONE_LEFT = "every active prospect already has a batch"
# When nothing was imported yet (hint "import-list").
NO_PROSPECTS = "no prospects yet"
# The hints no_batch_hint gives: what a week without a batch calls for.
NO_BATCH_HINTS = ("pick-batch", "import-more", "import-list")


def no_batch_hint(conn: sqlite3.Connection) -> str:
    """What a week without a batch calls for: picking one while a prospect is left for it,
    else more employers to import (or a first list, when there is none yet)."""
    if remaining(conn):
        return "pick-batch"
    return "import-more" if _any_prospect(conn) else "import-list"


def _any_prospect(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT 1 FROM prospects LIMIT 1").fetchone()
    return found is not None


def remaining(conn: sqlite3.Connection) -> int:
    """Active prospects not yet in any batch."""
    return conn.execute(
        "SELECT count(*) FROM prospects WHERE status = 'active' AND role = 'employer' "
        "AND id NOT IN (SELECT prospect_id FROM batch_members)"
    ).fetchone()[0]


def candidates(conn: sqlite3.Connection, size: int, everyone: bool = False) -> list:
    """The prospects a new batch would take, best first: priority (blank last), list order."""
    chosen = conn.execute(
        "SELECT * FROM prospects WHERE status = 'active' AND role = 'employer' "
        "AND id NOT IN (SELECT prospect_id FROM batch_members) "
        # A first letter only waiting to be tried again ('deferred') is still owed: a prospect
        # taken out of a batch with one is picked again.
        "AND id NOT IN (SELECT prospect_id FROM sends WHERE kind = 'intro' "
        "AND status != 'deferred') "
        "ORDER BY priority IS NULL, priority, list_order" + ("" if everyone else " LIMIT ?"),
        () if everyone else (size,),
    ).fetchall()
    if not chosen and not _any_prospect(conn):
        raise CampaignError(NO_PROSPECTS, hint="import-list")
    if not chosen:
        raise CampaignError(NONE_LEFT, hint="import-more")
    return chosen


def pick(
    conn: sqlite3.Connection, week: str, size: int, today: dt.date, everyone: bool = False
) -> tuple[sqlite3.Row, bool]:
    """This week's batch, picking it if it does not exist yet; (batch, newly picked)."""
    existing = find(conn, week)
    if existing is not None:
        return existing, False
    if size < 1 and not everyone:
        raise CampaignError("the batch size must be at least 1.")
    with transaction(conn):
        chosen = candidates(conn, size, everyone)
        batch_id = conn.execute(
            "INSERT INTO batches (week, is_all, created_on) VALUES (?, ?, ?)",
            (week, int(everyone), today.isoformat()),
        ).lastrowid
        conn.executemany(
            "INSERT INTO batch_members (batch_id, prospect_id, position, channel) "
            "VALUES (?, ?, ?, ?)",
            [(batch_id, p["id"], n, channel_for(p)) for n, p in enumerate(chosen, 1)],
        )
    made = find(conn, week)
    assert made is not None  # inserted just above, in this transaction
    return made, True


# The columns intro_owed reads, joined from the prospect's first-letter send; `email_bad`: the
# prospect's email was refused by the mail server or bounced, for any letter (docs/domain.md,
# "Refused and bounced letters": no more email goes to that address).
INTRO_SEND = (
    "LEFT JOIN sends s ON s.dedupe = 'intro:' || p.id",
    "s.status AS send_status, s.recipient AS sent_to, s.bounced_on, s.id AS send_id, "
    # Looked up only where the letter may still be owed (most went long ago).
    "CASE WHEN p.email = '' OR (s.status = 'sent' AND s.bounced_on IS NULL) THEN 0 "
    "ELSE lower(p.bad_email) = lower(p.email) OR EXISTS (SELECT 1 FROM sends b "
    "WHERE b.prospect_id = p.id AND b.channel = 'email' AND lower(b.recipient) = lower(p.email) "
    "AND (b.status = 'failed' OR b.bounced_on IS NOT NULL)) END AS email_bad",
)


def intro_owed(row, retry_unknown: bool = False) -> bool:
    """Whether a batch member is still owed its first letter (row: INTRO_SEND's columns)."""
    status = row["send_status"]
    changed = status is not None and row["sent_to"].casefold() != row["email"].casefold()
    if row["email_bad"]:
        return False  # a new address is needed first
    return (
        status is None
        or status == "deferred"
        or (status == "unknown" and retry_unknown)
        # A refused address is tried again only once the user has fixed it and re-imported.
        or (status == "failed" and changed)
        # So is a letter that bounced, once the address is corrected: the new
        # address never had it, so it gets the first letter, not "Following up...".
        or (status == "sent" and row["bounced_on"] is not None and changed)
    )


def _said(prospect: sqlite3.Row) -> str:
    name = f"{prospect['first_name']} {prospect['last_name']}".strip()
    return f"{prospect['company']} ({name})" if name else str(prospect["company"])


# What became of a first letter that keeps its prospect in the batch, said in a sentence.
FIRST_LETTER_WAS = {
    "sent": "went",
    "failed": "was refused by the mail server",
    "unknown": "may have gone (a stopped run)",
    "sending": "is being sent now",
}


def _first_letter(conn: sqlite3.Connection, prospect_id: int) -> sqlite3.Row | None:
    """The first letter's send row, unless it only waits to be sent again ('deferred')."""
    return conn.execute(
        "SELECT status, sent_on, attempted_on FROM sends WHERE dedupe = ? AND status != 'deferred'",
        (f"intro:{prospect_id}",),
    ).fetchone()


def _this_week(conn: sqlite3.Connection, week: str) -> sqlite3.Row:
    batch = find(conn, week)
    if batch is None:
        raise CampaignError(f"no batch for {week_of(week)}", hint="pick-batch-week", week=week)
    return batch


def take_out(conn: sqlite3.Connection, week: str, prospect: sqlite3.Row) -> None:
    """Take `prospect` out of `week`'s batch before their first letter goes: they return to
    the prospects waiting for a batch (a later week's picks them again, best first). A letter
    that went, or may have gone, keeps its prospect in the batch: the follow-ups count from
    it."""
    with transaction(conn):
        batch = _this_week(conn, week)
        position = conn.execute(
            "SELECT position FROM batch_members WHERE batch_id = ? AND prospect_id = ?",
            (batch["id"], prospect["id"]),
        ).fetchone()
        if position is None:
            raise CampaignError(f"{_said(prospect)} is not in the batch for {week}")
        sent = _first_letter(conn, prospect["id"])
        if sent is not None:
            when = sent["sent_on"] or sent["attempted_on"] or ""
            went = FIRST_LETTER_WAS.get(sent["status"], "went")
            raise CampaignError(
                f"the first letter to {_said(prospect)} {went}"
                + (f" (on {when})" if when else "")
                + "; it stays in the batch, and its follow-ups count from it"
            )
        conn.execute(
            "DELETE FROM batch_members WHERE batch_id = ? AND prospect_id = ?",
            (batch["id"], prospect["id"]),
        )
        conn.execute(
            "UPDATE batch_members SET position = position - 1 WHERE batch_id = ? AND position > ?",
            (batch["id"], position[0]),
        )


def add_to(conn: sqlite3.Connection, week: str, prospect: sqlite3.Row) -> None:
    """Add `prospect` to `week`'s batch, last: an active employer in no batch yet whose first
    letter has not gone (a mail merge's ticked row)."""
    with transaction(conn):
        batch = _this_week(conn, week)
        if prospect["status"] != "active" or prospect["role"] != "employer":
            why = prospect["status"] if prospect["status"] != "active" else "not an employer"
            raise CampaignError(f"{_said(prospect)} is {why}: only active employers are written to")
        other = conn.execute(
            "SELECT b.week FROM batch_members m JOIN batches b ON b.id = m.batch_id "
            "WHERE m.prospect_id = ?",
            (prospect["id"],),
        ).fetchone()
        if other is not None:
            where = "this week's batch" if other[0] == week else f"the batch for {other[0]}"
            raise CampaignError(f"{_said(prospect)} is already in {where}")
        if _first_letter(conn, prospect["id"]) is not None:
            raise CampaignError(f"{_said(prospect)} already had a first letter")
        last = conn.execute(
            "SELECT coalesce(max(position), 0) FROM batch_members WHERE batch_id = ?",
            (batch["id"],),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO batch_members (batch_id, prospect_id, position, channel) "
            "VALUES (?, ?, ?, ?)",
            (batch["id"], prospect["id"], last + 1, channel_for(prospect)),
        )
