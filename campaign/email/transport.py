"""The two ways an email leaves: a draft file in outbox/, or through the SMTP server."""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import sys
from pathlib import Path
from typing import Any

from campaign.email.message import Outgoing
from campaign.errors import SendError
from campaign.util.atomic import replacing
from campaign.workspace.settings import Settings


class Refused(Exception):
    """The server refused this message for good (5xx): record it as failed, go on."""


class Temporary(Exception):
    """A dropped connection or a 4xx: worth retrying after a pause."""


class Unanswered(Exception):
    """The message was handed over but the connection dropped before the server answered:
    it may have been accepted, so it is never resent on its own (it becomes unknown)."""


class Outbox:
    """Writes each message as an .eml file in the workspace's outbox/ folder."""

    description = "the outbox folder"
    drafts = True  # the files are drafts: the user sends them from a mail program

    def __init__(self, folder: Path):
        self.folder = folder

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise SendError(f"cannot use {self.folder} as the outbox: {err.strerror}.") from None
        if not os.access(self.folder, os.W_OK):
            raise SendError(f"cannot write to the outbox {self.folder}.")

    def send(self, msg: Outgoing, name: str) -> None:
        with replacing(self.folder / f"{name}.eml") as temp:
            temp.write_bytes(msg.data)

    def close(self) -> None:
        pass


def smtp_password(username: str, interactive: bool) -> str:
    """CAMPAIGN_SMTP_PASSWORD, else the system keyring, else a prompt on a terminal."""
    password = os.environ.get("CAMPAIGN_SMTP_PASSWORD")
    if password:
        return password
    from campaign.workspace.passwords import lookup

    password = lookup(username)  # the keyring, or what the web app was given this run
    if password:
        return password
    if interactive:
        import getpass

        return getpass.getpass(f"SMTP password for {username}: ")
    raise SendError(f"no SMTP password for {username}", hint="smtp-password", user=username)


class Smtp:
    """One SMTP connection for the whole run, through yagmail; reconnects when dropped."""

    drafts = False

    def __init__(self, config, sender_email: str, interactive: bool):
        self.config = config
        self.sender_email = sender_email
        self.interactive = interactive
        self.client: Any = None  # yagmail.SMTP once open
        self.description = f"{config.host}:{config.port}"

    def open(self) -> None:
        """Connect and log in: a failure here stops the run before the first message."""
        import yagmail  # type: ignore[import-untyped]

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
        # yagmail appends "@gmail.com" to a username without "@"; log in as written.
        self.client.user = config.username or self.sender_email
        try:
            self.client.login()
        except smtplib.SMTPAuthenticationError as err:
            raise SendError(
                f"{self.description} refused the login for {config.username} "
                f"({err.smtp_code} {_text(err.smtp_error)}); check the username and password."
            ) from None
        except (OSError, smtplib.SMTPException) as err:
            raise SendError(
                f"cannot connect to {self.description}: {_reason(err)}; check host, port "
                "and security under [smtp] in campaign.toml",
                hint="check-mail",
            ) from None

    def reconnect(self) -> None:
        self.close()
        self.open()

    def send(self, msg: Outgoing, name: str) -> None:
        if self.client is None or self.client.smtp is None:
            raise Temporary("not connected")
        smtp = self.client.smtp
        options = []
        if msg.utf8 or not (msg.sender + msg.recipient).isascii():
            # Without a login nothing has said EHLO yet, and has_extn() would know nothing.
            smtp.ehlo_or_helo_if_needed()
            if not smtp.has_extn("smtputf8"):
                raise Refused(
                    f"{msg.recipient} is not an ASCII address and {self.description} does not "
                    "take internationalised addresses (SMTPUTF8)"
                )
            options = ["SMTPUTF8"]
        handed = _Handover(smtp)
        try:
            with handed:
                refused = smtp.sendmail(msg.sender, [msg.recipient], msg.data, mail_options=options)
        except smtplib.SMTPRecipientsRefused as err:
            code, reply = next(iter(err.recipients.values()))
            if code >= 500:
                raise Refused(f"{code} {_text(reply)}") from None
            raise Temporary(f"{code} {_text(reply)}") from None
        except smtplib.SMTPSenderRefused as err:
            if err.smtp_code < 500:  # a provider's rate limit, usually
                raise Temporary(f"{err.smtp_code} {_text(err.smtp_error)}") from None
            raise SendError(
                f"{self.description} refused the sender {self.sender_email} "
                f"({err.smtp_code} {_text(err.smtp_error).rstrip('.')}); check [sender] email"
            ) from None
        except smtplib.SMTPResponseException as err:
            if err.smtp_code >= 500:
                raise Refused(f"{err.smtp_code} {_text(err.smtp_error)}") from None
            raise Temporary(f"{err.smtp_code} {_text(err.smtp_error)}") from None
        except (smtplib.SMTPServerDisconnected, OSError) as err:  # SMTPException is an OSError
            if handed.over:
                raise Unanswered(_reason(err)) from None
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


class _Handover:
    """Knows whether the message's content went out: smtplib's DATA sends the command, then
    (after the server's 354) the content; a drop after that may still have been accepted."""

    def __init__(self, smtp) -> None:
        self.smtp = smtp
        self.sends = 0
        self.data = False

    @property
    def over(self) -> bool:
        return self.data and self.sends >= 2  # the DATA command, then the content

    def __enter__(self):
        original_putcmd, original_send = self.smtp.putcmd, self.smtp.send

        def putcmd(cmd, args=""):
            if cmd.lower() == "data":
                self.data = True
            return original_putcmd(cmd, args)

        def send(payload):
            if self.data:
                self.sends += 1
            return original_send(payload)

        self.smtp.putcmd, self.smtp.send = putcmd, send
        return self

    def __exit__(self, *exc: object) -> None:
        del self.smtp.putcmd, self.smtp.send  # back to the class's own methods


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


def transport(settings: Settings, interactive: bool | None = None):
    """The outbox when campaign.toml has no [smtp], else SMTP."""
    if settings.smtp is None:
        return Outbox(settings.outbox)
    if interactive is None:
        interactive = sys.stdin.isatty()
    return Smtp(settings.smtp, settings.sender_email, interactive)
