"""Reading what arrived: which message is a reply, an auto-reply, a bounce.

Everything here works on bytes and ledger rows, not on a server, so sync and the demo's
folder of sample messages classify alike. A message's headers and body are data: every value
kept is decoded leniently, made one line and cut short.

Mail is believed only when it proves itself (README, "Connect your mail"): a bounce counts if
it quotes the Message-ID of a letter we sent and names the address that letter went to; a
message in the thread of our letter is a reply when it comes from the prospect's address or
domain, and otherwise a possible reply for the user to confirm; a message the user's own
provider found forged (Authentication-Results, RFC 8601) is never a reply; bulk mail is never
one either.
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
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime

from campaign.workspace.settings import Settings

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
# Precedence values of mail sent to many (RFC 2076; "junk" is what vacation programs use).
BULK_PRECEDENCE = ("bulk", "list", "junk")
KEEP = 200  # characters kept of a subject, sender or snippet
# Where a bounce returns the headers of the message that failed (RFC 3462, RFC 6533).
RETURNED_HEADERS = ("text/rfc822-headers", "message/rfc822-headers", "message/global-headers")
RETURNED_MESSAGE = ("message/rfc822", "message/global")
MESSAGE_ID_LINE = re.compile(r"(?im)^message-id:[ \t]*<([^<>\s]+)>")
AUTH_RESULT = re.compile(r"(?:^|;)\s*(spf|dkim|dmarc)\s*=\s*([a-z]+)")


def text(value: object, limit: int = KEEP) -> str:
    """A header value decoded (RFC 2047, any charset, broken ones too), one line, cut short."""
    if value is None:
        return ""
    raw = str(value)
    # An unknown or broken charset: keep the raw text. No "=?": no encoded word to decode
    # (most headers; decoding costs more than the rest of reading them).
    if "=?" in raw:
        with contextlib.suppress(LookupError, UnicodeError, ValueError, AssertionError):
            raw = str(make_header(decode_header(raw)))
    line = " ".join(raw.replace("\x00", " ").split())
    return line[: limit - 1] + "…" if len(line) > limit else line


def _ids(value: object) -> set[str]:
    return {m.lower() for m in re.findall(r"<([^<>\s]+)>", str(value or ""))}


def forged(results: list[str]) -> bool:
    """Whether the topmost Authentication-Results header (RFC 8601) says the sender is forged.

    The receiving server adds its header above all the others (RFC 8601 section 5, like every
    trace header), so the topmost is the one the user's own provider wrote; one further down
    may have come with the message and says nothing. Forged: DMARC failed, or with no DMARC
    verdict, neither SPF nor DKIM passed and one of them failed.
    """
    if not results:
        return False
    top = " ".join(str(results[0]).split()).lower()
    for _ in range(5):  # comments, nested ones too, say nothing
        top = re.sub(r"\([^()]*\)", " ", top)
    said: dict[str, set[str]] = {"spf": set(), "dkim": set(), "dmarc": set()}
    for method, result in AUTH_RESULT.findall(top):
        said[method].add(result)
    if said["dmarc"]:
        return "fail" in said["dmarc"] and "pass" not in said["dmarc"]
    checks = said["spf"] | said["dkim"]
    return "fail" in checks and "pass" not in checks


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
    is_auto: bool = False  # an automatic answer: out of office, vacation
    is_bounce: bool = False
    is_bulk: bool = False  # a list, a newsletter, a notification: sent to many
    is_forged: bool = False  # the user's provider says the sender is not who it claims


def _is_bulk(msg: Message, auto_submitted: str, precedence: str) -> tuple[bool, bool]:
    """(from a mailing list, sent to many): List-* headers (RFC 2369, 2919), Precedence,
    Auto-Submitted other than "no" (RFC 3834) but an out-of-office's "auto-replied"."""
    listed = msg.get("List-Id") is not None or msg.get("List-Unsubscribe") is not None
    automatic = auto_submitted not in ("", "no", "auto-replied")
    return listed, listed or automatic or precedence in BULK_PRECEDENCE


def message_date(msg: Message, internaldate: dt.datetime | None = None) -> dt.datetime:
    """When a message says it was written (aware), else when it arrived, else now."""
    when: dt.datetime | None = None
    # A Date the calendar cannot hold (year 9999 at -1200...) counts as no Date.
    with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
        parsed = parsedate_to_datetime(str(msg.get("Date", "")))
        parsed = parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed
        parsed.astimezone()
        when = parsed
    if when is None and isinstance(internaldate, dt.datetime):
        when = internaldate
    when = when or dt.datetime.now(dt.UTC)
    return when.astimezone() if when.tzinfo is None else when


