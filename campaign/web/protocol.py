"""uvicorn's HTTP/1.1 protocol with the deadlines it lacks, and a cap on open connections.

uvicorn bounds a header's size (h11_max_incomplete_event_size) and the idle time between two
requests (timeout_keep_alive), but nothing bounds how long a request may take to arrive:
its keep-alive timer is cancelled by every byte received, so a client sending one byte every
few seconds holds a connection forever, and 20,000 such clients hold 20,000 (the timeouts
proposed in encode/uvicorn#157, "--timeout-request-start" and "--timeout-request-complete",
were never built). `limit_concurrency` answers 503 only once a request's headers are in.

So each connection here has a deadline: its request's headers within HEADER_SECONDS of the
connection opening (or of the previous response ending), the whole request (its body too)
within REQUEST_SECONDS. Past it the connection is closed. The work a request then starts
runs in a thread and is bounded by the library's own timeouts (mail servers, the ledger).
At MAX_CONNECTIONS open connections, the oldest one still waiting for its request is closed
to make room (a browser opens a new one at once; a slow client loses its place).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_SECONDS = 5.0
REQUEST_SECONDS = 60.0  # a 20 MB upload over loopback takes well under a second
MAX_CONNECTIONS = 64  # a browser opens about 6 per host


class DeadlineProtocol(H11Protocol):
    """H11Protocol whose requests must arrive in time, on a bounded number of connections."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline: asyncio.TimerHandle | None = None
        self.waiting_since = 0.0  # when it began waiting for a request (0: not waiting)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        live = sum(not c.transport.is_closing() for c in self.connections if c.transport)
        if live > MAX_CONNECTIONS and not self._make_room():
            self.transport.close()
            return
        self._await_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.transport.is_closing():
            return
        state = self.conn.their_state
        if state is h11.SEND_BODY and self.waiting_since:
            # The headers are in: what is left of REQUEST_SECONDS is for the body.
            left = REQUEST_SECONDS - (time.monotonic() - self.waiting_since)
            self._arm(max(left, 0.0))
            self.waiting_since = 0.0
        elif state is not h11.IDLE and state is not h11.SEND_BODY:
            self._disarm()  # the request is in: the app answers it
            self.waiting_since = 0.0

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._await_request()  # keep-alive: the next request has the same deadlines

    def _await_request(self) -> None:
        self.waiting_since = time.monotonic()
        self._arm(HEADER_SECONDS)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self.deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _too_slow(self) -> None:
        self._disarm()
        self.waiting_since = 0.0
        if not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> bool:
        """Close the connection that has waited longest for its request; whether one was."""
        waiting = [
            c
            for c in self.connections
            if isinstance(c, DeadlineProtocol)
            and c is not self
            and c.waiting_since
            and not c.transport.is_closing()
        ]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: c.waiting_since)
        oldest._too_slow()
        return True
