"""What every page shares: the server's state, the page layout, forms, redirects, downloads."""

from __future__ import annotations

import contextlib
import re
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import markupsafe
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from campaign.errors import CampaignError, worded
from campaign.letters.batch import NONE_LEFT
from campaign.util.text import plural
from campaign.web.cache import LedgerCache
from campaign.web.hints import HINTS

HERE = Path(__file__).resolve().parent
MAX_UPLOAD = 20 * 1024 * 1024
# A call's outcome in words (`campaign log` takes the short names).
OUTCOME_NAMES = {
    "no-answer": "No answer",
    "left-message": "Left message",
    "spoke": "Spoke",
    "assistant": "Assistant",
    "meeting-set": "Meeting set",
}
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, auto_reload=False
    )
)


def _whole_dates(text) -> markupsafe.Markup:
    """`text` escaped, each 2026-12-21 in it kept on one line (browsers break after a hyphen)."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(
        re.sub(r"\b\d{4}-\d{2}-\d{2}\b", r'<span class="nowrap">\g<0></span>', escaped)
    )


templates.env.filters["whole_dates"] = _whole_dates
templates.env.filters["plural"] = plural  # {{ n|plural("letter") }}: "1 letter", "2 letters"


@dataclass
class Web:
    """What the server was started with, and what lives as long as it does."""

    root: Path
    today_arg: str | None
    token: str
    port: int
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    uploads: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="campaign-up-")))
    runs: dict = field(default_factory=dict)  # sending runs by id (see web/sending.py)
    cache: LedgerCache = field(default_factory=LedgerCache)  # see cache.py

    @property
    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    def settings(self):
        from campaign.workspace.settings import load

        return load(self.root)

    def today(self):
        from campaign.workspace.settings import today

        return today(self.today_arg)

    @contextlib.contextmanager
    def ledger(self) -> Iterator[tuple[object, sqlite3.Connection]]:
        """(settings, connection) for one request: campaign.toml is read afresh each time."""
        from campaign.ledger.db import connect

        settings = self.settings()
        conn = connect(settings.ledger_path)
        try:
            yield settings, conn
        finally:
            conn.close()


def web(request: Request) -> Web:
    return request.app.state.web


def page(request: Request, name: str, status_code: int = 200, /, **context) -> Response:
    """A page from templates/, with what the layout needs."""
    state = web(request)
    context.setdefault("title", "")
    return templates.TemplateResponse(
        request,
        name,
        {"csrf": state.csrf, "today": state.today(), "path": request.url.path, **context},
        status_code=status_code,
    )


async def form(request: Request):
    """The POSTed form, once its CSRF token is checked (every state change goes through here)."""
    data = await request.form(max_files=1, max_fields=200, max_part_size=MAX_UPLOAD)
    if not secrets.compare_digest(str(data.get("csrf", "")), web(request).csrf):
        raise HTTPException(403, "This form has expired or did not come from this app: reload.")
    return data


def number(data, key: str) -> int:
    """A whole number from a form field; 0 when it is missing or not a number."""
    try:
        return int(str(data.get(key, "")).strip() or 0)
    except ValueError:
        return 0


def see(url: str, **query) -> RedirectResponse:
    """After a POST, the page to show (a reload of it changes nothing)."""
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return RedirectResponse(url + ("?" + urlencode(query) if query else ""), status_code=303)


def attachment(data: bytes, name: str, kind: str) -> Response:
    return Response(
        data, media_type=kind, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


def sentence(err: CampaignError) -> str:
    """An error or notice as a sentence on a page: the web's words, a capital, a full stop."""
    text = worded(err, HINTS)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# What the Dashboard and This week say when no prospect is left for a new batch.
NONE_LEFT_SAID = sentence(CampaignError(NONE_LEFT, hint="import-more"))
