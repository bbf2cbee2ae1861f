"""A cell as the user saw it: Excel's number formats, numbers without `.0`, text decoded.

No installable library formats Excel numbers well enough here (q2numfmt drops the zeros of
`00000`; ssf fails to start with current Babel), so `displayed` handles the digit patterns
that matter for text fields: zero-padded codes, phone and ZIP+4 masks, conditional sections,
thousands separators. Anything else falls back to the plain number, never `.0` or `1e+20`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from campaign.errors import Notice, SheetError

_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)(-?\d+(?:\.\d+)?)\]")
_BRACKETS = re.compile(r"\[[^\]]*\]")
_NOT_DIGIT_PATTERN = re.compile(r"[.%eE@yYmMdDhHsSaApP/]")


def _sections(fmt: str) -> list[str]:
    """A format split at `;`, outside quotes and escapes."""
    parts, current, quoted, escaped = [], "", False, False
    for char in fmt:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            current += char
            escaped = True
        elif char == '"':
            current += char
            quoted = not quoted
        elif char == ";" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _holds(condition: tuple[str, str], value: int) -> bool:
    op, bound = condition[0], float(condition[1])
    return {
        "<": value < bound,
        ">": value > bound,
        "=": value == bound,
        "<=": value <= bound,
        ">=": value >= bound,
        "<>": value != bound,
    }[op]


def _choose(sections: list[str], value: int) -> str | None:
    conditions = [_CONDITION.search(s) for s in sections]
    if any(conditions):
        for section, condition in zip(sections, conditions, strict=True):
            if condition and _holds((condition.group(1), condition.group(2)), value):
                return section
        # Excel: the first section without a condition takes the rest.
        plain = [s for s, c in zip(sections, conditions, strict=True) if not c]
        return plain[0] if plain else None
    return sections[0] if value >= 0 or len(sections) == 1 else None


def _tokens(section: str) -> list[tuple[str, str]] | None:
    """("digit", "0"/"#"/"?") and ("text", literal) tokens; None for non-digit patterns."""
    tokens: list[tuple[str, str]] = []
    chars = iter(_BRACKETS.sub("", section))
    for char in chars:
        if char == '"':
            literal = ""
            for inner in chars:
                if inner == '"':
                    break
                literal += inner
            tokens.append(("text", literal))
        elif char == "\\":
            tokens.append(("text", next(chars, "")))
        elif char == "_":  # the width of the next character: a space
            next(chars, None)
            tokens.append(("text", " "))
        elif char == "*":  # fill with the next character: nothing in a cell's text
            next(chars, None)
        elif char in "0#?":
            tokens.append(("digit", char))
        elif _NOT_DIGIT_PATTERN.match(char):
            return None
        else:
            tokens.append(("text", char))
    return tokens


def displayed(value: int, fmt: str) -> str | None:
    """The text Excel shows for the whole number `value` under `fmt`; None if not a pattern."""
    if not fmt or fmt.strip().lower() in ("general", "@"):
        return None
    section = _choose(_sections(fmt), value)
    if section is None:
        return None
    tokens = _tokens(section)
    if not tokens or not any(kind == "digit" for kind, _ in tokens):
        return None
    text = "".join(t for _, t in tokens)
    if "," in text:
        # Thousands separators between placeholders: #,##0 and the like.
        body = "".join(t for k, t in tokens if k == "digit" or t == ",")
        if body != text.strip() or not re.fullmatch(r"[#0?,]+", body):
            return None
        return f"{abs(value):0{body.count('0') + body.count(',')},}"
    digits = str(abs(value)) if value else ""
    places = [i for i, (kind, _) in enumerate(tokens) if kind == "digit"]
    out = [t for _, t in tokens]
    for index in reversed(places):
        placeholder = tokens[index][1]
        if index == places[0]:
            out[index] = digits or {"0": "0", "#": "", "?": " "}[placeholder]
        elif digits:
            out[index], digits = digits[-1], digits[:-1]
        else:
            out[index] = {"0": "0", "#": "", "?": " "}[placeholder]
    return "".join(out)


def plain_number(value: float | int) -> str:
    """A number as text with no `.0` and no scientific notation."""
    if isinstance(value, int):
        return str(value)
    if value != value:  # NaN
        return ""
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def pick_sheet(path: Path, names: list[str], wanted: str | None) -> str:
    """The sheet named `wanted` (any case), or the first one."""
    if not names:
        raise SheetError(f"{path}: the workbook has no sheets.")
    if wanted is None:
        return names[0]
    for name in names:
        if name.casefold() == wanted.strip().casefold():
            return name
    from campaign.util.text import quote

    raise SheetError(
        f"{path}: no sheet named {quote(wanted)}; the sheets are: "
        + ", ".join(quote(n) for n in names)
    )


def decode(data: bytes, encoding: str | None, path: Path) -> tuple[str, Notice | None]:
    """Text file bytes as text; a note when the encoding was guessed."""
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff"), None
        except LookupError:
            raise SheetError(f"{path}: unknown encoding {encoding!r}.") from None
        except UnicodeDecodeError as err:
            raise SheetError(
                f"{path}: not valid {encoding} at byte {err.start}", hint="encoding-other"
            ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Older Google and Outlook exports are UTF-16 with a byte order mark.
        try:
            return data.decode("utf-16").lstrip("\ufeff"), None
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV" on Windows saves in the ANSI code page, almost always Windows-1252.
        return data.decode("cp1252"), Notice(
            f"{path.name} is not UTF-8; read it as Windows-1252 (cp1252). If names look wrong",
            hint="encoding",
        )
    except UnicodeDecodeError:
        raise SheetError(
            f"{path}: not UTF-8 or Windows-1252 text; save it as CSV UTF-8", hint="encoding"
        ) from None


def cell_text(value: object) -> str:
    """A cell as text: numbers without ".0", dates as ISO, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return plain_number(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
