"""The ledger: campaign.db, opened (and migrated) with WAL and foreign keys on."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from campaign.errors import WorkspaceError


def connect(path: Path) -> sqlite3.Connection:
    """Open the ledger at `path`, creating and migrating it as needed."""
    from campaign.migrations import migrate

    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except sqlite3.DatabaseError as err:
        raise WorkspaceError(f"{path}: cannot open the ledger ({err}).") from err
    return conn


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error (DDL included)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def now() -> str:
    """Wall-clock time for audit columns, UTC, to the second."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def find_prospect(conn: sqlite3.Connection, ref: str) -> sqlite3.Row:
    """A prospect by id, email, name or company; NotFound (listing them) if not exactly one."""
    from campaign.errors import NotFound
    from campaign.util.text import quote, shorten

    ref = ref.strip().lstrip("#")
    if ref.isdigit():
        row = conn.execute("SELECT * FROM prospects WHERE id = ?", (int(ref),)).fetchone()
    else:
        row = conn.execute(
            "SELECT * FROM prospects WHERE lower(email) = lower(?)", (ref,)
        ).fetchone()
        if row is None and ref:
            matches = _by_name(conn, ref)
            if len(matches) > 1:
                shown = "; ".join(
                    f"#{m['id']} {shorten(m['company'], 40)} ({shorten(m['name'], 30)})"
                    for m in matches[:10]
                )
                more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
                raise NotFound(
                    f"{len(matches)} prospects match {quote(ref)}: {shown}{more}; "
                    "name one by its id."
                )
            if matches:
                row = conn.execute(
                    "SELECT * FROM prospects WHERE id = ?", (matches[0]["id"],)
                ).fetchone()
    if row is None:
        raise NotFound(
            f"no prospect {quote(ref)}; `campaign prospects` lists them with their ids.",
            web=f"no prospect {quote(ref)}; the Prospects page lists them.",
        )
    return row


def _by_name(conn: sqlite3.Connection, ref: str) -> list[dict]:
    """Prospects whose name or company is `ref` (any case, accents or not), else contains it."""
    from campaign.util.text import slug

    wanted = slug(ref, 0)
    exact, partial = [], []
    for pid, company, first, last in conn.execute(
        "SELECT id, company, first_name, last_name FROM prospects ORDER BY id"
    ):
        name = f"{first} {last}".strip()
        found = {"id": pid, "company": company, "name": name}
        texts = (slug(company, 0), slug(name, 0))
        if wanted in texts:
            exact.append(found)
        elif any(wanted in text for text in texts):
            partial.append(found)
    return exact or partial


def list_prospects(conn: sqlite3.Connection, status: str | None = None) -> list[sqlite3.Row]:
    """Prospects best first: priority (blank last), then list order."""
    sql = "SELECT * FROM prospects"
    args: tuple = ()
    if status:
        sql += " WHERE status = ?"
        args = (status,)
    sql += " ORDER BY priority IS NULL, priority, list_order"
    return conn.execute(sql, args).fetchall()


def history(conn: sqlite3.Connection, prospect_id: int, labels: bool = False) -> list[dict]:
    """Every send and touch for one prospect, oldest first.

    With `labels`, each also says what it was in words, a `label`: "Follow-up letter 1 by
    email", "Thank-you note to Ann Lee by post", "Interview with Ann Lee, Bo Chan".
    """
    name = _Labels(conn, prospect_id) if labels else None
    rows = [
        {
            "date": r["sent_on"] or r["created_at"][:10],
            "what": f"{r['kind']} letter by {r['channel']}",
            # A bounce seen by `campaign sync` (issue 11) after the server took it.
            "status": "bounced"
            if r["bounced_on"]
            else "draft in outbox/"
            if r["status"] == "sent" and r["via"] == "outbox"
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
            # Who was met, each with the title and email their thank-you uses.
            **({"people": json.loads(r["people"])} if r["kind"] == "interview" else {}),
            **({"label": name.touch(r)} if name else {}),
        }
        for r in conn.execute(
            "SELECT * FROM touches WHERE prospect_id = ? ORDER BY id", (prospect_id,)
        )
    ]
    return sorted(rows, key=lambda r: r["date"])


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
}


class _Labels:
    """The words for one prospect's sends and touches (history(..., labels=True))."""

    def __init__(self, conn: sqlite3.Connection, prospect_id: int) -> None:
        from campaign.followup import LABELS, LETTER_KINDS

        self.kinds = LABELS  # follow-up kinds: "Follow-up letter 1", "Thank-you note", ...
        self.letters = {template: kind for kind, template in LETTER_KINDS.items()}
        self.met = {
            touch_id: json.loads(people or "[]")
            for touch_id, people in conn.execute(
                "SELECT id, people FROM touches WHERE prospect_id = ? AND kind = 'interview'",
                (prospect_id,),
            )
        }

    def send(self, row: sqlite3.Row) -> str:
        letter = row["letter"] or row["kind"]
        name = self.kinds.get(self.letters.get(letter, ""), letter)
        if letter == "intro":
            name = "First letter"
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
        return name

    def _thanked(self, dedupe: str) -> str:
        """Whom a thank-you (dedupe thankyou:TOUCH:INDEX) was written to."""
        _, touch, index = (dedupe.split(":") + ["", ""])[:3]
        try:
            return self.met[int(touch)][int(index)]["name"]
        except (KeyError, IndexError, ValueError):
            return ""


def phone_book(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, dict]:
    """Phone, assistant and best time of the prospects `ids`, in one query (a call list)."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    return {
        row["id"]: dict(row)
        for row in conn.execute(
            f"SELECT id, phone, assistant, best_time FROM prospects WHERE id IN ({marks})",
            wanted,
        )
    }
