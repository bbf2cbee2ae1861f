"""Threading follow-ups: a follow-up names the emails before it, so it lands in the
same conversation as the first letter in the recipient's mail program (RFC 5322 3.6.4)."""

from __future__ import annotations

import sqlite3


def references(conn: sqlite3.Connection, prospect_id: int, recipient: str, dedupe: str) -> list:
    """Message-IDs already sent to this prospect at `recipient`, oldest first."""
    if dedupe.startswith("intro:"):
        return []
    return [
        row[0]
        for row in conn.execute(
            "SELECT message_id FROM sends WHERE prospect_id = ? AND channel = 'email' "
            "AND status = 'sent' AND message_id != '' AND lower(recipient) = lower(?) "
            "AND dedupe != ? ORDER BY id",
            (prospect_id, recipient, dedupe),
        )
    ]


def thread_headers(ids: list[str]) -> dict[str, str]:
    """In-Reply-To (the latest) and References (all, oldest first) for `ids`."""
    if not ids:
        return {}
    return {"In-Reply-To": ids[-1], "References": " ".join(ids)}
