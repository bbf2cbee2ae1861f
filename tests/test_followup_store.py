"""The follow-ups the ledger keeps equal computing every prospect again, over random histories.

followups/store.py keeps each prospect's follow-ups, stage and next step, and computes again
only the prospects marked stale (by triggers, on any write to their rows), those whose answer
expired with the day, or all of them when [cadence] changed. A hypothesis state machine writes
to the ledger as every writer does (the library's own `log` and `undo`, and plain SQL as an
import, a send run, `sync` or another program would), moves the clock both ways and changes
the cadence; after every step what is kept must be what a full computation gives, and the
counts kept for `status` what counting the rows gives.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from campaign.followups.due import compute
from campaign.followups.store import differences
from campaign.followups.touches import EVENTS, SKIPPABLE, Logged, log, undo
from campaign.ledger.db import connect
from campaign.reports.status import counts
from campaign.workspace.settings import DEFAULT_CADENCE

START = dt.date(2026, 9, 28)
EXAMPLES = int(os.environ.get("FOLLOWUP_STORE_EXAMPLES", "300"))
OUTCOMES = ("no-answer", "left-message", "spoke", "assistant", "meeting-set")
LOGGED = sorted(set(EVENTS) - {"skip", "call", "interview"})
COUNTED = (
    ("prospects", "status"),
    ("sends", "status || '|' || channel || '|' || via"),
    ("touches", "kind || '|' || (undone_on IS NULL)"),
    ("mail_seen", "kind"),
    ("followup_state", "stage || '|' || reached"),
)


class KeptFollowUps(RuleBasedStateMachine):
    @initialize(count=st.integers(2, 5))
    def start(self, count):
        # A ledger in memory: the same schema, triggers and queries, without the disk's waits.
        self.conn = connect(Path(":memory:"))
        self.today = START
        self.cadence = dict(DEFAULT_CADENCE)
        self.count = count
        for n in range(1, count + 1):
            self.conn.execute(
                "INSERT INTO prospects (company, first_name, last_name, email, address, city, "
                "postal_code, phone, list_order, created_on, updated_on) "
                "VALUES (?, ?, 'Doe', ?, ?, 'Boston', ?, ?, ?, ?, ?)",
                (
                    f"Company {n}",
                    f"Pat{n}",
                    f"pat{n}@example.com" if n % 3 else "",
                    f"{n} Main St" if n % 2 or n % 3 == 0 else "",
                    "02134" if n % 2 or n % 3 == 0 else "",
                    "617-555-0100" if n % 4 else "",
                    n,
                    START.isoformat(),
                    START.isoformat(),
                ),
            )

    def teardown(self):
        if hasattr(self, "conn"):
            self.conn.close()

    def prospect(self, who: int):
        return self.conn.execute(
            "SELECT * FROM prospects WHERE id = ?", (who % self.count + 1,)
        ).fetchone()

    @rule(days=st.integers(-3, 9))
    def move_the_clock(self, days):
        self.today = max(START, self.today + dt.timedelta(days=days))

    @rule(who=st.integers(0, 9), kind=st.sampled_from(("intro", "followup1", "followup2")),
          status=st.sampled_from(("sent", "sent", "failed", "unknown", "deferred")),
          bounced=st.booleans())  # fmt: skip
    def send(self, who, kind, status, bounced):
        """A send run's record, as delivery.py or `print --mark-mailed` writes it."""
        p = self.prospect(who)
        channel = "email" if p["email"] else "post"
        day = self.today.isoformat()
        self.conn.execute(
            "INSERT INTO sends (prospect_id, dedupe, kind, letter, channel, status, recipient, "
            "sent_on, attempted_on, bounced_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?) ON CONFLICT (dedupe) DO UPDATE SET status = excluded.status, "
            "sent_on = excluded.sent_on, bounced_on = excluded.bounced_on",
            (
                p["id"],
                f"{kind}:{p['id']}",
                kind,
                kind,
                channel,
                status,
                p["email"] or p["address"],
                day if status == "sent" else None,
                day,
                day if bounced and status == "sent" and channel == "email" else None,
                f"{day}T09:00:00Z",
            ),
        )

    @rule(who=st.integers(0, 9), outcome=st.sampled_from(OUTCOMES))
    def call(self, who, outcome):
        log(self.conn, self.prospect(who), Logged("call", self.today, outcome=outcome, again=True))

    @rule(who=st.integers(0, 9), event=st.sampled_from(LOGGED))
    def log_an_event(self, who, event):
        log(self.conn, self.prospect(who), Logged(event, self.today, note=event, again=True))

    @rule(who=st.integers(0, 9), people=st.sampled_from(("", "Ann Lee, CFO, ann@x.example")))
    def interview(self, who, people):
        entry = Logged("interview", self.today, people=people, again=True)
        log(self.conn, self.prospect(who), entry)

    @rule(who=st.integers(0, 9), which=st.integers(0, 20))
    def skip(self, who, which):
        p = self.prospect(who)
        pending = compute(self.conn, self.cadence, self.today, 3650, only=p["id"])
        kinds = [i.kind for i in pending if i.kind in SKIPPABLE]
        if kinds:
            entry = Logged("skip", self.today, item=kinds[which % len(kinds)], again=True)
            log(self.conn, p, entry, today=self.today, cadence=self.cadence)

    @rule(which=st.integers(0, 50))
    def undo_one(self, which):
        rows = self.conn.execute(
            "SELECT id, prospect_id FROM touches WHERE undone_on IS NULL AND kind != 'bounced' "
            "ORDER BY id"
        ).fetchall()
        if rows:
            touch_id, pid = rows[which % len(rows)]
            undo(self.conn, self.prospect(pid - 1), touch_id, self.today)

    @rule(who=st.integers(0, 9), bounce=st.booleans())
    def mailbox(self, who, bounce):
        """What `campaign sync` records: a reply (a touch and its mail), or a bounce."""
        p = self.prospect(who)
        day = self.today.isoformat()
        if bounce and p["email"]:
            self.conn.execute(
                "UPDATE sends SET bounced_on = ? WHERE prospect_id = ? AND channel = 'email' "
                "AND status = 'sent'",
                (day, p["id"]),
            )
            self.conn.execute(
                "UPDATE prospects SET bad_email = email WHERE id = ?", (p["id"],)
            )  # fmt: skip
            return
        touch = self.conn.execute(
            "INSERT INTO touches (prospect_id, kind, on_date, note, created_at) "
            "VALUES (?, 'reply', ?, 'replied by email', ?)",
            (p["id"], day, f"{day}T12:00:00Z"),
        ).lastrowid
        self.conn.execute(
            "INSERT INTO mail_seen (key, prospect_id, kind, sender, subject, received_on, "
            "snippet, touch_id, created_at) VALUES (?, ?, 'reply', ?, 'Re: hello', ?, "
            "'Call me.', ?, ?)",
            (f"<{touch}@x>", p["id"], p["email"], day, touch, f"{day}T12:00:00Z"),
        )

    @rule(who=st.integers(0, 9))
    def new_address(self, who):
        """The sheet imported again with another email."""
        p = self.prospect(who)
        self.conn.execute(
            "UPDATE prospects SET email = ? WHERE id = ?",
            (f"new{self.today:%m%d}.{p['id']}@example.com", p["id"]),
        )

    @rule(retry=st.integers(1, 3), late=st.integers(2, 9))
    def new_cadence(self, retry, late):
        self.cadence = {**self.cadence, "retry_call_days": retry, "thank_you_late_days": late}

    @invariant()
    def kept_equals_computed(self):
        if not hasattr(self, "conn"):
            return
        compute(self.conn, self.cadence, self.today)  # what `due` does first: refresh
        assert differences(self.conn, self.cadence, self.today) == []
        kept = counts(self.conn)
        for table, key in COUNTED:
            rows = self.conn.execute(f"SELECT {key}, count(*) FROM {table} GROUP BY 1")
            assert kept[table] == dict(rows.fetchall()), table


def test_the_kept_follow_ups_equal_a_full_computation():
    KeptFollowUps.TestCase.settings = settings(
        max_examples=EXAMPLES,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    KeptFollowUps.TestCase().runTest()
