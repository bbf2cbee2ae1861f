"""How far the workspace is set up: the first-run checklist the dashboard shows until done."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from campaign.errors import CampaignError
from campaign.workspace.settings import Settings


@dataclass(frozen=True)
class Step:
    """One step of setting up: its key, whether it is done, whether sending needs it."""

    key: str  # details, letters, mail, signature, resume, list
    done: bool
    needed: bool  # the letters cannot go without it (the others are for the user to choose)
    detail: str = ""  # what is still missing, in words true for any face


def _details(settings: Settings) -> Step:
    try:
        settings.check_sender(["name", "email", "phone", "address"], "letters print {it}")
    except CampaignError as err:
        return Step("details", False, True, err.message)
    return Step("details", True, True)


def _letters(settings: Settings) -> Step:
    """Done when every letter loads and none is still the shipped example."""
    from campaign.letters.render import Renderer

    renderer = Renderer(settings, examples_ok=True)
    examples, broken = [], []
    for name in renderer.names():
        try:
            if renderer.load(name).example:
                examples.append(name)
        except CampaignError:
            broken.append(name)
    if broken:
        return Step("letters", False, True, "cannot be read: " + ", ".join(broken))
    if examples:
        return Step("letters", False, True, "still the examples: " + ", ".join(examples))
    return Step("letters", True, True)


def steps(settings: Settings, conn: sqlite3.Connection) -> list[Step]:
    """Each step of setting up, in the order the checklist shows them."""
    prospects = conn.execute("SELECT count(*) FROM prospects").fetchone()[0]
    return [
        _details(settings),
        _letters(settings),
        Step("mail", settings.smtp is not None, False),
        Step("signature", settings.signature is not None and settings.signature.is_file(), False),
        Step("resume", settings.resume is not None and settings.resume.is_file(), False),
        Step("list", prospects > 0, True),
    ]
