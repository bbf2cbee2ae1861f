"""Files for outside the tool, the same from either face: the tracker workbook, the calendar
(.ics, which remembers what it exported so ended follow-ups are cancelled), the call sheet."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campaign.email.unknown import settle
from campaign.errors import CampaignError
from campaign.followups.due import compute
from campaign.followups.items import Due
from campaign.reports import calendar, calls, tracker
from campaign.util.atomic import writable
from campaign.workspace.settings import Settings

EVERYTHING = 3650  # days: every follow-up still to come, for the tracker


def due_items(
    conn: sqlite3.Connection,
    settings: Settings,
    today: dt.date,
    horizon: int = 0,
    *,
    keep_stale: bool = False,
) -> list[Due]:
    """What is due by today + horizon days, once sends left by a run that died are settled
    (they are listed to resolve): what `due` shows."""
    settle(conn, settings.root)
    return compute(conn, settings.cadence, today, horizon, keep_stale=keep_stale)


@dataclass
class Exported:
    """What an export wrote: how many rows or events, and for a calendar what changed."""

    path: Path
    count: int
    changed: int = 0
    cancelled: int = 0
    kind: str = "xlsx"  # xlsx (the tracker) or ics (the calendar)

    def as_dict(self) -> dict[str, Any]:
        extra = {"changed": self.changed, "cancelled": self.cancelled} if self.kind == "ics" else {}
        return {"file": str(self.path), "count": self.count, **extra}


def export(
    conn: sqlite3.Connection, settings: Settings, today: dt.date, path: Path, horizon: int = 90
) -> Exported:
    """The tracker (a .xlsx path) or the calendar (a .ics path) written to `path`.

    The calendar keeps each event's UID, raises SEQUENCE when one changes and cancels the
    follow-ups that ended (RFC 5545), so importing it again updates the user's calendar.
    """
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".ics"):
        raise CampaignError(f"{path}: export writes .xlsx (the tracker) or .ics (a calendar).")
    writable(path)
    if suffix == ".xlsx":
        items = compute(conn, settings.cadence, today, EVERYTHING)
        return Exported(path, tracker.tracker(conn, items, today, path))
    done = calendar.export(conn, settings.cadence, today, path, horizon)
    return Exported(path, done.events, done.changed, done.cancelled, kind="ics")


@dataclass
class CallSheet:
    """The calls due, each with what the caller needs at hand, and the script."""

    rows: list[dict[str, Any]]
    script: list[str]
    estimate: str
    files: list[Path] = field(default_factory=list)


def call_sheet(
    conn: sqlite3.Connection,
    settings: Settings,
    today: dt.date,
    horizon: int = 0,
    out: Path | None = None,
) -> CallSheet:
    """The call sheet for the calls due by today + horizon days; with `out` (.pdf or .xlsx)
    also written there, when there is a call to make."""
    if out is not None and out.suffix.lower() not in (".pdf", ".xlsx"):
        raise CampaignError(f"{out}: the call sheet is written as .pdf or .xlsx.")
    writable(out)
    rows = calls.call_rows(conn, compute(conn, settings.cadence, today, horizon))
    script = calls.call_script(resume=settings.resume is not None)
    sheet = CallSheet(rows, script, calls.session_estimate(len(rows)))
    if out is None or not rows:
        return sheet
    if out.suffix.lower() == ".pdf":
        calls.call_sheet_pdf(rows, out, settings.paper, today, script=script)
    else:
        calls.call_sheet_xlsx(rows, out, script=script)
    sheet.files.append(out)
    return sheet
