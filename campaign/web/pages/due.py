"""Due: today's follow-ups grouped as `campaign due` groups them; call outcomes in one click.

The ledger, the inbox and the PDFs are worked in threads (plain `def` endpoints, or off_loop
after the form is read), never on the event loop: a slow mail server holds up no other page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.web.base import (
    OUTCOME_NAMES,
    attachment,
    form,
    kept,
    number,
    off_loop,
    page,
    see,
    web,
)
from campaign.web.hints import HINTS


def show(request: Request) -> Response:
    from campaign.followups.items import KINDS
    from campaign.ledger.queries import phone_book

    state = web(request)
    today = state.today()
    settings = state.settings()
    items = state.cache.followups(settings, today)
    with state.ledger() as (_, conn):  # what a call needs at hand: the number, when to call
        phones = phone_book(conn, (i.prospect_id for i in items if i.channel == "call"))
    groups = []
    # Notes written by hand are listed apart: nothing of them is printed or emailed.
    notes = [i for i in items if i.channel == "note"]
    for kind, (heading, _) in KINDS.items():
        group = [i for i in items if i.kind == kind and i.channel != "note"]
        if group:
            groups.append((heading, group))
    return page(
        request,
        "due.html",
        title="Due",
        groups=groups,
        emails=sum(i.channel == "email" and bool(i.template) for i in items),
        posts=sum(i.channel == "post" and bool(i.template) for i in items),
        notes=notes,
        outcomes=OUTCOME_NAMES,
        phones=phones,
        posted=request.query_params.get("posted"),
        notes_recorded=request.query_params.get("notes"),
        k=kept(request),
        logged=request.query_params.get("logged"),
        resolved=request.query_params.get("resolved"),
        synced=request.query_params.get("synced"),
        has_inbox=settings.imap is not None,
        hints=HINTS,
    )


async def call(request: Request) -> Response:
    """One call outcome (with its note, best time and assistant), logged today."""
    data = await form(request)
    return await off_loop(_call, request, data)


def _call(request: Request, data: FormData) -> Response:
    from campaign.followups.touches import Logged, log
    from campaign.ledger.queries import find_prospect

    state = web(request)
    with state.writes, state.ledger() as (_, conn):
        row = find_prospect(conn, str(data.get("prospect", "")))
        entry = Logged(
            "call",
            state.today(),
            note=str(data.get("note", "")),
            outcome=str(data.get("outcome", "")),
            assistant=str(data.get("assistant", "")),
            best_time=str(data.get("best_time", "")),
        )
        log(conn, row, entry, today=state.today())
    return see(
        request,
        "/due",
        logged=f"{OUTCOME_NAMES.get(str(data.get('outcome')), '')}: {row['company']}",
    )


async def unknown(request: Request) -> Response:
    """A send a stopped run left unknown: it went (recorded as sent) or not (owed again)."""
    data = await form(request)
    return await off_loop(_unknown, request, data)


def _unknown(request: Request, data: FormData) -> Response:
    from campaign.actions.unknown import resolve

    went = data.get("went") == "1"
    state = web(request)
    with state.writes, state.ledger() as (settings, conn):
        resolve(conn, settings.root, [number(data, "send")], went=went)
    return see(request, "/due", resolved="sent" if went else "owed again")


async def read_inbox(request: Request) -> Response:
    """What `campaign sync` does: replies, automatic replies and bounces from the inbox."""
    await form(request)
    return await off_loop(_read_inbox, request)


def _read_inbox(request: Request) -> Response:
    from campaign.mailbox.sync import run
    from campaign.util.text import plural

    state = web(request)
    with state.inbox, state.ledger() as (settings, conn):
        result, _ = run(settings, conn, state.today(), interactive=False)
    data = result.as_dict()
    found = [
        plural(data[key], one, many)
        for key, one, many in (
            ("replies", "reply", "replies"),
            ("auto_replies", "automatic reply", "automatic replies"),
            ("bounces", "bounce", "bounces"),
            ("possible_replies", "possible reply", "possible replies"),
        )
        if data[key]
    ]
    said = f"Read {plural(data['scanned'], 'new message')}: " + (
        ", ".join(found) if found else "no reply, automatic reply or bounce among them"
    )
    if data["replies"] or data["possible_replies"]:
        said += "; each is on the list below, with who wrote and what"
    if result.unreadable:
        said += f"; {plural(len(result.unreadable), 'message')} could not be read"
    return see(request, "/due", synced=said)


def call_sheet(request: Request) -> Response:
    from campaign.actions.exports import call_sheet as sheet

    state = web(request)
    today = state.today()
    with state.ledger() as (settings, conn), tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "calls.pdf"
        made = sheet(conn, settings, today, out=out)
        if not made.files:
            raise HTTPException(404, "No calls are due today: there is no call sheet to print.")
        data = out.read_bytes()
    return attachment(data, f"calls-{today}.pdf", "application/pdf")


routes = [
    Route("/due", show),
    Route("/due/call", call, methods=["POST"]),
    Route("/due/unknown", unknown, methods=["POST"]),
    Route("/due/inbox", read_inbox, methods=["POST"]),
    Route("/due/calls.pdf", call_sheet),
]
