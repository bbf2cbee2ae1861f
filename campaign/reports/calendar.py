"""Follow-ups as calendar events (.ics) that update: the ledger remembers what was exported.

RFC 5545: an event is known by its UID; a calendar program replaces it when SEQUENCE is higher,
and removes it when STATUS is CANCELLED. So each export keeps every follow-up's UID, raises its
SEQUENCE when its date or text changed, and sends once more, cancelled, each follow-up that
ended (a reply, a rejection, done or dismissed) since the last export.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from campaign.followups.due import compute
from campaign.followups.items import LABELS, Due
from campaign.ledger.queries import workspace_id
from campaign.ledger.transaction import transaction
from campaign.util.atomic import replacing
from campaign.util.text import clean

# A cancelled event is exported again for this long, for the user who skipped an import.
KEEP_CANCELLED_DAYS = 30
EVERYTHING = 3650  # days: what counts as "still a follow-up" when deciding what ended


@dataclass
class Event:
    uid: str
    prospect_id: int
    kind: str
    dtstart: dt.date
    summary: str
    description: str
    sequence: int = 0
    cancelled: bool = False


@dataclass
class Exported:
    events: int = 0  # follow-ups still due, in the file
    changed: int = 0  # of those, exported before and changed since (a higher SEQUENCE)
    cancelled: int = 0  # ended follow-ups in the file as STATUS:CANCELLED


def uid(item: Due, workspace: str) -> str:
    """Stable across exports: the same follow-up keeps it while its date moves; unique to the
    workspace (RFC 5545: a UID is globally unique), so two searches never overwrite each
    other's events in one calendar."""
    return f"{item.ident.replace(':', '-')}@{workspace}.campaign.invalid"


def _event(item: Due, prospect: sqlite3.Row | None, workspace: str) -> Event:
    who = item.person.get("name") or item.name
    lines = [f"{item.reason} (by {item.channel})"]
    if item.channel == "call" and prospect is not None:
        # docs/domain.md, "Unanswered calls": the assistant and the best time to call are part
        # of the record the caller needs at hand.
        lines += [
            f"Phone: {prospect['phone'] or '-'}",
            f"Assistant: {prospect['assistant'] or '-'}",
            f"Best time: {prospect['best_time'] or '-'}",
        ]
    return Event(
        uid(item, workspace),
        item.prospect_id,
        item.kind,
        item.due,
        f"{LABELS[item.kind]}: {who}, {item.company}",
        "\n".join(lines),
    )


def write(events: list[Event], path: Path) -> None:
    """The events as an iCalendar file, all-day, replaced atomically."""
    from icalendar import Calendar
    from icalendar import Event as VEvent

    cal = Calendar()
    cal.add("prodid", "-//campaign//job search follow-ups//EN")
    cal.add("version", "2.0")
    stamp = dt.datetime.now(dt.UTC)
    for e in events:
        event = VEvent()
        event.add("uid", e.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", e.dtstart)
        event.add("dtend", e.dtstart + dt.timedelta(days=1))
        # Values from the sheet never carry control characters into a calendar program.
        event.add("summary", clean(e.summary))
        event.add("description", clean(e.description))
        event.add("categories", [e.kind])
        event.add("sequence", e.sequence)
        event.add("status", "CANCELLED" if e.cancelled else "CONFIRMED")
        cal.add_component(event)
    with replacing(path) as temp:
        temp.write_bytes(cal.to_ical())


def export(
    conn: sqlite3.Connection, cadence: dict, today: dt.date, path: Path, horizon: int = 90
) -> Exported:
    """Write the follow-ups due within `horizon` days (and updates to earlier ones) to `path`."""
    items = compute(conn, cadence, today, EVERYTHING)
    calls = {i.prospect_id for i in items if i.channel == "call"}
    prospects = {
        row["id"]: row
        for row in conn.execute(
            "SELECT id, phone, assistant, best_time FROM prospects WHERE id IN "
            "(SELECT value FROM json_each(?))",
            (f"[{','.join(map(str, calls))}]",),
        )
    }
    workspace = workspace_id(conn)
    live = {e.uid: e for e in (_event(i, prospects.get(i.prospect_id), workspace) for i in items)}
    limit = today + dt.timedelta(days=horizon)
    known = {r["uid"]: r for r in conn.execute("SELECT * FROM calendar_events")}
    result = Exported()
    out: list[Event] = []
    with transaction(conn):
        for key, event in live.items():
            before = known.get(key)
            if before is None and event.dtstart > limit:
                continue  # never exported and not due yet: a later export adds it
            if before is not None:
                same = (before["dtstart"], before["summary"], before["description"]) == (
                    event.dtstart.isoformat(),
                    event.summary,
                    event.description,
                )
                changed = not same or before["cancelled_on"] is not None
                event.sequence = before["sequence"] + changed
                result.changed += changed
            _save(conn, event, None)
            out.append(event)
            result.events += 1
        cutoff = (today - dt.timedelta(days=KEEP_CANCELLED_DAYS)).isoformat()
        for key, before in known.items():
            if key in live or (before["cancelled_on"] or today.isoformat()) < cutoff:
                continue
            ended = Event(
                key,
                before["prospect_id"],
                before["kind"],
                dt.date.fromisoformat(before["dtstart"]),
                before["summary"],
                _why_ended(conn, before["prospect_id"]),
                before["sequence"] + (before["cancelled_on"] is None),
                cancelled=True,
            )
            if before["cancelled_on"] is None:
                _save(conn, ended, today)
            result.cancelled += 1
            out.append(ended)
        write(sorted(out, key=lambda e: (e.dtstart, e.uid)), path)
    return result


def _save(conn: sqlite3.Connection, event: Event, cancelled_on: dt.date | None) -> None:
    conn.execute(
        "INSERT INTO calendar_events (uid, prospect_id, sequence, dtstart, summary, description,"
        " kind, cancelled_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO UPDATE SET "
        "sequence = excluded.sequence, dtstart = excluded.dtstart, summary = excluded.summary, "
        "description = excluded.description, kind = excluded.kind, "
        "cancelled_on = excluded.cancelled_on",
        (
            event.uid,
            event.prospect_id,
            event.sequence,
            event.dtstart.isoformat(),
            event.summary,
            event.description,
            event.kind,
            cancelled_on.isoformat() if cancelled_on else None,
        ),
    )


def _why_ended(conn: sqlite3.Connection, prospect_id: int) -> str:
    status = conn.execute("SELECT status FROM prospects WHERE id = ?", (prospect_id,)).fetchone()
    if status is not None and status[0] != "active":
        return f"No longer due: the prospect is {status[0]}."
    return "No longer due: done, dismissed or superseded."
