"""Logging touches: calls, replies, interviews and status changes against a prospect."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from campaign.errors import CampaignError
from campaign.followups.items import KINDS, OUTCOMES, same_person
from campaign.ledger.transaction import now, transaction
from campaign.util.text import quote, shorten

EVENTS = {
    "call": "a phone call: how it went, the assistant, the best time to call",
    "reply": "they answered a letter: stops the letter follow-ups",
    "received": "they confirmed the letter arrived",
    "interview": "an interview or appointment, with everyone met",
    "rejected": "a rejection: ends the follow-up, keeps the record",
    "closed": "the position closed: ends the follow-up",
    "hired": "hired (here or elsewhere): ends the follow-up",
    "note": "a note for the record",
    "contact": "mark as a networking contact: a progress call every 6 weeks",
    "insider": "mark as a warm insider: a check-in every 4 to 6 days",
    "active": "reopen a prospect whose follow-up had ended",
    "skip": "dismiss a follow-up that is due",
}
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


def log(
    conn: sqlite3.Connection,
    prospect,
    event: str,
    on: dt.date,
    *,
    note: str = "",
    outcome: str = "",
    assistant: str = "",
    best_time: str = "",
    people: str = "",
    today: dt.date | None = None,
    again: bool = False,
    item: str = "",
    cadence: dict | None = None,
) -> int:
    """Record one touch (and its effect on the prospect) in one transaction.

    With `today`, a date after it is refused; the same event for the same prospect on the
    same day is refused (naming the first) unless `again`. A `skip` names the `item` (a
    kind of follow-up) it dismisses; with `cadence`, only one that is due can be.
    """
    if event not in EVENTS:
        raise CampaignError(f"unknown event {event!r}; use one of: {', '.join(EVENTS)}.")
    if outcome and event != "call":
        raise CampaignError("an outcome goes only with a call")
    if event == "call" and outcome not in OUTCOMES:
        raise CampaignError(
            "a call needs its outcome", hint="call-outcome", choices=", ".join(OUTCOMES)
        )
    if today is not None and on > today:
        raise CampaignError(f"{on} is after today ({today}): log what has happened, once it has.")
    if item and event != "skip":
        raise CampaignError("a follow-up to dismiss goes only with a skip")
    if event == "skip":
        _check_skip(conn, prospect, item, on, cadence)
    met = []
    if event == "interview":
        name = f"{prospect['first_name']} {prospect['last_name']}".strip()
        met = parse_people(people) if people else [{"name": name, "title": prospect["title"]}]
        for person in met:
            # The hiring authority met in person gets the thank-you at the address on file.
            if not person.get("email") and prospect["email"] and same_person(person["name"], name):
                person["email"] = prospect["email"]
    elif people:
        raise CampaignError("people met go only with an interview")
    with transaction(conn):
        earlier = None if again else _same_day(conn, prospect["id"], event, on, note, item, outcome)
        if earlier is not None and not (
            event == "interview" and people and json.loads(earlier["people"]) != met
        ):
            detail = earlier["item"] or earlier["outcome"]
            what = f"{event} ({detail})" if detail else event
            raise CampaignError(
                f"#{prospect['id']} {shorten(prospect['company'], 40)} already has this {what} "
                f"on {on}",
                hint="log-again",
            )
        same_day = earlier if event == "interview" else None
        if same_day is not None:
            # The same day's interview logged again corrects who was met (and their emails);
            # the thank-yous already sent keep their place, by position.
            conn.execute(
                "UPDATE touches SET people = ?, note = coalesce(nullif(?, ''), note) WHERE id = ?",
                (json.dumps(met, ensure_ascii=False), note, same_day["id"]),
            )
            return same_day["id"]
        touch_id = conn.execute(
            "INSERT INTO touches (prospect_id, kind, on_date, outcome, note, people, item, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                prospect["id"],
                event,
                on.isoformat(),
                outcome,
                note,
                json.dumps(met, ensure_ascii=False),
                item,
                now(),
            ),
        ).lastrowid
        if event in STATUS_FOR:
            conn.execute(
                "UPDATE prospects SET status = ?, updated_on = ? WHERE id = ?",
                (STATUS_FOR[event], on.isoformat(), prospect["id"]),
            )
        if event in ("contact", "insider"):
            conn.execute(
                "UPDATE prospects SET role = ?, updated_on = ? WHERE id = ?",
                (event, on.isoformat(), prospect["id"]),
            )
        for column, value in (("assistant", assistant), ("best_time", best_time)):
            if value:
                conn.execute(
                    f"UPDATE prospects SET {column} = ? WHERE id = ?", (value, prospect["id"])
                )
    return touch_id


def _same_day(
    conn, prospect_id: int, event: str, on: dt.date, note: str, item: str, outcome: str = ""
):
    """The touch this one would repeat: same event, prospect and day (a note: same text; a
    call: same outcome, since calling back later the same day is the usual retry)."""
    return conn.execute(
        "SELECT id, outcome, item, people, created_at FROM touches WHERE prospect_id = ? "
        "AND kind = ? AND on_date = ? AND (kind != 'note' OR note = ?) "
        "AND (kind != 'skip' OR item = ?) AND (kind != 'call' OR outcome = ?) "
        "ORDER BY id LIMIT 1",
        (prospect_id, event, on.isoformat(), note, item, outcome),
    ).fetchone()


def _check_skip(conn, prospect, item: str, on: dt.date, cadence: dict | None) -> None:
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
