"""This week: the batch (pick it if none), previews, Send, Print and Mark as posted."""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.web import runs
from campaign.web.base import (
    NONE_LEFT_SAID,
    attachment,
    form,
    number,
    off_loop,
    page,
    route_path,
    see,
    web,
)


def show(request: Request) -> Response:
    from campaign.letters.batch import iso_week, remaining
    from campaign.post.printables import earlier_rows
    from campaign.reports.status import batch_progress

    state = web(request)
    with state.ledger() as (settings, conn):
        batch, rows = batch_progress(conn, state.today())
        left = remaining(conn)
        # Earlier weeks' post letters never recorded as posted: Print takes them too.
        earlier = [dict(r) for r in earlier_rows(conn, iso_week(state.today()))]
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
        # Letters already recorded as posted are not printed again (a second copy would reach
        # the employer): the same rule as `campaign print`.
        posts=[r for r in rows if r["channel"] == "post" and r["send"] != "sent"],
        posted=sum(r["channel"] == "post" and r["send"] == "sent" for r in rows),
        earlier=earlier,
    )


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
    """The question before sending: how many, as whom, through which server."""
    data = await form(request)
    return await off_loop(_confirm, request, data.get("followups") == "1")


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
        items, _ = leave_out_posted(conn, items, again=only is not None)
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


async def mailed(request: Request) -> Response:
    """Mark as posted: records the printed letters as sent today, each once."""
    data = await form(request)
    return await off_loop(_mailed, request, data.get("followups") == "1")


def _mailed(request: Request, followups: bool) -> Response:
    from campaign.actions.printing import record_posted
    from campaign.letters.batch import iso_week

    state = web(request)
    today = state.today()
    with state.writes, state.ledger() as (settings, conn):
        posted = record_posted(
            conn, settings, today, iso_week(today), today, followups=followups, earlier=True
        )
    back = "/due" if followups else "/week"
    return see(request, back, posted=posted.added, already=posted.already)


routes = [
    Route("/week", show),
    Route("/week/pick", pick, methods=["POST"]),
    Route("/week/send", confirm, methods=["POST"]),
    Route("/week/send/go", send, methods=["POST"]),
    Route("/sending/{run:str}", progress),
    Route("/week/letters.pdf", letters_pdf),
    Route("/week/letter/{prospect:id}.pdf", one_letter_pdf),
    Route("/week/envelopes.pdf", extras_pdf),
    Route("/week/labels.pdf", extras_pdf),
    Route("/week/mailed", mailed, methods=["POST"]),
    Route("/due/letters.pdf", letters_pdf),
    Route("/due/mailed", mailed, methods=["POST"]),
]
