"""Each prospect's follow-ups, stage and next step, kept in the ledger and computed again only
for the prospects that went stale.

A prospect is stale when anything about it was written (SQLite triggers mark it: see
ledger/migrations.py add_followup_store, so no writer can forget), when [cadence] changed (its
digest is kept), or when the day moved out of the window its answer holds for (the rules see
today only through cadence.Clock, which says for which days the answer stays the same). Readers
call refresh() first, then read `due`, the status counts or the stages with one indexed query.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from campaign.followups.cadence import Clock, for_prospect
from campaign.followups.items import Cadence, Due
from campaign.followups.mailbox import adjust, unsent_drafts
from campaign.followups.stages import RANK, Standing, Why, standing
from campaign.followups.story import IN_SCOPE, load, scope
from campaign.ledger.transaction import transaction

# The prospects to compute again for the day ? (twice): stale, or out of their window.
STALE = (
    "SELECT prospect_id FROM followup_stale "
    "UNION SELECT prospect_id FROM followup_state WHERE valid_until <= ? "
    "UNION SELECT prospect_id FROM followup_state WHERE valid_from > ?"
)
ITEM_COLUMNS = (
    "prospect_id, rank, kind, channel, due, reason, company, name, dedupe, touch_id, person, "
    "origin, late, send_id, hint, hint_values"
)


@dataclass
class Computed:
    """One prospect's follow-ups and standing, and the days [since, until) they hold for."""

    items: list[Due]
    standing: Standing
    since: dt.date | None
    until: dt.date | None


def digest(cadence: Cadence) -> str:
    return hashlib.sha256(json.dumps(cadence, sort_keys=True).encode()).hexdigest()[:16]


def compute(
    conn: sqlite3.Connection, cadence: Cadence, today: dt.date, ids: Iterable[int] | None
) -> dict[int, Computed]:
    """The prospects `ids` (None: all) computed from their history; nothing is stored."""
    scope(conn, ids)
    stories = load(conn)
    clocks = {}
    items: list[Due] = []
    for story in stories:
        clocks[story.p.id] = clock = Clock(today)
        items += for_prospect(story, cadence, clock)
    items += unsent_drafts(conn, clocks)
    by_prospect: dict[int, list[Due]] = defaultdict(list)
    for item in adjust(conn, items, today):
        by_prospect[item.prospect_id].append(item)
    out = {}
    for story in stories:
        mine = sorted(by_prospect[story.p.id], key=_order)
        clock = clocks[story.p.id]
        out[story.p.id] = Computed(mine, standing(story, mine), clock.since, clock.until)
    return out


def _order(item: Due) -> tuple:
    return RANK[item.kind], item.due, item.prospect_id


# Prospects computed and stored per transaction: other writers wait for one chunk at most.
CHUNK = 5000


def refresh(conn: sqlite3.Connection, cadence: Cadence, today: dt.date) -> int:
    """Compute again and store every prospect stale for `today`; how many there were."""
    day, wanted = today.isoformat(), digest(cadence)
    if not _needed(conn, wanted, day):
        return 0  # the usual case: three index lookups
    count = 0
    while True:
        with _writing(conn):
            if _meta(conn, "cadence") != wanted:
                conn.execute("INSERT OR IGNORE INTO followup_stale SELECT id FROM prospects")
                conn.execute(
                    "INSERT INTO followup_meta (key, value) VALUES ('cadence', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (wanted,),
                )
            ids = [row[0] for row in conn.execute(f"{STALE} LIMIT {CHUNK}", (day, day))]
            if ids:
                _store(conn, compute(conn, cadence, today, ids))
        count += len(ids)
        if len(ids) < CHUNK:
            return count


def _needed(conn: sqlite3.Connection, wanted: str, day: str) -> bool:
    return bool(
        conn.execute(
            "SELECT (SELECT value FROM followup_meta WHERE key = 'cadence') IS NOT ? "
            "OR EXISTS (SELECT 1 FROM followup_stale) "
            "OR EXISTS (SELECT 1 FROM followup_state WHERE valid_until <= ?) "
            "OR EXISTS (SELECT 1 FROM followup_state WHERE valid_from > ?)",
            (wanted, day, day),
        ).fetchone()[0]
    )


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM followup_meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


@contextlib.contextmanager
def _writing(conn: sqlite3.Connection) -> Iterator[None]:
    """A transaction of its own, or a savepoint inside the caller's."""
    if not conn.in_transaction:
        with transaction(conn):
            yield
        return
    conn.execute("SAVEPOINT followup_store")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK TO followup_store")
        raise
    finally:
        conn.execute("RELEASE followup_store")


def _store(conn: sqlite3.Connection, done: dict[int, Computed]) -> None:
    """Replace the stored answers of the prospects in scope (all computed in `done`)."""
    conn.execute(f"DELETE FROM followup_items WHERE prospect_id {IN_SCOPE}")
    conn.execute(f"DELETE FROM followup_state WHERE prospect_id {IN_SCOPE}")
    conn.executemany(
        f"INSERT INTO followup_items ({ITEM_COLUMNS}) VALUES ({', '.join('?' * 16)})",
        (_item_row(item) for computed in done.values() for item in computed.items),
    )
    conn.executemany(
        "INSERT INTO followup_state (prospect_id, stage, reached, next_kind, next_due, "
        "next_reason, next_hint, next_values, nothing_reason, nothing_hint, nothing_values, "
        "valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (_state_row(pid, computed) for pid, computed in done.items()),
    )
    conn.execute(f"DELETE FROM followup_stale WHERE prospect_id {IN_SCOPE}")


