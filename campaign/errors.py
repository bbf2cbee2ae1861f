"""Errors the library raises; the CLI turns each into one clear line and exit code 2."""


class CampaignError(Exception):
    """A problem the user can fix: bad input, bad settings, a missing workspace."""

    exit_code = 2

    def __init__(self, message: str = "", *, web: str = "") -> None:
        super().__init__(message)
        # What the web app shows instead, where `message` names CLI commands or flags.
        self.web = web or message


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
