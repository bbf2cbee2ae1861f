"""This week: the batch (pick it if none), previews, Send, Print and Mark as posted."""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.errors import CampaignError
from campaign.web import runs
from campaign.web.base import (
    NONE_LEFT_SAID,
    again,
    attachment,
    form,
    kept,
    number,
    off_loop,
    page,
    route_path,
    see,
    sentence,
    web,
)


def show(request: Request) -> Response:
    from campaign.letters.batch import iso_week, remaining
    from campaign.mailbox.drafts import unconfirmed
    from campaign.post.printables import earlier_rows
    from campaign.reports.status import batch_progress

    state = web(request)
    with state.ledger() as (settings, conn):
        batch, rows = batch_progress(conn, state.today())
        left = remaining(conn)
        # Earlier weeks' post letters never recorded as posted: Print takes them too.
        earlier = [dict(r) for r in earlier_rows(conn, iso_week(state.today()))]
        drafts = len(unconfirmed(conn)) if settings.imap is None else 0
        waiting = _waiting(conn) if batch is not None else []
    posts_owed = [r for r in rows if r["channel"] == "post" and r["send"] != "sent"]
    # What Send sends: letters not sent yet, or only deferred; a refused address waits for a
    # new one, and a send that may have gone for the user's answer on Due.
    emails_owed = [r for r in rows if r["channel"] == "email" and r["send"] in ("owed", "deferred")]
    unsettled = [r for r in rows if r["channel"] == "email" and r["send"] in ("unknown", "sending")]
    query = request.query_params
    return page(
        request,
        "week.html",
        title="This week",
        batch=batch,
        rows=rows,
        left=left,
        none_left=NONE_LEFT_SAID,
        size=settings.batch_size,
        emails=sum(r["channel"] == "email" for r in rows),
        posts=[r for r in rows if r["channel"] == "post"],
        posts_owed=posts_owed,
        emails_owed=emails_owed,
        finished=bool(rows) and not (posts_owed or emails_owed or unsettled or earlier),
        waiting=waiting,
        earlier=earlier,
        drafts=drafts,
        k=kept(request),
        posted=query.get("posted"),
        already=query.get("already"),
        posted_on=query.get("on"),
        drafts_marked=query.get("drafts"),
        drafts_on=query.get("drafts_on"),
        added=query.get("added"),
        taken_out=query.get("out"),
    )


def _waiting(conn) -> list:
    """The prospects that could join this week's batch, best first (the add box offers them)."""
    from campaign.letters.batch import candidates

    try:
        return candidates(conn, 200)
    except CampaignError:
        return []


async def pick(request: Request) -> Response:
    data = await form(request)
    return await off_loop(_pick, request, number(data, "size"))


def _pick(request: Request, size: int) -> Response:
    from campaign.letters.batch import iso_week
    from campaign.letters.batch import pick as pick_batch

    state = web(request)
    today = state.today()
    with state.writes, state.ledger() as (settings, conn):
        pick_batch(conn, iso_week(today), min(size, 10_000) or settings.batch_size, today)
    return see(request, "/week")


async def confirm(request: Request) -> Response:
    """The Send button: on to the question (a redirect, so Back never posts it again)."""
    data = await form(request)
    return see(request, "/week/send", followups="1" if data.get("followups") == "1" else "")


def ask(request: Request) -> Response:
    """The question before sending: how many, as whom, through which server (a dry run:
    nothing is written, so it is a page to reload or go back to)."""
    return _confirm(request, request.query_params.get("followups") == "1")


def _confirm(request: Request, followups: bool) -> Response:
    from campaign.actions.send import SendRequest, send_owed
    from campaign.email.transport import transport

    state = web(request)
    going: list[dict] = []

    def listed(plan, jobs) -> None:  # who gets what: the page lists each email before it goes
        going.extend(
            {"to": j.letter.to_name, "company": j.prospect["company"], "subject": j.letter.subject}
            for j in jobs
        )

    with state.ledger() as (settings, conn):
        summary = send_owed(
            settings,
            conn,
            state.today(),
            SendRequest(followups=followups, dry_run=True),
            on_plan=listed,
        )
        via = transport(settings, interactive=False).description
        sender = f"{settings.sender_name} <{settings.sender_email}>"
        drafts = settings.smtp is None  # outbox/ files are drafts the user sends
    return page(
        request,
        "send_confirm.html",
        title="Send",
        today_share=summary.would_send if summary.would_send is not None else [],
        held=summary.held,
        refused=summary.refused_before,
        per_day=settings.per_day,
        owed=summary.owed,
        unknown=summary.unknown,
        post=summary.post,
        via=via,
        sender=sender,
        drafts=drafts,
        followups=followups,
        going=going,
    )


