"""The Starlette app: the secret path and token, Host and same-origin guards, the routes.

Security: every page lives under a random path /<scope>/ and needs the token, which arrives
once in a POST from the link file `campaign serve` wrote and then lives in an HttpOnly,
SameSite=Strict cookie scoped to that path, so no other local server is ever sent it (see
access.py). The Host header must be 127.0.0.1 or localhost at our port (DNS rebinding); a
state change is a POST carrying the CSRF token from an Origin of ours; no script runs on any
page (the Content-Security-Policy forbids them all).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign.errors import CampaignError, NotFound
from campaign.web.access import COOKIE, Access
from campaign.web.base import HERE, MAX_UPLOAD, Web, page, route_path, said_on_a_page, templates

PUBLIC = ("/static/style.css", "/static/icon.svg")  # hold nothing of the user's
CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The email preview is framed by our own page; its inline styles are the email's own.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
MAX_LOGIN = 4096  # the link file's form: the token and nothing else
OPEN_AGAIN = (
    "Open campaign from the link file `campaign serve` printed in your terminal (a page only "
    "you can read), or start it again with `campaign serve`."
)


def _refused(request: Request, status: int, message: str) -> Response:
    return templates.TemplateResponse(
        request, "refused.html", {"message": message}, status_code=status
    )


class Guard:
    """ASGI middleware: Host, path, token, method and Origin checks; the security headers."""

    def __init__(self, app: ASGIApp, state: Web):
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        state = self.state
        try:
            response = await self.check(request)
        except UnicodeError:  # a header a browser never sends: not a 500
            response = _refused(request, 400, "The request was malformed.")
        if response is None:
            started = time.perf_counter()
            framed = route_path(request).startswith("/preview/")

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    names = {k.lower() for k, _ in headers}
                    for key, value in _security_headers(framed):
                        if key.encode() not in names:
                            headers.append((key.encode(), value.encode()))
                    # The page's own cost, for bench/bench_web.py and the browser's dev tools.
                    spent = (time.perf_counter() - started) * 1000
                    headers.append((b"server-timing", f"app;dur={spent:.1f}".encode()))
                    message["headers"] = headers
                await send(message)

            try:
                return await self.app(scope, _limited(receive), send_with_headers)
            except ClientDisconnect:
                return None  # it went, or protocol.py cut it off: nobody to answer or log
            finally:
                if request.method == "POST":
                    state.cache.poke()  # a form may have changed the ledger: warm again
        for key, value in _security_headers(False):
            response.headers.setdefault(key, value)
        return await response(scope, receive, send)

    async def check(self, request: Request) -> Response | None:
        """None to let the request through (its scope's root_path set to /<scope>)."""
        access = self.state.access
        host = request.headers.get("host", "")
        if host not in self.state.hosts:
            return Response(
                "campaign serve answers only at 127.0.0.1 or localhost.\n",
                status_code=403,
                media_type="text/plain",
            )
        path = request.scope["path"]
        if path in PUBLIC and request.method in ("GET", "HEAD"):
            return None  # public, holds nothing of the user's: so the 403 page is styled too
        if not (path == access.prefix or path.startswith(access.prefix + "/")):
            return _refused(request, 403, OPEN_AGAIN)
        route = path[len(access.prefix) :]
        if route == "/open" and request.method == "POST":
            return await self.open(request)
        if route == "/welcome" and request.method == "GET":
            return templates.TemplateResponse(request, "welcome.html", {"base": access.prefix})
        if not access.is_token(request.cookies.get(COOKIE, "")):
            return _refused(request, 403, OPEN_AGAIN)
        if route == "":
            return RedirectResponse(access.prefix + "/", status_code=303)
        if request.method not in ("GET", "HEAD", "POST"):
            return Response("Method not allowed.\n", status_code=405, media_type="text/plain")
        if request.method == "POST":
            origin = request.headers.get("origin") or _origin_of(request.headers.get("referer"))
            if origin != f"http://{host}":
                return _refused(request, 403, "A change must come from this app's own pages.")
            length = request.headers.get("content-length") or "0"
            if not (length.isascii() and length.isdigit()):
                return _refused(request, 400, "The request was malformed; send the form again.")
            if int(length) > MAX_UPLOAD + 65536:
                return _refused(request, 413, "That file is larger than 20 MB.")
        request.scope["root_path"] = access.prefix  # the routes see /week, not /<scope>/week
        if self.state.root is None and route != "/start" and not route.startswith("/static/"):
            return RedirectResponse(access.prefix + "/start", status_code=303)
        return None

    async def open(self, request: Request) -> Response:
        """The link file's POST: the token, once, for the cookie; then on to the dashboard.

        No Origin check: the form comes from a local file (Origin: null), and a page that
        does not know the token gains nothing by posting here.
        """
        access = self.state.access
        length = request.headers.get("content-length") or ""
        if not (length.isascii() and length.isdigit()) or int(length) > MAX_LOGIN:
            return _refused(request, 400, OPEN_AGAIN)
        data = await request.form(max_files=0, max_fields=4)
        if not access.is_token(str(data.get("token", ""))):
            return _refused(request, 403, "This link is out of date. " + OPEN_AGAIN)
        response = RedirectResponse(access.prefix + "/welcome", status_code=303)
        response.set_cookie(**access.cookie())
        return response


def _limited(receive: Receive) -> Receive:
    """The request body, cut off past the upload limit even when no Content-Length said so."""
    seen = 0

    async def receive_limited() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_UPLOAD + 65536:
            raise HTTPException(413, "That file is larger than 20 MB.")
        return message

    return receive_limited


def _origin_of(url: str | None) -> str | None:
    if not url:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _security_headers(framed: bool) -> list[tuple[str, str]]:
    return [
        ("content-security-policy", PREVIEW_CSP if framed else CSP),
        ("x-frame-options", "SAMEORIGIN" if framed else "DENY"),
        ("x-content-type-options", "nosniff"),
        # No page's address (it holds the secret path) goes to another site in a Referer.
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ]


async def _campaign_error(request: Request, err: Exception) -> Response:
    message = said_on_a_page(err) if isinstance(err, CampaignError) else str(err)
    status = 404 if isinstance(err, NotFound) else 400  # no such prospect: no such page
    return page(request, "error.html", status, title="Problem", message=message)


async def _damaged(request: Request, err: Exception) -> Response:
    """A damaged page in campaign.db ("database disk image is malformed"): said, not a 500."""
    if type(err) is not sqlite3.DatabaseError:
        raise err  # an IntegrityError or ProgrammingError is a bug to see in full
    message = (
        f"The ledger campaign.db is damaged ({err}); nothing was changed. Restore it from a backup."
    )
    return page(request, "error.html", 503, title="Problem", message=message)


async def _http_error(request: Request, err: Exception) -> Response:
    assert isinstance(err, HTTPException)
    # A page's own words where it gave them ("Nothing to print: ..."), else the plain ones.
    plain = err.status_code == 404 and err.detail == "Not Found"
    message = "No such page." if plain else err.detail
    return page(request, "error.html", err.status_code, title="Problem", message=message)


def create_app(
    root: Path | None, today: str | None, access: Access, target: Path | None = None
) -> Starlette:
    """The app for the workspace at `root` (None: the first page makes one at `target`);
    `access.port` is the one Host must name."""
    from campaign.web.pages import dashboard, due, importer, letters, prospects, setup, start, week

    state = Web(root=root, today_arg=today, access=access, target=target)
    routes = [
        *start.routes,
        *setup.routes,
        *dashboard.routes,
        *importer.routes,
        *week.routes,
        *due.routes,
        *prospects.routes,
        *letters.routes,
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=[r for r in routes if isinstance(r, Route | Mount)],
        exception_handlers={
            CampaignError: _campaign_error,
            sqlite3.OperationalError: _campaign_error,
            sqlite3.DatabaseError: _damaged,
            HTTPException: _http_error,
        },
    )
    app.state.web = state
    app.add_middleware(Guard, state=state)
    return app
