"""Ordered schema steps for the ledger; PRAGMA user_version counts the steps applied.

Released steps are never edited: a change to the schema is a new function at the end of STEPS.
"""

from __future__ import annotations

import sqlite3


def create_tables(conn: sqlite3.Connection) -> None:
    """Prospects, batches, sends and touches: the whole campaign's record."""
    _run_script(
        conn,
        """
        CREATE TABLE prospects (
            id           INTEGER PRIMARY KEY,
            company      TEXT NOT NULL,
            first_name   TEXT NOT NULL DEFAULT '',
            last_name    TEXT NOT NULL DEFAULT '',
            title        TEXT NOT NULL DEFAULT '',
            email        TEXT NOT NULL DEFAULT '',
            address      TEXT NOT NULL DEFAULT '',   -- one or two lines, newline separated
            city         TEXT NOT NULL DEFAULT '',
            state        TEXT NOT NULL DEFAULT '',
            postal_code  TEXT NOT NULL DEFAULT '',
            country      TEXT NOT NULL DEFAULT '',
            phone        TEXT NOT NULL DEFAULT '',
            assistant    TEXT NOT NULL DEFAULT '',
            best_time    TEXT NOT NULL DEFAULT '',
            priority     INTEGER,                    -- 1 is best; NULL sorts last
            notes        TEXT NOT NULL DEFAULT '',
            extras       TEXT NOT NULL DEFAULT '{}', -- JSON: columns the importer did not know
            status       TEXT NOT NULL DEFAULT 'active'
                         CHECK (status IN ('active', 'replied', 'rejected', 'closed', 'hired')),
            role         TEXT NOT NULL DEFAULT 'employer'
                         CHECK (role IN ('employer', 'contact', 'insider')),
            list_order   INTEGER NOT NULL,
            source       TEXT NOT NULL DEFAULT '',   -- file name and row it was last imported from
            created_on   TEXT NOT NULL,
            updated_on   TEXT NOT NULL
        );
        CREATE UNIQUE INDEX prospects_email ON prospects (lower(email)) WHERE email != '';

        CREATE TABLE batches (
            id          INTEGER PRIMARY KEY,
            week        TEXT NOT NULL UNIQUE,       -- ISO week, 2026-W48
            is_all      INTEGER NOT NULL DEFAULT 0, -- the large mailing to every prospect
            created_on  TEXT NOT NULL
        );
        CREATE TABLE batch_members (
            batch_id    INTEGER NOT NULL REFERENCES batches (id),
            prospect_id INTEGER NOT NULL REFERENCES prospects (id),
            position    INTEGER NOT NULL,
            channel     TEXT NOT NULL CHECK (channel IN ('email', 'post')),
            PRIMARY KEY (batch_id, prospect_id)
        );
        CREATE UNIQUE INDEX batch_members_prospect ON batch_members (prospect_id);

        -- One letter to one prospect through one channel. `dedupe` names the occasion
        -- (intro:12, followup1:12, thankyou:40:2) and makes a second send impossible.
        CREATE TABLE sends (
            id          INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects (id),
            batch_id    INTEGER REFERENCES batches (id),
            touch_id    INTEGER REFERENCES touches (id),  -- the interview a thank-you is for
            dedupe      TEXT NOT NULL UNIQUE,
            -- sending: handed to the server, no answer yet; sent: accepted; failed: refused
            -- for good (5xx); deferred: not accepted, still owed; unknown: a run died while
            -- sending, so it may or may not have gone: never resent without --retry-unknown
            kind        TEXT NOT NULL,     -- intro, followup1, followup2, thankyou, article
            letter      TEXT NOT NULL,     -- template name
            channel     TEXT NOT NULL CHECK (channel IN ('email', 'post')),
            status      TEXT NOT NULL
                        CHECK (status IN ('sending', 'sent', 'failed', 'deferred', 'unknown')),
            recipient   TEXT NOT NULL DEFAULT '',
            subject     TEXT NOT NULL DEFAULT '',
            message_id  TEXT NOT NULL DEFAULT '',
            error       TEXT NOT NULL DEFAULT '',
            attempts    INTEGER NOT NULL DEFAULT 0,
            sent_on     TEXT,              -- the campaign date (--today) it went
            sent_at     TEXT,              -- wall-clock time the server accepted it
            created_at  TEXT NOT NULL
        );
        CREATE INDEX sends_prospect ON sends (prospect_id, sent_on);
        CREATE INDEX sends_status ON sends (status);

        -- Anything recorded against a prospect that is not a send.
        CREATE TABLE touches (
            id          INTEGER PRIMARY KEY,
            prospect_id INTEGER NOT NULL REFERENCES prospects (id),
            kind        TEXT NOT NULL,     -- call, reply, interview, rejected, closed, hired, ...
            on_date     TEXT NOT NULL,
            outcome     TEXT NOT NULL DEFAULT '',
            note        TEXT NOT NULL DEFAULT '',
            people      TEXT NOT NULL DEFAULT '[]',  -- JSON [{"name", "title"}] met at an interview
            created_at  TEXT NOT NULL
        );
        CREATE INDEX touches_prospect ON touches (prospect_id, on_date);
        """,
    )


