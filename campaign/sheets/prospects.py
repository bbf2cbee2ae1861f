"""Importing checked sheet rows into the ledger: new prospects, updates in place, no deletes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field

from campaign.errors import Notice, SheetError
from campaign.ledger.transaction import transaction
from campaign.sheets.headers import FIELDS
from campaign.sheets.rows import Parsed, person_key

# Details `campaign log` records from calls (the assistant's name, the best time to call): a
# blank cell in a sheet imported again never erases them.
LOGGED = ("assistant", "best_time")


@dataclass
class ImportResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[dict] = field(default_factory=list)
    warnings: list[str | Notice] = field(default_factory=list)
    dry_run: bool = False
    # Per prospect: {"row", "prospect_id", "company", "name", "action": new|update,
    # "changes": {field: [old, new]}} (issue 9: a dry run says what each row would do).
    changes: list[dict] = field(default_factory=list)
    columns: dict = field(default_factory=dict)

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
            "prospects": self.changes,
        }


def import_rows(
    conn: sqlite3.Connection,
    parsed: Parsed,
    *,
    source: str,
    today: dt.date,
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Write parsed rows to the ledger in one transaction (or none, on errors or a dry run)."""
    result = ImportResult(
        errors=[p.as_dict() for p in parsed.errors],
        warnings=list(parsed.warnings),
        dry_run=dry_run,
        columns=parsed.mapping(),
    )
    result.skipped = len({p.row for p in parsed.errors})
    if parsed.errors and not skip_invalid:
        return result
    by_email: dict[str, sqlite3.Row] = {}
    by_person: dict[tuple, sqlite3.Row] = {}
    for row in conn.execute("SELECT * FROM prospects ORDER BY id"):
        if row["email"]:
            by_email[row["email"].casefold()] = row
        by_person.setdefault(person_key(row), row)
    next_order = conn.execute("SELECT coalesce(max(list_order), 0) FROM prospects").fetchone()[0]
    inserts, updates = [], []
    stamp = today.isoformat()
    matched: dict[int, int] = {}  # prospect id -> the sheet row that updates it
    for row in parsed.rows:
        email = str(row.fields["email"]).casefold()
        match = by_email.get(email) if email else None
        if match is None:
            # The same person at the same company: a corrected or new email updates them.
            match = by_person.get(person_key(row.fields))
        if match is not None and match["id"] in matched:
            result.warnings.append(
                f"row {row.number} matches the same prospect as row {matched[match['id']]} "
                f"(#{match['id']}); skipped"
            )
            result.skipped += 1
            continue
        if match is not None:
            matched[match["id"]] = row.number
        origin = f"{source} row {row.number}"
        who = {
            "row": row.number,
            "company": row.fields["company"],
            "name": f"{row.fields['first_name']} {row.fields['last_name']}".strip(),
        }
        if match is None:
            next_order += 1
            values = {**row.fields, "extras": json.dumps(row.extras, ensure_ascii=False)}
            inserts.append(
                (*(values[f] for f in FIELDS), values["extras"], next_order, origin, stamp, stamp)
            )
            result.new += 1
            result.changes.append({**who, "prospect_id": None, "action": "new", "changes": {}})
            continue
        old_extras = json.loads(match["extras"])
        extras = {**old_extras, **row.extras}
        changed = {
            f: v
            for f, v in row.fields.items()
            if match[f] != v and not (f in LOGGED and v == "" and match[f])
        }
        diff = {f: [match[f], v] for f, v in changed.items()}
        diff.update(
            {k: [old_extras.get(k), v] for k, v in extras.items() if old_extras.get(k) != v}
        )
        if extras != old_extras:
            changed["extras"] = json.dumps(extras, ensure_ascii=False)
        if not changed:
            result.unchanged += 1
            continue
        result.updated += 1
        result.changes.append(
            {**who, "prospect_id": match["id"], "action": "update", "changes": diff}
        )
        updates.append((changed, origin, match["id"]))
    if dry_run:
        return result
    try:
        _write(conn, inserts, updates, stamp)
    except sqlite3.IntegrityError:
        # e.g. a prospect matched by name given an email another prospect already has
        raise SheetError(
            f"{source}: the import would give two prospects the same email",
            hint="check-emails",
        ) from None
    return result


def _write(conn: sqlite3.Connection, inserts: list, updates: list, stamp: str) -> None:
    columns = ", ".join(FIELDS)
    marks = ", ".join("?" * (len(FIELDS) + 5))
    with transaction(conn):
        conn.executemany(
            f"INSERT INTO prospects ({columns}, extras, list_order, source, created_on, updated_on)"
            f" VALUES ({marks})",
            inserts,
        )
        for changed, origin, prospect_id in updates:
            sets = ", ".join(f"{name} = ?" for name in changed)
            conn.execute(
                f"UPDATE prospects SET {sets}, source = ?, updated_on = ? WHERE id = ?",
                (*changed.values(), origin, stamp, prospect_id),
            )
