"""Setup: your details, your mail account, your signature and resume (campaign.toml kept as
you wrote it: workspace/editing.py changes only the settings a form names)."""

from __future__ import annotations

import datetime as dt

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.errors import CampaignError
from campaign.web.base import MAX_UPLOAD, again, form, kept, number, off_loop, page, see, web
from campaign.web.base import sentence as said

SECURITY = {"ssl": "SSL/TLS", "starttls": "STARTTLS", "none": "None (unencrypted)"}


def show(request: Request) -> Response:
    """The setup page: each part with its own small form."""
    from campaign.reports.setup import steps
    from campaign.workspace.passwords import where
    from campaign.workspace.providers import PROVIDERS

    state = web(request)
    settings = state.settings()
    with state.ledger() as (_, conn):
        done = {s.key: s for s in steps(settings, conn)}
    username = settings.smtp.username if settings.smtp else ""
    return page(
        request,
        "setup.html",
        title="Setup",
        s=settings,
        done=done,
        providers=PROVIDERS,
        security=SECURITY,
        kept_at=where(username) if username else "",
        k=kept(request),
        saved=request.query_params.get("saved", ""),
    )


async def details(request: Request) -> Response:
    data = await form(request)
    return await off_loop(_details, request, data)


def _details(request: Request, data: FormData) -> Response:
    from campaign.web.pages.start import details_from
    from campaign.workspace.editing import FieldProblems, set_details

    state = web(request)
    try:
        with state.writes:
            set_details(state.workspace, details_from(data))
    except FieldProblems as err:
        return again(request, "/setup", err.fields, data, _anchor="details")
    except CampaignError as err:
        return again(request, "/setup", {"": said(err)}, data)
    return see(request, "/setup", saved="details")


async def mail(request: Request) -> Response:
    data = await form(request)
    return await off_loop(_mail, request, data)


def _servers(data: FormData):
    """The servers the form chose: a provider's, typed ones, or none (drafts)."""
    from campaign.workspace.editing import Servers
    from campaign.workspace.providers import PROVIDERS

    choice = str(data.get("provider", ""))
    username = str(data.get("username", "")).strip()
    provider = PROVIDERS.get(choice)
    if choice == "none" or (provider is not None and provider.refused):
        return Servers()  # drafts in outbox/ for the user's own mail program
    if provider is not None:
        return Servers(
            provider.smtp_host, provider.smtp_port, provider.smtp_security, username,
            provider.imap_host, 993, "ssl", provider.save_sent,
        )  # fmt: skip
    return Servers(
        str(data.get("smtp_host", "")),
        number(data, "smtp_port") or 587,
        str(data.get("smtp_security", "starttls")),
        username,
        str(data.get("imap_host", "")),
        number(data, "imap_port") or 993,
        str(data.get("imap_security", "ssl")),
        data.get("save_sent") == "1",
    )


def _mail(request: Request, data: FormData) -> Response:
    from campaign.workspace.editing import FieldProblems, set_servers
    from campaign.workspace.passwords import store

    state = web(request)
    servers = _servers(data)
    typed = {k: v for k, v in data.items() if k != "password"}  # a password is never kept
    try:
        with state.writes:
            settings = set_servers(state.workspace, servers)
    except FieldProblems as err:
        return again(request, "/setup", err.fields, typed)
    except CampaignError as err:
        return again(request, "/setup", {"": said(err)}, typed)
    password = str(data.get("password", ""))
    kept_in = ""
    if password and settings.smtp is not None:
        kept_in = store(settings.smtp.username, password)
    saved = "drafts" if settings.smtp is None else f"mail-{kept_in or 'servers'}"
    return see(request, "/setup", saved=saved, _anchor="mail")


async def test_mail(request: Request) -> Response:
    """Test the connection: log in to both servers, as check-mail does, and say what happened."""
    await form(request)
    return await off_loop(_test_mail, request)


def _test_mail(request: Request) -> Response:
    from campaign.actions.checkmail import check_imap, check_smtp

    state = web(request)
    settings = state.settings()
    smtp = check_smtp(settings, False, dt.datetime.now(dt.UTC))
    imap = check_imap(settings) if settings.imap is not None else None
    results = {"smtp": _said(smtp, "Sending")}
    if imap is not None:
        results["imap"] = _said(imap, "Reading replies")
    problems = {key: text for key, text in results.items() if text.startswith("Not working")}
    return again(request, "/setup", problems, {f"result_{k}": v for k, v in results.items()},
                 _anchor="mail")  # fmt: skip


def _said(result: dict, what: str) -> str:
    """A check-mail result as a sentence: works or not, what was found, what to change."""
    if not result.get("configured"):
        return f"{what}: not set up."
    head = f"{what} works" if result["ok"] else "Not working"
    fix = " ".join(result.get("fix", []))
    detail = result["detail"].rstrip(".")
    return f"{head}: {detail}." + (f" {fix}" if fix else "")


async def upload(request: Request) -> Response:
    """The signature image or the resume PDF, checked, kept in the workspace."""
    data = await form(request)
    which = request.path_params["which"]
    if which not in ("signature", "resume"):
        raise HTTPException(404)
    file = data.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return again(request, "/setup", {which: "choose a file first"}, {}, _anchor="files")
    content = await file.read(MAX_UPLOAD + 1)
    return await off_loop(_upload, request, which, content)


def _upload(request: Request, which: str, content: bytes) -> Response:
    from campaign.workspace.editing import set_file
    from campaign.workspace.files import save_resume, save_signature

    state = web(request)
    try:
        with state.writes:
            save = save_signature if which == "signature" else save_resume
            name = save(state.workspace, content)
            set_file(state.workspace, which, name)
    except CampaignError as err:
        return again(request, "/setup", {which: said(err)}, {}, _anchor="files")
    return see(request, "/setup", saved=which, _anchor="files")


routes = [
    Route("/setup", show),
    Route("/setup/details", details, methods=["POST"]),
    Route("/setup/mail", mail, methods=["POST"]),
    Route("/setup/mail/test", test_mail, methods=["POST"]),
    Route("/setup/{which:str}", upload, methods=["POST"]),
]
