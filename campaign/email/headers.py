"""Header values built only from parsed parts: a value from a sheet is data in any header.

Addresses go through the email package's `Address` objects, so a display name is always
quoted or RFC 2047-encoded and can never become a second recipient (RFC 5322 3.4). Free text
(the Subject) is folded here rather than by the email package: Python's folder writes encoded
words longer than the 75 characters RFC 2047 section 2 allows, and encodes plain ASCII words
that are merely long. Every value first loses control characters, line breaks and the
invisible format characters (bidi overrides, zero-width spaces) that would make a mail
program show something other than what was written.
"""

from __future__ import annotations

import base64
import functools
import re
from email.errors import MessageError
from email.headerregistry import Address
from email.policy import EmailPolicy

from campaign.errors import SendError
from campaign.letters.render import one_line
from campaign.util.text import is_invisible, quote

LINE = 78  # RFC 5322 2.1.1: a line SHOULD be at most 78 characters...
HARD_LINE = 998  # ...and MUST be at most 998
WORD = 75  # RFC 2047 2: an encoded-word is at most 75 characters
# RFC 2047 5 (1): in free text these stand for themselves inside a "Q" encoded-word.
_Q_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
# An atom's characters (RFC 5322 3.2.3): a display name of these alone needs no quoting.
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*")
_MSG_ID = re.compile(r"<[!-;=?-~]+@[!-;=?-~]+>")  # printable ASCII without < > or space


class BadAddress(SendError):
    """A value that is not exactly one email address (an addr-spec)."""


def header_text(value: object) -> str:
    """`value` on one line, without control or invisible characters (bidi controls...)."""
    text = one_line(str(value))
    if text.isascii():  # one_line removed the ASCII controls; no ASCII character is invisible
        return text
    return " ".join("".join(c for c in text if not is_invisible(c)).split())


@functools.lru_cache(maxsize=1024)
def parse_address(address: str) -> tuple[str, str]:
    """(local part, domain) of exactly one plain addr-spec, else BadAddress.

    RFC 6532 lets the local part hold UTF-8 (zoë@exämple.com), which Python 3.11's parser
    reports as a defect, so the shape is checked on a copy with an ASCII letter standing in
    for each non-ASCII character. A quoted local part is refused: nothing that reached the
    ledger has one (the import checks every email), and quoting is where headers go wrong.
    """
    stand_in = "".join(c if c.isascii() else "a" for c in address)
    try:
        parsed = Address(addr_spec=stand_in)
    except (ValueError, IndexError, MessageError) as err:
        raise BadAddress(f"{quote(address)} is not one email address") from err
    plain = parsed.username == stand_in.rpartition("@")[0]  # a dot-atom, not quoted
    if not plain or parsed.addr_spec != stand_in or not parsed.domain:
        raise BadAddress(f"{quote(address)} is not one email address")
    local, _, domain = address.rpartition("@")
    return local, domain


@functools.lru_cache(maxsize=256)  # the From and Reply-To of a batch are all the same
def mailbox(field: str, name: str, address: str, policy: EmailPolicy) -> tuple[Address, str]:
    """`name <address>` for the header `field`, or the address alone when the name is empty,
    holds "=?", or would make the header line longer than 78 characters (RFC 5322 2.1.1): the
    Address and the header's value as the policy folds it (quoted or RFC 2047-encoded)."""
    local, domain = parse_address(address)
    plain = Address(username=local, domain=domain)
    name = header_text(name)
    # A mail program decodes what looks like an encoded word even inside quotes, and would
    # show other text than was written: such a name is left out.
    if name and "=?" not in name:
        named = Address(display_name=name, username=local, domain=domain)
        if _ATOM.fullmatch(name):  # the policy writes such a name as it is: no need to fold
            value = str(named)
            if len(field) + 2 + len(value) <= LINE:
                return named, value
        else:
            lines = policy.header_factory(field, named).fold(policy=policy).splitlines()
            if len(lines) == 1 and len(lines[0]) <= LINE:
                return named, lines[0][len(field) + 2 :]
    return plain, _folded(field, plain, policy)