async def send(request: Request) -> Response:
    from campaign.actions.send import SendRequest

    data = await form(request)
    followups = data.get("followups") == "1"
    expected = number(data, "expected")
    what = "the follow-ups" if followups else "this week's batch"
    run_id = runs.start(web(request), SendRequest(followups=followups), expected, what)
    return see(request, f"/sending/{run_id}")


def progress(request: Request) -> Response:
    run = web(request).runs.get(request.path_params["run"])
    if run is None:
        raise HTTPException(404)
    return page(
        request, "sending.html", title="Sending", run=run, running=not run.finished.is_set()
    )


def letters_pdf(request: Request) -> Response:
    """Print: this week's post letters (or the follow-ups due by post) as one PDF."""
    return _pdf(request, followups=route_path(request).startswith("/due/"))


def one_letter_pdf(request: Request) -> Response:
    """One prospect's letter of this week's batch, as it will be printed."""
    return _pdf(request, only=request.path_params["prospect"], all_channels=True)


def extras_pdf(request: Request) -> Response:
    """The envelopes or address labels for this week's post letters."""
    return _pdf(request, extra=route_path(request).removeprefix("/week/").removesuffix(".pdf"))


def _pdf(
    request: Request,
    followups=False,
    only: int | None = None,
    all_channels=False,
    extra: str = "",
):
    from campaign.actions.printing import leave_out_posted, print_letters, printables
    from campaign.letters.batch import iso_week

    state = web(request)
    today = state.today()
    week = iso_week(today)
    with state.ledger() as (settings, conn):
        items = printables(
            conn, settings, today, week, None, all_channels, followups, earlier=not followups
        )
        items = [i for i in items if only is None or i.prospect["id"] == only]
        # One letter asked for by name prints even if posted (the CLI's --again); the week's
        # PDF leaves out those already posted, as `campaign print` does.
        items, posted = leave_out_posted(conn, items, again=only is not None)
        if not items and posted:
            raise HTTPException(
                404, "Nothing to print: every letter for the post is recorded as posted."
            )
        if not items:
            raise HTTPException(404, "No letters to print: none of them goes by post.")
        with tempfile.TemporaryDirectory(prefix="campaign-print-") as folder:
            out = Path(folder) / "letters.pdf"
            extra_out = Path(folder) / f"{extra}.pdf"
            print_letters(
                settings,
                items,
                today,
                out,
                envelopes=extra_out if extra == "envelopes" else None,
                labels=extra_out if extra == "labels" else None,
            )
            data = (extra_out if extra else out).read_bytes()
    name = f"followups-{today}.pdf" if followups else f"letters-{week}.pdf"
    if only is not None:
        name = f"letter-{only}-{week}.pdf"
    if extra:
        name = f"{extra}-{week}.pdf"
    return attachment(data, name, "application/pdf")


def ask_posted(request: Request) -> Response:
    """Mark as posted, first step: which letters, and on what day they went in the post."""
    from campaign.actions.printing import printables
    from campaign.letters.batch import iso_week

    state = web(request)
    today = state.today()
    followups = route_path(request).startswith("/due/")
    with state.ledger() as (settings, conn):
        items = printables(
            conn, settings, today, iso_week(today), None, False, followups, earlier=not followups
        )
    k = kept(request)
    return page(
        request,
        "posted.html",
        title="Mark as posted",
        items=items,
        followups=followups,
        k=k,
        on=k.value("on", today.isoformat()),
    )


async def mailed(request: Request) -> Response:
    """Mark as posted: records the printed letters as sent on the day given, each once."""
    data = await form(request)
    return await off_loop(_mailed, request, data)


