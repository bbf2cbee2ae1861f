"""The ledger: campaign.db, opened (and migrated) with WAL and foreign keys on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from campaign.errors import WorkspaceError


def connect(path: Path) -> sqlite3.Connection:
    """Open the ledger at `path`, creating and migrating it as needed."""
    from campaign.ledger.migrations import migrate
    from campaign.util.atomic import make_private_file

    try:
        # Made private before SQLite opens it: SQLite gives the -wal and -shm files it makes
        # beside it the database's own mode (findCreateFileMode() in SQLite's os_unix.c), so
        # the prospect list is never readable by another user.
        if not path.exists():
            make_private_file(path)
        conn = sqlite3.connect(path, isolation_level=None, timeout=10)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except OSError as err:
        raise WorkspaceError(f"{path}: cannot open the ledger ({err.strerror}).") from err
    except sqlite3.DatabaseError as err:
        raise WorkspaceError(f"{path}: cannot open the ledger ({err}).") from err
    return conn
