"""Letters: each template previewed against a chosen prospect; template errors as the CLI.

Plain `def` endpoints: rendering runs in Starlette's thread pool, off the event loop.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from campaign.errors import CampaignError, worded
from campaign.web.base import page, web
from campaign.web.hints import HINTS


def show(request: Request) -> Response:
    from campaign.actions.preview import first_of_batch, preview
    from campaign.ledger.queries import find_prospect
    from campaign.ledger.search import find_prospects
    from campaign.letters.render import Renderer

    state = web(request)
    today = state.today()
    ref = request.query_params.get("prospect", "").strip()
    letter, prospect, error = None, None, ""
    with state.ledger() as (settings, conn):
        names = Renderer(settings).names()
        name = request.query_params.get("template") or settings.letter
        try:
            _check_name(name)
            if ref:
                prospect = find_prospect(conn, ref)
            else:
                try:
                    prospect = first_of_batch(conn, today)
                except CampaignError:
                    rows, _ = find_prospects(conn, per_page=1)
                    prospect = rows[0] if rows else None
            if prospect is not None:
                letter = preview(conn, settings, prospect, today, name)
        except CampaignError as err:
            error = worded(err, HINTS)
    shown = {"names": names, "name": name, "prospect": prospect, "letter": letter}
    return page(request, "letters.html", title="Letters", error=error, **shown)


def email_html(request: Request) -> Response:
    """The email's HTML exactly as it goes, for the sandboxed preview frame."""
    from campaign.actions.preview import preview
    from campaign.ledger.queries import find_prospect

    state = web(request)
    name = request.query_params.get("template")
    if name is not None:
        _check_name(name)
    with state.ledger() as (settings, conn):
        prospect = find_prospect(conn, str(request.path_params["id"]))
        letter = preview(conn, settings, prospect, state.today(), name)
    return HTMLResponse(letter.html())


def _check_name(name: str) -> None:
    """A template is named, never reached by a path (../../elsewhere/x would read any .md)."""
    from campaign.errors import TemplateError
    from campaign.workspace.checks import template_name_problem

    if why := template_name_problem(name):
        raise TemplateError(why + ".")


routes = [
    Route("/letters", show),
    Route("/preview/email/{id:id}", email_html),
]
