"""Logging touches: calls, replies, interviews and status changes against a prospect; and
undoing one logged by mistake (docs/domain.md, "Where each employer stands")."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass

from campaign.errors import CampaignError
from campaign.followups.items import KINDS, OUTCOMES, Cadence
from campaign.ledger.transaction import now, transaction
from campaign.util.text import quote, shorten

EVENTS = {
    "call": "a phone call: how it went, the assistant, the best time to call",
    "reply": "they answered a letter: stops the letter follow-ups",
    "answered": "you answered their reply",
    "received": "they confirmed the letter arrived",
    "interview": "an interview or appointment, with everyone met",
    "offer": "they made an offer",
    "rejected": "a rejection: ends the follow-up, keeps the record",
    "closed": "the position closed: ends the follow-up",
    "hired": "hired (here or elsewhere): ends the follow-up",
    "note": "a note for the record",
    "contact": "mark as a networking contact: a progress call every 6 weeks",
    "insider": "mark as a warm insider: a check-in every 4 to 6 days",
    "active": "reopen a prospect whose follow-up had ended",
    "skip": "dismiss a follow-up that is due",
}
# Not an event of its own: undo(prospect, event id) marks one undone.
UNDO = "undo"
# What a skip can dismiss: every kind of follow-up, but an unknown send, which the user
# resolves by saying whether it went.
SKIPPABLE = tuple(kind for kind in KINDS if kind != "unknown-send")


STATUS_FOR = {
    "reply": "replied",
    "rejected": "rejected",
    "closed": "closed",
    "hired": "hired",
    "active": "active",
}
ROLES = ("contact", "insider")


def parse_people(text: str) -> list[dict]:
    """ "Ann Lee, CFO; Bo Chan, HR Lead, bo@example.com" → [{"name", "title", "email"}].

    The part with an @ is the email; the parts between name and email are the title, so
    "VP, Engineering" stays one title.
    """
    from email_validator import EmailNotValidError, validate_email

    people = []
    for chunk in text.split(";"):
        parts = [p.strip() for p in chunk.split(",")]
        if not parts[0]:
            continue
        email = parts.pop() if len(parts) > 1 and "@" in parts[-1] else ""
        person = {"name": " ".join(parts[0].split()), "title": ", ".join(x for x in parts[1:] if x)}
        if any("@" in x for x in parts) or " " in email:
            raise CampaignError(
                f"people met: {quote(chunk.strip())} is not Name, Title, email",
                hint="people-format",
            )
        if email:
            try:
                validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                raise CampaignError(
                    f"people met: {quote(email)} is not an email address", hint="people-format"
                ) from None
            person["email"] = email
        people.append(person)
    if not people:
        raise CampaignError("people met: at least one name is needed", hint="people-format")
    return people


@dataclass
class Logged:
    """One event as the user tells it: what, when, and the details that go with it."""

    event: str
    on: dt.date
    note: str = ""
    outcome: str = ""  # a call's
    assistant: str = ""  # a call's: who answered for them
    best_time: str = ""  # a call's: when to call next time
    people: str = ""  # an interview's: "Name, Title, email; ..."
    item: str = ""  # a skip's: the kind of follow-up dismissed
    again: bool = False  # record it even if the same was logged that day


def log(
    conn: sqlite3.Connection,
    prospect: sqlite3.Row,
    entry: Logged,
    *,
    today: dt.date | None = None,
    cadence: Cadence | None = None,
) -> int:
    """Record one touch (and its effect on the prospect) in one transaction; its id.

    With `today`, a date after it is refused; the same event for the same prospect on the
    same day is refused (naming the first) unless `again`. A `skip` names the `item` (a
    kind of follow-up) it dismisses; with `cadence`, only one that is due can be.
    """
    _check(entry, today)
    if entry.event == "skip":
        _check_skip(conn, prospect, entry.item, entry.on, cadence)
    met = _people(prospect, entry)
    with transaction(conn):
        earlier = None if entry.again else _same_day(conn, prospect["id"], entry)
        if earlier is not None and not (
            entry.event == "interview" and entry.people and json.loads(earlier["people"]) != met
        ):
            detail = earlier["item"] or earlier["outcome"]
            what = f"{entry.event} ({detail})" if detail else entry.event
            raise CampaignError(
                f"#{prospect['id']} {shorten(prospect['company'], 40)} already has this {what} "
                f"on {entry.on}",
                hint="log-again",
            )
        if earlier is not None:
            # The same day's interview logged again corrects who was met (and their emails);
            # the thank-yous already sent keep their place, by position.
            conn.execute(
                "UPDATE touches SET people = ?, note = coalesce(nullif(?, ''), note) WHERE id = ?",
                (json.dumps(met, ensure_ascii=False), entry.note, earlier["id"]),
            )
            return earlier["id"]
        touch_id = conn.execute(
            "INSERT INTO touches (prospect_id, kind, on_date, outcome, note, people, item, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                prospect["id"],
                entry.event,
                entry.on.isoformat(),
                entry.outcome,
                entry.note,
                json.dumps(met, ensure_ascii=False),
                entry.item,
                now(),
            ),
        ).lastrowid
        _apply(conn, prospect["id"], entry)
    assert touch_id is not None  # an INSERT's rowid
    return touch_id


def _check(entry: Logged, today: dt.date | None) -> None:
    """An event `log` knows, with only the details that go with it, not after today."""
    event = entry.event
    if event not in EVENTS:
        raise CampaignError(f"unknown event {event!r}; use one of: {', '.join(EVENTS)}.")
    if entry.outcome and event != "call":
        raise CampaignError("an outcome goes only with a call")
    if event == "call" and entry.outcome not in OUTCOMES:
        raise CampaignError(
            "a call needs its outcome", hint="call-outcome", choices=", ".join(OUTCOMES)
        )
    if today is not None and entry.on > today:
        raise CampaignError(
            f"{entry.on} is after today ({today}): log what has happened, once it has."
        )
    if entry.item and event != "skip":
        raise CampaignError("a follow-up to dismiss goes only with a skip")
    if entry.people and event != "interview":
        raise CampaignError("people met go only with an interview")


def _people(prospect: sqlite3.Row, entry: Logged) -> list[dict]:
    """Who was met at an interview (the prospect, when nobody is named)."""
    if entry.event != "interview":
        return []
    if entry.people:
        return parse_people(entry.people)
    # The hiring authority met in person, named without an email, gets the thank-you at the
    # prospect's address at the time it goes (a corrected address imported since included).
    name = f"{prospect['first_name']} {prospect['last_name']}".strip()
    return [{"name": name, "title": prospect["title"]}]


def _apply(conn: sqlite3.Connection, prospect_id: int, entry: Logged) -> None:
    """What the event changes on the prospect: its status, role, assistant and best time."""
    day = entry.on.isoformat()
    if entry.event in STATUS_FOR:
        conn.execute(
            "UPDATE prospects SET status = ?, updated_on = ? WHERE id = ?",
            (STATUS_FOR[entry.event], day, prospect_id),
        )
    if entry.event in ROLES:
        conn.execute(
            "UPDATE prospects SET role = ?, updated_on = ? WHERE id = ?",
            (entry.event, day, prospect_id),
        )
    for column, value in (("assistant", entry.assistant), ("best_time", entry.best_time)):
        if value:
            conn.execute(f"UPDATE prospects SET {column} = ? WHERE id = ?", (value, prospect_id))


def undo(
    conn: sqlite3.Connection, prospect: sqlite3.Row, touch_id: int, today: dt.date
) -> sqlite3.Row:
    """Undo one logged event: it stays in the record, marked undone on `today`, and no longer
    counts; the prospect's status and role become what the events left standing make them."""
    with transaction(conn):
        touch = conn.execute(
            "SELECT * FROM touches WHERE id = ? AND prospect_id = ?", (touch_id, prospect["id"])
        ).fetchone()
        said = f"#{prospect['id']} {shorten(prospect['company'], 40)}"
        if touch is None:
            raise CampaignError(f"{said} has no logged event {touch_id}", hint="show-history",
                                id=prospect["id"])  # fmt: skip
        if touch["kind"] not in EVENTS:
            raise CampaignError(
                f"event {touch_id} ({touch['kind']}) was read from the mailbox, not logged: "
                "it cannot be undone",
                hint="new-address" if touch["kind"] == "bounced" else "",
                id=prospect["id"],
            )
        if touch["undone_on"]:
            raise CampaignError(f"event {touch_id} of {said} was undone on {touch['undone_on']}")
        conn.execute(
            "UPDATE touches SET undone_on = ?, undone_at = ? WHERE id = ?",
            (today.isoformat(), now(), touch_id),
        )
        _restore(conn, prospect["id"], today)
        return conn.execute("SELECT * FROM touches WHERE id = ?", (touch_id,)).fetchone()


