"""The IMAP mailbox: log in, read a folder read-only, append sent copies.

imapclient, not bare imaplib: it parses FETCH responses into dicts, speaks UIDs throughout,
finds the \\Sent folder by its special-use flag (RFC 6154) and verifies TLS certificates with
a default SSL context. Nothing here ever marks, moves or deletes a message: folders are
opened with EXAMINE and bodies fetched with BODY.PEEK.

What a server says is bounded before it is believed: UIDs are searched in windows no larger
than a response line imaplib accepts, a UID at or past the folder's UIDNEXT is ignored, and a
whole conversation has a wall-clock deadline (a socket timeout restarts with every byte).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import ssl
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from campaign.errors import MailboxError
from campaign.workspace.settings import Imap, Settings, Smtp

# What sync needs to classify a message without its body (Authentication-Results: every one,
# in order, so the topmost, the one the user's own provider wrote, can be told apart).
HEADER_FIELDS = (
    "FROM SUBJECT DATE MESSAGE-ID IN-REPLY-TO REFERENCES AUTO-SUBMITTED X-AUTOREPLY "
    "X-AUTORESPOND X-AUTO-RESPONSE-SUPPRESS PRECEDENCE CONTENT-TYPE LIST-ID LIST-UNSUBSCRIBE "
    "AUTHENTICATION-RESULTS"
)
HEADERS = f"BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})]".encode()
# What finding a draft's sent copy needs.
SENT_HEADERS = b"BODY.PEEK[HEADER.FIELDS (TO CC SUBJECT DATE MESSAGE-ID)]"
DATE_LINE = re.compile(rb"(?im)^date:")
UID_ITEM = re.compile(rb"\bUID (\d+)")
BODY_LIMIT = 1_000_000  # a bounce's report is near the top; a 5 MB attachment is not needed
# UIDs searched at once. The answer is one line ("* SEARCH 1 2 3 ..."), at most 11 bytes a
# UID, and imaplib refuses a line over imaplib._MAXLINE (1,000,000 bytes): 50,000 UIDs stay
# well inside it whatever the numbers are.
WINDOW = 50_000
APP_PASSWORD_HINT = (
    "Gmail, Outlook, iCloud and Yahoo need an app password here, not your usual one "
    '(README: "Connect your mail")'
)


@dataclass
class Header:
    uid: int
    raw: bytes
    internaldate: dt.datetime | None


@dataclass(frozen=True)
class FolderInfo:
    """A folder as EXAMINE opened it."""

    validity: int  # UIDVALIDITY: a new value means the UIDs were renumbered
    uidnext: int  # the UID the next message will get: every real UID is below it
    exists: int  # how many messages it holds


class NoFolder(MailboxError):
    """The folder named does not exist on the server."""


class Deadline:
    """A wall-clock limit on one whole conversation with the server.

    A socket timeout counts from the last byte received, so a server sending one byte every
    25 seconds never trips a 30-second one. When the time is up, the timer shuts the socket
    down: whatever call was waiting on it fails at once, and the caller reports the deadline.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.passed = False
        self._sockets: list[Any] = []  # the connection's socket; after STARTTLS, its TLS one
        self._timer = threading.Timer(seconds, self._stop)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: Any) -> None:
        self._sockets.append(sock)
        if self.passed:
            self._stop()

    def _stop(self) -> None:
        self.passed = True
        for sock in self._sockets:
            with contextlib.suppress(OSError, ValueError):
                sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _client(config: Imap, context: ssl.SSLContext, deadline: Deadline | None) -> Any:
    """An IMAPClient whose socket `deadline` watches from before the server's greeting."""
    from imapclient import IMAPClient, imap4, tls  # type: ignore[import-untyped]

    class Watched(IMAPClient):  # type: ignore[misc]
        def _create_IMAP4(self) -> Any:  # noqa: N802 (imapclient's name)
            base = tls.IMAP4_TLS if self.ssl else imap4.IMAP4WithTimeout

            class Connection(base):  # type: ignore[misc, valid-type]
                def _create_socket(self, timeout: float | None = None) -> Any:
                    sock = super()._create_socket(timeout)
                    if deadline is not None:
                        deadline.watch(sock)
                    return sock

            if self.ssl:
                return Connection(self.host, self.port, self.ssl_context, 30)
            return Connection(self.host, self.port, 30)

    return Watched(
        config.host,
        port=config.port,
        ssl=config.security == "ssl",
        ssl_context=context,
        timeout=30,
    )


