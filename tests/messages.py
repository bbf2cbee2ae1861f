"""Messages as mail servers and people send them, built with the stdlib email package."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid

ME = "jane.doe@example.org"


def _now(days: float = 0) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


def _bytes(msg: Message) -> bytes:
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def reply(
    sender: str,
    subject: str,
    body: str,
    in_reply_to: str = "",
    when: dt.datetime | None = None,
    **headers: str,
) -> bytes:
    """A person's answer: threaded to `in_reply_to` when given."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ME
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when or _now())
    msg["Message-ID"] = make_msgid(domain="mail.test")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content(body)
    return _bytes(msg)


def out_of_office(sender: str, in_reply_to: str = "") -> bytes:
    return reply(
        sender,
        "Automatic reply: your letter",
        "I am out of the office until Monday with limited access to email.",
        in_reply_to,
        Auto_Submitted="auto-replied",
        X_Autoreply="yes",
    )


def newsletter() -> bytes:
    return reply(
        "news@shop.test", "This week's deals", "Buy now!", Precedence="bulk", List_Id="<deals>"
    )


def dsn(
    recipient: str,
    status: str = "5.1.1",
    original_id: str = "",
    sender: str = "Mail Delivery System <MAILER-DAEMON@mx.mail.test>",
    when: dt.datetime | None = None,
) -> bytes:
    """A delivery status notification (RFC 3464): failed for good (5.x.x) or delayed (4.x.x).

    It returns the headers of the message that failed (text/rfc822-headers), with
    `original_id` as its Message-ID: a real report quotes the letter it is about.
    """
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = sender
    report["To"] = ME
    report["Subject"] = (
        "Undelivered Mail Returned to Sender"
        if status[0] == "5"
        else "Delayed Mail (still being retried)"
    )
    report["Date"] = format_datetime(when or _now())
    report["Message-ID"] = make_msgid(domain="mx.mail.test")
    report["Auto-Submitted"] = "auto-replied"
    report.attach(MIMEText(f"This is the mail system at mx.mail.test.\n\n<{recipient}>: problem\n"))
    status_part = Message()
    status_part["Content-Type"] = "message/delivery-status"
    per_message = Message()
    per_message["Reporting-MTA"] = "dns; mx.mail.test"
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Original-Recipient"] = f"rfc822;{recipient}"
    per_recipient["Action"] = "failed" if status[0] == "5" else "delayed"
    per_recipient["Status"] = status
    per_recipient["Diagnostic-Code"] = f"smtp; {status[0]}50 {status} User unknown"
    status_part.set_payload([per_message, per_recipient])
    report.attach(status_part)
    original = Message()
    original["Content-Type"] = "text/rfc822-headers"
    original.set_payload(f"From: {ME}\nTo: {recipient}\nMessage-ID: {original_id}\n")
    report.attach(original)
    return _bytes(report)
