"""What the ledger knows about a prospect, as the follow-up rules read it: one Story each.

Stories are loaded in bulk for the prospects in a scope (a temporary table of ids), with one
query per table, so the rules never query the ledger themselves and can be computed for one
prospect or for a hundred thousand the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from campaign.followups.items import ANSWERED, CALL_KINDS, ENDED, UNANSWERED

# The prospects being computed: a temporary table of ids, private to the connection.
SCOPE = "temp.followup_scope"
IN_SCOPE = f"IN (SELECT id FROM {SCOPE})"

_d = dt.date.fromisoformat
T = TypeVar("T")


class Prospect(NamedTuple):
    id: int
    company: str
    first_name: str
    last_name: str
    title: str
    email: str
    phone: str
    address: str
    city: str
    postal_code: str
    status: str
    role: str
    bad_email: str


class Send(NamedTuple):
    id: int
    dedupe: str
    kind: str
    letter: str
    channel: str
    status: str
    recipient: str
    subject: str
    message_id: str
    sent_on: str | None
    attempted_on: str  # the campaign day it was tried (else the day it was recorded)
    bounced_on: str | None
    prospect_id: int


class Touch(NamedTuple):
    id: int
    kind: str
    on_date: str
    outcome: str
    note: str
    people: str
    item: str
    prospect_id: int


class Mail(NamedTuple):
    """A message `campaign sync` matched to the prospect (a reply: who wrote, its first line)."""

    kind: str
    sender: str
    subject: str
    received_on: str
    snippet: str
    touch_id: int | None
    prospect_id: int


class once(Generic[T]):  # noqa: N801 (a decorator, named as functools.cached_property is)
    """functools.cached_property without its lock (Python 3.11 takes one on every read, which
    costs seconds over a hundred thousand stories): computed on first use, then an attribute."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__

    def __get__(self, story: object, owner: type | None = None) -> T:
        value = story.__dict__[self.name] = self.compute(story)
        return value


# Events after which a run of unanswered calls starts again from nothing: someone answered,
# they met, they got in touch, the follow-up ended, or the user dismissed the calls
# (docs/domain.md, "Unanswered calls" and "Change of approach").
CALLS_ANSWERED_BY = ("interview", "reply", "received", "offer", *ENDED)
CALL_SKIPS = ("change-approach", *(k for k in CALL_KINDS if k != "receipt-check"))
# What stops the follow-up letters (docs/domain.md, "Follow-up letters"); a call that agreed a
# meeting does too.
LETTERS_STOPPED_BY = ("reply", "interview", "offer", "answered")


@dataclass
class Story:
    """One prospect's sends, touches (those not undone, oldest first) and mail."""

    p: Prospect
    sends: list[Send]
    touches: list[Touch]
    mail: list[Mail]
    batch_on: dt.date | None = None  # the day its batch was picked, if it is in one

    @property
    def name(self) -> str:
        return f"{self.p.first_name} {self.p.last_name}".strip()

    @property
    def ended(self) -> bool:
        return self.p.status in ENDED

    @property
    def postal(self) -> bool:
        """A full postal address: a letter can go by post."""
        return bool(self.p.address and self.p.city and self.p.postal_code)

    def logged(self, *kinds: str) -> list[Touch]:
        """Its touches of these kinds, oldest first."""
        if len(kinds) == 1:
            return self.by_kind.get(kinds[0], [])
        return [t for t in self.touches if t.kind in kinds]

    @once
    def by_kind(self) -> dict[str, list[Touch]]:
        kinds: dict[str, list[Touch]] = {}
        for t in self.touches:
            kinds.setdefault(t.kind, []).append(t)
        return kinds

    @once
    def calls(self) -> list[Touch]:
        return self.logged("call")

    @once
    def sent(self) -> dict[str, Send]:
        """Letters that went or may have (unknown), by occasion: what is done is not due.

        A letter that bounced from an address since corrected never reached anyone: the
        cadence starts again from the first letter to the new address.
        """
        email = self.p.email.lower()
        return {
            s.dedupe: s
            for s in self.sends
            if s.status in ("sent", "unknown")
            and not (s.bounced_on and s.channel == "email" and s.recipient.lower() != email)
        }

    @once
    def bad(self) -> set[str]:
        """Addresses (lower case) that bounced or that the mail server refused."""
        bad = {self.p.bad_email.lower()} - {""}
        for s in self.sends:
            if s.channel == "email" and (s.bounced_on or s.status == "failed"):
                bad.add(s.recipient.lower())
        return bad

    def can_email(self, address: str) -> bool:
        return bool(address) and address.lower() not in self.bad

    @once
    def answered(self) -> bool:
        """They answered a letter: a reply, a meeting, an offer (no more letters asking)."""
        return self.p.status == "replied" or any(
            t.kind in LETTERS_STOPPED_BY or (t.kind == "call" and t.outcome == "meeting-set")
            for t in self.touches
        )

    @once
    def skips(self) -> dict[str, list[dt.date]]:
        """The days each kind of follow-up was dismissed; dismissing the change of approach
        dismisses every call it stood for."""
        skips: dict[str, list[dt.date]] = defaultdict(list)
        for touch in self.logged("skip"):
            skips[touch.item].append(_d(touch.on_date))
            if touch.item == "change-approach":
                for kind in CALL_KINDS:
                    skips[kind].append(_d(touch.on_date))
        return skips

    def skipped(self, kind: str, since: dt.date) -> dt.date | None:
        """The last dismissal of `kind` on or after `since`."""
        return max((day for day in self.skips.get(kind, ()) if day >= since), default=None)

    @once
    def unanswered_run(self) -> int:
        """Unanswered calls in a row, since the last event that answers them (or dismisses
        the call they were for: a receipt check is a call for a posted letter)."""
        skips = CALL_SKIPS
        if any(x.kind == "intro" and x.channel == "post" for x in self.sends):
            skips = (*skips, "receipt-check")
        run = 0
        for t in self.touches:
            if t.kind == "call":
                run = run + 1 if t.outcome in UNANSWERED else 0
            elif t.kind in CALLS_ANSWERED_BY or (t.kind == "skip" and t.item in skips):
                run = 0
        return run

    def reached_by_call(self, since: dt.date) -> list[Touch]:
        """Calls on or after `since` that reached someone."""
        return [t for t in self.calls if t.outcome in ANSWERED and _d(t.on_date) >= since]

    def calls_after(self, touch: Touch) -> list[Touch]:
        """The calls logged after `touch` (later, or the same day and logged after it) that
        reached someone."""
        later = self.touches[self.touches.index(touch) + 1 :]
        return [t for t in later if t.kind == "call" and t.outcome in ANSWERED]

    def mail_for(self, touch_id: int) -> Mail | None:
        return next((m for m in self.mail if m.touch_id == touch_id), None)


