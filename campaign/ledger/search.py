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
    # The kept follow-up state (followups/store.py; refresh it first): blanks last.
    "stage": "stage_rank IS NULL, stage_rank, priority IS NULL, priority, list_order",
    "next": "next_due IS NULL, next_due, priority IS NULL, priority, list_order",
    "last": "last_contact IS NULL, last_contact, priority IS NULL, priority, list_order",
}
# The day of the last letter sent or event logged (not undone), for each prospect.
LAST_CONTACT = (
    "max(coalesce((SELECT max(sent_on) FROM sends WHERE prospect_id = p.id AND status = 'sent'),"
    " ''), coalesce((SELECT max(on_date) FROM touches WHERE prospect_id = p.id "
    "AND undone_on IS NULL), ''))"
)
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
    *,
    stage: str = "",
    stages: tuple[str, ...] = (),
) -> tuple[list[sqlite3.Row], int]:
    """One page of prospects matching `text` (any of SEARCHED contains each word), and the
    total; case, accents and apostrophe style ignored ("o'hara" finds "O’Hara").

    Each row carries its kept stage, next step (next_kind, next_due) and last_contact; only
    those at `stage` when one is named; `stages` gives the stages' order for sorting by it."""
    from campaign.util.text import folded

    conditions, args = [], []
    words = folded(text).split()
    # Folded words hold letters, digits and spaces only: nothing to escape for LIKE.
    conditions += ["search LIKE ?" for _ in words[:5]]
    args += [f"%{word}%" for word in words[:5]]
    if stage:
        conditions.append("p.id IN (SELECT prospect_id FROM followup_state WHERE stage = ?)")
        args.append(stage)
    where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
    total = conn.execute(f"SELECT count(*) FROM prospects p{where}", args).fetchone()[0]
    page = min(max(page, 1), max((total + per_page - 1) // per_page, 1))  # never past the last
    order = SORTS.get(sort, SORTS["priority"])
    if descending:
        order = ", ".join(
            part if part.endswith("IS NULL") else f"{part} DESC" for part in order.split(", ")
        )
    rank = (
        f"(SELECT CASE stage {' '.join(f'WHEN ? THEN {n}' for n in range(len(stages)))} END "
        "FROM followup_state WHERE prospect_id = p.id)"
        if stages
        else "NULL"
    )
    rows = conn.execute(
        f"SELECT p.*, s.stage, s.next_kind, s.next_due, s.next_reason, s.next_hint, "
        f"s.next_values, {rank} AS stage_rank, nullif({LAST_CONTACT}, '') AS last_contact "
        f"FROM prospects p LEFT JOIN followup_state s ON s.prospect_id = p.id{where} "
        f"ORDER BY {order} LIMIT ? OFFSET ?",
        [*stages, *args, per_page, (page - 1) * per_page],
    ).fetchall()
    return rows, total
