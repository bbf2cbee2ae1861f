"""Importing checked sheet rows into the ledger: new prospects, updates in place, no deletes.

Rows stream from the sheet into SQLite inside one transaction, new ones in batches through
executemany; the transaction is rolled back at the end on a dry run or when a row has a
problem (nothing is imported until the sheet is right), so memory holds only the matching keys.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import operator
import re
import sqlite3
from dataclasses import dataclass, field
from typing import NamedTuple

from campaign.errors import Notice, SheetError
from campaign.ledger.search import SEARCHED, search_text
from campaign.ledger.transaction import transaction
from campaign.sheets.headers import FIELDS
from campaign.sheets.rows import Parsed, Row, merge_into, person_key

# Details `campaign log` records from calls (the assistant's name, the best time to call): a
# blank cell in a sheet imported again never erases them.
LOGGED = ("assistant", "best_time")
# Written by hand in the ledger's first import, typed as numbers in the next: "(617) 555-1000"
# and "6175551000" are one phone, "07102" and "7102" one ZIP; the fuller spelling is kept.
SPELLED = ("phone", "postal_code")
CHUNK = 2000  # new prospects written per executemany
_INSERT = (
    f"INSERT INTO prospects ({', '.join(FIELDS)}, extras, list_order, source, created_on, "
    f"updated_on, search) VALUES ({', '.join('?' * (len(FIELDS) + 6))})"
)


class Change(NamedTuple):
    """What importing one row does: new, or which fields change ({field: [old, new]})."""

    row: int
    prospect_id: int | None
    company: str
    name: str
    action: str  # new | update
    changes: dict


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[str | Notice] = field(default_factory=list)
    dry_run: bool = False
    # Per prospect, what the row does (a dry run says so row by row). Named tuples: 100,000
    # dicts would weigh 60 MB.
    changes: list[Change] = field(default_factory=list)
    columns: dict = field(default_factory=dict)
    export: str = ""  # the known export recognised, "" for a hand-made sheet

    def prospects(self) -> list[dict]:
        return [change._asdict() for change in self.changes]

    def as_dict(self) -> dict:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": self.errors,
            "warnings": [str(w) for w in self.warnings],
            "dry_run": self.dry_run,
            "columns": self.columns,
            "export": self.export,
            "prospects": self.prospects(),
        }


_field_values = operator.itemgetter(*FIELDS)  # a row's values in the INSERT's order, in C
_to_json = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every row
_NONE: dict = {}  # a new prospect's changes: one shared empty dict, never written to


class _Undo(Exception):
    """Roll the import back: a dry run, or a sheet with problems."""


def _digits(text: object) -> str:
    return re.sub(r"\D", "", str(text or "")).lstrip("0")


def _worse(name: str, old: object, new: object) -> bool:
    """Whether `new` only respells `old` with less (same digits, fewer characters)."""
    if name not in SPELLED or not old or not new:
        return False
    return _digits(old) == _digits(new) and len(str(new)) < len(str(old))


@dataclass
class _Importer:
    conn: sqlite3.Connection
    parsed: Parsed
    source: str
    stamp: str
    dry_run: bool
    result: ImportResult
    by_email: dict[str, sqlite3.Row] = field(default_factory=dict)
    by_person: dict[str, sqlite3.Row] = field(default_factory=dict)
    next_order: int = 0
    # This sheet's rows so far, by email and by person: ("id", prospect id) for a prospect
    # already in the ledger, ("order", list_order) for a new one.
    seen_email: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    seen_person: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    pending: dict[int, Row] = field(default_factory=dict)  # list_order -> new row not written
    fed: frozenset[str] = frozenset()
    matched: dict[int, int] = field(default_factory=dict)  # prospect id -> the row updating it
    skipped: int = 0

    def load(self) -> None:
        for row in self.conn.execute("SELECT * FROM prospects ORDER BY id"):
            if row["email"]:
                self.by_email[row["email"].casefold()] = row
            self.by_person.setdefault(person_key(row), row)
        self.next_order = self.conn.execute(
            "SELECT coalesce(max(list_order), 0) FROM prospects"
        ).fetchone()[0]

    def take(self, row: Row) -> None:
        email = str(row.fields["email"]).casefold()
        key = person_key(row.fields)
        earlier = (self.seen_email.get(email) if email else None) or self.seen_person.get(key)
        if earlier is not None:
            self._repeat(row, earlier)
            return
        match = self.by_email.get(email) if email else None
        if match is None:
            # The same person at the same company: a corrected or new email updates them.
            match = self.by_person.get(key)
        if match is not None and match["id"] in self.matched:
            self.result.warnings.append(
                f"row {row.number} matches the same prospect as row {self.matched[match['id']]} "
                f"(#{match['id']}); skipped"
            )
            self.skipped += 1
            return
        if match is not None:
            self.matched[match["id"]] = row.number
        slot = self._update(row, match) if match is not None else self._new(row)
        if email:
            self.seen_email[email] = slot
        self.seen_person.setdefault(key, slot)

    def _who(self, row: Row) -> tuple[str, str]:
        name = f"{row.fields['first_name']} {row.fields['last_name']}".strip()
        return str(row.fields["company"]), name

    def _new(self, row: Row) -> tuple[str, int, int]:
        self.next_order += 1
        self.result.new += 1
        self.result.changes.append(Change(row.number, None, *self._who(row), "new", _NONE))
        if not self.dry_run:
            self.pending[self.next_order] = row
            if len(self.pending) >= CHUNK:
                self.flush()
        return ("order", self.next_order, row.number)

    def flush(self) -> None:
        if not self.pending:
            return
        self.conn.executemany(
            _INSERT,
            [
                (
                    *_field_values(row.fields),
                    _to_json(row.extras) if row.extras else "{}",
                    order,
                    f"{self.source} row {row.number}",
                    self.stamp,
                    self.stamp,
                    search_text(row.fields),
                )
                for order, row in self.pending.items()
            ],
        )
        self.pending.clear()

    def _update(self, row: Row, match: sqlite3.Row) -> tuple[str, int, int]:
        slot = ("id", match["id"], row.number)
        old_extras = json.loads(match["extras"])
        extras = {**old_extras, **row.extras}
        changed = {
            f: v
            for f, v in row.fields.items()
            if f in self.fed
            and match[f] != v
            and not (f in LOGGED and v == "" and match[f])
            and not _worse(f, match[f], v)
        }
        diff = {f: [match[f], v] for f, v in changed.items()}
        diff.update(
            {k: [old_extras.get(k), v] for k, v in extras.items() if old_extras.get(k) != v}
        )
        if extras != old_extras:
            changed["extras"] = json.dumps(extras, ensure_ascii=False)
        if any(f in changed for f in SEARCHED):
            changed["search"] = search_text({**dict(match), **changed})
        if not changed:
            self.result.unchanged += 1
            return slot
        self.result.updated += 1
        self.result.changes.append(Change(row.number, match["id"], *self._who(row), "update", diff))
        if not self.dry_run:
            sets = ", ".join(f"{name} = ?" for name in changed)
            self.conn.execute(
                f"UPDATE prospects SET {sets}, source = ?, updated_on = ? WHERE id = ?",
                (*changed.values(), f"{self.source} row {row.number}", self.stamp, match["id"]),
            )
        return slot

    def _repeat(self, row: Row, earlier: tuple[str, int, int]) -> None:
        """A later row for a person an earlier row named: its blanks filled from this one."""
        kind, key, first_row = earlier
        reason = "same email" if row.fields["email"] else "same company and person"
        self.result.warnings.append(f"row {row.number} repeats row {first_row} ({reason}); merged")
        if self.dry_run:
            return
        if kind == "order" and key in self.pending:
            first = self.pending[key]
            merge_into(first.fields, first.extras, row)
            return
        column = "id" if kind == "id" else "list_order"
        stored = self.conn.execute(f"SELECT * FROM prospects WHERE {column} = ?", (key,)).fetchone()
        if stored is None:
            return
        fields = {f: stored[f] for f in FIELDS}
        extras = json.loads(stored["extras"])
        merge_into(fields, extras, row)
        sets = ", ".join(f"{f} = ?" for f in FIELDS)
        self.conn.execute(
            f"UPDATE prospects SET {sets}, extras = ?, search = ? WHERE id = ?",
            (
                *(fields[f] for f in FIELDS),
                json.dumps(extras, ensure_ascii=False),
                search_text(fields),
                stored["id"],
            ),
        )


def import_rows(
    conn: sqlite3.Connection,
    parsed: Parsed,
    *,
    source: str,
    today: dt.date,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Stream parsed rows into the ledger in one transaction (undone on errors or a dry run)."""
    result = ImportResult(dry_run=dry_run, export=parsed.export)
    importer = _Importer(conn, parsed, source, today.isoformat(), dry_run, result)
    importer.fed = parsed.fields_fed()
    importer.load()
    try:
        # A dry run writes nothing, so it takes no write lock either.
        with contextlib.nullcontext() if dry_run else transaction(conn):
            for row in parsed:
                importer.take(row)
            importer.flush()
            if dry_run or (parsed.errors and not skip_invalid):
                raise _Undo
    except _Undo:
        pass
    except sqlite3.IntegrityError:
        # e.g. a prospect matched by name given an email another prospect already has
        raise SheetError(
            f"{source}: the import would give two prospects the same email",
            hint="check-emails",
        ) from None
    result.errors = [p.as_dict() for p in parsed.errors]
    result.warnings[:0] = parsed.warnings
    result.columns = parsed.mapping()
    result.skipped = len({p.row for p in parsed.errors}) + importer.skipped
    if parsed.errors and not skip_invalid:
        result.new = result.updated = result.unchanged = 0
        result.changes = []
    return result
