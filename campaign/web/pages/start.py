"""Start here: the first page when `campaign serve` runs outside any workspace; it makes one.

The folder is the one `campaign serve` was given (--workspace) or ~/campaign: the page says
which, and the user's details go into its campaign.toml as `campaign init` writes them.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.errors import CampaignError
from campaign.web.base import again, form, kept, off_loop, page, see, sentence, web


def show(request: Request) -> Response:
    state = web(request)
    if state.root is not None:
        return see(request, "/")
    return page(
        request,
        "start.html",
        title="Start here",
        folder=str(state.target),
        k=kept(request),
        setup_only=True,
    )


async def make(request: Request) -> Response:
    data = await form(request)
    return await off_loop(_make, request, data)


def _make(request: Request, data: FormData) -> Response:
    from campaign.workspace.editing import detail_problems, one_line
    from campaign.workspace.skeleton import init

    state = web(request)
    with state.writes:
        if state.root is not None:  # a second click, or another tab: it is made already
            return see(request, "/")
        details = details_from(data)
        if problems := detail_problems(details):
            return again(request, "/start", problems, data)
        assert state.target is not None
        try:
            init(
                state.target,
                details.name,
                email=details.email,
                phone=details.phone,
                address=[one_line(x) for x in details.address],
            )
        except CampaignError as err:
            return again(request, "/start", {"": sentence(err)}, data)
        from campaign.ledger.db import connect

        connect(state.target / "campaign.db").close()  # the ledger, private from the start
        state.root = state.target.resolve()
    state.cache.poke()
    return see(request, "/", made="1")


def details_from(data: FormData):
    """The details form's fields as workspace.editing.Details (the address a line each)."""
    from campaign.workspace.editing import Details, one_line

    lines = str(data.get("address", "")).replace("\r", "\n").split("\n")
    return Details(
        one_line(str(data.get("name", ""))),
        one_line(str(data.get("email", ""))),
        one_line(str(data.get("phone", ""))),
        tuple(one_line(x) for x in lines if one_line(x))[:6],
    )


routes = [
    Route("/start", show),
    Route("/start", make, methods=["POST"]),
]
