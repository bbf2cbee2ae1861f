"""Sending from the page: one run at a time in a worker thread, polled by a refreshing page.

The run is sendrun.send_owed, the function `campaign send` calls, under the same lock: a
second click while a run goes finds it running; a reload shows the run; a click after it
finished sends only what is still owed (nothing, usually).
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from dataclasses import dataclass, field

from campaign.util.text import plural


@dataclass
class Run:
    """One sending run, as the progress page shows it."""

    what: str  # "the batch" or "the follow-ups"
    total: int = 0
    done: int = 0
    summary: dict | None = None
    error: str = ""
    finished: threading.Event = field(default_factory=threading.Event)


_starting = threading.Lock()


def start(state, request, expected: int, what: str) -> str:
    """Start a run (or return the one still going); its id for the progress page."""
    with _starting:
        for run_id, run in state.runs.items():
            if not run.finished.is_set():
                return run_id
        run_id = secrets.token_urlsafe(8)
        run = Run(what)
        state.runs[run_id] = run
    threading.Thread(
        target=_work, args=(state, request, expected, run), name="campaign-send", daemon=True
    ).start()
    return run_id


def _work(state, request, expected: int, run: Run) -> None:
    from campaign.actions.send import send_owed
    from campaign.errors import CampaignError
    from campaign.web.base import said_on_a_page

    def confirm(count: int, via: str) -> None:
        if count > expected:
            raise CampaignError(
                f"{plural(count, 'email is', 'emails are')} owed now, not the {expected} you "
                "confirmed; "
                "look at the page again before sending."
            )

    @contextlib.contextmanager
    def progress(total: int):
        run.total = total

        def tick() -> None:
            run.done += 1

        yield tick

    try:
        with state.ledger() as (settings, conn):
            summary = send_owed(
                settings,
                conn,
                state.today(),
                request,
                confirm=confirm,
                progress=progress,
                interactive=False,
            )
        run.summary = summary.as_dict()
    except CampaignError as err:
        run.error = said_on_a_page(err)
    except Exception as err:  # shown on the page rather than lost in a thread
        run.error = f"sending stopped: {type(err).__name__}: {err}"
    finally:
        run.finished.set()
