"""The Starlette app: the token, Host and same-origin guards, and what every page shares.

Security (issue 12): every request needs the token (from the URL once, then an HttpOnly,
SameSite=Strict cookie); the Host header must be 127.0.0.1 or localhost at our port (DNS
rebinding); a state change is a POST carrying the CSRF token from an Origin of ours; no
script runs on any page (the Content-Security-Policy forbids them all).
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from campaign.errors import CampaignError, worded
from campaign.web.base import HERE, MAX_UPLOAD, Web, page, templates
from campaign.web.hints import HINTS

COOKIE = "campaign_token"
PUBLIC = ("/static/style.css", "/static/icon.svg")  # hold nothing of the user's
CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The email preview is framed by our own page; its inline styles are the email's own.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def _refused(request: Request, status: int, message: str) -> Response:
    return templates.TemplateResponse(
        request, "refused.html", {"message": message}, status_code=status
    )


class Guard:
    """ASGI middleware: Host, token, method and Origin checks, and the security headers."""

    def __init__(self, app, state: Web):
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        state = self.state
        response = self.check(request)
        if response is None:
            started = time.perf_counter()

            async def send_with_headers(message):
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    names = {k.lower() for k, _ in headers}
                    for key, value in _security_headers(request.url.path):
                        if key.encode() not in names:
                            headers.append((key.encode(), value.encode()))
                    # The page's own cost, for bench/bench_web.py and the browser's dev tools.
                    spent = (time.perf_counter() - started) * 1000
                    headers.append((b"server-timing", f"app;dur={spent:.1f}".encode()))
                    message["headers"] = headers
                await send(message)

            try:
                return await self.app(scope, _limited(receive), send_with_headers)
            finally:
                if request.method == "POST":
                    state.cache.poke()  # a form may have changed the ledger: warm again
        for key, value in _security_headers(request.url.path):
            response.headers.setdefault(key, value)
        return await response(scope, receive, send)

    def check(self, request: Request) -> Response | None:
        state = self.state
        host = request.headers.get("host", "")
        if host not in state.hosts:
            return Response(
                "campaign serve answers only at 127.0.0.1 or localhost.\n",
                status_code=403,
                media_type="text/plain",
            )
        if request.url.path in PUBLIC and request.method in ("GET", "HEAD"):
            return None  # public, holds nothing of the user's: so the 403 page is styled too
        given = request.query_params.get("token")
        if given is not None and request.method == "GET":
            if not secrets.compare_digest(given, state.token):
                return _refused(request, 403, "This link's access token is wrong.")
            # Take the token out of the address bar (and history) once it is in the cookie.
            query = urlencode(
                [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            )
            target = request.url.path + (f"?{query}" if query else "")
            response = RedirectResponse(target, status_code=303)
            # Cookies are not kept apart by port: one name per port, so another local server
            # never receives this token, and two `campaign serve` never overwrite each other's.
            response.set_cookie(
                f"{COOKIE}_{state.port}", state.token, httponly=True, samesite="strict", path="/"
            )
            return response
        if not secrets.compare_digest(
            request.cookies.get(f"{COOKIE}_{state.port}", ""), state.token
        ):
            return _refused(
                request, 403, "Open the link that `campaign serve` printed in your terminal."
            )
        if request.method not in ("GET", "HEAD", "POST"):
            return Response("Method not allowed.\n", status_code=405, media_type="text/plain")
        if request.method == "POST":
            origin = request.headers.get("origin") or _origin_of(request.headers.get("referer"))
            if origin != f"http://{host}":
                return _refused(request, 403, "A change must come from this app's own pages.")
            length = request.headers.get("content-length") or "0"
            if not length.isdigit():
                return _refused(request, 400, "The request was malformed; send the form again.")
            if int(length) > MAX_UPLOAD + 65536:
                return _refused(request, 413, "That file is larger than 20 MB.")
        return None


def _limited(receive):
    """The request body, cut off past the upload limit even when no Content-Length said so."""
    seen = 0

    async def receive_limited():
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


def _security_headers(path: str) -> list[tuple[str, str]]:
    framed = path.startswith("/preview/")
    return [
        ("content-security-policy", PREVIEW_CSP if framed else CSP),
        ("x-frame-options", "SAMEORIGIN" if framed else "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ]


async def _campaign_error(request: Request, err: Exception) -> Response:
    message = worded(err, HINTS) if isinstance(err, CampaignError) else str(err)
    return page(request, "error.html", 400, title="Problem", message=message)


async def _http_error(request: Request, err: HTTPException) -> Response:
    message = "No such page." if err.status_code == 404 else err.detail
    return page(request, "error.html", err.status_code, title="Problem", message=message)


def create_app(root: Path, today: str | None, token: str, port: int) -> Starlette:
    """The app for the workspace at `root`; `port` is the one the Host header must name."""
    from campaign.web.pages import dashboard, due, importer, letters, prospects, week

    state = Web(root=root, today_arg=today, token=token, port=port)
    routes = [
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
            HTTPException: _http_error,
        },
    )
    app.state.web = state
    app.add_middleware(Guard, state=state)
    return app