def read_headers(uid: int, raw: bytes, internaldate: dt.datetime | None = None) -> Headers:
    """Parse a message's headers; never raises on hostile or broken input."""
    msg = BytesHeaderParser(policy=compat32).parsebytes(raw)
    from_value = text(msg.get("From"), 1000)
    # The address from the header as sent: a decoded display name may hold anything.
    addresses = [a for _, a in getaddresses([str(msg.get("From", ""))]) if "@" in a]
    sender = addresses[0].strip().lower() if addresses else ""
    when = message_date(msg, internaldate)
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
    listed, bulk = _is_bulk(msg, auto_submitted, precedence)
    is_auto = not listed and (
        auto_submitted == "auto-replied"
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
        # A vacation program's answer may carry Precedence: junk: it is still an auto-reply.
        is_bulk=bulk and not is_auto,
        is_forged=forged(msg.get_all("Authentication-Results") or []),
    )


@dataclass
class Written:
    """A prospect we have emailed: when the first letter went, and to which address."""

    prospect_id: int
    email: str
    first_sent: dt.datetime


@dataclass(frozen=True)
class Ours:
    """One email we sent: the send, its prospect, the address it went to."""

    send_id: int
    prospect_id: int
    recipient: str  # lower case
    sent_on: str  # the campaign day it went (ISO), or ''


