"""A letter as an email message: MIME parts, headers, a unique Message-ID, attachments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from campaign.email.headers import header_text, mailbox, message_ids, unstructured
from campaign.email.threads import thread_headers
from campaign.letters.render import Letter
from campaign.workspace.settings import Settings


class _Registry(HeaderRegistry):
    """The standard header classes, each made once: HeaderRegistry builds a new class with
    type() for every header it parses, which was a quarter of the time to build a message."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


# The modern API with CRLF lines for SMTP and the outbox. `refold_source="none"` writes the
# Subject as headers.unstructured folded it (see there); every other header is an object the
# policy folds. `cte_type="7bit"` keeps the bodies 7-bit clean (quoted-printable or base64
# where needed), so no server needs 8BITMIME (RFC 6152) for them.
ASCII = policy.SMTP.clone(refold_source="none", cte_type="7bit", header_factory=_Registry())
# With a non-ASCII address the headers are raw UTF-8 (RFC 6532), sent with SMTPUTF8.
UTF8 = policy.SMTPUTF8.clone(refold_source="none", cte_type="7bit", header_factory=_Registry())


def _subtype(path: Path) -> str:
    return "pdf" if path.suffix.lower() == ".pdf" else "octet-stream"


@dataclass
class Outgoing:
    """One message as it goes over the wire: bytes built once, for SMTP or the outbox."""

    message_id: str
    sender: str
    recipient: str
    data: bytes
    headers: dict[str, str]  # decoded, for previews
    utf8: bool = False  # raw UTF-8 headers: the server must take SMTPUTF8 (RFC 6531)


def build_message(
    letter: Letter,
    settings: Settings,
    when: dt.datetime,
    attachments: Sequence[Path] = (),
    references: Sequence[str] = (),
    *,
    draft: bool = False,
) -> Outgoing:
    """A letter as an email: text and HTML alternatives, a unique Message-ID, attachments.

    Every address is an `Address` object and the Subject is folded by headers.unstructured,
    so nothing from a spreadsheet can add a recipient or start a header of its own.
    Raises headers.BadAddress for a recipient that is not one email address.
    """
    utf8 = not (settings.sender_email + settings.reply_to + letter.to_email).isascii()
    rules = UTF8 if utf8 else ASCII
    msg = EmailMessage(policy=rules)
    addresses = {
        "From": mailbox("From", settings.sender_name, settings.sender_email, rules),
        "To": mailbox("To", letter.to_name, letter.to_email, rules),
    }
    if settings.reply_to:
        addresses["Reply-To"] = mailbox("Reply-To", settings.sender_name, settings.reply_to, rules)
    # Each value is set as the policy folded it (headers.mailbox): parsing it again for the
    # bytes would double the cost of a message for the same result.
    for key, (_, value) in addresses.items():
        msg.set_raw(key, value)
    subject = header_text(letter.subject)
    msg.set_raw("Subject", unstructured("Subject", subject, utf8))
    msg.set_raw("Date", format_datetime(when))
    domain = settings.sender_email.rpartition("@")[2] or "campaign.invalid"
    message_id = make_msgid(idstring=f"campaign{letter.prospect_id}", domain=domain)
    msg.set_raw("Message-ID", message_id)  # one word, never folded or encoded
    if draft:
        # Outlook and Thunderbird open such a file as a message ready to send.
        msg.set_raw("X-Unsent", "1")
    # A follow-up joins the first letter's conversation (RFC 5322 3.6.4).
    for key, value in thread_headers(list(references)).items():
        ids = message_ids(key, value.split())
        if ids:
            msg.set_raw(key, ids)
    msg.set_content(letter.text())
    msg.add_alternative(letter.html(), subtype="html")
    for path in attachments:
        msg.add_attachment(
            path.read_bytes(), maintype="application", subtype=_subtype(path), filename=path.name
        )
    readable = {key: str(address) for key, (address, _) in addresses.items()}
    readable["Subject"] = subject
    return Outgoing(
        message_id=message_id,
        sender=settings.sender_email,
        recipient=letter.to_email,
        data=msg.as_bytes(),
        headers=readable,
        utf8=utf8,
    )