def add_mailbox(conn: sqlite3.Connection) -> None:
    """The mailbox: what sync has seen, where it stopped, bounces, sent copies."""
    _run_script(
        conn,
        """
        -- The address that bounced for good; it is bad while it is still the prospect's email,
        -- so re-importing a corrected address clears it.
        ALTER TABLE prospects ADD COLUMN bad_email TEXT NOT NULL DEFAULT '';
        ALTER TABLE sends ADD COLUMN bounced_on TEXT;   -- the day a bounce for it was seen

        -- Where sync stopped in each folder: a changed UIDVALIDITY means scan again.
        CREATE TABLE mail_folders (
            name        TEXT PRIMARY KEY,
            uidvalidity INTEGER NOT NULL,
            last_uid    INTEGER NOT NULL,
            synced_at   TEXT NOT NULL
        );
        -- Messages sync matched to a prospect; `key` (the Message-ID, else a digest of the
        -- headers) makes recording one twice impossible, even after a rescan.
        CREATE TABLE mail_seen (
            id          INTEGER PRIMARY KEY,
            key         TEXT NOT NULL,
            prospect_id INTEGER NOT NULL REFERENCES prospects (id),
            kind        TEXT NOT NULL CHECK (kind IN
                        ('reply', 'auto-reply', 'bounce', 'delayed', 'possible-reply')),
            sender      TEXT NOT NULL DEFAULT '',
            subject     TEXT NOT NULL DEFAULT '',
            received_on TEXT NOT NULL,
            snippet     TEXT NOT NULL DEFAULT '',
            touch_id    INTEGER REFERENCES touches (id),
            send_id     INTEGER REFERENCES sends (id),
            created_at  TEXT NOT NULL,
            UNIQUE (key, prospect_id)
        );
        CREATE INDEX mail_seen_prospect ON mail_seen (prospect_id, kind);

        -- The exact bytes of an email the server accepted, until a copy is in the Sent folder.
        CREATE TABLE sent_copies (
            send_id     INTEGER PRIMARY KEY REFERENCES sends (id),
            message_id  TEXT NOT NULL,
            data        BLOB,              -- dropped once saved
            saved_at    TEXT,
            attempts    INTEGER NOT NULL DEFAULT 0,
            error       TEXT NOT NULL DEFAULT ''
        );
        """,
    )


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT first and escape the step's transaction, so run one by one.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""


def add_follow_up_tracking(conn: sqlite3.Connection) -> None:
    """The day a send was attempted, what a skip dismissed, what a calendar holds."""
    _run_script(
        conn,
        """
        -- The campaign date (--today) a send was handed to the server, kept even when the run
        -- died: `campaign unknown --sent` records it as sent on that day.
        ALTER TABLE sends ADD COLUMN attempted_on TEXT;
        -- For a `skip` touch: the kind of follow-up dismissed (thank-you, receipt-check...).
        ALTER TABLE touches ADD COLUMN item TEXT NOT NULL DEFAULT '';
        -- Every calendar event ever exported, so a re-export keeps its UID, raises SEQUENCE
        -- when it changes and sends STATUS:CANCELLED once the follow-up has ended.
        CREATE TABLE calendar_events (
            uid          TEXT PRIMARY KEY,
            prospect_id  INTEGER NOT NULL REFERENCES prospects (id),
            sequence     INTEGER NOT NULL DEFAULT 0,
            dtstart      TEXT NOT NULL,
            summary      TEXT NOT NULL,
            description  TEXT NOT NULL,
            kind         TEXT NOT NULL,
            cancelled_on TEXT              -- the export that cancelled it; NULL while live
        );
        """,
    )


def add_send_transport(conn: sqlite3.Connection) -> None:
    """How an email went: 'smtp' (the server took it) or 'outbox' (a draft written
    for the user's own mail program); '' for sends recorded before this step and for post."""
    conn.execute("ALTER TABLE sends ADD COLUMN via TEXT NOT NULL DEFAULT ''")


def add_prefix_to_prospects(conn: sqlite3.Connection) -> None:
    """A name prefix (Dr., Prof., Ms.) apart from the job title: "Dear Dr. Chen"."""
    conn.execute("ALTER TABLE prospects ADD COLUMN prefix TEXT NOT NULL DEFAULT ''")