@dataclass
class Known:
    """The ledger's side: our Message-IDs, the prospects written to, our own addresses."""

    ours: dict[str, Ours]  # Message-ID (lower, no <>) -> the send
    by_email: dict[str, Written]
    by_domain: dict[str, list[Written]]
    addresses: dict[int, set[str]]  # prospect id -> its email and every address we wrote to
    own: set[str]
    since: dt.date | None = None  # nothing that arrived before this day can be about us

    @classmethod
    def load(cls, conn: sqlite3.Connection, settings: Settings) -> Known:
        ours: dict[str, Ours] = {}
        addresses: dict[int, set[str]] = {}
        first: dict[int, str] = {}
        days: list[str] = []
        for send_id, pid, message_id, draft_id, recipient, sent_at, sent_on, tried in conn.execute(
            "SELECT id, prospect_id, message_id, draft_message_id, recipient, sent_at, "
            "sent_on, attempted_on FROM sends "
            "WHERE channel = 'email' AND status IN ('sent', 'unknown') ORDER BY id"
        ):
            sent = Ours(send_id, pid, recipient.lower(), sent_on or "")
            ours.update({m: sent for m in _ids(f"{message_id} {draft_id}")})
            addresses.setdefault(pid, set()).add(sent.recipient)
            if sent_at and (pid not in first or sent_at < first[pid]):
                first[pid] = sent_at
            days += [d[:10] for d in (sent_at, sent_on, tried) if d]
        by_email: dict[str, Written] = {}
        by_domain: dict[str, list[Written]] = {}
        for pid, email in conn.execute("SELECT id, email FROM prospects WHERE email != ''"):
            if pid not in first:
                continue
            when = dt.datetime.strptime(first[pid], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
            written = Written(pid, email.lower(), when)
            by_email[written.email] = written
            by_domain.setdefault(written.email.rpartition("@")[2], []).append(written)
            addresses.setdefault(pid, set()).add(written.email)
        own = {settings.sender_email, settings.reply_to}
        own |= {s.username for s in (settings.smtp, settings.imap) if s is not None}
        # IMAP's SINCE compares the server's arrival day, in its time zone: a day's margin.
        since = dt.date.fromisoformat(min(days)) - dt.timedelta(days=1) if days else None
        return cls(
            ours, by_email, by_domain, addresses, {a.lower() for a in own if "@" in a}, since
        )

    def from_prospect(self, sender: str, prospect_id: int) -> bool:
        """Whether `sender` is the prospect's address, or at its company's own domain."""
        mine = self.addresses.get(prospect_id, set())
        domain = sender.rpartition("@")[2]
        if sender in mine:
            return True
        return (
            bool(domain)
            and not is_free_mail(domain)
            and any(a.rpartition("@")[2] == domain for a in mine)
        )


def is_free_mail(domain: str) -> bool:
    return domain in FREE_MAIL or domain.startswith(FREE_MAIL_PREFIXES)


def match(h: Headers, known: Known) -> tuple[str, list[int]]:
    """What a message is, from its headers alone: (kind, prospect ids), kind '' to ignore.

    A bounce is only a candidate here ('bounce?'): its body says whom it is about. 'forged':
    the user's provider says the sender is not who it claims; never a reply.
    """
    if h.key in known.ours or h.sender in known.own:
        return "", []  # our own message (a copy, a Bcc to ourselves)
    if h.is_forged:
        return "forged", []
    if h.is_bounce:
        return "bounce?", []
    if h.is_bulk:
        return "", []
    threaded = [known.ours[r] for r in sorted(h.refs) if r in known.ours]
    if threaded:
        return _threaded(h, threaded, known)
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


def _threaded(h: Headers, threaded: list[Ours], known: Known) -> tuple[str, list[int]]:
    """A message in the thread of our letters: a reply from the prospect, else a maybe.

    Anyone who saw a letter (a colleague it was forwarded to, anyone at all) can answer in
    its thread; only the prospect's own address or domain makes it their reply.
    """
    for ours in threaded:
        if known.from_prospect(h.sender, ours.prospect_id):
            return ("auto-reply" if h.is_auto else "reply"), [ours.prospect_id]
    if h.is_auto:
        return "", []
    return "possible-reply", [threaded[0].prospect_id]


def returned_ids(msg: Message) -> set[str]:
    """The Message-IDs of the message a bounce returns: in its returned headers or message,
    or, in a plain-text report (qmail's), on a Message-ID: line of the text."""
    found: set[str] = set()
    for part in msg.walk():
        kind = part.get_content_type()
        payload = part.get_payload()
        if kind in RETURNED_MESSAGE and isinstance(payload, list):
            for inner in payload:
                if isinstance(inner, Message):
                    found |= _ids(inner.get("Message-ID"))
        elif kind in RETURNED_HEADERS or (kind == "text/plain" and not part.is_multipart()):
            data = part.get_payload(decode=True)
            content = data.decode("utf-8", "replace") if isinstance(data, bytes) else ""
            if kind in RETURNED_HEADERS:
                found |= _ids(HeaderParser(policy=compat32).parsestr(content).get("Message-ID"))
            found |= {m.lower() for m in MESSAGE_ID_LINE.findall(content)}
    return found


def bounced(body: bytes, known: Known) -> tuple[str, list[Ours]]:
    """A delivery report's verdict on our sends: ('bounce' | 'delayed' | '', [the sends]).

    It counts only about a letter we sent (its Message-ID quoted back) and only for the
    address that letter went to: a report naming anyone else, or quoting nothing of ours,
    could have been written by anyone. flufl.bounce (GNU Mailman's detectors) reads which
    addresses failed from the many report formats servers use.
    """
    from flufl.bounce import all_failures

    msg = message_from_bytes(body)
    sends = {known.ours[i] for i in returned_ids(msg) if i in known.ours}
    if not sends:
        return "", []
    temporary, permanent = all_failures(msg)
    for kind, found in (("bounce", permanent), ("delayed", temporary)):
        failed = {raw.decode("ascii", "replace").strip().strip("<>").lower() for raw in found}
        hits = sorted((s for s in sends if s.recipient in failed), key=lambda s: s.send_id)
        if hits:
            return kind, hits
    return "", []


def snippet(body: bytes, limit: int = 160) -> str:
    """The first words of what they wrote, without the quoted letter below."""
    msg = message_from_bytes(body)
    plain: Message | None = None
    html: Message | None = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and plain is None:
            plain = part
        elif kind == "text/html" and html is None:
            html = part
    chosen = plain or html
    if chosen is None:
        return ""
    data = chosen.get_payload(decode=True)
    payload = data if isinstance(data, bytes) else b""
    charset = chosen.get_content_charset() or "utf-8"
    try:
        content = payload.decode(charset, "replace")
    except LookupError:
        content = payload.decode("utf-8", "replace")
    if chosen is html:
        content = re.sub(r"(?is)<(script|style).*?</\1>|<[^>]+>", " ", content)
    lines = []
    for line in content.splitlines():
        if line.lstrip().startswith(">") or re.match(r"^\s*On .{0,200} wrote:\s*$", line):
            break
        lines.append(line)
    return text(" ".join(lines), limit)
