"""The ledger: campaign.db, opened (and migrated) with WAL and foreign keys on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from campaign.errors import WorkspaceError


def connect(path: Path) -> sqlite3.Connection:
    """Open the ledger at `path`, creating and migrating it as needed."""
    from campaign.ledger.migrations import migrate

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
