"""Prospects: the list (searchable, sortable, paginated) and one prospect with its history."""

from __future__ import annotations

import json

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.web.base import OUTCOME_NAMES, form, off_loop, page, see, web

PER_PAGE = 50


def listing(request: Request) -> Response:
    from campaign.ledger.search import SORTS, find_prospects

    query = request.query_params
    text = query.get("q", "")[:200]
    sort = query.get("sort", "priority")
    descending = query.get("order") == "desc"
    text_page = query.get("page", "1").strip()
    # A page number is a few digits: 10**30 (or "٣") is page 1, never an overflow.
    number = int(text_page) if text_page.isascii() and text_page.isdigit() else 1
    number = min(max(number, 1), 10**9)
    state = web(request)
    with state.ledger() as (_, conn):
        rows, total = find_prospects(conn, text, sort, descending, number, PER_PAGE)
    pages = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    return page(
        request,
        "prospects.html",
        title="Prospects",
        rows=rows,
        total=total,
        q=text,
        sort=sort if sort in SORTS else "priority",
        order="desc" if descending else "asc",
        number=min(number, pages),
        pages=pages,
        sorts=SORTS,
    )


def one(request: Request) -> Response:
    from campaign.followups.items import LABELS, OUTCOMES
    from campaign.followups.touches import EVENTS, SKIPPABLE
    from campaign.ledger.queries import find_prospect
    from campaign.reports.history import history

    state = web(request)
    with state.ledger() as (_, conn):
        row = find_prospect(conn, str(request.path_params["id"]))
        events = history(conn, row["id"], labels=True)
    return page(
        request,
        "prospect.html",
        title=row["company"],
        p=row,
        extras=json.loads(row["extras"]),
        history=events,
        events=EVENTS,
        outcomes=OUTCOMES,
        outcome_names=OUTCOME_NAMES,
        skippable={kind: LABELS.get(kind, kind) for kind in SKIPPABLE},
        logged=request.query_params.get("logged"),
    )


async def log_event(request: Request) -> Response:
    """Log any event `campaign log` knows for this prospect."""
    data = await form(request)
    return await off_loop(_log_event, request, data)


def _log_event(request: Request, data: FormData) -> Response:
    from campaign.followups.touches import Logged, log
    from campaign.ledger.queries import find_prospect
    from campaign.workspace.settings import parse_date

    state = web(request)
    on = str(data.get("on", "")).strip()
    day = parse_date(on, "the date") if on else state.today()  # checked against today below
    event = str(data.get("event", ""))
    today = state.today()
    with state.writes, state.ledger() as (settings, conn):
        row = find_prospect(conn, str(request.path_params["id"]))
        entry = Logged(
            event,
            day,
            note=str(data.get("note", "")),
            outcome=str(data.get("outcome", "")) if event == "call" else "",
            assistant=str(data.get("assistant", "")),
            best_time=str(data.get("best_time", "")),
            people=str(data.get("people", "")) if event == "interview" else "",
            item=str(data.get("item", "")) if event == "skip" else "",
            again=data.get("again") == "1",
        )
        log(conn, row, entry, today=today, cadence=settings.cadence)
    return see(request, f"/prospects/{row['id']}", logged=event)


routes = [
    Route("/prospects", listing),
    Route("/prospects/{id:id}", one),
    Route("/prospects/{id:id}/log", log_event, methods=["POST"]),
]
