"""What the Due page and the dashboard show, kept once per state of the ledger.

The ledger keeps each prospect's follow-ups and computes again only the prospects that changed
(followups/store.py), so an answer after any write costs a few queries; the server still keeps
the last answer, since each depends only on what the ledger holds, today and [cadence], and
reads again when one of those changed.

Whether the ledger changed is asked of one connection kept open for that alone and never
written through: SQLite's `PRAGMA data_version` on it changes whenever any other connection
commits, the CLI's as well as the ones each web request opens. A background thread watches it
(and is woken after each POST), so a page usually finds the answer ready.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from campaign.workspace.settings import Settings

POLL_SECONDS = 1.0


class LedgerCache:
    """Answers read from the ledger, kept while it is unchanged, warmed in the background."""

    def __init__(self) -> None:
        # One computation at a time (the dashboard's asks for the follow-ups: re-entrant);
        # the watcher connection is shared.
        self._lock = threading.RLock()
        self._watcher: sqlite3.Connection | None = None
        self._path: Path | None = None
        self._cache: dict[tuple, tuple] = {}  # (today, what, cadence) -> (version, answer)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.computed = 0  # answers computed (a test counts them)
        self.warmed = threading.Event()  # set after each pass of the background thread

    def followups(self, settings: Settings, today: dt.date, horizon: int = 0) -> tuple:
        """The follow-ups due by today + horizon, as followups.due.compute lists them."""
        from campaign.followups.due import compute

        return self._get(
            settings,
            today,
            ("followups", horizon),
            lambda conn: tuple(compute(conn, settings.cadence, today, horizon)),
        )

    def dashboard(self, settings: Settings, today: dt.date) -> dict:
        """reports.status.dashboard: the numbers of `campaign status`, the funnel, sends per
        week."""
        from campaign.reports.status import dashboard

        items = self.followups(settings, today)
        return self._get(
            settings, today, ("dashboard",), lambda conn: dashboard(conn, settings, today, items)
        )

    def _get(self, settings: Settings, today: dt.date, what: tuple, make: Callable):
        from campaign.followups.store import refresh
        from campaign.ledger.db import connect

        key = (today, what, repr(sorted(settings.cadence.items())))
        with self._lock:
            version = self._version(settings.ledger_path)
            cached = self._cache.get(key)
            if cached is not None and cached[0] == version:
                return cached[1]
            conn = connect(settings.ledger_path)
            try:
                # The prospects that changed are computed again (and kept) first, outside the
                # snapshot below; `version` is read after, so that write is not a change.
                refresh(conn, settings.cadence, today)
                version = self._version(settings.ledger_path)
                conn.execute("BEGIN")  # one snapshot, taken after `version` was read
                answer = make(conn)
                conn.execute("COMMIT")
            finally:
                conn.close()
            self.computed += 1
            self._cache = {k: v for k, v in self._cache.items() if k[0] == today}
            self._cache[key] = (version, answer)
            return answer

    def _version(self, path: Path) -> tuple[str, int]:
        if self._watcher is None or self._path != path:
            if self._watcher is not None:
                self._watcher.close()
            # mode=rw: the watcher never creates the ledger (ledger.db.connect makes it private).
            self._watcher = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=rw",
                uri=True,
                check_same_thread=False,
                isolation_level=None,
            )
            self._path = path
            self._cache.clear()
        return str(path), self._watcher.execute("PRAGMA data_version").fetchone()[0]

    def start(self, settings: Callable, today: Callable[[], dt.date]) -> None:
        """Keep today's pages warm: at once, after each poke() and when the ledger changes."""

        def warm() -> None:
            while not self._stop.is_set():
                # A problem (a bad campaign.toml) is shown by the page that asks next.
                with contextlib.suppress(Exception):
                    self.dashboard(settings(), today())  # the follow-ups too
                self.warmed.set()
                self._wake.wait(POLL_SECONDS)
                self._wake.clear()

        self._thread = threading.Thread(target=warm, name="campaign-followups", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """The ledger may have changed (a form was posted): recompute now, not at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        with self._lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None
