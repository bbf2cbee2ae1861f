"""Mail providers' server settings for `campaign init --provider` (issue 11)."""

from __future__ import annotations

# name: (smtp host, smtp port, smtp security, imap host, save_sent, how to get an app password)
PROVIDERS = {
    "gmail": (
        "smtp.gmail.com", 587, "starttls", "imap.gmail.com", False,
        "Gmail: turn on 2-Step Verification, then make an app password at "
        "https://myaccount.google.com/apppasswords (Gmail files sent mail itself)",
    ),
    "outlook": (
        "smtp-mail.outlook.com", 587, "starttls", "outlook.office365.com", True,
        "Outlook.com: turn on two-step verification, then make an app password under "
        "https://account.microsoft.com/security (Advanced security options)",
    ),
    "icloud": (
        "smtp.mail.me.com", 587, "starttls", "imap.mail.me.com", True,
        "iCloud: make an app-specific password at https://account.apple.com "
        "(Sign-In and Security); the username is your full iCloud address",
    ),
    "yahoo": (
        "smtp.mail.yahoo.com", 465, "ssl", "imap.mail.yahoo.com", True,
        "Yahoo: make an app password under Account security at https://login.yahoo.com/account",
    ),
    "fastmail": (
        "smtp.fastmail.com", 465, "ssl", "imap.fastmail.com", True,
        "Fastmail: make an app password under Settings > Privacy & Security > App passwords",
    ),
}  # fmt: skip


def sections(provider: str, username: str) -> str:
    """[smtp] and [imap] for campaign.toml, with a comment on the app password."""
    host, port, security, imap_host, save_sent, hint = PROVIDERS[provider]
    user = '"' + username.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"""
# Your mail account at {provider} (written by `campaign init --provider {provider}`).
# {hint}.
# Then store it: `keyring set campaign {username}`, or set CAMPAIGN_SMTP_PASSWORD.
# `campaign check-mail` tries both servers and says what to fix.
[smtp]
host = "{host}"
port = {port}
security = "{security}"
username = {user}   # your full email address

[imap]
host = "{imap_host}"
port = 993
security = "ssl"
# username = the SMTP username; inbox = "INBOX"; sent = the folder flagged as Sent
save_sent = {"true" if save_sent else "false"}   # keep a copy of each email in Sent
"""
