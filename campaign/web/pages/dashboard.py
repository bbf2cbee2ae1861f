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
from campaign.web.base import NONE_LEFT_SAID, attachment, form, off_loop, page, web


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


async def download(request: Request) -> Response:
    """The tracker workbook or the calendar, made in a private temp folder, never kept.

    The calendar is the same export as the CLI's: it remembers each event, so ended follow-ups
    are cancelled in the user's calendar; remembering is a change, so it takes a POST.
    """
    name = request.path_params["name"]
    if name not in KINDS:
        raise HTTPException(404)
    if name == "followups.ics":
        if request.method != "POST":
            raise HTTPException(405, "The calendar is made with the button on the Dashboard.")
        await form(request)
    return await off_loop(_download, request, name)


KINDS = {
    "tracker.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "followups.ics": "text/calendar",
}


def _download(request: Request, name: str) -> Response:
    from campaign.actions.exports import export

    state = web(request)
    with tempfile.TemporaryDirectory(prefix="campaign-dl-") as folder:
        out = Path(folder) / name
        with state.ledger() as (settings, conn):
            export(conn, settings, state.today(), out)
        data = out.read_bytes()
    return attachment(data, name, KINDS[name])


routes = [
    Route("/", dashboard),
    Route("/downloads/{name:str}", download, methods=["GET", "POST"]),
]
