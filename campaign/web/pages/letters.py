"""Letters: each template written in the browser, previewed against any prospect (the email, or
the printed page for one reached by post), checked and saved to templates/.

A preview of text not saved yet keeps the text with the page (base.again), so the page shows
it after its redirect; the email frame and the PDF link name it the same way.
Plain `def` endpoints: rendering runs in Starlette's thread pool, off the event loop.
"""

from __future__ import annotations

import sqlite3

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from campaign.errors import CampaignError
from campaign.followups.items import LETTERS
from campaign.web.base import (
    again,
    attachment,
    form,
    kept,
    off_loop,
    page,
    see,
    sentence,
    web,
)


def _prospect(conn: sqlite3.Connection, ref: str, today) -> sqlite3.Row | None:
    """The prospect named, else the first of this week's batch, else the first on the list."""
    from campaign.actions.preview import first_of_batch
    from campaign.ledger.queries import find_prospect
    from campaign.ledger.search import find_prospects

    if ref:
        return find_prospect(conn, ref)
    try:
        return first_of_batch(conn, today)
    except CampaignError:
        rows, _ = find_prospects(conn, per_page=1)
        return rows[0] if rows else None


def show(request: Request) -> Response:
    from campaign.actions.drafting import fields_available, render_draft
    from campaign.actions.preview import as_printed
    from campaign.letters.render import Renderer

    state = web(request)
    today = state.today()
    k = kept(request)
    query = request.query_params
    ref = str(k.value("prospect", query.get("prospect", ""))).strip()
    letter, prospect, error, source, example = None, None, "", "", ""
    with state.ledger() as (settings, conn):
        renderer = Renderer(settings, examples_ok=True)
        # In the order they go out; a letter the user added after them.
        order = list(LETTERS)
        names = sorted(renderer.names(), key=lambda n: (order.index(n) if n in order else 99, n))
        name = str(k.value("template", query.get("template") or settings.letter))
        _check_name(name)
        path = settings.templates / f"{name}.md"
        saved = path.read_text(encoding="utf-8") if path.is_file() else ""
        source = str(k.value("text", saved)).replace("\r\n", "\n")
        draft = source if source.rstrip("\n") != saved.rstrip("\n") else None
        example = _example_of(source)
        try:
            prospect = _prospect(conn, ref, today)
        except CampaignError as err:
            k.problems.setdefault("prospect", sentence(err))
        # "" (the default): as this prospect is reached, so a preview for another prospect
        # never keeps the previous one's way of reaching them.
        chosen = str(k.value("as", query.get("as", "")))
        chosen = chosen if chosen in ("email", "post") else ""
        channel = chosen
        if prospect is not None:
            channel = chosen or ("email" if prospect["email"] else "post")
            try:
                letter = render_draft(conn, settings, prospect, today, name, draft)
                if letter.blanks:  # sent and printed only once the field is filled
                    error = f"Held back for this prospect: {letter.held_because()}."
            except CampaignError as err:
                k.problems.setdefault("text", sentence(err))
        printed = (
            as_printed(settings, prospect, letter, today) if letter and channel == "post" else ""
        )
        fields = fields_available(settings, prospect)
    return page(
        request,
        "letters.html",
        title="Letters",
        names=names,
        name=name,
        prospect=prospect,
        letter=letter,
        printed=printed,
        channel=channel,
        chosen=chosen,
        error=error,
        source=source,
        unsaved=draft is not None,
        example=example,
        fields=fields,
        k=k,
        kept_id=query.get("kept", "") if draft is not None else "",
        saved=query.get("saved"),
    )


def _example_of(text: str) -> str:
    """The letter's `example:` line's note (in its front matter), while it is still the
    shipped example."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return ""
    for line in lines[1:]:
        if line.strip() == "---":
            break
        if line.lower().startswith("example:"):
            return line.split(":", 1)[1].strip()
    return ""


async def preview_draft(request: Request) -> Response:
    """Preview the text as typed (nothing saved): the page again, showing it."""
    data = await form(request)
    return again(request, "/letters", {}, data, _anchor="preview")


async def save(request: Request) -> Response:
    data = await form(request)
    return await off_loop(_save, request, data)


def _save(request: Request, data: FormData) -> Response:
    from campaign.actions.drafting import save_letter
    from campaign.workspace.files import without_example

    state = web(request)
    today = state.today()
    name = str(data.get("template", ""))
    text = str(data.get("text", ""))
    if data.get("example") == "remove":
        text = without_example(text)
    try:
        _check_name(name)
        with state.writes, state.ledger() as (settings, conn):
            prospect = _prospect(conn, str(data.get("prospect", "")).strip(), today)
            save_letter(conn, settings, prospect, today, name, text)
    except CampaignError as err:
        return again(request, "/letters", {"text": sentence(err)}, {**data, "text": text})
    return see(
        request,
        "/letters",
        template=name,
        prospect=str(data.get("prospect", "")),
        saved="example" if data.get("example") == "remove" else "1",
        _anchor="editor",
    )


def _draft_letter(request: Request):
    """(settings, prospect, letter) for the frame and the PDF: the saved letter, or the text
    kept with ?kept=."""
    from campaign.actions.drafting import render_draft
    from campaign.ledger.queries import find_prospect

    state = web(request)
    k = kept(request)
    name = str(k.value("template", request.query_params.get("template", "")))
    text = k.values.get("text")
    _check_name(name)
    with state.ledger() as (settings, conn):
        prospect = find_prospect(conn, str(request.path_params["id"]))
        letter = render_draft(
            conn, settings, prospect, state.today(), name or settings.letter, text
        )
    return settings, prospect, letter


def email_html(request: Request) -> Response:
    """The email's HTML exactly as it goes, for the sandboxed preview frame."""
    _, _, letter = _draft_letter(request)
    return HTMLResponse(letter.html())


def letter_pdf(request: Request) -> Response:
    """The letter as it prints for this prospect (a PDF to look at: nothing is recorded)."""
    from campaign.actions.drafting import letter_pdf as make

    settings, prospect, letter = _draft_letter(request)
    data = make(settings, prospect, letter, web(request).today())
    return attachment(data, f"letter-{prospect['id']}.pdf", "application/pdf")


def _check_name(name: str) -> None:
    """A template is named, never reached by a path (../../elsewhere/x would read any .md)."""
    from campaign.errors import TemplateError
    from campaign.workspace.checks import template_name_problem

    if name and (why := template_name_problem(name)):
        raise TemplateError(why + ".")


routes = [
    Route("/letters", show),
    Route("/letters/preview", preview_draft, methods=["POST"]),
    Route("/letters/save", save, methods=["POST"]),
    Route("/letters/{id:id}.pdf", letter_pdf),
    Route("/preview/email/{id:id}", email_html),
]
