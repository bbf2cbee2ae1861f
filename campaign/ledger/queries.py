"""Named queries: a prospect by id, email or name; the list best first; a phone book."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


def find_prospect(conn: sqlite3.Connection, ref: str) -> sqlite3.Row:
    """A prospect by id, email, name or company; NotFound (listing them) if not exactly one."""
    from campaign.errors import NotFound
    from campaign.util.text import quote, shorten

    ref = ref.strip().lstrip("#")
    if ref.isascii() and ref.isdigit():
        # SQLite's integers have 64 bits: a longer number is no prospect's id.
        wanted = int(ref) if len(ref) <= 18 else -1
        row = conn.execute("SELECT * FROM prospects WHERE id = ?", (wanted,)).fetchone()
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
        raise NotFound(f"no prospect {quote(ref)}", hint="list-prospects")
    return row


def _by_name(conn: sqlite3.Connection, ref: str) -> list[dict]:
    """Prospects whose name or company is `ref`, else contains it: case, accents and the
    apostrophe's style ignored ("o'hara" finds "O’Hara")."""
    from campaign.util.text import folded

    wanted = folded(ref)
    if not wanted:
        return []
    exact, partial = [], []
    words = wanted.split()[:5]  # each word in some searched column: the ledger's index
    where = " AND ".join("search LIKE ?" for _ in words)
    for pid, company, first, last in conn.execute(
        f"SELECT id, company, first_name, last_name FROM prospects WHERE {where} ORDER BY id",
        [f"%{word}%" for word in words],
    ):
        name = f"{first} {last}".strip()
        found = {"id": pid, "company": company, "name": name}
        texts = (folded(company), folded(name), folded(last))
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


def workspace_id(conn: sqlite3.Connection) -> str:
    """The random id this workspace's ledger was given (it names its calendar events)."""
    return conn.execute("SELECT value FROM ledger_meta WHERE key = 'workspace_id'").fetchone()[0]
