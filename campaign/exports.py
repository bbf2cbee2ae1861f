"""Files for outside the tool: the tracker workbook, the call sheet, calendar events (.ics)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from campaign.followups.items import Due
from campaign.util.atomic import replacing
from campaign.util.text import clean

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CALL_SCRIPT = [
    "Introduce yourself.",
    "Say when and how you applied (see 'sent').",
    "Confirm they have your resume.",
    "Ask where they are in the process.",
    "Ask for a meeting with the decision maker.",
    "Ask what you should do next.",
]
CALLS_PER_HOUR = 8


def call_script(resume: bool = True) -> list[str]:
    """DOMAIN.md's call script; without a resume set, the letter is what they should have."""
    if resume:
        return list(CALL_SCRIPT)
    return [line.replace("your resume", "your letter") for line in CALL_SCRIPT]


def _sheet(book, title: str, header: list[str], rows: list[list], widths: list[int]):
    """A worksheet with a bold frozen header, filters, set widths and formula-safe text."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([_safe(v) for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                if cell.value.startswith(FORMULA_START):
                    # Text, never a formula: a string cell that Excel shows with a quote prefix.
                    cell.data_type = "s"
                    cell.quotePrefix = True
                if "\n" in cell.value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def _safe(value):
    if value is None:
        return ""
    if isinstance(value, int | float | dt.date):
        return value
    # openpyxl refuses control characters (IllegalCharacterError): never let one through.
    return clean(str(value))


def _sends_by_prospect(conn: sqlite3.Connection) -> dict[int, list[sqlite3.Row]]:
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
    _sheet(
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
                s["sent_on"] or s["created_at"][:10],
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
    _sheet(
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
    _sheet(
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


def calendar(items: list[Due], path: Path, today: dt.date) -> int:
    """Due follow-ups as all-day events, untracked; `ics.export` also updates and cancels."""
    from campaign.ics import _event, write

    write([_event(item, None) for item in items], path)
    return len(items)


def call_rows(conn: sqlite3.Connection, items: list[Due]) -> list[dict]:
    """One row per call due: who, how to reach them, what was sent, the last outcome."""
    sends = _sends_by_prospect(conn)
    rows = []
    for item in items:
        if item.channel != "call":
            continue
        p = conn.execute("SELECT * FROM prospects WHERE id = ?", (item.prospect_id,)).fetchone()
        last = conn.execute(
            "SELECT on_date, outcome, note FROM touches WHERE prospect_id = ? AND kind = 'call' "
            "ORDER BY on_date DESC, id DESC LIMIT 1",
            (p["id"],),
        ).fetchone()
        attempts = conn.execute(
            "SELECT count(*) FROM touches WHERE prospect_id = ? AND kind = 'call'", (p["id"],)
        ).fetchone()[0]
        rows.append(
            {
                "due": item.due.isoformat(),
                "kind": item.kind,
                "name": item.name,
                "title": p["title"],
                "company": p["company"],
                "phone": p["phone"],
                "assistant": p["assistant"],
                "best_time": p["best_time"],
                "sent": "; ".join(
                    f"{s['kind']} by {s['channel']} {s['sent_on']}" for s in sends.get(p["id"], [])
                ),
                "last_outcome": f"{last['outcome']} on {last['on_date']}" if last else "",
                "attempts": attempts,
                "why": item.reason,
                "prospect_id": p["id"],
            }
        )
    return rows


def session_estimate(count: int) -> str:
    minutes = round(count * 60 / CALLS_PER_HOUR)
    hours, rest = divmod(minutes, 60)
    return f"{count} calls at {CALLS_PER_HOUR} an hour: about " + (
        f"{hours} h {rest} min" if hours else f"{rest} min"
    )


def call_sheet_xlsx(rows: list[dict], path: Path, *, script: list[str] = CALL_SCRIPT) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    keys = [
        "due",
        "name",
        "title",
        "company",
        "phone",
        "assistant",
        "best_time",
        "sent",
        "last_outcome",
        "attempts",
        "why",
    ]
    sheet = _sheet(
        book,
        "Calls",
        [*[k.replace("_", " ") for k in keys], "notes"],
        [[r[k] for k in keys] + [""] for r in rows],
        [11, 20, 22, 26, 15, 14, 16, 40, 22, 8, 40, 40],
    )
    sheet.append([])
    sheet.append([session_estimate(len(rows))])
    sheet.append(["Script: " + " ".join(script)])
    with replacing(path) as temp:
        book.save(temp)


def call_sheet_pdf(
    rows: list[dict], path: Path, paper: str, today: dt.date, *, script: list[str] = CALL_SCRIPT
) -> None:
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4, LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

    from campaign.post.page import register_fonts

    register_fonts()
    body = ParagraphStyle("b", fontName="DejaVuSerif", fontSize=9.5, leading=12)
    head = ParagraphStyle("h", parent=body, fontName="DejaVuSerif-Bold", fontSize=14, leading=18)
    story = [
        Paragraph(f"Call sheet, {today:%A %B} {today.day}, {today.year}", head),
        Paragraph(escape(session_estimate(len(rows))), body),
        Paragraph("Script: " + escape(" ".join(script)), body),
        Spacer(1, 10),
    ]
    for number, r in enumerate(rows, start=1):
        lines = [
            f"<b>{number}. {escape(r['name'])}</b>, {escape(r['title'])}, {escape(r['company'])}",
            f"Phone <b>{escape(r['phone'] or '-')}</b>   Assistant: {escape(r['assistant'] or '-')}"
            f"   Best time: {escape(r['best_time'] or '-')}",
            f"Sent: {escape(r['sent'] or '-')}",
            f"Last call: {escape(r['last_outcome'] or 'none')} ({r['attempts']} so far). "
            f"Why now: {escape(r['why'])}",
        ]
        box = Table(
            [[Paragraph("<br/>".join(lines), body)], [Paragraph("Notes:", body)], [""]],
            colWidths=[7 * inch],
            rowHeights=[None, 14, 40],
        )
        box.setStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, "#888888"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.25, "#bbbbbb"),
            ]
        )
        story += [KeepTogether([box, Spacer(1, 8)])]
    size = A4 if paper == "a4" else LETTER
    margin = 0.7 * inch
    with replacing(path) as temp:
        SimpleDocTemplate(
            str(temp),
            pagesize=size,
            leftMargin=margin,
            rightMargin=margin,
            topMargin=margin,
            bottomMargin=margin,
            title="Call sheet",
        ).build(story)
