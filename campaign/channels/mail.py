"""Email: MIME messages from letters, and the two transports (outbox files, SMTP)."""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import sys
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from ..errors import SendError


class Refused(Exception):
    """The server refused this message for good (5xx): record it as failed, go on."""


class Temporary(Exception):
    """A dropped connection or a 4xx: worth retrying after a pause."""


def _address(name: str, email: str) -> Address:
    local, _, domain = email.rpartition("@")
    return Address(display_name=" ".join(name.split()), username=local, domain=domain)


def build_message(letter, settings, when, attachments: list[Path] = ()) -> EmailMessage:
    """A letter as an email: text and HTML alternatives, a unique Message-ID, attachments."""
    msg = EmailMessage()
    msg["From"] = _address(settings.sender_name, settings.sender_email)
    msg["To"] = _address(letter.to_name, letter.to_email)
    if settings.reply_to:
        msg["Reply-To"] = _address(settings.sender_name, settings.reply_to)
    msg["Subject"] = letter.subject  # one line: render.one_line folded any CR/LF
    msg["Date"] = format_datetime(when)
    domain = settings.sender_email.rpartition("@")[2] or "campaign.invalid"
    msg["Message-ID"] = make_msgid(idstring=f"campaign{letter.prospect_id}", domain=domain)
    msg.set_content(letter.text())
    msg.add_alternative(letter.html(), subtype="html")
    for path in attachments:
        msg.add_attachment(
            path.read_bytes(),
            maintype="application",
            subtype="pdf" if path.suffix.lower() == ".pdf" else "octet-stream",
            filename=path.name,
        )
    return msg


class Outbox:
    """Writes each message as an .eml file in the workspace's outbox/ folder."""

    description = "the outbox folder"

    def __init__(self, folder: Path):
        self.folder = folder

    def open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def send(self, msg: EmailMessage, name: str) -> None:
        target = self.folder / f"{name}.eml"
        temp = target.with_suffix(".eml.part")
        temp.write_bytes(bytes(msg))
        os.replace(temp, target)

    def close(self) -> None:
        pass


def smtp_password(username: str, interactive: bool) -> str:
    """CAMPAIGN_SMTP_PASSWORD, else the system keyring, else a prompt on a terminal."""
    password = os.environ.get("CAMPAIGN_SMTP_PASSWORD")
    if password:
        return password
    try:
        import keyring

        password = keyring.get_password("campaign", username)
    except Exception:  # no keyring backend on a headless machine, a locked keyring...
        password = None
    if password:
        return password
    if interactive:
        import getpass

        return getpass.getpass(f"SMTP password for {username}: ")
    raise SendError(
        f"no SMTP password for {username}: set CAMPAIGN_SMTP_PASSWORD, or store it with "
        f"`keyring set campaign {username}`, or run on a terminal to be asked."
    )


class Smtp:
    """One SMTP connection for the whole run, through yagmail; reconnects when dropped."""

    def __init__(self, config, sender_email: str, interactive: bool):
        self.config = config
        self.sender_email = sender_email
        self.interactive = interactive
        self.client = None
        self.description = f"{config.host}:{config.port}"

    def open(self) -> None:
        """Connect and log in: a failure here stops the run before the first message."""
        import yagmail

        config = self.config
        password = smtp_password(config.username, self.interactive) if config.username else None
        self.client = yagmail.SMTP(
            user=config.username or self.sender_email,
            password=password,
            host=config.host,
            port=config.port,
            smtp_ssl=config.security == "ssl",
            smtp_starttls=config.security == "starttls",
            smtp_skip_login=not config.username,
            soft_email_validation=False,
            timeout=30,
        )
        try:
            self.client.login()
        except smtplib.SMTPAuthenticationError as err:
            raise SendError(
                f"{self.description} refused the login for {config.username} "
                f"({err.smtp_code} {_text(err.smtp_error)}); check the username and password."
            ) from None
        except (OSError, smtplib.SMTPException) as err:
            raise SendError(f"cannot connect to {self.description}: {_reason(err)}") from None

    def reconnect(self) -> None:
        self.close()
        self.open()

    def send(self, msg: EmailMessage, name: str) -> None:
        if self.client is None or self.client.smtp is None:
            raise Temporary("not connected")
        try:
            refused = self.client.smtp.send_message(msg, from_addr=self.sender_email)
        except smtplib.SMTPRecipientsRefused as err:
            code, reply = next(iter(err.recipients.values()))
            if code >= 500:
                raise Refused(f"{code} {_text(reply)}") from None
            raise Temporary(f"{code} {_text(reply)}") from None
        except smtplib.SMTPSenderRefused as err:
            raise SendError(
                f"{self.description} refused the sender {self.sender_email} "
                f"({err.smtp_code} {_text(err.smtp_error)}); check [sender] email."
            ) from None
        except smtplib.SMTPResponseException as err:
            if err.smtp_code >= 500:
                raise Refused(f"{err.smtp_code} {_text(err.smtp_error)}") from None
            raise Temporary(f"{err.smtp_code} {_text(err.smtp_error)}") from None
        except (smtplib.SMTPServerDisconnected, OSError) as err:
            raise Temporary(_reason(err)) from None
        if refused:
            code, reply = next(iter(refused.values()))
            raise Refused(f"{code} {_text(reply)}")

    def close(self) -> None:
        if self.client is not None and self.client.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.client.smtp.quit()
            self.client.is_closed = True
            self.client.smtp = None


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _reason(err: Exception) -> str:
    if isinstance(err, socket.gaierror):
        return "unknown host"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused (is the host and port right?)"
    if isinstance(err, TimeoutError | socket.timeout):
        return "timed out"
    return str(err) or type(err).__name__


def transport(settings, interactive: bool | None = None):
    """The outbox when campaign.toml has no [smtp], else SMTP."""
    if settings.smtp is None:
        return Outbox(settings.outbox)
    if interactive is None:
        interactive = sys.stdin.isatty()
    return Smtp(settings.smtp, settings.sender_email, interactive)
