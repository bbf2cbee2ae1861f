"""What every page shares: the server's state, the page layout, forms, redirects, downloads."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import secrets
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import jinja2
import markupsafe
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from campaign.errors import CampaignError, worded
from campaign.followups.items import letter_name
from campaign.letters.batch import NONE_LEFT
from campaign.util.text import plural
from campaign.web.access import Access
from campaign.web.cache import LedgerCache
from campaign.web.hints import HINTS
from campaign.workspace.settings import Settings

T = TypeVar("T")
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
# Each stage in words (followups/items.py STAGES; docs/domain.md "Where each employer stands").
STAGE_NAMES = {
    "not-written": "Not written to yet",
    "written": "Written to",
    "answered": "Answered",
    "meeting": "Meeting agreed",
    "interviewed": "Interviewed",
    "offer": "Offer",
    "hired": "Hired",
    "closed": "Closed",
    "rejected": "Rejected",
    "paused": "Paused: no way to reach them",
}
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True, auto_reload=False
    )
)


class Id(Convertor):
    """A whole number SQLite can hold (at most 18 digits): 10**30 is no page, never a 500."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


def day(value: dt.date | str | None, today: dt.date | None = None) -> str:
    """A date as people write it: "Mon 4 Jan" (its year too when it is not this year's)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    said = f"{value:%a} {value.day} {value:%b}"
    this_year = (today or dt.date.today()).year
    return said if value.year == this_year else f"{said} {value.year}"


def _day_filter(context: Any, value: dt.date | str | None) -> str:
    return day(value, context.get("today"))


def _dates_in(context: Any, text: Any) -> markupsafe.Markup:
    """`text` escaped, each 2026-12-21 in it written as a day ("Mon 21 Dec"), on one line."""
    escaped = str(markupsafe.escape(text))
    today = context.get("today")
    return markupsafe.Markup(
        re.sub(
            r"\b\d{4}-\d{2}-\d{2}\b",
            lambda m: f'<span class="nowrap">{day(m.group(0), today)}</span>',
            escaped,
        )
    )


register_url_convertor("id", Id())  # routes say {id:id}; pages import this module first
templates.env.filters["whole_dates"] = jinja2.pass_context(_dates_in)
templates.env.filters["day"] = jinja2.pass_context(_day_filter)
templates.env.filters["plural"] = plural  # {{ n|plural("letter") }}: "1 letter", "2 letters"
templates.env.filters["letter_name"] = letter_name  # "Follow-up letter 1", not followup1


@dataclass
class Kept:
    """A form sent back with problems: each problem by field ("" for the whole form), and
    everything typed, so the page shows them again after its redirect (nothing is lost)."""

    problems: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)


MAX_KEPT = 200  # forms sent back and not yet shown again: a few at a time, in practice


@dataclass
class Web:
    """What the server was started with, and what lives as long as it does."""

    root: Path | None  # None until the first-run page makes the workspace at `target`
    today_arg: str | None
    access: Access
    target: Path | None = None  # where the first-run page makes the workspace
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    uploads: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="campaign-up-")))
    runs: dict = field(default_factory=dict)  # sending runs by id (see web/runs.py)
    # The pages' writes one at a time, as when they all ran on the event loop: a double
    # click on Import or Log waits for the first, which the library then finds done.
    writes: threading.Lock = field(default_factory=threading.Lock)
    inbox: threading.Lock = field(default_factory=threading.Lock)  # one Read my inbox at once
    cache: LedgerCache = field(default_factory=LedgerCache)  # see cache.py
    kept: dict[str, Kept] = field(default_factory=dict)  # forms sent back, by a random id

    @property
    def port(self) -> int:
        return self.access.port

    @property
    def hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}

    @property
    def workspace(self) -> Path:
        """The workspace's folder (the first-run page has made it: see app.Guard)."""
        if self.root is None:
            raise CampaignError("there is no workspace yet", hint="no-workspace")
        return self.root

    def settings(self) -> Settings:
        from campaign.workspace.settings import load

        return load(self.workspace)

    def today(self) -> dt.date:
        from campaign.workspace.settings import today

        return today(self.today_arg)

    @contextlib.contextmanager
    def ledger(self) -> Iterator[tuple[Settings, sqlite3.Connection]]:
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