def _folded(field: str, address: Address, policy: EmailPolicy) -> str:
    if address.addr_spec.isascii() or policy.utf8:
        return address.addr_spec  # one word: there is nothing to fold
    return (
        policy.header_factory(field, address).fold(policy=policy).rstrip("\r\n")[len(field) + 2 :]
    )


def message_ids(field: str, ids: list[str]) -> str:
    """In-Reply-To or References: the well-formed Message-IDs among `ids`, never encoded,
    folded between them; "" when there are none. Returns the value for Message.set_raw."""
    kept = [i for i in (one_line(x) for x in ids) if _MSG_ID.fullmatch(i)]
    return _fold(len(field) + 2, kept) if kept else ""


def unstructured(field: str, value: object, utf8: bool) -> str:
    """A free-text header's value, folded: each line at most 78 characters where a word
    allows it. Plain ASCII words stay as they are; with `utf8` (RFC 6532) so do the others;
    without, each run of words holding other characters becomes RFC 2047 encoded words of at
    most 75 characters, each a whole number of characters (RFC 2047 5).

    Returns the value with folded lines joined by "\\r\\n ", for Message.set_raw.
    """
    words = header_text(value).split(" ")
    room = HARD_LINE - len(field) - 3  # the longest word that fits on a line of its own
    # Short enough for any line, the first one included ("Subject: " takes 9).
    longest = min(WORD, LINE - len(field) - 2)
    atoms: list[str] = []
    run: list[str] = []
    for word in words:
        if _needs_encoding(word, utf8, room):
            run.append(word)
            continue
        if run:
            atoms += _encoded_words(" ".join(run), longest)
            run = []
        atoms.append(word)
    if run:
        atoms += _encoded_words(" ".join(run), longest)
    return _fold(len(field) + 2, atoms)


def _needs_encoding(word: str, utf8: bool, room: int) -> bool:
    if "=?" in word:  # would be read as an encoded word: encode it so it shows as written
        return True
    if len(word.encode("utf-8")) > room:
        return True
    return not (utf8 or word.isascii())


def _fold(start: int, atoms: list[str]) -> str:
    lines: list[str] = []
    line = ""
    width = start
    for atom in atoms:
        if not line:
            line = atom
        elif width + len(line) + 1 + len(atom) <= LINE:
            line += " " + atom
        else:
            lines.append(line)
            line, width = atom, 1  # a continuation line starts with one space
    lines.append(line)
    return "\r\n ".join(lines)


def _encoded_words(text: str, longest: int) -> list[str]:
    """`text` as UTF-8 encoded words of at most `longest` characters, "Q" or "B", whichever
    is shorter; the spaces inside `text` travel inside the words (RFC 2047 6.2)."""
    data = text.encode("utf-8")
    q_length = sum(1 if chr(b) in _Q_SAFE or b == 0x20 else 3 for b in data)
    b_length = 4 * -(-len(data) // 3)
    return _q_words(text, longest) if q_length <= b_length else _b_words(text, longest)


def _q_words(text: str, longest: int) -> list[str]:
    words, chunk = [], ""
    limit = longest - len("=?utf-8?q??=")
    for char in text:
        encoded = "_" if char == " " else char if char in _Q_SAFE else _q_escape(char)
        if len(chunk) + len(encoded) > limit:
            words.append(f"=?utf-8?q?{chunk}?=")
            chunk = ""
        chunk += encoded
    words.append(f"=?utf-8?q?{chunk}?=")
    return words


def _q_escape(char: str) -> str:
    return "".join(f"={b:02X}" for b in char.encode("utf-8"))


def _b_words(text: str, longest: int) -> list[str]:
    words = []
    limit = (longest - len("=?utf-8?b??=")) // 4 * 3  # bytes whose base64 fits
    chunk = b""
    for char in text:
        data = char.encode("utf-8")
        if len(chunk) + len(data) > limit:
            words.append(_b_word(chunk))
            chunk = b""
        chunk += data
    words.append(_b_word(chunk))
    return words


def _b_word(data: bytes) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="