def _json(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def _item_row(i: Due) -> tuple:
    return (
        i.prospect_id,
        RANK[i.kind],
        i.kind,
        i.channel,
        i.due.isoformat(),
        i.reason,
        i.company,
        i.name,
        i.dedupe,
        i.touch_id,
        _json(i.person),
        i.origin,
        int(i.stale),
        i.send_id,
        i.hint,
        _json(i.values),
    )


def _state_row(pid: int, c: Computed) -> tuple:
    step, why = c.standing.next_step, c.standing.nothing
    return (
        pid,
        c.standing.stage,
        c.standing.reached,
        *(
            (step.kind, step.due.isoformat(), step.reason, step.hint, _json(step.values))
            if step
            else (None, None, None, "", "")
        ),  # fmt: skip
        *((why.reason, why.hint, _json(why.values)) if why else (None, "", "")),
        c.since.isoformat() if c.since else None,
        c.until.isoformat() if c.until else None,
    )


# --- reading -----------------------------------------------------------------------------------


def items(
    conn: sqlite3.Connection,
    today: dt.date,
    horizon: int = 0,
    *,
    keep_stale: bool = False,
    only: int | None = None,
) -> list[Due]:
    """The stored follow-ups due by today + horizon, in `due`'s order (call refresh first)."""
    where = ["due <= ?"]
    args: list[str | int] = [(today + dt.timedelta(days=horizon)).isoformat()]
    if not keep_stale:
        where.append("late = 0")
    if only is not None:
        where.append("prospect_id = ?")
        args.append(only)
    cursor = conn.cursor()
    cursor.row_factory = None
    rows = cursor.execute(
        f"SELECT {ITEM_COLUMNS} FROM followup_items WHERE {' AND '.join(where)} "
        "ORDER BY rank, due, prospect_id, rowid",
        args,
    )
    return [_due(row) for row in rows]


def _due(row: tuple) -> Due:
    pid, _, kind, channel, due, reason, company, name, dedupe, touch_id, person, *rest = row
    origin, late, send_id, hint, values = rest
    return Due(
        pid,
        company,
        name,
        kind,
        channel,
        dt.date.fromisoformat(due),
        reason,
        dedupe,
        touch_id,
        json.loads(person) if person else {},
        origin,
        bool(late),
        send_id,
        hint,
        json.loads(values) if values else {},
    )


def counts(conn: sqlite3.Connection, today: dt.date) -> tuple[int, int]:
    """(due today, overdue) of the stored follow-ups (call refresh first)."""
    day = today.isoformat()
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE due = ?), count(*) FILTER (WHERE due < ?) "
        "FROM followup_items WHERE due <= ? AND late = 0",
        (day, day, day),
    ).fetchone()
    return row[0], row[1]


def standings(
    conn: sqlite3.Connection, ids: Iterable[int] | None = None, stage: str | None = None
) -> dict[int, Standing]:
    """The stored stage and next step of the prospects `ids` (None: all), or of one stage."""
    sql = "SELECT * FROM followup_state"
    args: list = []
    if stage is not None:
        sql += " WHERE stage = ?"
        args.append(stage)
    elif ids is not None:
        wanted = sorted({int(i) for i in ids})
        sql += f" WHERE prospect_id IN ({', '.join('?' * len(wanted))})"
        args += wanted
    return {row["prospect_id"]: _standing(row) for row in conn.execute(sql, args)}


def _standing(row: sqlite3.Row) -> Standing:
    now = Standing(row["stage"], row["reached"])
    if row["next_kind"] is not None:
        values = json.loads(row["next_values"]) if row["next_values"] else {}
        now.next_step = Due(
            row["prospect_id"], "", "", row["next_kind"], "",
            dt.date.fromisoformat(row["next_due"]), row["next_reason"],
            hint=row["next_hint"], values=values,
        )  # fmt: skip
    if row["nothing_reason"] is not None:
        values = json.loads(row["nothing_values"]) if row["nothing_values"] else {}
        now.nothing = Why(row["nothing_reason"], row["nothing_hint"], values)
    return now


def differences(conn: sqlite3.Connection, cadence: Cadence, today: dt.date) -> list[str]:
    """Where the stored answers differ from computing every prospect again (should be none)."""
    fresh = compute(conn, cadence, today, None)
    stored_items: dict[int, list[tuple]] = defaultdict(list)
    for item in items(conn, today, 36500, keep_stale=True):
        stored_items[item.prospect_id].append(_item_row(item))
    stored = standings(conn)
    out = []
    for pid, computed in sorted(fresh.items()):
        want = [_item_row(i) for i in computed.items]
        if stored_items.get(pid, []) != want:
            out.append(f"#{pid} items: stored {stored_items.get(pid)} != computed {want}")
        have = stored.get(pid)
        mine = _state_row(pid, computed)[:11]
        if have is None or _state_row(pid, Computed([], have, None, None))[:11] != mine:
            out.append(f"#{pid} standing: stored {have} != computed {computed.standing}")
    out += [f"#{pid} stored, not a prospect" for pid in set(stored) - set(fresh)]
    return out
