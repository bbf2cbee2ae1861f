"""Finding prospects in a long list: search, sort and one page at a time (the web list)."""

from __future__ import annotations

import operator
import re
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


_NOT_WORD_OR_BAR = re.compile(r"[^0-9a-z|]+")
_searched = operator.itemgetter(*SEARCHED)  # text columns, never NULL


def search_text(prospect) -> str:
    """The searched columns folded (case, accents, apostrophes: util.text.folded) and joined
    by "|", kept in the ledger's `search` column so a search of 100,000 prospects is one LIKE
    per word. Folded in one pass for the whole row: an import computes it for every row."""
    from campaign.util.text import plain

    return _NOT_WORD_OR_BAR.sub(" ", plain("|".join(_searched(prospect))))


def find_prospects(
    conn: sqlite3.Connection,
    text: str = "",
    sort: str = "priority",
    descending: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[sqlite3.Row], int]:
    """One page of prospects matching `text` (any of SEARCHED contains each word), and the
    total; case, accents and apostrophe style ignored ("o'hara" finds "O’Hara")."""
    from campaign.util.text import folded

    where, args = "", []
    words = folded(text).split()
    if words:
        # Folded words hold letters, digits and spaces only: nothing to escape for LIKE.
        where = " WHERE " + " AND ".join("search LIKE ?" for _ in words[:5])
        args = [f"%{word}%" for word in words[:5]]
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
