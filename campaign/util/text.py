"""Text from a user's sheet, made safe for every output: stored, quoted, shown, named.

A value from a spreadsheet may hold anything: NUL and escape characters, bidi overrides that
reorder what a terminal shows, or 10,000 characters. These helpers are the one place that
decides what such a value becomes in a message, on a terminal, and in a file name.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# C0 and C1 control characters except tab and newline (and CR, folded to newline on import).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Characters a terminal shows as nothing, or that reorder what follows: bidi embeddings,
# overrides and isolates, zero-width characters, the BOM, and the rest of Unicode's "Cf".
_INVISIBLE_EXTRA = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u3164\uffa0"
QUOTE_LIMIT = 80


def strip_controls(text: str) -> tuple[str, bool]:
    """`text` without control characters (tab and newline kept); whether any were removed."""
    cleaned = CONTROL.sub("", text)
    return cleaned, cleaned != text


def clean(value: object) -> object:
    """A stored value without control characters (other types as they are)."""
    return CONTROL.sub("", value) if isinstance(value, str) else value


def is_invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or char in _INVISIBLE_EXTRA


def visible(text: str) -> str:
    """`text` for a terminal: control and invisible characters written as \\uXXXX escapes."""
    if text.isascii() and not CONTROL.search(text):
        return text
    out = []
    for char in text:
        if char in "\t\n":
            out.append(char)
        elif CONTROL.match(char) or is_invisible(char):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """At most about `limit` characters of `text`, saying how long it was when cut."""
    text = visible(" ".join(str(text).split()))
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1].rstrip()}… ({len(text):,} characters)"


def quote(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A user's value for a message: in double quotes, shortened, invisible characters shown."""
    return f'"{shorten(str(value), limit)}"'


def slug(text: str, limit: int = 30) -> str:
    """A file-name part: accents transliterated (Zoë Ørsted -> zoe-orsted), lower case.

    `limit` 0 keeps the whole text (for comparing names whatever their accents).
    """
    from slugify import slugify

    return slugify(str(text), max_length=limit, word_boundary=False) or "x"


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 letter", "2 letters"; `many` for irregular plurals ("1 reply", "2 replies")."""
    return f"{count:,} {agree(count, word, many or word + 's')}"


def agree(count: int, one: str, many: str) -> str:
    """`one` or `many` as `count` asks, without the number: "was"/"were", "it"/"them"."""
    return one if count == 1 else many


_APOSTROPHES = dict.fromkeys(map(ord, "'\u2019\u2018\u02bc`\u00b4\u2032"), None)
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def plain(text: str) -> str:
    """`text` in lower-case ASCII without apostrophes: "O’Hara" -> "ohara", "Ø" -> "o"."""
    text = text.replace("'", "").replace("`", "")
    if not text.isascii():
        # Only the non-ASCII runs ("ó", "Ø", "’"), each worked out once: an import folds
        # every row, and unidecode is pure Python.
        text = _NON_ASCII.sub(lambda run: _ascii(run.group()), text)
    return text.lower()


@functools.lru_cache(maxsize=4096)
def _ascii(run: str) -> str:
    from text_unidecode import unidecode  # type: ignore[import-untyped]

    return str(unidecode(run.translate(_APOSTROPHES)))


def folded(text: object) -> str:
    """`text` for comparing as a person reads it: case, accents and apostrophe style ignored.

    "O’Hara", "o'hara" and "OHARA" are all "ohara"; "Zoë Ørsted" is "zoe orsted".
    """
    return " ".join(_NOT_WORD.sub(" ", plain(str(text or ""))).split())
