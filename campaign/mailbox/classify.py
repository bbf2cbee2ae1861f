"""Reading what arrived (issue 11): which message is a reply, an auto-reply, a bounce.

Everything here works on bytes and ledger rows, not on a server, so sync and the demo's
folder of sample messages classify alike. A message's headers and body are data: every value
kept is decoded leniently, made one line and cut short.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

# Providers anyone can sign up with: a colleague's address there says nothing about a company.
FREE_MAIL = {
    "gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "hotmail.com", "outlook.com",
    "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com", "gmx.com", "gmx.net",
    "gmx.de", "web.de", "mail.com", "protonmail.com", "proton.me", "pm.me", "yandex.com",
    "yandex.ru", "zoho.com", "fastmail.com", "fastmail.fm", "hey.com", "qq.com", "163.com",
    "126.com", "mail.ru", "comcast.net", "verizon.net", "att.net", "orange.fr", "free.fr",
}  # fmt: skip
FREE_MAIL_PREFIXES = ("yahoo.", "hotmail.", "outlook.", "live.", "gmx.", "aol.")
AUTO_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?(reply|response)|auto:|"
    r"autoreply|vacation|away from|abwesenheit|absence|r[ée]ponse automatique)",
    re.IGNORECASE,
)
BOUNCE_SUBJECT = re.compile(
    r"(undeliver|undelivered|delivery status notification|returned mail|delivery failure|"
    r"failure notice|mail delivery failed|delivery has failed|non[- ]?delivery)",
    re.IGNORECASE,
)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster", "mail-delivery-subsystem", "mailerdaemon")
KEEP = 200  # characters kept of a subject, sender or snippet


def text(value, limit: int = KEEP) -> str:
    """A header value decoded (RFC 2047, any charset, broken ones too), one line, cut short."""
    if value is None:
        return ""
    raw = str(value)
    # An unknown or broken charset: keep the raw text.
    with contextlib.suppress(LookupError, UnicodeError, ValueError, AssertionError):
        raw = str(make_header(decode_header(raw)))
    line = " ".join(raw.replace("\x00", " ").split())
    return line[: limit - 1] + "…" if len(line) > limit else line


def _ids(value) -> set[str]:
    return {m.lower() for m in re.findall(r"<([^<>\s]+)>", str(value or ""))}


@dataclass
class Headers:
    """What sync knows of a message before fetching its body."""

    uid: int
    key: str  # the Message-ID, else a digest of the headers
    sender: str  # the From address, lower case
    sender_text: str
    subject: str
    when: dt.datetime  # aware
    refs: set[str] = field(default_factory=set)  # In-Reply-To and References
    is_auto: bool = False
    is_bounce: bool = False


def read_headers(uid: int, raw: bytes, internaldate=None) -> Headers:
    """Parse a message's headers; never raises on hostile or broken input."""
    msg = BytesHeaderParser(policy=compat32).parsebytes(raw)
    from_value = text(msg.get("From"), 1000)
    # The address from the header as sent: a decoded display name may hold anything.
    addresses = [a for _, a in getaddresses([str(msg.get("From", ""))]) if "@" in a]
    sender = addresses[0].strip().lower() if addresses else ""
    when = None
    # A Date the calendar cannot hold (year 9999 at -1200...) counts as no Date.
    with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
        parsed = parsedate_to_datetime(str(msg.get("Date", "")))
        parsed = parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed
        parsed.astimezone()
        when = parsed
    if when is None and isinstance(internaldate, dt.datetime):
        when = internaldate
    when = when or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.astimezone()
    message_ids = _ids(msg.get("Message-ID"))
    key = next(iter(message_ids)) if len(message_ids) == 1 else ""
    if not key:
        key = "sha1:" + hashlib.sha1(raw).hexdigest()
    subject = text(msg.get("Subject"))
    auto_submitted = str(msg.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(msg.get("Precedence", "")).strip().lower()
    content_type = str(msg.get("Content-Type", "")).lower()
    local = sender.partition("@")[0]
    is_bounce = (
        "multipart/report" in content_type
        or local in BOUNCE_SENDERS
        or (auto_submitted.startswith("auto-") and bool(BOUNCE_SUBJECT.search(subject)))
    )
    is_auto = (
        auto_submitted.startswith("auto-")
        or msg.get("X-Autoreply") is not None
        or msg.get("X-Autorespond") is not None
        or precedence in ("auto_reply", "auto-reply")
        or bool(AUTO_SUBJECT.search(subject))
    )
    return Headers(
        uid=uid,
        key=key[:300],
        sender=sender[:300],
        sender_text=text(from_value),
        subject=subject,
        when=when,
        refs=_ids(msg.get("In-Reply-To")) | _ids(msg.get("References")),
        is_auto=is_auto,
        is_bounce=is_bounce,
    )


@dataclass
class Written:
    """A prospect we have emailed: when the first letter went, and to which address."""

    prospect_id: int
    email: str
    first_sent: dt.datetime


@dataclass
class Known:
    """The ledger's side: our Message-IDs, the prospects written to, our own addresses."""

    ours: dict[str, int]  # Message-ID (lower, no <>) -> prospect id
    by_email: dict[str, Written]
    by_domain: dict[str, list[Written]]
    recipients: dict[str, int]  # every address an email went to -> prospect id
    own: set[str]

    @classmethod
    def load(cls, conn: sqlite3.Connection, settings) -> Known:
        ours, recipients = {}, {}
        first: dict[int, str] = {}
        for pid, message_id, recipient, sent_at in conn.execute(
            "SELECT prospect_id, message_id, recipient, sent_at FROM sends "
            "WHERE channel = 'email' AND status IN ('sent', 'unknown') ORDER BY id"
        ):
            ours.update({m: pid for m in _ids(message_id)})
            recipients[recipient.lower()] = pid
            if sent_at and (pid not in first or sent_at < first[pid]):
                first[pid] = sent_at
        by_email: dict[str, Written] = {}
        by_domain: dict[str, list[Written]] = {}
        for pid, email in conn.execute("SELECT id, email FROM prospects WHERE email != ''"):
            if pid not in first:
                continue
            when = dt.datetime.strptime(first[pid], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            written = Written(pid, email.lower(), when)
            by_email[written.email] = written
            by_domain.setdefault(written.email.rpartition("@")[2], []).append(written)
        own = {settings.sender_email, settings.reply_to}
        own |= {s.username for s in (settings.smtp, settings.imap) if s is not None}
        return cls(ours, by_email, by_domain, recipients, {a.lower() for a in own if "@" in a})


def is_free_mail(domain: str) -> bool:
    return domain in FREE_MAIL or domain.startswith(FREE_MAIL_PREFIXES)


def match(h: Headers, known: Known) -> tuple[str, list[int]]:
    """What a message is, from its headers alone: (kind, prospect ids), kind '' to ignore.

    A bounce is only a candidate here ('bounce?'): its body says whom it is about.
    """
    if h.key in known.ours or h.sender in known.own:
        return "", []  # our own message (a copy, a Bcc to ourselves)
    if h.is_bounce:
        return "bounce?", []
    threaded = [known.ours[r] for r in h.refs if r in known.ours]
    if threaded:
        return ("auto-reply" if h.is_auto else "reply"), threaded[:1]
    written = known.by_email.get(h.sender)
    if written is not None:
        if h.when < written.first_sent:
            return "", []  # they wrote before our first letter: not an answer to it
        return ("auto-reply" if h.is_auto else "reply"), [written.prospect_id]
    domain = h.sender.rpartition("@")[2]
    if h.is_auto or not domain or is_free_mail(domain):
        return "", []
    candidates = [w for w in known.by_domain.get(domain, ()) if w.first_sent <= h.when]
    if candidates:
        latest = max(candidates, key=lambda w: w.first_sent)
        return "possible-reply", [latest.prospect_id]
    return "", []


def bounced(body: bytes, known: Known) -> tuple[str, list[tuple[int, str]]]:
    """A delivery report's verdict on our recipients: ('bounce' | 'delayed' | '', [(id, addr)]).

    flufl.bounce (GNU Mailman's detectors) reads the many report formats servers use.
    """
    from flufl.bounce import all_failures

    msg = message_from_bytes(body)
    temporary, permanent = all_failures(msg)
    for kind, found in (("bounce", permanent), ("delayed", temporary)):
        hits = []
        for raw in sorted(found):
            address = raw.decode("ascii", "replace").strip().lower()
            if address in known.recipients:
                hits.append((known.recipients[address], address))
        if hits:
            return kind, hits
    return "", []


def snippet(body: bytes, limit: int = 160) -> str:
    """The first words of what they wrote, without the quoted letter below."""
    msg = message_from_bytes(body)
    plain, html = None, None
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html is None:
            html = part
    part = plain or html
    if part is None:
        return ""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        content = payload.decode(charset, "replace")
    except LookupError:
        content = payload.decode("utf-8", "replace")
    if part is html:
        content = re.sub(r"(?is)<(script|style).*?</\1>|<[^>]+>", " ", content)
    lines = []
    for line in content.splitlines():
        if line.lstrip().startswith(">") or re.match(r"^\s*On .{0,200} wrote:\s*$", line):
            break
        lines.append(line)
    return text(" ".join(lines), limit)
