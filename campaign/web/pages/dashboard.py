"""The dashboard: the funnel, letters per week, what is due, this week's batch; downloads.

Plain `def` endpoints: Starlette runs them in its thread pool, off the event loop.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.web import charts
from campaign.web.base import NONE_LEFT_SAID, attachment, page, web


def dashboard(request: Request) -> Response:
    from campaign.reports.setup import steps

    state = web(request)
    settings = state.settings()
    shown = state.cache.dashboard(settings, state.today())
    with state.ledger() as (_, conn):
        checklist = steps(settings, conn)
    return page(
        request,
        "dashboard.html",
        title="Dashboard",
        checklist=checklist if not all(s.done for s in checklist if s.needed) else [],
        made=request.query_params.get("made"),
        numbers=shown["numbers"],
        waiting=shown["waiting"],
        none_left=NONE_LEFT_SAID,
        funnel=charts.funnel(shown["funnel"]),
        weeks=charts.columns(shown["weeks"]),
    )


def download(request: Request) -> Response:
    """The tracker workbook or the calendar, made in a private temp folder, never kept."""
    from campaign.followups.due import compute
    from campaign.reports.calendar import calendar
    from campaign.reports.tracker import tracker

    name = request.path_params["name"]
    if name not in ("tracker.xlsx", "followups.ics"):
        raise HTTPException(404)
    state = web(request)
    today = state.today()
    with tempfile.TemporaryDirectory(prefix="campaign-dl-") as folder:
        out = Path(folder) / name
        with state.ledger() as (settings, conn):
            if name == "tracker.xlsx":
                tracker(conn, compute(conn, settings.cadence, today, 3650), today, out)
                kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            else:
                calendar(compute(conn, settings.cadence, today, 90), out, today)
                kind = "text/calendar"
        data = out.read_bytes()
    return attachment(data, name, kind)


routes = [
    Route("/", dashboard),
    Route("/downloads/{name:str}", download),
]