def add_search_to_prospects(conn: sqlite3.Connection) -> None:
    """The searched columns folded (case, accents, apostrophe style) in one column, so "o'hara"
    finds "O’Hara" with one LIKE, however long the list."""
    from campaign.ledger.search import search_text

    conn.execute("ALTER TABLE prospects ADD COLUMN search TEXT NOT NULL DEFAULT ''")
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM prospects").fetchall()
    conn.executemany(
        "UPDATE prospects SET search = ? WHERE id = ?", [(search_text(r), r["id"]) for r in rows]
    )


def add_draft_confirmation(conn: sqlite3.Connection) -> None:
    """What became of an outbox draft: found in the Sent folder, or said sent by the user."""
    _run_script(
        conn,
        """
        -- How a draft written to outbox/ is known to have gone: '' (assumed, the day it was
        -- written), 'sent-folder' (sync found the copy the mail program filed, with the day
        -- it went and its Message-ID), 'said' (the user recorded the day it went).
        ALTER TABLE sends ADD COLUMN confirmed_by TEXT NOT NULL DEFAULT '';
        -- The Message-ID the draft was written with, once the one it really went with
        -- (its copy in the Sent folder) has replaced it in message_id.
        ALTER TABLE sends ADD COLUMN draft_message_id TEXT NOT NULL DEFAULT '';
        """,
    )


def add_followup_store(conn: sqlite3.Connection) -> None:
    """Each prospect's follow-ups, stage and next step, kept until something about it changes.

    SQLite triggers mark a prospect stale on any write to its rows, whoever writes them (an
    import, a send, a sync, a `log`, another program), so no writer can forget to; the next
    reader computes the stale prospects again (campaign/followups/store.py).
    """
    _run_script(
        conn,
        """
        -- An event logged by mistake is undone, not erased: the campaign day and the wall clock.
        ALTER TABLE touches ADD COLUMN undone_on TEXT;
        ALTER TABLE touches ADD COLUMN undone_at TEXT;

        -- What the cadence says about each prospect, as computed for a day in
        -- [valid_from, valid_until) (NULL: no limit on that side).
        CREATE TABLE followup_items (
            prospect_id INTEGER NOT NULL,
            rank        INTEGER NOT NULL,            -- the kind's place in the due list
            kind        TEXT NOT NULL,
            channel     TEXT NOT NULL,
            due         TEXT NOT NULL,
            reason      TEXT NOT NULL,
            company     TEXT NOT NULL,
            name        TEXT NOT NULL,
            dedupe      TEXT NOT NULL DEFAULT '',
            touch_id    INTEGER,
            person      TEXT NOT NULL DEFAULT '',    -- JSON, '' for none
            origin      TEXT NOT NULL DEFAULT '',
            late        INTEGER NOT NULL DEFAULT 0,  -- a thank-you that has left the list
            send_id     INTEGER,
            hint        TEXT NOT NULL DEFAULT '',
            hint_values TEXT NOT NULL DEFAULT ''     -- JSON, '' for none
        );
        CREATE INDEX followup_items_due ON followup_items (due, late);
        CREATE INDEX followup_items_prospect ON followup_items (prospect_id);
        CREATE TABLE followup_state (
            prospect_id    INTEGER PRIMARY KEY,
            stage          TEXT NOT NULL,
            reached        TEXT NOT NULL,   -- the furthest stage on the way, ended or not
            next_kind      TEXT,            -- the next step, or NULL and why nothing is planned
            next_due       TEXT,
            next_reason    TEXT,
            next_hint      TEXT NOT NULL DEFAULT '',
            next_values    TEXT NOT NULL DEFAULT '',
            nothing_reason TEXT,
            nothing_hint   TEXT NOT NULL DEFAULT '',
            nothing_values TEXT NOT NULL DEFAULT '',
            valid_from     TEXT,
            valid_until    TEXT
        );
        CREATE INDEX followup_state_from ON followup_state (valid_from);
        CREATE INDEX followup_state_until ON followup_state (valid_until);
        CREATE INDEX followup_state_stage ON followup_state (stage);
        CREATE TABLE followup_stale (prospect_id INTEGER PRIMARY KEY);
        CREATE TABLE followup_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE INDEX sends_batch ON sends (batch_id, status);
        CREATE INDEX sends_sent_on ON sends (sent_on) WHERE status = 'sent';

        -- How many rows of each kind the ledger holds, kept by triggers, so that `status` and
        -- the dashboard read a handful of rows instead of counting the whole ledger.
        CREATE TABLE ledger_counts (
            what TEXT NOT NULL,     -- the table counted
            key  TEXT NOT NULL,     -- by what (see `counted` below)
            n    INTEGER NOT NULL,
            PRIMARY KEY (what, key)
        ) WITHOUT ROWID;
        """,
    )
    # What each table's rows are counted by: prospects by status, sends by status, channel
    # and transport, touches by kind and whether undone, mail_seen by kind, the kept
    # follow-up states by stage and furthest stage reached.
    counted = {
        "prospects": "{row}.status",
        # A draft the Sent folder (or the user) confirmed counts as sent, not as a draft.
        "sends": "{row}.status || '|' || {row}.channel || '|' || "
        "CASE WHEN {row}.confirmed_by != '' THEN 'confirmed' ELSE {row}.via END",
        "touches": "{row}.kind || '|' || ({row}.undone_on IS NULL)",
        "mail_seen": "{row}.kind",
        "followup_state": "{row}.stage || '|' || {row}.reached",
    }
    for table, key in counted.items():
        conn.execute(
            f"INSERT INTO ledger_counts (what, key, n) SELECT '{table}', "
            f"{key.format(row=table)}, count(*) FROM {table} GROUP BY 2"
        )
        old, new = key.format(row="OLD"), key.format(row="NEW")
        for event, body in (
            ("INSERT", _count(table, new, 1)),
            ("DELETE", _count(table, old, -1)),
            (
                f"UPDATE ON {table} WHEN {old} IS NOT {new}",
                _count(table, old, -1) + _count(table, new, 1),
            ),  # fmt: skip
        ):
            target = event if event.startswith("UPDATE") else f"{event} ON {table}"
            name = f"{table}_{event.split()[0].lower()}_count"
            conn.execute(f"CREATE TRIGGER {name} AFTER {target} BEGIN {body} END")
    # The tables whose rows say something about a prospect's follow-up, each with its column
    # naming the prospect.
    about_a_prospect = {
        "prospects": "id",
        "sends": "prospect_id",
        "touches": "prospect_id",
        "mail_seen": "prospect_id",
        "batch_members": "prospect_id",
    }
    for table, column in about_a_prospect.items():
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            # Not INSERT OR IGNORE: a trigger takes the outer statement's conflict policy, and
            # an upsert's is to abort. So no conflict is ever made.
            conn.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_stale AFTER {event} ON {table} BEGIN "
                f"INSERT INTO followup_stale (prospect_id) SELECT {row}.{column} WHERE NOT EXISTS "
                f"(SELECT 1 FROM followup_stale WHERE prospect_id = {row}.{column}); END"
            )
    # The first time a Sent folder is read, drafts may come due ("not sent yet?").
    conn.execute(
        "CREATE TRIGGER mail_folders_sent_stale AFTER INSERT ON mail_folders "
        "WHEN substr(NEW.name, 1, 5) = 'sent:' BEGIN "
        "INSERT INTO followup_stale (prospect_id) SELECT DISTINCT prospect_id FROM sends "
        "WHERE via = 'outbox' AND confirmed_by = '' AND prospect_id NOT IN "
        "(SELECT prospect_id FROM followup_stale); END"
    )
    conn.execute("INSERT INTO followup_stale (prospect_id) SELECT id FROM prospects")