def route_path(request: Request) -> str:
    """The page's path as the routes name it (/week), without the app's secret prefix."""
    path, root = request.scope["path"], request.scope.get("root_path", "")
    return (path[len(root) :] or "/") if root and path.startswith(root) else path


def page(request: Request, name: str, status_code: int = 200, /, **context: Any) -> Response:
    """A page from templates/, with what the layout needs."""
    state = web(request)
    context.setdefault("title", "")
    return templates.TemplateResponse(
        request,
        name,
        {
            "csrf": state.csrf,
            "today": state.today(),
            "path": route_path(request),
            "base": request.scope.get("root_path", ""),  # every link starts with it
            **context,
        },
        status_code=status_code,
    )


async def form(request: Request) -> FormData:
    """The POSTed form, once its CSRF token is checked (every state change goes through here)."""
    data = await request.form(max_files=1, max_fields=200, max_part_size=MAX_UPLOAD)
    given = str(data.get("csrf", "")).encode("utf-8", "replace")
    if not secrets.compare_digest(given, web(request).csrf.encode()):
        raise HTTPException(403, "This form has expired or did not come from this app: reload.")
    return data


async def off_loop(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run `work` in a worker thread: the ledger, a sheet, a PDF or the inbox never hold up
    the event loop, so every other page keeps answering meanwhile."""
    return await run_in_threadpool(work, *args, **kwargs)


MAX_NUMBER = 10**15  # a count or id from a form: past this it is no count and no id


def number(data: FormData | dict, key: str) -> int:
    """A whole number from a form field; 0 when it is missing or not a number we could use."""
    text = str(data.get(key, "")).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 15:
        return 0
    return min(int(text), MAX_NUMBER)


def see(request: Request, url: str, _anchor: str = "", **query: Any) -> RedirectResponse:
    """After a POST, the page to show (a reload of it changes nothing), at `_anchor`."""
    query = {k: v for k, v in query.items() if v not in (None, "")}
    target = request.scope.get("root_path", "") + url
    target += ("?" + urlencode(query) if query else "") + (f"#{_anchor}" if _anchor else "")
    return RedirectResponse(target, status_code=303)


def again(
    request: Request, url: str, problems: dict[str, str], values: FormData | dict, **query: Any
) -> RedirectResponse:
    """After a POST with problems: back to the form's page (a redirect, so Back and reload
    never post it twice), which shows each problem beside its field and what was typed."""
    state = web(request)
    typed = {k: v for k, v in values.items() if isinstance(v, str) and k != "csrf"}
    key = secrets.token_urlsafe(9)
    while len(state.kept) >= MAX_KEPT:
        state.kept.pop(next(iter(state.kept)))
    state.kept[key] = Kept(problems, typed)
    return see(request, url, kept=key, **query)


def kept(request: Request) -> Kept:
    """The form sent back to this page (see again()), or an empty one."""
    return web(request).kept.get(request.query_params.get("kept", ""), Kept())


def attachment(data: bytes, name: str, kind: str) -> Response:
    return Response(
        data, media_type=kind, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


# An ISO week code beside its date ("the week of November 30 (2026-W49)"): the CLI's --week
# takes the code; a page says the date alone.
WEEK_CODE = re.compile(r" \(\d{4}-W\d{2}\)")


def said_on_a_page(err: CampaignError) -> str:
    """An error or notice in the web's words, without the CLI's week codes."""
    return WEEK_CODE.sub("", worded(err, HINTS))


def sentence(err: CampaignError) -> str:
    """An error or notice as a sentence on a page: the web's words, a capital, a full stop."""
    text = said_on_a_page(err)
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# What the Dashboard and This week say when no prospect is left for a new batch.
NONE_LEFT_SAID = sentence(CampaignError(NONE_LEFT, hint="import-more"))
