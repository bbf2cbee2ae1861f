"""Emails as their readers see them: hostile names from a sheet stay one recipient's name,
through the SMTP server and in the outbox drafts, on the ASCII and the SMTPUTF8 paths
(campaign/email/message.py)."""

from __future__ import annotations

import email
import email.policy
import re

import pytest

from tests.helpers import add_prospects, configure, use_smtp

TODAY = "2026-11-23"  # a Monday
HUGE = "Maximilian " * 910  # 10,010 characters
SUBJECT = ": an experienced hand, ready now"  # the shipped intro's subject after the company
ENCODED_WORD = re.compile(rb"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def hostile_rows(domain: str, local: str) -> list[dict]:
    """Five prospects whose names try to add or replace a recipient or a header."""
    names = [
        ("Evil <attacker@evil.example>, Bob", "Acme", "COO"),
        ('Ann "x" <a@b.example>;', "Birch", "CFO"),
        (HUGE, "Cedar", "CEO"),
        ("Pat Lee", "Paper \u202eMill", "CFO"),
        ("Eve\r\nBcc: victim@example.com", "Elm", "Owner\r\nBcc: victim@example.com"),
    ]
    return [
        {
            "Company": company,
            "First Name": name,
            "Last Name": "",
            "Title": title,
            "Email": f"{local}{n}@{domain}",
        }
        for n, (name, company, title) in enumerate(names, start=1)
    ]


def text(value) -> str:
    """A header value read from raw UTF-8 bytes (RFC 6532), as a mail program shows it."""
    return str(value).encode("utf-8", "surrogateescape").decode("utf-8")


def expected(domain: str, local: str) -> dict[str, tuple[str, str]]:
    """recipient -> (the To: display name, the Subject) a mail program shows."""
    return {
        f"{local}1@{domain}": ("Evil <attacker@evil.example>, Bob", f"COO at Acme{SUBJECT}"),
        f"{local}2@{domain}": ('Ann "x" <a@b.example>;', f"CFO at Birch{SUBJECT}"),
        f"{local}3@{domain}": ("", f"CEO at Cedar{SUBJECT}"),  # too long for the To: line
        f"{local}4@{domain}": ("Pat Lee", f"CFO at Paper Mill{SUBJECT}"),  # no bidi override
        f"{local}5@{domain}": (
            "Eve Bcc: victim@example.com",
            f"Owner Bcc: victim@example.com at Elm{SUBJECT}",
        ),
    }


def check_received(message, raw: bytes, to: str, name: str, subject: str) -> None:
    """What arrived: one To address, the right one; nothing else; lines within the limits."""
    (only,) = message["To"].addresses
    assert text(only.addr_spec) == to
    assert text(only.display_name) == name
    assert text(message["Subject"]) == subject
    for field in ("Cc", "Bcc"):
        assert message[field] is None
    (sender,) = message["From"].addresses
    assert sender.addr_spec == "jane.doe@example.org"
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"attacker@" not in head.replace(b"Evil <attacker@evil.example>, Bob", b"")
    for line in head.split(b"\r\n"):
        assert len(line.decode("utf-8")) <= 78, line
    assert all(len(word) <= 75 for word in ENCODED_WORD.findall(head))


PATHS = {
    "ascii": ("acme.example", "person"),
    "smtputf8": ("exämple.com", "zoë"),
}


@pytest.mark.parametrize("path", PATHS)
def test_hostile_names_through_smtp_reach_one_recipient_each(
    run, workspace, tmp_path, start_smtp_server, path
):
    domain, local = PATHS[path]
    server = start_smtp_server(enable_SMTPUTF8=True)
    use_smtp(workspace, server)
    add_prospects(run, tmp_path, hostile_rows(domain, local))
    assert run("--today", TODAY, "batch", "--all").exit_code == 0

    result = run("--today", TODAY, "send", "--yes")

    assert result.exit_code == 0, result.stderr
    wanted = expected(domain, local)
    assert sorted(rcpt for received in server for rcpt in received.rcpt_tos) == sorted(wanted)
    for received in server:
        (to,) = received.rcpt_tos  # the envelope: exactly the prospect
        assert received.mail_from == "jane.doe@example.org"
        assert ("SMTPUTF8" in received.mail_options) == (path == "smtputf8")
        check_received(received.message, received.raw, to, *wanted[to])
        if path == "ascii":
            assert received.raw.isascii()


@pytest.mark.parametrize("path", PATHS)
def test_hostile_names_in_outbox_drafts_address_one_recipient_each(run, workspace, tmp_path, path):
    domain, local = PATHS[path]
    add_prospects(run, tmp_path, hostile_rows(domain, local))
    assert run("--today", TODAY, "batch", "--all").exit_code == 0

    result = run("--today", TODAY, "send", "--yes")

    assert result.exit_code == 0, result.stderr
    wanted = expected(domain, local)
    drafts = sorted((workspace / "outbox").glob("*.eml"))
    assert len(drafts) == 5
    seen = []
    for path_ in drafts:
        raw = path_.read_bytes()
        # As a mail program opens the draft: the parser with the modern policy.
        message = email.message_from_bytes(raw, policy=email.policy.default)
        to = text(message["To"].addresses[0].addr_spec)
        seen.append(to)
        check_received(message, raw, to, *wanted[to])
        assert message["X-Unsent"] == "1"
    assert sorted(seen) == sorted(wanted)


def test_a_plain_subject_is_plain_and_the_html_part_has_title_and_lang(
    run, workspace, tmp_path, smtp_server
):
    use_smtp(workspace, smtp_server)
    add_prospects(
        run,
        tmp_path,
        [
            {"Company": "Wayne & Sons", "First Name": "Ann", "Last Name": "Lee",
             "Title": "COO", "Email": "ann@wayne.example"},
            {"Company": "Société Générale", "First Name": "Zoë", "Last Name": "Ørsted",
             "Title": "Directrice", "Email": "zoe@sg.example"},
        ],
    )  # fmt: skip
    intro = workspace / "templates" / "intro.md"
    intro.write_text(intro.read_text().replace("---\n", "---\nlang: en-US\n", 1))
    assert run("--today", TODAY, "batch", "--all").exit_code == 0
    assert run("--today", TODAY, "send", "--yes").exit_code == 0

    ann = smtp_server.to("ann@wayne.example")[0]
    head = ann.raw.split(b"\r\n\r\n", 1)[0]
    assert b"Subject: COO at Wayne & Sons: an experienced hand, ready now\r\n" in head + b"\r\n"
    assert b"=?" not in head
    html = ann.message.get_body(("html",)).get_content()
    assert '<html lang="en-US">' in html
    assert "<title>COO at Wayne &amp; Sons: an experienced hand, ready now</title>" in html

    zoe = smtp_server.to("zoe@sg.example")[0]
    head = zoe.raw.split(b"\r\n\r\n", 1)[0]
    assert b"Subject: Directrice at =?utf-8?" in head
    assert (
        zoe.message["Subject"] == "Directrice at Société Générale: an experienced hand, ready now"
    )
    html = zoe.message.get_body(("html",)).get_content()
    assert "<title>Directrice at Société Générale: an experienced hand, ready now</title>" in html


def test_the_html_part_says_english_without_a_lang_and_a_bad_lang_is_one_line(
    run, workspace, tmp_path
):
    add_prospects(
        run,
        tmp_path,
        [{"Company": "Acme", "First Name": "Ann", "Last Name": "Lee", "Email": "ann@acme.example"}],
    )
    assert run("--today", TODAY, "batch", "--all").exit_code == 0
    shown = run("--today", TODAY, "preview", "--html", tmp_path / "letter.html")
    assert shown.exit_code == 0, shown.stderr
    assert '<html lang="en">' in (tmp_path / "letter.html").read_text(encoding="utf-8")

    intro = workspace / "templates" / "intro.md"
    intro.write_text(intro.read_text().replace("---\n", '---\nlang: en"><script>\n', 1))
    refused = run("--today", TODAY, "send", "--yes")
    assert refused.exit_code == 2
    assert (
        refused.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "intro.md:2: lang: 'en\"><script>' is not a language tag (such as en, fr or pt-BR)."
        )
    )
    assert list((workspace / "outbox").glob("*.eml")) == []


def test_a_reply_to_that_is_not_one_address_stops_before_anything_is_sent(
    run, workspace, tmp_path, smtp_server
):
    use_smtp(workspace, smtp_server)
    add_prospects(
        run,
        tmp_path,
        [{"Company": "Acme", "First Name": "Ann", "Last Name": "Lee", "Email": "ann@acme.example"}],
    )
    assert run("--today", TODAY, "batch", "--all").exit_code == 0
    configure(workspace, sender={"reply_to": "jane@doe.example, boss@evil.example"})
    result = run("--today", TODAY, "send", "--yes")
    assert result.exit_code == 2
    # campaign.toml is checked as it is read: the two addresses never reach a Reply-To: line.
    assert result.stderr.startswith(
        'campaign: error: campaign.toml: sender.reply_to = "jane@doe.example, boss@evil.example" '
        "is not an email address"
    )
    assert smtp_server.connections == 0
