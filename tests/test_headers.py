"""Header values from parsed parts: one address per address header, RFC 2047 words within 75
characters, lines within 78, plain ASCII left plain (campaign/email/headers.py)."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.email.headers import (
    BadAddress,
    header_text,
    mailbox,
    message_ids,
    parse_address,
    unstructured,
)
from campaign.email.message import ASCII, UTF8

ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def parsed(field: str, value: str, utf8: bool = False):
    """The header as a mail program reads it back from the bytes."""
    data = f"{field}: {value}\r\n\r\n".encode("utf-8" if utf8 else "ascii")
    message = email.message_from_bytes(data, policy=email.policy.default)
    return message[field]


def lines_of(field: str, value: str) -> list[str]:
    return f"{field}: {value}".split("\r\n")


# --- the Subject ------------------------------------------------------------------------------


def test_a_plain_ascii_subject_stays_plain():
    value = unstructured(
        "Subject",
        "Director of Operations at Wayne Logistics: an experienced hand, ready now",
        False,
    )
    assert value == (
        "Director of Operations at Wayne Logistics: an experienced hand, ready\r\n now"
    )
    assert len(lines_of("Subject", value)[0]) == 78


def test_a_long_plain_word_is_not_encoded():
    word = "x" * 120
    value = unstructured("Subject", f"Hello {word} there", False)
    assert value == f"Hello\r\n {word}\r\n there"


def test_non_ascii_words_become_encoded_words_and_ascii_words_stay():
    value = unstructured("Subject", "Directrice at Société Générale: hello", False)
    assert value == "Directrice at =?utf-8?b?U29jacOpdMOpIEfDqW7DqXJhbGU6?= hello"
    assert str(parsed("Subject", value)) == "Directrice at Société Générale: hello"
    latin = unstructured("Subject", "Hello Ørsted", False)  # mostly ASCII: "Q" is shorter
    assert latin == "Hello =?utf-8?q?=C3=98rsted?="


def test_with_smtputf8_nothing_is_encoded():
    value = unstructured("Subject", "Directrice at Société Générale: hello", True)
    assert value == "Directrice at Société Générale: hello"


def test_text_that_looks_like_an_encoded_word_is_encoded_so_it_shows_as_written():
    value = unstructured("Subject", "about =?utf-8?q?x?= this", False)
    assert str(parsed("Subject", value)) == "about =?utf-8?q?x?= this"


def test_bidi_controls_line_breaks_and_zero_width_characters_are_dropped():
    assert header_text("Paper \u202eMill\r\nBcc: x@y.example\u200b\ufeff") == (
        "Paper Mill Bcc: x@y.example"
    )
    value = unstructured("Subject", "CFO at Paper \u202eMill", False)
    assert value == "CFO at Paper Mill"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.characters(blacklist_categories=("Cs",)),
        max_size=400,
    ),
    st.booleans(),
)
def test_any_subject_reads_back_as_written_within_the_limits(text, utf8):
    expected = header_text(text)
    value = unstructured("Subject", expected, utf8)
    lines = lines_of("Subject", value)
    words = ENCODED_WORD.findall(value)
    assert all(len(word) <= 75 for word in words)  # RFC 2047 2
    for number, line in enumerate(lines):
        # RFC 5322 2.1.1: 78 where a word allows it, never past 998 octets.
        words_on_line = line.removeprefix("Subject: " if number == 0 else " ").split(" ")
        assert len(line) <= 78 or len(words_on_line) == 1
        assert len(line.encode("utf-8")) <= 998
    if not utf8:
        assert value.isascii()
    if expected.isascii() and "=?" not in expected:
        assert not words  # plain ASCII stays plain
    read = str(parsed("Subject", value, utf8)).encode("utf-8", "surrogateescape").decode()
    assert read == expected


def test_references_keep_well_formed_ids_only_never_encoded():
    ids = ["<a1@example.org>", "not an id", "<b2@example.org>\r\nBcc: x@y", "<c3@example.org>"]
    assert message_ids("References", ids) == "<a1@example.org> <c3@example.org>"
    many = [f"<{n:040d}@mail.example.org>" for n in range(3)]
    assert message_ids("References", many) == "\r\n ".join(many)
    assert message_ids("In-Reply-To", ["junk"]) == ""


# --- addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("ann@acme.example", ("ann", "acme.example")),
        ("zoë@exämple.com", ("zoë", "exämple.com")),
        ("first.last+tag@sub.example.co.uk", ("first.last+tag", "sub.example.co.uk")),
    ],
)
def test_one_address_is_parsed(address, parts):
    assert parse_address(address) == parts


@pytest.mark.parametrize(
    "address",
    [
        "",
        "ann",
        "ann@",
        "@acme.example",
        "ann@acme.example, bob@evil.example",
        "Ann <ann@acme.example>",
        "ann@acme.example>",
        '"ann lee"@acme.example',
        "ann lee@acme.example",
        "ann@acme.example\r\nBcc: x@evil.example",
        "ann@acme.example;",
    ],
)
def test_anything_but_one_address_is_refused(address):
    with pytest.raises(BadAddress, match="is not one email address"):
        parse_address(address)


HOSTILE = [
    "Evil <attacker@evil.example>, Bob",
    'Ann "x" <a@b.example>;',
    'Ann \\"x\\" <a@b.example>, (comment) Bob',
    "Eve\r\nBcc: victim@example.com",
    "Zoë <z@evil.example>, Ørsted",
    "\u202eBo Chan <x@evil.example>",
    "Dr. O'Hara, Jr.",
]


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("address", ["bob@acme.example", "zoë@exämple.com"])
def test_a_hostile_display_name_stays_one_name(name, address):
    rules = UTF8 if not address.isascii() else ASCII
    named, value = mailbox("To", name, address, rules)
    header = parsed("To", value, utf8=rules is UTF8)
    (only,) = header.addresses
    spec = only.addr_spec.encode("utf-8", "surrogateescape").decode("utf-8")
    assert spec == address
    shown = only.display_name.encode("utf-8", "surrogateescape").decode("utf-8")
    assert shown == header_text(name)
    assert len(f"To: {value}") <= 78


def test_a_name_a_mail_program_would_decode_into_other_text_is_dropped():
    name = "=?utf-8?q?Evil_=3Cattacker@evil.example=3E,?= Bob"
    for address, rules in (("bob@acme.example", ASCII), ("zoë@exämple.com", UTF8)):
        named, value = mailbox("To", name, address, rules)
        assert (named.display_name, value) == ("", address)


def test_a_name_too_long_for_one_line_is_dropped():
    named, value = mailbox("To", "x" * 10_000, "bob@acme.example", ASCII)
    assert value == "bob@acme.example"
    assert named.display_name == ""
    # 78 characters exactly keep the name; one more drops it.
    name = "y" * (78 - len("To:  <bob@acme.example>"))
    assert mailbox("To", name, "bob@acme.example", ASCII)[1] == f"{name} <bob@acme.example>"
    assert mailbox("To", name + "y", "bob@acme.example", ASCII)[1] == "bob@acme.example"


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=120),
    st.sampled_from(["bob@acme.example", "zoë@exämple.com", "o'neil@x.example"]),
)
def test_any_display_name_gives_exactly_one_address(name, address):
    rules = UTF8 if not address.isascii() else ASCII
    _, value = mailbox("To", name, address, rules)
    (only,) = parsed("To", value, utf8=rules is UTF8).addresses
    assert only.addr_spec.encode("utf-8", "surrogateescape").decode("utf-8") == address
    assert len(f"To: {value}") <= 78
    assert all(len(word) <= 75 for word in ENCODED_WORD.findall(value))
