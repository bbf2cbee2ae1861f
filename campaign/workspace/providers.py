"""Mail providers' server settings for `campaign init --provider`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    """A provider's servers, and how a program like this one may sign in there."""

    smtp_host: str
    smtp_port: int
    smtp_security: str
    imap_host: str
    save_sent: bool  # False where the provider files each sent email in Sent itself
    password: str  # how to get a password a program may use ("" when none is accepted)
    # Why a password from a program is refused there, when it is: the sections are then
    # written as comments, and emails are drafts in outbox/ for the provider's own app.
    refused: str = ""


PROVIDERS = {
    "gmail": Provider(
        "smtp.gmail.com", 587, "starttls", "imap.gmail.com", False,
        "Gmail: turn on 2-Step Verification, then make an app password at "
        "https://myaccount.google.com/apppasswords",
    ),
    # Microsoft turned off passwords from programs (basic authentication) for Outlook.com,
    # Hotmail and Live accounts on 16 September 2024 (its support notice of June 2024): only
    # its own sign-in (OAuth 2.0, "modern authentication") is accepted, which campaign lacks.
    "outlook": Provider(
        "smtp-mail.outlook.com", 587, "starttls", "outlook.office365.com", True,
        "",
        "Outlook.com, Hotmail and Live accounts no longer accept passwords from programs "
        "like this one (Microsoft requires its own sign-in since September 2024)",
    ),
    "icloud": Provider(
        "smtp.mail.me.com", 587, "starttls", "imap.mail.me.com", True,
        "iCloud: make an app-specific password at https://account.apple.com "
        "(Sign-In and Security); the username is your full iCloud address",
    ),
    "yahoo": Provider(
        "smtp.mail.yahoo.com", 465, "ssl", "imap.mail.yahoo.com", True,
        "Yahoo: make an app password under Account security at https://login.yahoo.com/account",
    ),
    "fastmail": Provider(
        "smtp.fastmail.com", 465, "ssl", "imap.fastmail.com", True,
        "Fastmail: make an app password under Settings > Privacy & Security > App passwords",
    ),
}  # fmt: skip


def _servers(provider: Provider, user: str) -> str:
    save = (
        "save_sent = true    # keep a copy of each email sent in your Sent folder"
        if provider.save_sent
        else "save_sent = false   # the provider files each email sent in Sent itself: no "
        "second copy"
    )
    return f"""[smtp]
host = "{provider.smtp_host}"
port = {provider.smtp_port}
security = "{provider.smtp_security}"
username = {user}   # your full email address

[imap]
host = "{provider.imap_host}"
port = 993
security = "ssl"
# username = the SMTP username; inbox = "INBOX"; sent = the folder flagged as Sent
{save}
"""


def sections(name: str, username: str) -> str:
    """[smtp] and [imap] for campaign.toml, with a comment on the password to use.

    Where the provider refuses passwords from programs, the sections are written commented
    out, so `send` writes drafts to outbox/ instead of failing to sign in.
    """
    import textwrap

    provider = PROVIDERS[name]
    user = '"' + username.replace("\\", "\\\\").replace('"', '\\"') + '"'
    servers = _servers(provider, user)
    head = f"# Your mail account at {name} (written by `campaign init --provider {name}`).\n"
    if provider.refused:
        commented = "".join(f"# {line}\n" if line else "#\n" for line in servers.splitlines())
        why = (
            f"{provider.refused}: so these sections are comments, and `campaign send` writes "
            "each email as a draft in outbox/ for your mail program to send. A work or school "
            "account whose administrator allows SMTP sign-in with a password can use them: "
            "remove the # signs."
        )
        return (
            "\n"
            + head
            + textwrap.fill(why, 94, initial_indent="# ", subsequent_indent="# ")
            + "\n"
            + commented
        )
    how = (
        f"{provider.password}. Then store it: `keyring set campaign {username}`, or set "
        "CAMPAIGN_SMTP_PASSWORD. `campaign check-mail` tries both servers and says what to fix."
    )
    return (
        "\n"
        + head
        + textwrap.fill(
            how,
            94,
            initial_indent="# ",
            subsequent_indent="# ",
            break_on_hyphens=False,
            break_long_words=False,
        )
        + "\n"
        + servers
    )
