"""The tracker workbook: every prospect with its next action, every touch, what is due."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from campaign.followups.items import Due
from campaign.reports.xlsx import add_sheet
from campaign.util.atomic import replacing


def sent_by_prospect(conn: sqlite3.Connection) -> dict[int, list[sqlite3.Row]]:
    out: dict[int, list] = {}
    for row in conn.execute("SELECT * FROM sends WHERE status = 'sent' ORDER BY sent_on, id"):
        out.setdefault(row["prospect_id"], []).append(row)
    return out


def tracker(conn: sqlite3.Connection, items: list[Due], today: dt.date, path: Path) -> int:
    """The tracker workbook: prospects with their next action, every touch, what is due."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    next_action: dict[int, Due] = {}
    for item in sorted(items, key=lambda i: i.due):
        next_action.setdefault(item.prospect_id, item)
    prospects = conn.execute(
        "SELECT * FROM prospects ORDER BY priority IS NULL, priority, list_order"
    ).fetchall()
    header = [
        "id",
        "priority",
        "company",
        "first name",
        "last name",
        "title",
        "email",
        "phone",
        "address",
        "city",
        "state",
        "postal code",
        "status",
        "role",
        "assistant",
        "best time",
        "next action",
        "next date",
        "notes",
        "extras",
    ]
    rows = []
    for p in prospects:
        action = next_action.get(p["id"])
        rows.append(
            [
                p["id"],
                p["priority"],
                p["company"],
                p["first_name"],
                p["last_name"],
                p["title"],
                p["email"],
                p["phone"],
                p["address"],
                p["city"],
                p["state"],
                p["postal_code"],
                p["status"],
                p["role"],
                p["assistant"],
                p["best_time"],
                action.kind if action else "",
                action.due if action else None,
                p["notes"],
                ", ".join(f"{k}: {v}" for k, v in json.loads(p["extras"]).items()),
            ]
        )
    add_sheet(
        book,
        "Prospects",
        header,
        rows,
        [6, 8, 28, 14, 16, 24, 30, 16, 26, 16, 8, 11, 10, 10, 16, 16, 20, 12, 30, 30],
    )
    history = []
    for s in conn.execute(
        "SELECT s.*, p.company FROM sends s JOIN prospects p ON p.id = s.prospect_id"
    ):
        history.append(
            [
                s["sent_on"] or s["attempted_on"] or s["created_at"][:10],  # campaign days
                s["prospect_id"],
                s["company"],
                f"{s['kind']} letter",
                s["channel"],
                "draft in outbox/"
                if s["status"] == "sent" and s["via"] == "outbox"
                else s["status"],
                s["error"] or s["subject"],
            ]
        )
    for t in conn.execute(
        "SELECT t.*, p.company FROM touches t JOIN prospects p ON p.id = t.prospect_id"
    ):
        people = ", ".join(x["name"] for x in json.loads(t["people"]))
        history.append(
            [
                t["on_date"],
                t["prospect_id"],
                t["company"],
                t["kind"],
                "",
                t["outcome"],
                "; ".join(x for x in (people, t["note"]) if x),
            ]
        )
    history.sort(key=lambda r: (r[0], r[1]))
    for row in history:
        row[0] = dt.date.fromisoformat(row[0])
    add_sheet(
        book,
        "Touches",
        ["date", "prospect", "company", "what", "channel", "outcome", "detail"],
        history,
        [12, 9, 28, 18, 9, 12, 60],
    )
    due_rows = [
        [
            i.due,
            i.prospect_id,
            i.company,
            i.person.get("name") or i.name,
            i.kind,
            i.channel,
            i.reason,
        ]
        for i in items
    ]
    add_sheet(
        book,
        "Due",
        ["due", "prospect", "company", "who", "kind", "channel", "why"],
        due_rows,
        [12, 9, 28, 22, 20, 9, 60],
    )
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    with replacing(path) as temp:
        book.save(temp)
    return len(prospects)
