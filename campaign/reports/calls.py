"""The call sheet to take to the phone: who to call, how to reach them, what was sent, a script."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from campaign.followups.items import OUTCOME_SAID, Due
from campaign.reports.tracker import sent_by_prospect
from campaign.reports.xlsx import add_sheet
from campaign.util.atomic import replacing
from campaign.util.text import plural

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
    """The call script of docs/domain.md; without a resume, the letter is what they should have."""
    if resume:
        return list(CALL_SCRIPT)
    return [line.replace("your resume", "your letter") for line in CALL_SCRIPT]


def call_rows(conn: sqlite3.Connection, items: list[Due]) -> list[dict]:
    """One row per call due: who, how to reach them, what was sent, the last outcome."""
    sends = sent_by_prospect(conn)
    rows = []
    for item in items:
        if item.channel != "call":
            continue
        p = conn.execute("SELECT * FROM prospects WHERE id = ?", (item.prospect_id,)).fetchone()
        last = conn.execute(
            "SELECT on_date, outcome, note FROM touches WHERE prospect_id = ? AND kind = 'call' "
            "AND undone_on IS NULL ORDER BY on_date DESC, id DESC LIMIT 1",
            (p["id"],),
        ).fetchone()
        attempts = conn.execute(
            "SELECT count(*) FROM touches WHERE prospect_id = ? AND kind = 'call' "
            "AND undone_on IS NULL",
            (p["id"],),
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
                "last_outcome": (
                    f"{OUTCOME_SAID.get(last['outcome'], last['outcome'])} on {last['on_date']}"
                    if last
                    else ""
                ),
                "attempts": attempts,
                "why": item.reason,
                "prospect_id": p["id"],
            }
        )
    return rows


def session_estimate(count: int) -> str:
    minutes = round(count * 60 / CALLS_PER_HOUR)
    hours, rest = divmod(minutes, 60)
    return f"{plural(count, 'call')} at {CALLS_PER_HOUR} an hour: about " + (
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
    values = [
        # The due date as a date (Excel sorts and filters it), the attempts as a number.
        [dt.date.fromisoformat(r["due"]), *(r[k] for k in keys[1:])] + [""]
        for r in rows
    ]
    calls = add_sheet(
        book,
        "Calls",
        [*[k.replace("_", " ") for k in keys], "notes"],
        values,
        [11, 20, 22, 26, 15, 14, 16, 40, 22, 8, 40, 40],
    )
    for (cell,) in calls.iter_rows(min_row=2, max_col=1):
        cell.number_format = "yyyy-mm-dd"
    # Nothing under the table (a program reading it would take it for calls): the session and
    # the script have their own sheet.
    add_sheet(
        book,
        "Script",
        ["before you call"],
        [[session_estimate(len(rows))], *([line] for line in script)],
        [90],
    )
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
                ("FONTNAME", (0, 0), (-1, -1), "DejaVuSerif"),  # its empty cell too
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
            creator="campaign",
            initialFontName="DejaVuSerif",  # every font embedded: no Helvetica left unembedded
        ).build(story)
