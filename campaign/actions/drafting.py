"""A letter being written: rendered for one prospect before it is saved, checked, saved;
the page it prints as. What the Letters page does (and a command could)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from campaign.errors import TemplateError
from campaign.workspace.settings import Settings


def _said(err: TemplateError, path: Path, name: str) -> TemplateError:
    """The error with the temporary copy's path replaced by the letter's own name and line."""
    message = err.message.replace(f"{path}:", f"templates/{name}.md line ").replace(
        str(path), f"templates/{name}.md"
    )
    return TemplateError(message, hint=err.hint, **err.values)


@contextlib.contextmanager
def _draft(settings: Settings, name: str, text: str) -> Iterator[Settings]:
    """Settings whose templates/ holds `text` as the letter `name`, in a private temporary
    folder (nothing of the user's is written); a template error names the letter's own file."""
    from campaign.workspace.files import template_text

    with tempfile.TemporaryDirectory(prefix="campaign-draft-") as folder:
        draft = dataclasses.replace(settings, root=Path(folder))
        draft.templates.mkdir()
        path = draft.templates / f"{name}.md"
        path.write_bytes(template_text(text))
        try:
            yield draft
        except TemplateError as err:
            raise _said(err, path, name) from None


def render_draft(
    conn: sqlite3.Connection,
    settings: Settings,
    prospect: sqlite3.Row,
    today: dt.date,
    name: str,
    text: str | None = None,
):
    """The letter `name` for `prospect` as render.Letter, from `text` when given (not saved:
    rendered from a private temporary copy), else from the saved template."""
    from campaign.actions.preview import preview

    if text is None:
        return preview(conn, settings, prospect, today, name)
    with _draft(settings, name, text) as draft:
        return preview(conn, draft, prospect, today, name)


def save_letter(
    conn: sqlite3.Connection,
    settings: Settings,
    prospect: sqlite3.Row | None,
    today: dt.date,
    name: str,
    text: str,
) -> Path:
    """Check the letter (it parses; for `prospect`, every field it names is known), then save
    it to templates/ atomically; its path. Nothing is written when it has a problem."""
    from campaign.workspace.files import save_template

    if prospect is not None:
        render_draft(conn, settings, prospect, today, name, text)
    else:
        _parses(settings, name, text)
    return save_template(settings.root, name, text)


def _parses(settings: Settings, name: str, text: str) -> None:
    from campaign.letters.render import Renderer

    with _draft(settings, name, text) as draft:
        Renderer(draft, examples_ok=True).load(name)


def letter_pdf(settings: Settings, prospect: sqlite3.Row, letter, today: dt.date) -> bytes:
    """The letter as it prints for `prospect`: one PDF, made in a private temporary folder."""
    from campaign.actions.preview import printable
    from campaign.actions.printing import print_letters

    with tempfile.TemporaryDirectory(prefix="campaign-print-") as folder:
        out = Path(folder) / "letter.pdf"
        print_letters(settings, [printable(prospect, letter)], today, out)
        return out.read_bytes()


def fields_available(settings: Settings, prospect: sqlite3.Row | None) -> list[str]:
    """The fields a letter may name: the sheet's, this prospect's extra columns, yours."""
    import json

    from campaign.sheets.headers import FIELDS

    extras = sorted(json.loads(prospect["extras"] or "{}")) if prospect is not None else []
    mine = sorted(settings.sender_fields())
    return [*FIELDS, "name", "salutation", "date", "resume", *extras, *mine]
