"""Import: upload a sheet, see the dry run (every problem by row and column), then import.

The upload is kept in a private temp folder outside the workspace until it is imported.
Reading the sheet and importing it run in a worker thread (off_loop): a big or slow sheet
holds up no other page.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

from starlette.datastructures import FormData, QueryParams, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from campaign.errors import CampaignError, worded
from campaign.util.atomic import write_private
from campaign.web.base import MAX_UPLOAD, again, form, kept, off_loop, page, see, web
from campaign.web.hints import HINTS


async def show(request: Request) -> Response:
    done = request.query_params
    k = kept(request)
    return page(
        request,
        "import.html",
        title="Import",
        done=dict(done) if "new" in done else None,
        error=k.problems.get(""),
        sheet=k.value("sheet"),
        map=k.value("map"),
        include_hidden=k.value("include_hidden") == "1",
    )


async def check(request: Request) -> Response:
    """The dry run of an uploaded sheet: what would change, and every problem."""
    data = await form(request)
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        sheet = str(data.get("sheet", "")).strip() or None
        return _back(request, "Choose a spreadsheet file to upload first.", sheet, _options(data))
    content = await upload.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        return _problem(request, f"{_name(upload.filename)} is larger than 20 MB.", 413)
    sheet = str(data.get("sheet", "")).strip() or None
    return await off_loop(_check, request, _name(upload.filename), content, sheet, _options(data))


def _options(data: FormData | QueryParams) -> dict:
    """What the form says of the sheet: what columns mean (as --map), hidden rows or not."""
    lines = str(data.get("map", "")).replace("\r", "\n").split("\n")
    mapping = tuple(line.strip() for line in lines if line.strip())[:100]
    return {"mapping": mapping, "include_hidden": data.get("include_hidden") == "1"}


def _check(
    request: Request, name: str, content: bytes, sheet: str | None, options: dict
) -> Response:
    """Keep the upload in its private folder, then show its dry run on a page of its own (a
    redirect: Back and reload never post the file again)."""
    state = web(request)
    upload_id = secrets.token_urlsafe(12)
    folder = state.uploads / upload_id
    folder.mkdir(mode=0o700)
    write_private(folder / name, content)
    return see(
        request,
        "/import/check",
        upload=upload_id,
        sheet=sheet or "",
        map="\n".join(options["mapping"]),
        include_hidden="1" if options["include_hidden"] else "",
    )


def _upload(state, upload_id: str) -> Path | None:
    """The file of an upload not imported yet, or None."""
    folder = state.uploads / upload_id
    if not re.fullmatch(r"[\w-]{16}", upload_id) or not folder.is_dir():
        return None
    return next(iter(folder.iterdir()), None)


async def dry_run(request: Request) -> Response:
    """What importing the upload would do, and every problem (reading it changes nothing)."""
    return await off_loop(_dry_run, request)


def _dry_run(request: Request) -> Response:
    state = web(request)
    query = request.query_params
    options = _options(query)
    sheet = query.get("sheet") or None
    path = _upload(state, query.get("upload", ""))
    if path is None:
        return _problem(request, "That upload is gone (already imported?): upload the file again.")
    try:
        # What the import would do with the good rows: the page's second button does that.
        parsed, result = _import(state, path, sheet, dry_run=True, skip_invalid=True, **options)
    except CampaignError as err:
        shutil.rmtree(path.parent, ignore_errors=True)
        return _back(request, _clean(worded(err, HINTS), state), sheet, options)
    return page(
        request,
        "import_check.html",
        title="Import",
        source=path.name,
        upload_id=path.parent.name,
        sheet=sheet or "",
        result=result,
        warnings=[worded(w, HINTS) for w in result.warnings],
        problems=[(p, f"{path.name} {p}") for p in parsed.errors],
        columns=parsed.columns,
        bad_rows=len({p.row for p in parsed.errors}),
        map="\n".join(options["mapping"]),
        include_hidden=options["include_hidden"],
    )


def _back(request: Request, message: str, sheet: str | None, options: dict) -> Response:
    """To the Import page with the problem, and what the form said kept in it."""
    values = {
        "sheet": sheet or "",
        "map": "\n".join(options["mapping"]),
        "include_hidden": "1" if options["include_hidden"] else "",
    }
    return again(request, "/import", {"": message}, values)


async def confirm(request: Request) -> Response:
    """Import the checked upload (skipping invalid rows if asked), then forget the file."""
    data = await form(request)
    return await off_loop(_confirm, request, data)


def _confirm(request: Request, data: FormData) -> Response:
    state = web(request)
    path = _upload(state, str(data.get("upload", "")))
    sheet = str(data.get("sheet", "")) or None
    options = _options(data)
    if path is None:
        return _back(request, "That upload is gone (already imported?): upload the file again.",
                     sheet, options)  # fmt: skip
    skip = data.get("skip") == "1"
    try:
        with state.writes:  # one import at a time: a second click waits, then finds it done
            if not path.exists():
                return _back(request, "That upload was imported already.", sheet, options)
            parsed, result = _import(state, path, sheet, skip_invalid=skip, **options)
            if not (parsed.errors and not skip):
                shutil.rmtree(path.parent, ignore_errors=True)
    except CampaignError as err:
        return _back(request, _clean(worded(err, HINTS), state), sheet, options)
    if parsed.errors and not skip:
        return _back(request, "The sheet has problems: import skipping the invalid rows.",
                     sheet, options)  # fmt: skip
    return see(
        request,
        "/import",
        source=path.name,
        new=result.new,
        updated=result.updated,
        unchanged=result.unchanged,
        skipped=result.skipped,
    )


def _import(state, path: Path, sheet: str | None, **options):
    from campaign.actions.importing import import_file

    with state.ledger() as (_, conn):
        return import_file(conn, path, state.today(), sheet=sheet, **options)


def _name(filename: str) -> str:
    """The uploaded file's own name, made safe to use as a file name: at most 80 characters,
    its extension kept (a long name cut in its middle still reads as a spreadsheet)."""
    name = re.sub(r"[^\w. -]+", "_", Path(filename.replace("\\", "/")).name).strip(" .")
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > 10:
        stem, suffix = name, ""
    if len(name) > 80:
        keep = 80 - (len(suffix) + 1 if suffix else 0)
        name = stem[:keep].rstrip(" .") + (f".{suffix}" if suffix else "")
    return name or "upload"


def _clean(message: str, state) -> str:
    return re.sub(re.escape(str(state.uploads)) + r"/[\w-]+/", "", message)


def _problem(
    request: Request, message: str, status: int = 400, options: dict | None = None
) -> Response:
    """The Import page again with the problem, and what the form said kept in it."""
    options = options or {"mapping": (), "include_hidden": False}
    return page(
        request,
        "import.html",
        status,
        title="Import",
        error=message,
        done=None,
        map="\n".join(options["mapping"]),
        include_hidden=options["include_hidden"],
    )


routes = [
    Route("/import", show),
    Route("/import", check, methods=["POST"]),
    Route("/import/check", dry_run),
    Route("/import/confirm", confirm, methods=["POST"]),
]
