"""One prospect's history: every send and touch, oldest first, each said in words."""

from __future__ import annotations

import json
import sqlite3


def history(conn: sqlite3.Connection, prospect_id: int, labels: bool = False) -> list[dict]:
    """Every send and touch for one prospect, oldest first.

    With `labels`, each also says what it was in words, a `label`: "Follow-up letter 1 by
    email", "Thank-you note to Ann Lee by post", "Interview with Ann Lee, Bo Chan". A touch
    carries its `touch_id` (what an undo names) and, once undone, `undone_on`: it stays in the
    history and no longer counts.
    """
    name = _Labels(conn, prospect_id) if labels else None
    prospect = conn.execute(
        "SELECT first_name, last_name, email FROM prospects WHERE id = ?", (prospect_id,)
    ).fetchone()
    rows = [
        {
            # The campaign day (--today) it went or was tried; created_at is the wall clock.
            "date": r["sent_on"] or r["attempted_on"] or r["created_at"][:10],
            "what": f"{r['kind']} letter by {r['channel']}",
            # A bounce seen by `campaign sync` after the server took it.
            "status": "bounced"
            if r["bounced_on"]
            else "draft in outbox/"
            # A draft the Sent folder (or the user) has shown went is sent like any other.
            if r["status"] == "sent" and r["via"] == "outbox" and not r["confirmed_by"]
            else r["status"],
            "detail": r["error"] or r["subject"],
            **({"label": name.send(r)} if name else {}),
        }
        for r in conn.execute(
            "SELECT * FROM sends WHERE prospect_id = ? ORDER BY id", (prospect_id,)
        )
    ]
    rows += [
        {
            "date": r["on_date"],
            "what": r["kind"],
            "status": r["outcome"] or r["item"],  # a skip's status: the follow-up dismissed
            "detail": r["note"],
            "touch_id": r["id"],
            **({"undone_on": r["undone_on"]} if r["undone_on"] else {}),
            # Who was met, each with the title and email their thank-you uses.
            **({"people": _met(prospect, r["people"])} if r["kind"] == "interview" else {}),
            **({"label": name.touch(r)} if name else {}),
        }
        for r in conn.execute(
            "SELECT * FROM touches WHERE prospect_id = ? ORDER BY id", (prospect_id,)
        )
    ]
    return sorted(rows, key=lambda r: r["date"])


def _met(prospect: sqlite3.Row | None, people: str) -> list[dict]:
    """Who was met, each with the email their thank-you uses: the prospect met in person,
    named without one, at the prospect's address."""
    from campaign.followups.items import same_person

    met = json.loads(people or "[]")
    if prospect is None or not prospect["email"]:
        return met
    name = f"{prospect['first_name']} {prospect['last_name']}".strip()
    return [
        {**p, "email": prospect["email"]}
        if not p.get("email") and same_person(p["name"], name)
        else p
        for p in met
    ]


# What each touch is called in a history a person reads (`campaign log` names the events).
TOUCH_NAMES = {
    "call": "Call",
    "reply": "Reply",
    "received": "Letter received",
    "interview": "Interview",
    "rejected": "Rejected",
    "closed": "Position closed",
    "hired": "Hired",
    "note": "Note",
    "contact": "Marked as a networking contact",
    "insider": "Marked as a warm insider",
    "active": "Reopened",
    "skip": "Follow-up dismissed",
    "answered": "Answered their reply",
    "offer": "Offer",
    "bounced": "Email bounced",
}


class _Labels:
    """The words for one prospect's sends and touches (history(..., labels=True))."""

    def __init__(self, conn: sqlite3.Connection, prospect_id: int) -> None:
        from campaign.followups.items import LABELS

        self.kinds = LABELS  # follow-up kinds: "Follow-up letter 1", "Thank-you note", ...
        self.met = {
            touch_id: json.loads(people or "[]")
            for touch_id, people in conn.execute(
                "SELECT id, people FROM touches WHERE prospect_id = ? AND kind = 'interview'",
                (prospect_id,),
            )
        }

    def send(self, row: sqlite3.Row) -> str:
        from campaign.followups.items import letter_name

        letter = row["letter"] or row["kind"]
        name = letter_name(letter)
        if letter == "thankyou":
            to = self._thanked(row["dedupe"]) or row["recipient"]
            name += f" to {to}" if to else ""
        return f"{name} by {'hand' if row['channel'] == 'note' else row['channel']}"

    def touch(self, row: sqlite3.Row) -> str:
        name = TOUCH_NAMES.get(row["kind"], row["kind"])
        if row["kind"] == "interview":
            met = [p["name"] for p in json.loads(row["people"] or "[]")]
            name += " with " + ", ".join(met) if met else ""
        if row["kind"] == "skip" and row["item"]:
            name += f": {self.kinds.get(row['item'], row['item'])}"
        if row["undone_on"]:
            name += f" (undone on {row['undone_on']})"
        return name

    def _thanked(self, dedupe: str) -> str:
        """Whom a thank-you (dedupe thankyou:TOUCH:INDEX) was written to."""
        _, touch, index = (dedupe.split(":") + ["", ""])[:3]
        try:
            return self.met[int(touch)][int(index)]["name"]
        except (KeyError, IndexError, ValueError):
            return ""
