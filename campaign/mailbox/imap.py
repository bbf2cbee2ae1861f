"""The IMAP mailbox (issue 11): log in, read a folder read-only, append sent copies.

imapclient, not bare imaplib: it parses FETCH responses into dicts, speaks UIDs throughout,
finds the \\Sent folder by its special-use flag (RFC 6154) and verifies TLS certificates with
a default SSL context. Nothing here ever marks, moves or deletes a message: folders are
opened with EXAMINE and bodies fetched with BODY.PEEK.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from campaign.errors import MailboxError

# What sync needs to classify a message without its body.
HEADER_FIELDS = (
    "FROM SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES AUTO-SUBMITTED X-AUTOREPLY "
    "X-AUTORESPOND X-AUTO-RESPONSE-SUPPRESS PRECEDENCE CONTENT-TYPE"
)
HEADERS = f"BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})]".encode()
BODY_LIMIT = 1_000_000  # a bounce's report is near the top; a 5 MB attachment is not needed
APP_PASSWORD_HINT = (
    "Gmail, Outlook, iCloud and Yahoo need an app password here, not your usual one "
    '(README: "Connect your mail")'
)


@dataclass
class Header:
    uid: int
    raw: bytes
    internaldate: object  # datetime or None


def imap_password(config, smtp, interactive: bool) -> str:
    """CAMPAIGN_IMAP_PASSWORD, the keyring, the SMTP password sources (same user), a prompt."""
    password = os.environ.get("CAMPAIGN_IMAP_PASSWORD")
    if password:
        return password
    try:
        import keyring

        password = keyring.get_password("campaign", config.username)
    except Exception:  # no keyring backend on a headless machine, a locked keyring...
        password = None
    if password:
        return password
    if smtp is not None and smtp.username == config.username:
        password = os.environ.get("CAMPAIGN_SMTP_PASSWORD")
        if password:
            return password
    if interactive:
        import getpass

        return getpass.getpass(f"IMAP password for {config.username}: ")
    raise MailboxError(
        f"no IMAP password for {config.username}: set CAMPAIGN_IMAP_PASSWORD, or store it with "
        f"`keyring set campaign {config.username}`, or run on a terminal to be asked."
    )


def explain(err: BaseException, host: str, port: int, security: str) -> str:
    """A connection or login failure in plain words, with what to change."""
    import imapclient.exceptions as imap_errors

    where = f"{host}:{port}"
    if isinstance(err, socket.gaierror):
        return f"unknown host {host!r}: check the host name in campaign.toml."
    if isinstance(err, ConnectionRefusedError):
        return f"{where} refused the connection: check the port (or is the server down?)."
    if isinstance(err, TimeoutError | socket.timeout):
        return (
            f"no answer from {where}: the port may be blocked by your network or firewall, "
            "or it is the wrong port."
        )
    if isinstance(err, ssl.SSLCertVerificationError):
        return f"{host}'s TLS certificate could not be verified ({err.verify_message})."
    if isinstance(err, ssl.SSLError):
        other = "starttls" if security == "ssl" else "ssl"
        return (
            f"TLS mismatch on {where} ({err.reason or err}): this port does not speak "
            f'security = "{security}"; try security = "{other}" or the provider\'s port.'
        )
    if isinstance(err, imap_errors.LoginError):
        return f"{host} refused the login: check the username and password. {APP_PASSWORD_HINT}."
    if isinstance(err, imap_errors.CapabilityError):
        return (
            f'{where} does not offer STARTTLS: use security = "ssl" (port 993), '
            'or "none" only for a server on this machine.'
        )
    if isinstance(err, imap_errors.IMAPClientAbortError | ConnectionError | EOFError):
        return f"{where} closed the connection ({err or type(err).__name__}); try again later."
    return f"{where}: {err or type(err).__name__}"


class Mailbox:
    """One IMAP connection: open() logs in, then read-only folder access and APPEND."""

    def __init__(self, config, password: str):
        self.config = config
        self.password = password
        self.client = None
        self.description = f"{config.host}:{config.port}"

    def open(self) -> Mailbox:
        from imapclient import IMAPClient

        config = self.config
        context = ssl.create_default_context()
        client = None
        try:
            client = IMAPClient(
                config.host,
                port=config.port,
                ssl=config.security == "ssl",
                ssl_context=context,
                timeout=30,
            )
            if config.security == "starttls":
                client.starttls(context)
            client.login(config.username, self.password)
        except Exception as err:
            if client is not None:  # connected, then refused: never leave the socket open
                with contextlib.suppress(Exception):
                    client.shutdown()
            raise MailboxError(
                f"IMAP {explain(err, config.host, config.port, config.security)}"
            ) from None
        self.client = client
        return self

    def __enter__(self) -> Mailbox:
        return self if self.client is not None else self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):  # the server already went away
                self.client.logout()
            with contextlib.suppress(Exception):  # logout failed: close the socket anyway
                self.client.shutdown()
            self.client = None

    def _fail(self, err: BaseException, doing: str) -> MailboxError:
        config = self.config
        return MailboxError(
            f"IMAP {doing}: {explain(err, config.host, config.port, config.security)}"
        )

    def folders(self) -> list[str]:
        return [name for _, _, name in self.client.list_folders()]

    def examine(self, folder: str) -> int:
        """Open `folder` read-only (EXAMINE); return its UIDVALIDITY."""
        try:
            info = self.client.select_folder(folder, readonly=True)
        except Exception as err:
            if _no_such_folder(err):
                raise MailboxError(
                    f"IMAP: there is no folder {folder!r} on {self.description}; folders "
                    f"there: {', '.join(sorted(self.folders()))[:200]}. Fix [imap] in "
                    "campaign.toml."
                ) from None
            raise self._fail(err, f"cannot open {folder!r}") from None
        return int(info[b"UIDVALIDITY"])

    def uids_after(self, last: int) -> list[int]:
        """UIDs above `last` in the open folder, in order."""
        try:
            # "N:*" always includes the highest UID, even when it is below N.
            found = self.client.search(["UID", f"{last + 1}:*"])
        except Exception as err:
            raise self._fail(err, "searching the inbox failed") from None
        return sorted(uid for uid in found if uid > last)

    def headers(self, uids: list[int]) -> Iterator[Header]:
        """The classifying headers of `uids`, without marking anything read."""
        try:
            data = self.client.fetch(uids, [HEADERS, b"INTERNALDATE"])
        except Exception as err:
            raise self._fail(err, "the connection failed while reading headers") from None
        for uid in uids:
            item = data.get(uid)
            if item is None:  # expunged meanwhile
                continue
            raw = next((v for k, v in item.items() if k.startswith(b"BODY[")), b"") or b""
            yield Header(uid, raw, item.get(b"INTERNALDATE"))

    def body(self, uid: int) -> bytes:
        """The message (its first megabyte), without marking it read."""
        part = f"BODY.PEEK[]<0.{BODY_LIMIT}>".encode()
        try:
            data = self.client.fetch([uid], [part])
        except Exception as err:
            raise self._fail(err, "the connection failed while reading a message") from None
        item = data.get(uid, {})
        return next((v for k, v in item.items() if k.startswith(b"BODY[")), b"") or b""

    def sent_folder(self) -> str:
        """[imap] sent, else the folder flagged \\Sent, else "Sent"."""
        from imapclient.imapclient import SENT

        if self.config.sent:
            return self.config.sent
        try:
            return self.client.find_special_folder(SENT) or "Sent"
        except Exception as err:
            raise self._fail(err, "listing folders failed") from None

    def append(self, folder: str, messages: list[tuple[bytes, object]]) -> None:
        """Add (bytes, date) messages to `folder`, marked read (\\Seen): all or none.

        One MULTIAPPEND (RFC 3502) where the server has it: one round trip and one commit on
        the server for the lot, instead of one per message.
        """
        try:
            if len(messages) > 1 and self.client.has_capability("MULTIAPPEND"):
                reply = self.client.multiappend(
                    folder,
                    [
                        {"msg": data, "flags": (b"\\Seen",), **({"date": when} if when else {})}
                        for data, when in messages
                    ],
                )
                # imapclient hands back a NO here instead of raising it.
                if isinstance(reply, tuple) and reply[0] != "OK":
                    raise RuntimeError(b" ".join(reply[1] or [b"NO"]).decode(errors="replace"))
            else:
                for data, when in messages:
                    self.client.append(folder, data, flags=(b"\\Seen",), msg_time=when)
        except Exception as err:
            if _no_such_folder(err):
                raise MailboxError(
                    f"IMAP: there is no folder {folder!r} on {self.description} to keep sent "
                    'copies in; set [imap] sent = "..." in campaign.toml.'
                ) from None
            raise self._fail(err, f"saving a copy in {folder!r} failed") from None

    def holds(self, folder: str, message_id: str) -> bool:
        """Whether `folder` already has a message with this Message-ID."""
        try:
            self.client.select_folder(folder, readonly=True)
            return bool(self.client.search(["HEADER", "Message-ID", message_id]))
        except Exception as err:
            raise self._fail(err, f"searching {folder!r} failed") from None


def _no_such_folder(err: BaseException) -> bool:
    text = str(err).lower()
    return any(word in text for word in ("nonexistent", "doesn't exist", "does not exist"))


def connect(settings, interactive: bool | None = None) -> Mailbox:
    """The logged-in mailbox of [imap], or a MailboxError saying what to fix."""
    config = settings.imap
    if config is None:
        raise MailboxError(
            "campaign.toml has no [imap] section: add one to read replies and bounces",
            hint="set-up-imap",
        )
    if not config.username:
        raise MailboxError(
            'campaign.toml: [imap] needs a username (or [smtp] one), e.g. username = "you@...".'
        )
    if interactive is None:
        interactive = sys.stdin.isatty()
    return Mailbox(config, imap_password(config, settings.smtp, interactive)).open()


def chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
