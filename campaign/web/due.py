"""Due: today's follow-ups grouped as `campaign due` groups them; call outcomes in one click."""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .app import form, page, see, web
from .dashboard import attachment
from .week import letters_pdf, mailed

OUTCOME_NAMES = {
    "no-answer": "No answer",
    "left-message": "Left message",
    "spoke": "Spoke",
    "assistant": "Assistant",
    "meeting-set": "Meeting set",
}


async def show(request: Request) -> Response:
    from ..followup import KINDS, compute

    state = web(request)
    today = state.today()
    with state.ledger() as (settings, conn):
        items = compute(conn, settings.cadence, today)
    groups = []
    for kind, (heading, _) in KINDS.items():
        group = [i for i in items if i.kind == kind]
        if group:
            groups.append((heading, group))
    return page(
        request,
        "due.html",
        title="Due",
        groups=groups,
        emails=sum(i.channel == "email" for i in items),
        posts=sum(i.channel in ("post", "note") for i in items),
        outcomes=OUTCOME_NAMES,
        posted=request.query_params.get("posted"),
        logged=request.query_params.get("logged"),
    )


async def call(request: Request) -> Response:
    """One call outcome (with its note, best time and assistant), logged today."""
    from ..ledger import find_prospect
    from ..touches import log

    data = await form(request)
    state = web(request)
    with state.ledger() as (_, conn):
        row = find_prospect(conn, str(data.get("prospect", "")))
        log(
            conn,
            row,
            "call",
            state.today(),
            note=str(data.get("note", "")),
            outcome=str(data.get("outcome", "")),
            assistant=str(data.get("assistant", "")),
            best_time=str(data.get("best_time", "")),
        )
    return see(
        "/due", logged=f"{OUTCOME_NAMES.get(str(data.get('outcome')), '')}: {row['company']}"
    )


async def call_sheet(request: Request) -> Response:
    from ..exports import call_rows, call_sheet_pdf
    from ..followup import compute

    state = web(request)
    today = state.today()
    with state.ledger() as (settings, conn), tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "calls.pdf"
        call_sheet_pdf(
            call_rows(conn, compute(conn, settings.cadence, today)), out, settings.paper, today
        )
        data = out.read_bytes()
    return attachment(data, f"calls-{today}.pdf", "application/pdf")


routes = [
    Route("/due", show),
    Route("/due/call", call, methods=["POST"]),
    Route("/due/calls.pdf", call_sheet),
    Route("/due/letters.pdf", letters_pdf),
    Route("/due/mailed", mailed, methods=["POST"]),
]