def imap_password(config: Imap, smtp: Smtp | None, interactive: bool) -> str:
    """CAMPAIGN_IMAP_PASSWORD, the keyring, the SMTP password sources (same user), a prompt."""
    password = os.environ.get("CAMPAIGN_IMAP_PASSWORD")
    if password:
        return password
    from campaign.workspace.passwords import lookup

    password = lookup(config.username)  # the keyring, or what the web app was given this run
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
        f"no IMAP password for {config.username}", hint="imap-password", user=config.username
    )


def explain(err: BaseException, host: str, port: int, security: str) -> str:
    """A connection or login failure in plain words, with what to change."""
    import imapclient.exceptions as imap_errors  # type: ignore[import-untyped]

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
    """One IMAP connection: open() logs in, then read-only folder access and APPEND.

    `deadline`: seconds the whole conversation may take, from open() to close() (None: no
    limit, for the background saver of sent copies, whose connection lives as long as a send).
    """

    def __init__(self, config: Imap, password: str, deadline: float | None = None):
        self.config = config
        self.password = password
        self.client: Any = None
        self.description = f"{config.host}:{config.port}"
        self.seconds = deadline
        self.deadline: Deadline | None = None

    def open(self) -> Mailbox:
        config = self.config
        context = ssl.create_default_context()
        if self.seconds is not None:
            self.deadline = Deadline(self.seconds)
        client = None
        try:
            client = _client(config, context, self.deadline)
            if config.security == "starttls":
                client.starttls(context)
                if self.deadline is not None:
                    self.deadline.watch(client.socket())
            client.login(config.username, self.password)
        except Exception as err:
            if client is not None:  # connected, then refused: never leave the socket open
                with contextlib.suppress(Exception):
                    client.shutdown()
            self._cancel()
            raise self._fail(err, "") from None
        self.client = client
        return self

    def __enter__(self) -> Mailbox:
        return self if self.client is not None else self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.client is not None:
            if self.deadline is None or not self.deadline.passed:
                # (a passed deadline shut the socket: a LOGOUT would only wait for a timeout)
                with contextlib.suppress(Exception):  # the server already went away
                    self.client.logout()
            with contextlib.suppress(Exception):  # logout failed: close the socket anyway
                self.client.shutdown()
            self.client = None
        self._cancel()

    def _cancel(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()

    def _fail(self, err: BaseException, doing: str) -> MailboxError:
        config = self.config
        if self.deadline is not None and self.deadline.passed:
            return MailboxError(
                f"IMAP: {self.description} did not finish within {self.deadline.seconds:g} "
                "seconds (a server answering this slowly never would); what was read so far "
                "is kept, and the next read goes on from there"
            )
        said = explain(err, config.host, config.port, config.security)
        return MailboxError(f"IMAP {doing}: {said}" if doing else f"IMAP {said}")

    def folders(self) -> list[str]:
        return [name for _, _, name in self.client.list_folders()]

    def examine(self, folder: str) -> FolderInfo:
        """Open `folder` read-only (EXAMINE): its UIDVALIDITY, UIDNEXT and size."""
        try:
            info = self.client.select_folder(folder, readonly=True)
            if b"UIDNEXT" not in info:  # required since RFC 3501, but STATUS also says it
                info.update(self.client.folder_status(folder, [b"UIDNEXT"]))
        except Exception as err:
            if _no_such_folder(err):
                raise NoFolder(
                    f"IMAP: there is no folder {folder!r} on {self.description}; folders "
                    f"there: {', '.join(sorted(self.folders()))[:200]}. Fix [imap] in "
                    "campaign.toml."
                ) from None
            raise self._fail(err, f"cannot open {folder!r}") from None
        try:
            return FolderInfo(
                int(info[b"UIDVALIDITY"]), int(info[b"UIDNEXT"]), int(info.get(b"EXISTS", 0))
            )
        except (KeyError, TypeError, ValueError):
            raise MailboxError(
                f"IMAP: {self.description} did not say where {folder!r} ends (UIDNEXT)"
            ) from None

    def uids(self, first: int, last: int, since: dt.date | None = None) -> list[int]:
        """The UIDs from `first` to `last` in the open folder (arrived on or after `since`).

        Whatever else the server answers is dropped: a UID outside the range asked for
        cannot move where the next sync starts.
        """
        criteria: list[Any] = ["UID", f"{first}:{last}"]
        if since is not None:
            criteria += ["SINCE", since]
        try:
            found = self.client.search(criteria)
        except Exception as err:
            raise self._fail(err, "searching the folder failed") from None
        return sorted({uid for uid in found if first <= uid <= last})

    def headers(self, uids: list[int], fields: bytes = HEADERS) -> Iterator[Header]:
        """The headers `fields` of `uids`, without marking anything read.

        The arrival date (INTERNALDATE) is asked only for a message with no Date header, the
        one it stands in for: parsing it for every message doubles what reading costs.
        """
        try:
            raws = self._fetch_headers(uids, fields)
            undated = [uid for uid, raw in raws.items() if not DATE_LINE.search(raw)]
            arrived = self.client.fetch(undated, [b"INTERNALDATE"]) if undated else {}
        except Exception as err:
            raise self._fail(err, "the connection failed while reading headers") from None
        for uid in uids:
            if uid not in raws:  # expunged meanwhile
                continue
            when = arrived.get(uid, {}).get(b"INTERNALDATE")
            yield Header(uid, raws[uid], when if isinstance(when, dt.datetime) else None)

    def _fetch_headers(self, uids: list[int], fields: bytes) -> dict[int, bytes]:
        """{UID: header bytes} for `uids`, each asked exactly.

        imaplib's own answer is read here, not imapclient's parse of it: that parser lexes the
        long HEADER.FIELDS name of every answer a character at a time, five times the cost of
        the rest. What the quick reading does not find (an answer not shaped as Dovecot,
        Gmail and the RFC 3501 examples shape it) is asked again through imapclient.
        """
        asked = set(uids)  # not a flag change the server reports on its own
        item = fields.decode().replace("BODY.PEEK[", "UID BODY.PEEK[", 1)
        kind, data = self.client._imap.uid("FETCH", uid_set(uids), f"({item})")
        if kind != "OK":
            raise MailboxError(f"FETCH answered {kind}")
        raws: dict[int, bytes] = {}
        literal: bytes | None = None
        for part in data:
            if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
                head, literal = part
                found = UID_ITEM.search(head)
            elif isinstance(part, bytes) and literal is not None:
                found = UID_ITEM.search(part)  # the UID may follow the header's literal
            else:
                literal, found = None, None
                continue
            if found and int(found.group(1)) in asked:
                raws[int(found.group(1))] = literal or b""
                literal = None
        missing = [uid for uid in uids if uid not in raws]
        if missing:
            for uid, answer in self.client.fetch(missing, [fields]).items():
                if uid in asked:
                    raws[uid] = (
                        next((v for k, v in answer.items() if k.startswith(b"BODY[")), b"") or b""
                    )
        return raws

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
        from imapclient.imapclient import SENT  # type: ignore[import-untyped]

        if self.config.sent:
            return self.config.sent
        try:
            return self.client.find_special_folder(SENT) or "Sent"
        except Exception as err:
            raise self._fail(err, "listing folders failed") from None

    def append(self, folder: str, messages: list[tuple[bytes, dt.datetime | None]]) -> None:
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
                raise NoFolder(
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


def connect(
    settings: Settings, interactive: bool | None = None, deadline: float | None = None
) -> Mailbox:
    """The logged-in mailbox of [imap], or a MailboxError saying what to fix.

    `deadline`: seconds the whole conversation may take (Mailbox).
    """
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
    return Mailbox(config, imap_password(config, settings.smtp, interactive), deadline).open()


def chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def uid_set(uids: list[int]) -> str:
    """An IMAP sequence set for sorted `uids`: runs written first:last ("5:9,12")."""
    runs: list[str] = []
    start = previous = uids[0]
    for uid in [*uids[1:], -1]:
        if uid == previous + 1:
            previous = uid
            continue
        runs.append(f"{start}:{previous}" if previous > start else str(start))
        start = previous = uid
    return ",".join(runs)


def windows(first: int, last: int, exists: int, size: int = WINDOW) -> Iterator[tuple[int, int]]:
    """UID ranges covering first..last, none able to match more than `size` messages.

    A folder of `exists` messages matches at most that many in any range, so a small folder
    is searched in one range however sparse its UIDs (a provider numbering in millions).
    """
    step = max(last - first + 1, 1) if exists <= size else size
    start = first
    while start <= last:
        end = min(start + step - 1, last)
        yield start, end
        start = end + 1
