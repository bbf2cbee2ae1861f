"""Logging touches: calls, replies, interviews and status changes against a prospect."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from .errors import CampaignError
from .followup import OUTCOMES
from .ledger import now, transaction

EVENTS = {
    "call": "a phone call (--outcome, --assistant, --best-time)",
    "reply": "they answered a letter: stops the letter follow-ups",
    "received": "they confirmed the letter arrived",
    "interview": 'an interview or appointment (--with "Name, Title; Name, Title")',
    "rejected": "a rejection: ends the follow-up, keeps the record",
    "closed": "the position closed: ends the follow-up",
    "hired": "hired (here or elsewhere): ends the follow-up",
    "note": "a note for the record",
    "contact": "mark as a networking contact: a progress call every 6 weeks",
    "insider": "mark as a warm insider: a check-in every 4 to 6 days",
    "active": "reopen a prospect whose follow-up had ended",
}
STATUS_FOR = {
    "reply": "replied",
    "rejected": "rejected",
    "closed": "closed",
    "hired": "hired",
    "active": "active",
}


def parse_people(text: str) -> list[dict]:
    """ "Ann Lee, CFO; Bo Chan, HR Lead, bo@example.com" → [{"name", "title", "email"}]."""
    people = []
    for chunk in text.split(";"):
        parts = [p.strip() for p in chunk.split(",")]
        if not parts[0]:
            continue
        person = {"name": " ".join(parts[0].split()), "title": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2 and "@" in parts[2]:
            person["email"] = parts[2]
        people.append(person)
    if not people:
        raise CampaignError('--with needs at least one name, e.g. --with "Ann Lee, CFO".')
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
) -> int:
    """Record one touch (and its effect on the prospect) in one transaction."""
    if event not in EVENTS:
        raise CampaignError(f"unknown event {event!r}; use one of: {', '.join(EVENTS)}.")
    if outcome and event != "call":
        raise CampaignError("--outcome goes with a call.")
    if event == "call" and outcome not in OUTCOMES:
        raise CampaignError(f"a call needs --outcome: one of {', '.join(OUTCOMES)}.")
    met = []
    if event == "interview":
        name = f"{prospect['first_name']} {prospect['last_name']}".strip()
        met = parse_people(people) if people else [{"name": name, "title": prospect["title"]}]
    elif people:
        raise CampaignError("--with goes with an interview.")
    with transaction(conn):
        same_day = (
            conn.execute(
                "SELECT id FROM touches WHERE prospect_id = ? AND kind = 'interview' "
                "AND on_date = ?",
                (prospect["id"], on.isoformat()),
            ).fetchone()
            if event == "interview"
            else None
        )
        if same_day is not None:
            # The same day's interview logged again corrects who was met (and their emails);
            # the thank-yous already sent keep their place, by position.
            conn.execute(
                "UPDATE touches SET people = ?, note = coalesce(nullif(?, ''), note) WHERE id = ?",
                (json.dumps(met, ensure_ascii=False), note, same_day["id"]),
            )
            return same_day["id"]
        touch_id = conn.execute(
            "INSERT INTO touches (prospect_id, kind, on_date, outcome, note, people, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                prospect["id"],
                event,
                on.isoformat(),
                outcome,
                note,
                json.dumps(met, ensure_ascii=False),
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
