"""Errors the library raises; each face (the CLI, the web app) words them for its user.

A message says what is wrong in words true in any face. What to do next often depends on the
face (a command to run, a page to open), so an error names it by a `hint` key and the values it
needs; campaign/cli/hints.py and campaign/web/hints.py hold the two wordings of each key.
"""

from __future__ import annotations


class CampaignError(Exception):
    """A problem the user can fix: bad input, bad settings, a missing workspace."""

    exit_code = 2

    def __init__(self, message: str = "", *, hint: str = "", **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint  # a key of cli/hints.py and web/hints.py: what to do next
        self.values = values  # what the hint's wording names ({week}, {ids}...)


class WorkspaceError(CampaignError):
    """No workspace, or a broken campaign.toml."""


class SheetError(CampaignError):
    """A spreadsheet that cannot be read or imported."""


class TemplateError(CampaignError):
    """A letter template that does not parse or names an unknown field."""


class SendError(CampaignError):
    """A transport problem that stops a run before or during sending."""


class NotFound(CampaignError):
    """A prospect, batch or letter that does not exist."""


class Declined(Exception):
    """The user answered no when asked to confirm: nothing happened, and that is fine."""


class MailboxError(CampaignError):
    """The IMAP mailbox cannot be reached, logged in to, or read."""


class Notice(CampaignError):
    """Not an error: a warning on the way, worded by each face as errors are."""


def worded(err: CampaignError | str, hints: dict[str, str]) -> str:
    """The error's message and its hint in one face's words ("...; run `campaign batch`").

    A plain string (a warning with nothing face-specific to add) is returned as it is.
    """
    if not isinstance(err, CampaignError):
        return err
    if not err.hint:
        return err.message
    try:
        hint = hints[err.hint].format(**err.values)
    except (KeyError, IndexError):  # a hint this face has no words for: the message alone
        return err.message
    message = err.message.rstrip()
    if not message:
        return hint[:1].upper() + hint[1:]
    if message.endswith("."):
        return f"{message} {hint[:1].upper() + hint[1:]}"
    return f"{message}; {hint}"
