"""Finding prospects in a long list: search, sort and one page at a time (the web list)."""

from __future__ import annotations

import sqlite3

# Sortable columns, by the name a page uses; priority sorts blanks last.
SORTS = {
    "priority": "priority IS NULL, priority, list_order",
    "company": "company COLLATE NOCASE, id",
    "name": "last_name COLLATE NOCASE, first_name COLLATE NOCASE, id",
    "status": "status, priority IS NULL, priority, list_order",
    "id": "id",
}
SEARCHED = ("company", "first_name", "last_name", "email", "title", "city")


def find_prospects(
    conn: sqlite3.Connection,
    text: str = "",
    sort: str = "priority",
    descending: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[sqlite3.Row], int]:
    """One page of prospects matching `text` (any of SEARCHED contains it), and the total."""
    where, args = "", []
    words = text.split()
    if words:
        clauses = []
        for word in words[:5]:
            like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in SEARCHED) + ")")
            args += [like] * len(SEARCHED)
        where = " WHERE " + " AND ".join(clauses)
    total = conn.execute(f"SELECT count(*) FROM prospects{where}", args).fetchone()[0]
    page = min(max(page, 1), max((total + per_page - 1) // per_page, 1))  # never past the last
    order = SORTS.get(sort, SORTS["priority"])
    if descending:
        order = ", ".join(
            part if part.endswith("IS NULL") else f"{part} DESC" for part in order.split(", ")
        )
    rows = conn.execute(
        f"SELECT * FROM prospects{where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*args, per_page, (page - 1) * per_page],
    ).fetchall()
    return rows, total
