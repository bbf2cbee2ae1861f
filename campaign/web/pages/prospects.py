"""Prospects: the list (searchable, sortable, paginated) and one prospect with its history."""

from __future__ import annotations

import json

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.errors import CampaignError
from campaign.web.base import (
    OUTCOME_NAMES,
    STAGE_NAMES,
    again,
    form,
    kept,
    number,
    off_loop,
    page,
    see,
    sentence,
    web,
)
from campaign.web.base import day as day_of
from campaign.web.hints import HINTS

PER_PAGE = 50
# The next step's kind in a few words (followups/items.py KINDS), for the list's column.
STEP_NAMES = {
    "first-letter": "First letter",
    "answer-reply": "Answer their reply",
    "unknown-send": "Did the email go?",
    "thank-you": "Thank-you note",
    "receipt-check": "Check it arrived",
    "followup-letter-1": "Follow-up letter",
    "followup-letter-2": "Second follow-up letter",
    "follow-up-call": "Follow-up call",
    "article-note": "Note with an article",
    "networking-call": "Progress call",
    "insider-check-in": "Check in",
    "call-back": "Call again",
    "change-approach": "Change approach",
    "meeting-to-log": "Log the meeting",
    "refused": "Find a new address",
    "bounced": "Find a new address",
    "check-reply": "Is it a reply?",
    "draft-unsent": "Send the draft",
}


def listing(request: Request) -> Response:
    from campaign.followups.items import STAGES
    from campaign.ledger.search import SORTS, find_prospects

    query = request.query_params
    text = query.get("q", "")[:200]
    stage = query.get("stage", "")
    stage = stage if stage in STAGES else ""
    sort = query.get("sort", "priority")
    descending = query.get("order") == "desc"
    text_page = query.get("page", "1").strip()
    # A page number is a few digits: 10**30 (or "٣") is page 1, never an overflow.
    number = int(text_page) if text_page.isascii() and text_page.isdigit() else 1
    number = min(max(number, 1), 10**9)
    state = web(request)
    settings = state.settings()
    state.cache.followups(settings, state.today())  # the kept stages are fresh (store.refresh)
    with state.ledger() as (_, conn):
        rows, total = find_prospects(
            conn, text, sort, descending, number, PER_PAGE, stage=stage, stages=STAGES
        )
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
        stage=stage,
        stage_names=STAGE_NAMES,
        step_names=STEP_NAMES,
    )


# One small form per kind of event: what it is called, and the details it asks for.
EVENT_FORMS = {
    "call": ("A phone call", ("outcome", "assistant", "best_time")),
    "reply": ("They replied", ()),
    "answered": ("You answered their reply", ()),
    "received": ("They confirmed the letter arrived", ()),
    "interview": ("An interview or meeting", ("people",)),
    "offer": ("An offer", ()),
    "rejected": ("A rejection", ()),
    "closed": ("The position closed", ()),
    "hired": ("Hired", ()),
    "note": ("A note", ()),
    "contact": ("A networking contact (a progress call every 6 weeks)", ()),
    "insider": ("A warm insider (a check-in every 4 to 6 days)", ()),
    "active": ("Reopen the follow-up", ()),
    "skip": ("Dismiss a follow-up that is due", ("item",)),
}
# What a problem from touches.log is about, by its hint: shown beside that field.
PROBLEM_FIELD = {"people-format": "people", "call-outcome": "outcome", "log-again": "again"}


def one(request: Request) -> Response:
    from campaign.followups.due import standings
    from campaign.followups.items import LABELS, OUTCOMES
    from campaign.followups.touches import EVENTS, SKIPPABLE
    from campaign.ledger.queries import find_prospect
    from campaign.reports.history import history

    state = web(request)
    with state.ledger() as (settings, conn):
        row = find_prospect(conn, str(request.path_params["id"]))
        events = history(conn, row["id"], labels=True)
        standing = standings(conn, settings.cadence, state.today(), ids=[row["id"]]).get(row["id"])
    k = kept(request)
    return page(
        request,
        "prospect.html",
        title=row["company"],
        p=row,
        extras=json.loads(row["extras"]),
        history=events,
        undoable=set(EVENTS),
        forms=EVENT_FORMS,
        outcomes=OUTCOMES,
        outcome_names=OUTCOME_NAMES,
        skippable={kind: LABELS.get(kind, kind) for kind in SKIPPABLE},
        standing=standing,
        stage_names=STAGE_NAMES,
        hints=HINTS,
        logged=request.query_params.get("logged"),
        undone=request.query_params.get("undone"),
        k=k,
        open_form=k.value("event", ""),
    )


async def log_event(request: Request) -> Response:
    """Log one event (a call, a reply, an interview...) for this prospect."""
    data = await form(request)
    return await off_loop(_log_event, request, data)


def _log_event(request: Request, data: FormData) -> Response:
    from campaign.followups.touches import Logged, log
    from campaign.ledger.queries import find_prospect
    from campaign.workspace.settings import parse_date

    state = web(request)
    pid = request.path_params["id"]
    event = str(data.get("event", ""))
    today = state.today()
    here = f"/prospects/{pid}"
    try:
        on = str(data.get("on", "")).strip()
        day = parse_date(on, "the date") if on else today
    except CampaignError:
        return again(request, here, {"on": "that is not a date"}, data, _anchor=f"log-{event}")
    try:
        with state.writes, state.ledger() as (settings, conn):
            row = find_prospect(conn, str(pid))
            entry = Logged(
                event,
                day,
                note=str(data.get("note", "")),
                outcome=str(data.get("outcome", "")) if event == "call" else "",
                assistant=str(data.get("assistant", "")) if event == "call" else "",
                best_time=str(data.get("best_time", "")) if event == "call" else "",
                people=str(data.get("people", "")) if event == "interview" else "",
                item=str(data.get("item", "")) if event == "skip" else "",
                again=data.get("again") == "1",
            )
            log(conn, row, entry, today=today, cadence=settings.cadence)
    except CampaignError as err:
        where = PROBLEM_FIELD.get(err.hint) or ("on" if day > today else "")
        return again(request, here, {where: sentence(err)}, data, _anchor=f"log-{event}")
    said = EVENT_FORMS.get(event, (event,))[0]
    return see(request, here, logged=f"{said}, {day_of(day, today)}")


async def undo(request: Request) -> Response:
    """Undo one logged event: it stays in the history, marked undone, and no longer counts."""
    data = await form(request)
    return await off_loop(_undo, request, number(data, "touch"))


def _undo(request: Request, touch_id: int) -> Response:
    from campaign.followups.touches import undo as undo_touch
    from campaign.ledger.queries import find_prospect

    state = web(request)
    pid = request.path_params["id"]
    today = state.today()
    try:
        with state.writes, state.ledger() as (_, conn):
            row = find_prospect(conn, str(pid))
            touch = undo_touch(conn, row, touch_id, today)
    except CampaignError as err:
        return again(request, f"/prospects/{pid}", {"": sentence(err)}, {}, _anchor="hist-h")
    said = EVENT_FORMS.get(touch["kind"], (touch["kind"],))[0]
    on = day_of(touch["on_date"], today)
    return see(request, f"/prospects/{pid}", undone=f"{said}, {on}", _anchor="hist-h")


routes = [
    Route("/prospects", listing),
    Route("/prospects/{id:id}", one),
    Route("/prospects/{id:id}/log", log_event, methods=["POST"]),
    Route("/prospects/{id:id}/undo", undo, methods=["POST"]),
]
