"""Sheet files read as the user sees them: Excel number formats applied, merged cells filled.

A ZIP code typed as the number 7102 and shown by Excel's `00000` format as 07102 must reach the
letter as 07102; a phone number 6175551002 shown as (617) 555-1002 must print that way; a
company typed once in a cell merged over two rows belongs to both rows.

.xlsx/.xlsm (sheets/xlsx.py) and .ods (sheets/ods.py) are streamed from their XML with every
bound checked first (sheets/limits.py); .vcf cards become rows (sheets/vcard.py); .csv cells are
taken as written. Older formats (.xls, .xlsb) go through pandas and calamine, values only.

No installable library formats Excel numbers well enough here (q2numfmt drops the zeros of
`00000`; ssf fails to start with current Babel), so `displayed` handles the digit patterns
that matter for text fields: zero-padded codes, phone and ZIP+4 masks, conditional sections,
thousands separators. Anything else falls back to the plain number, never `.0` or `1e+20`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from campaign.errors import Notice, SheetError
from campaign.sheets.limits import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_TEXT_BYTES,
    Budget,
    check_text_size,
    checked_zip,
    unreadable,
)

EXCEL = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
TEXT = {".csv", ".tsv", ".txt"}

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
            if condition and _holds(condition.groups(), value):
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


Numbered = Iterator[tuple[int, list[str], bool]]


def _csv_rows(path: Path, text: str) -> Numbered:
    """Each record as (number, cells, False): cells as written, never through a number."""
    # The stdlib reader takes ragged rows (a title typed above the header, a stray trailing
    # comma) that pandas' C parser refuses, and every cell comes back as text.
    sample = text[:16384]
    counts = {d: sample.count(d) for d in ",;\t|"}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    budget = Budget(path)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, row in enumerate(reader, 1):
            budget.row(number)
            if len(row) > MAX_COLUMNS:
                budget.cell(number, len(row))
            yield number, row, False
    except csv.Error as err:
        raise SheetError(f"{path}: not a readable CSV file ({err}).") from None


def _read_other(path: Path, sheet: str | None) -> Numbered:
    """.xls and .xlsb, through pandas and calamine: values only."""
    import pandas as pd

    if path.suffix.lower() == ".xlsb":
        checked_zip(path).close()  # the zip's directory, before calamine expands it
    elif path.stat().st_size > MAX_TEXT_BYTES:
        check_text_size(path)
    try:
        with pd.ExcelFile(path, engine="calamine") as book:
            name = pick_sheet(path, [str(n) for n in book.sheet_names], sheet)
            frame = book.parse(
                sheet_name=name,
                header=None,
                dtype=object,
                keep_default_na=False,  # a company called "NA" is a company
                nrows=MAX_ROWS + 1,
            )
    except SheetError:
        raise
    except Exception as err:  # calamine raises many kinds for damaged or encrypted files
        raise unreadable(path, err) from None
    budget = Budget(path)
    for number, row in enumerate(frame.itertuples(index=False, name=None), 1):
        budget.row(number)
        yield number, [cell_text(v) for v in row], False


@dataclass
class Sheet:
    """A sheet's rows as the user sees them, streamed: (row number, cells, hidden)."""

    rows: Numbered
    notes: list[Notice | str] = field(default_factory=list)
    kind: str = "csv"  # csv, xlsx, ods, vcf, xls


def open_sheet(path: Path, sheet: str | None = None, encoding: str | None = None) -> Sheet:
    """The sheet at `path`, checked before it is expanded; its rows come as they are read."""
    from campaign.sheets.ods import read_ods
    from campaign.sheets.vcard import read_vcard
    from campaign.sheets.xlsx import read_xlsx

    if not path.exists():
        raise SheetError(f"{path}: no such file.")
    if path.is_dir():
        raise SheetError(f"{path}: is a folder, not a spreadsheet.")
    if path.stat().st_size == 0:
        raise SheetError(f"{path}: the file is empty (0 bytes); save your sheet again.")
    suffix = path.suffix.lower()
    if sheet and suffix in (*TEXT, ".vcf"):
        raise SheetError(f"{path}: a CSV file has one sheet", hint="csv-one-sheet")
    if suffix in TEXT:
        check_text_size(path)
        text, note = decode(path.read_bytes(), encoding, path)
        if not text.strip():
            raise SheetError(f"{path}: the file is empty.")
        return Sheet(_csv_rows(path, text), [note] if note else [], "csv")
    if suffix == ".vcf":
        return Sheet(read_vcard(path, encoding), [], "vcf")
    if suffix in (".xlsx", ".xlsm"):
        return Sheet(read_xlsx(path, sheet).numbered(), [], "xlsx")
    if suffix == ".ods":
        return Sheet(read_ods(path, sheet), [], "ods")
    if suffix in EXCEL:
        return Sheet(_read_other(path, sheet), [], "xls")
    raise SheetError(
        f"{path}: unknown file type {suffix or '(none)'}; use .xlsx, .xlsm, .xls, .ods, .csv "
        "or .vcf."
    )


def read_cells(
    path: Path, sheet: str | None = None, encoding: str | None = None
) -> tuple[list[list[str]], list[Notice | str]]:
    """Every cell of the sheet as text, row by row (row 1 first), and any reading notes."""
    opened = open_sheet(path, sheet, encoding)
    cells: list[list[str]] = []
    for number, row, _ in opened.rows:
        cells += [[] for _ in range(number - 1 - len(cells))]
        cells.append([cell.strip() for cell in row])
    while cells and not any(cells[-1]):
        cells.pop()
    if opened.kind == "xlsx":  # a worksheet is a grid: every row as wide as the widest
        width = max(map(len, cells), default=0)
        cells = [row + [""] * (width - len(row)) for row in cells]
    return cells, opened.notes


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