def scope(conn: sqlite3.Connection, ids: Iterable[int] | None) -> None:
    """Fill the scope with `ids` (None: every prospect)."""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {SCOPE.split('.')[1]} (id INTEGER PRIMARY KEY)")
    conn.execute(f"DELETE FROM {SCOPE}")
    if ids is None:
        conn.execute(f"INSERT INTO {SCOPE} SELECT id FROM prospects")
    else:
        conn.executemany(f"INSERT OR IGNORE INTO {SCOPE} VALUES (?)", ((int(i),) for i in ids))


def _rows(conn: sqlite3.Connection, sql: str) -> sqlite3.Cursor:
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: the fastest rows sqlite3 makes
    return cursor.execute(sql)


def _by_prospect(rows: Iterable) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    for row in rows:
        found[row.prospect_id].append(row)
    return found


def load(conn: sqlite3.Connection) -> list[Story]:
    """A Story for every prospect in the scope, by id."""
    sends = _by_prospect(
        map(
            Send._make,
            _rows(
                conn,
                # What a send left unknown says of itself is read for those alone.
                "SELECT id, dedupe, kind, iif(status = 'unknown', letter, ''), channel, status, "
                "recipient, iif(status = 'unknown', subject, ''), "
                "iif(status = 'unknown', message_id, ''), sent_on, "
                "coalesce(attempted_on, substr(created_at, 1, 10)), bounced_on, prospect_id "
                f"FROM sends WHERE prospect_id {IN_SCOPE} ORDER BY id",
            ),
        )
    )
    touches = _by_prospect(
        map(
            Touch._make,
            _rows(
                conn,
                "SELECT id, kind, on_date, outcome, note, people, item, prospect_id FROM touches "
                f"WHERE prospect_id {IN_SCOPE} AND undone_on IS NULL ORDER BY on_date, id",
            ),
        )
    )
    mail = _by_prospect(
        map(
            Mail._make,
            _rows(
                conn,
                "SELECT kind, sender, subject, received_on, snippet, touch_id, prospect_id "
                f"FROM mail_seen WHERE prospect_id {IN_SCOPE} ORDER BY received_on, id",
            ),
        )
    )
    batched = dict(
        _rows(
            conn,
            "SELECT m.prospect_id, b.created_on FROM batch_members m "
            f"JOIN batches b ON b.id = m.batch_id WHERE m.prospect_id {IN_SCOPE}",
        )
    )
    none: list = []
    return [
        Story(
            p,
            sends.get(p.id, none),
            touches.get(p.id, none),
            mail.get(p.id, none),
            _d(batched[p.id]) if p.id in batched else None,
        )
        for p in map(
            Prospect._make,
            _rows(
                conn,
                "SELECT id, company, first_name, last_name, title, email, phone, address, city, "
                f"postal_code, status, role, bad_email FROM prospects WHERE id {IN_SCOPE} "
                "ORDER BY id",
            ),
        )
    ]


def people(touch: Touch) -> list[dict]:
    """Who was met at an interview, as logged."""
    return json.loads(touch.people or "[]")