def _count(table: str, key: str, step: int) -> str:
    """A trigger's statements adding `step` to the count of `key` in `table` (no upsert: a
    trigger takes the outer statement's conflict policy)."""
    where = f"what = '{table}' AND key = {key}"
    return (
        f"UPDATE ledger_counts SET n = n + {step} WHERE {where}; "
        f"INSERT INTO ledger_counts (what, key, n) SELECT '{table}', {key}, {step} "
        f"WHERE NOT EXISTS (SELECT 1 FROM ledger_counts WHERE {where});"
    )


def add_workspace_id(conn: sqlite3.Connection) -> None:
    """A random id of this workspace, so what it exports (calendar UIDs) never collides with
    another workspace's; the calendar's next export cancels the events it sent before under
    the old, shared UIDs and sends them again under the new ones (RFC 5545: no duplicates)."""
    _run_script(
        conn,
        """
        CREATE TABLE ledger_meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO ledger_meta (key, value) VALUES ('workspace_id', lower(hex(randomblob(8))));
        """,
    )


STEPS = [
    create_tables,
    add_follow_up_tracking,
    add_mailbox,
    add_send_transport,
    add_prefix_to_prospects,
    add_search_to_prospects,
    add_draft_confirmation,
    add_followup_store,
    add_workspace_id,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the steps this ledger has not had yet; return the schema version."""
    from campaign.ledger.transaction import transaction

    done = conn.execute("PRAGMA user_version").fetchone()[0]
    if done > len(STEPS):
        from campaign.errors import WorkspaceError

        raise WorkspaceError(
            f"campaign.db was written by a newer campaign (schema {done}); upgrade campaign."
        )
    for number, step in enumerate(STEPS[done:], start=done + 1):
        with transaction(conn):
            step(conn)
            conn.execute(f"PRAGMA user_version = {number}")
    return len(STEPS)
