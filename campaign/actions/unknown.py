"""Sends a run left unknown (it died while the server had the message): listing them, once the
ledger is settled, and the user's word on each, under the sending lock as `send` takes it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from campaign.email.unknown import Resolved, answer, listing, settle


def pending(conn: sqlite3.Connection, root: Path) -> list[dict[str, Any]]:
    """Every unknown send, oldest first, a run that died since included (settled first)."""
    settle(conn, root)
    return listing(conn)


def resolve(conn: sqlite3.Connection, root: Path, send_ids: list[int], *, went: bool) -> Resolved:
    """Record the sends `send_ids` as sent on the day tried (`went`) or as owed again."""
    return answer(conn, root, send_ids, went=went)