def _mailed(request: Request, data: FormData) -> Response:
    from campaign.actions.printing import posting_day, record_posted
    from campaign.letters.batch import iso_week
    from campaign.workspace.settings import parse_date

    state = web(request)
    today = state.today()
    followups = data.get("followups") == "1"
    notes = followups and data.get("notes") == "1"
    back = "/due" if followups else "/week"
    try:
        on = posting_day(parse_date(str(data.get("on", "")), "the posting date"), today)
    except CampaignError as err:
        if notes:  # said beside the notes' own day, on Due
            return again(request, "/due", {"notes_on": sentence(err)}, data, _anchor="notes")
        return again(request, back + "/posted", {"on": sentence(err)}, data)
    with state.writes, state.ledger() as (settings, conn):
        posted = record_posted(
            conn,
            settings,
            today,
            iso_week(today),
            on,
            followups=followups,
            earlier=True,
            # What the page listed: the printed letters, or (from Due) the notes written by hand.
            channels=("note",) if notes else ("post",),
        )
    if notes:
        return see(request, back, notes=posted.added, on=on.isoformat())
    return see(request, back, posted=posted.added, already=posted.already, on=on.isoformat())


async def drafts_sent(request: Request) -> Response:
    """The outbox drafts were sent from the user's mail program on a day: record that."""
    data = await form(request)
    return await off_loop(_drafts_sent, request, data)


def _drafts_sent(request: Request, data: FormData) -> Response:
    from campaign.mailbox.drafts import mark_sent
    from campaign.workspace.settings import parse_date

    state = web(request)
    today = state.today()
    try:
        on = parse_date(str(data.get("on", "")), "the day they went")
        with state.writes, state.ledger() as (_, conn):
            marked = mark_sent(conn, on, today)
    except CampaignError as err:
        return again(request, "/week", {"drafts_on": sentence(err)}, data, _anchor="drafts")
    return see(request, "/week", drafts=marked.marked, drafts_on=on.isoformat())


async def take_out(request: Request) -> Response:
    """Take a prospect out of this week's batch before their first letter goes."""
    data = await form(request)
    return await off_loop(_change, request, data, "out")


async def add(request: Request) -> Response:
    """Add a prospect (by name, company, email or number) to this week's batch."""
    data = await form(request)
    return await off_loop(_change, request, data, "add")


def _change(request: Request, data: FormData, how: str) -> Response:
    from campaign.actions.batch import change_batch
    from campaign.ledger.queries import find_prospect
    from campaign.letters.batch import iso_week

    state = web(request)
    week = iso_week(state.today())
    # A problem adding is said beside the box; one taking out, above the list.
    field = "who" if how == "add" else "batch"
    try:
        with state.writes, state.ledger() as (settings, conn):
            prospect = find_prospect(conn, str(data.get("prospect", data.get("who", ""))))
            change_batch(conn, settings.root, week, prospect, adding=how == "add")
    except CampaignError as err:
        return again(request, "/week", {field: sentence(err)}, data, _anchor="batch-change")
    said = prospect["company"]
    return see(request, "/week", added=said) if how == "add" else see(request, "/week", out=said)


routes = [
    Route("/week", show),
    Route("/week/out", take_out, methods=["POST"]),
    Route("/week/add", add, methods=["POST"]),
    Route("/week/pick", pick, methods=["POST"]),
    Route("/week/send", confirm, methods=["POST"]),
    Route("/week/send", ask),
    Route("/week/send/go", send, methods=["POST"]),
    Route("/sending/{run:str}", progress),
    Route("/week/letters.pdf", letters_pdf),
    Route("/week/letter/{prospect:id}.pdf", one_letter_pdf),
    Route("/week/envelopes.pdf", extras_pdf),
    Route("/week/labels.pdf", extras_pdf),
    Route("/week/posted", ask_posted),
    Route("/week/mailed", mailed, methods=["POST"]),
    Route("/week/drafts", drafts_sent, methods=["POST"]),
    Route("/due/letters.pdf", letters_pdf),
    Route("/due/posted", ask_posted),
    Route("/due/mailed", mailed, methods=["POST"]),
]