def _restore(conn: sqlite3.Connection, prospect_id: int, today: dt.date) -> None:
    """Status and role from the events not undone, oldest first: what `log` would have made
    of them (a reply read by sync does not reopen an ended follow-up)."""
    status, role = "active", "employer"
    synced = {
        row[0]
        for row in conn.execute(
            "SELECT touch_id FROM mail_seen WHERE prospect_id = ? AND touch_id IS NOT NULL",
            (prospect_id,),
        )
    }
    for touch_id, kind in conn.execute(
        "SELECT id, kind FROM touches WHERE prospect_id = ? AND undone_on IS NULL "
        "ORDER BY on_date, id",
        (prospect_id,),
    ):
        if kind in STATUS_FOR and (touch_id not in synced or status == "active"):
            status = STATUS_FOR[kind]
        role = kind if kind in ROLES else role
    conn.execute(
        "UPDATE prospects SET status = ?, role = ?, updated_on = ? WHERE id = ?",
        (status, role, today.isoformat(), prospect_id),
    )


def _same_day(conn: sqlite3.Connection, prospect_id: int, entry: Logged) -> sqlite3.Row | None:
    """The touch this one would repeat: same event, prospect and day (a note: same text; a
    call: same outcome, since calling back later the same day is the usual retry)."""
    return conn.execute(
        "SELECT id, outcome, item, people, created_at FROM touches WHERE prospect_id = ? "
        "AND kind = ? AND on_date = ? AND undone_on IS NULL AND (kind != 'note' OR note = ?) "
        "AND (kind != 'skip' OR item = ?) AND (kind != 'call' OR outcome = ?) "
        "ORDER BY id LIMIT 1",
        (prospect_id, entry.event, entry.on.isoformat(), entry.note, entry.item, entry.outcome),
    ).fetchone()


def _check_skip(
    conn: sqlite3.Connection,
    prospect: sqlite3.Row,
    item: str,
    on: dt.date,
    cadence: Cadence | None,
) -> None:
    """A skip names a kind of follow-up; with the cadence, one this prospect has pending."""
    if item not in SKIPPABLE:
        if item == "unknown-send":
            raise CampaignError(
                "an unknown send is resolved by saying whether it went, not dismissed",
                hint="list-unknown",
            )
        raise CampaignError(
            f"{quote(item)} is not a follow-up to dismiss"
            if item
            else "a skip needs the follow-up it dismisses",
            hint="skip-item",
            choices=", ".join(SKIPPABLE),
        )
    if cadence is None:
        return
    from campaign.followups.due import compute

    pending = compute(conn, cadence, on, 3650, only=prospect["id"], keep_stale=True)
    kinds = [i.kind for i in pending if i.kind in SKIPPABLE]
    if item not in kinds and item not in (i.origin for i in pending):
        listed = ", ".join(dict.fromkeys(kinds)) or "nothing"
        said = f"#{prospect['id']} {shorten(prospect['company'], 40)} has no {item} to dismiss"
        raise CampaignError(f"{said}; pending: {listed}", hint="list-due")
