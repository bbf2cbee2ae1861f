"""`campaign check-mail`: try both mail servers, explain failures in plain words."""

from __future__ import annotations

import datetime as dt

from campaign.errors import CampaignError
from campaign.mailbox.imap import APP_PASSWORD_HINT
from campaign.util.text import plural
from campaign.workspace.settings import Settings


def _smtp_fix(detail: str, config) -> list[str]:
    low = detail.lower()
    if "refused the login" in low or "535" in low or "534" in low:
        return [
            "Check the username (usually your full address) and the password.",
            APP_PASSWORD_HINT + ".",
        ]
    if "wrong_version_number" in low or "ssl" in low or "tls" in low:
        other = {"ssl": "starttls (port 587)", "starttls": "ssl (port 465)"}.get(
            config.security, "starttls (port 587)"
        )
        return [f"TLS mismatch: port {config.port} does not speak {config.security}; try {other}."]
    if "timed out" in low:
        return [
            f"Port {config.port} may be blocked by your network (many block 25); "
            "try 587 with starttls or 465 with ssl."
        ]
    if "refused" in low or "unknown host" in low:
        return ["Check host and port in [smtp] of campaign.toml."]
    return []


def check_smtp(settings: Settings, send_test: bool, when: dt.datetime) -> dict:
    """Log in to [smtp] (and send a test email to the sender); what works, what to fix."""
    from email.message import EmailMessage
    from email.utils import make_msgid

    from campaign.email.message import Outgoing
    from campaign.email.transport import Refused, Smtp, Temporary

    config = settings.smtp
    if config is None:
        return {
            "ok": True,
            "configured": False,
            "detail": "not set up: emails are written as drafts (.eml files) to outbox/ instead.",
            "fix": ["To email for real, add an [smtp] section to campaign.toml."],
        }
    where = f"{config.host}:{config.port} ({config.security})"
    transport = Smtp(config, settings.sender_email, interactive=False)
    try:
        transport.open()
    except CampaignError as err:
        detail = str(err)
        return {"ok": False, "configured": True, "detail": detail, "fix": _smtp_fix(detail, config)}
    result = {
        "ok": True,
        "configured": True,
        "detail": f"{where}: "
        + (f"logged in as {config.username}." if config.username else "connected (no login)."),
    }
    try:
        if send_test:
            msg = EmailMessage()
            msg["From"] = msg["To"] = settings.sender_email
            msg["Subject"] = "campaign: test message"
            msg["Date"] = when
            msg["Message-ID"] = make_msgid(domain=settings.sender_email.rpartition("@")[2])
            msg.set_content("This test message from campaign arrived: sending works.\n")
            outgoing = Outgoing(
                msg["Message-ID"], settings.sender_email, settings.sender_email,
                msg.as_bytes(policy=msg.policy.clone(linesep="\r\n")), {},
            )  # fmt: skip
            try:
                transport.send(outgoing, "check-mail-test")
            except (Refused, Temporary, CampaignError) as err:
                return {**result, "ok": False, "detail": f"{where}: the test email failed: {err}"}
            result["detail"] = f"{result['detail']} Sent a test email to {settings.sender_email}."
            result["test_sent_to"] = settings.sender_email
    finally:
        transport.close()
    return result


def check_imap(settings: Settings) -> dict:
    """Log in to [imap], open the inbox and find the Sent folder."""
    from campaign.errors import MailboxError
    from campaign.mailbox.imap import connect

    config = settings.imap
    if config is None:
        return {
            "ok": True,
            "configured": False,
            "detail": "not set up: reading replies and bounces, and Sent copies, need [imap].",
            "fix": ["Add an [imap] section to campaign.toml (README: Connect your mail)."],
        }
    where = f"{config.host}:{config.port} ({config.security})"
    try:
        # A server too slow to answer in a minute is a problem to report, not to wait on.
        with connect(settings, interactive=False, deadline=60.0) as mailbox:
            count = mailbox.examine(config.inbox).exists
            sent = mailbox.sent_folder() if config.save_sent else ""
            if sent and sent not in mailbox.folders():
                raise MailboxError(f'there is no Sent folder {sent!r}; set [imap] sent = "...".')
    except MailboxError as err:
        # The error already says what to fix (the app password hint included).
        return {"ok": False, "configured": True, "detail": str(err), "fix": []}
    held = plural(count, "message")
    detail = f"{where}: logged in as {config.username}; {config.inbox} holds {held}"
    detail += f"; sent copies go to {sent!r}." if sent else "; sent copies are off."
    return {"ok": True, "configured": True, "detail": detail}
