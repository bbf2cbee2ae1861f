"""Sheet files read as the user sees them: Excel number formats applied, merged cells filled.

A ZIP code typed as the number 7102 and shown by Excel's `00000` format as 07102 must reach the
letter as 07102; a phone number 6175551002 shown as (617) 555-1002 must print that way; a
company typed once in a cell merged over two rows belongs to both rows (issue 9).

.xlsx/.xlsm are read with openpyxl, which gives each cell's number format and the merged
ranges. .ods is read from its XML, where every cell carries the text the user saw. Older
formats (.xls, .xlsb) go through pandas and calamine, values only.

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
from decimal import Decimal
from pathlib import Path

from campaign.errors import Notice, SheetError

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


def _shown(cell) -> object:
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not value.is_integer():
        return plain_number(value)
    whole = int(value)
    return displayed(whole, cell.number_format) or str(whole)


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


def _unreadable(path: Path, err: Exception) -> SheetError:
    reason = str(err).splitlines()[0] if str(err) else type(err).__name__
    return SheetError(
        f"{path}: cannot be read as a spreadsheet ({reason[:120]}). Is it password-protected "
        "or damaged? Open it and save a copy without a password."
    )


def read_xlsx(path: Path, sheet: str | None) -> list[list[object]]:
    """Rows of an .xlsx/.xlsm as shown: number formats applied, merged cells filled."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as err:  # zipfile, XML and openpyxl errors for damaged or encrypted files
        raise _unreadable(path, err) from None
    try:
        ws = book[pick_sheet(path, book.sheetnames, sheet)]
        rows = [[_shown(cell) for cell in row] for row in ws.iter_rows()]
        for merged in ws.merged_cells.ranges:
            top = rows[merged.min_row - 1][merged.min_col - 1]
            for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                row = rows[r]
                for c in range(merged.min_col - 1, min(merged.max_col, len(row))):
                    row[c] = top
        return rows
    finally:
        book.close()


# --- OpenDocument spreadsheets ------------------------------------------------------------------

_NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}
_T, _X, _O = (f"{{{_NS[name]}}}" for name in ("table", "text", "office"))
_REPEAT_LIMIT = 10_000  # an .ods pads its last row and column with "repeated" empty cells


def _paragraph(element) -> str:
    """The text of a text:p as the user typed it (spaces, tabs and line breaks included)."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag == f"{_X}s":
            parts.append(" " * int(child.get(f"{_X}c", "1")))
        elif tag == f"{_X}tab":
            parts.append("\t")
        elif tag == f"{_X}line-break":
            parts.append("\n")
        else:
            parts.append(_paragraph(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _ods_cell(cell) -> object:
    kind = cell.get(f"{_O}value-type")
    if kind == "date":
        value = cell.get(f"{_O}date-value", "")
        return value[:10] if value.endswith("T00:00:00") or len(value) == 10 else value
    return "\n".join(_paragraph(p) for p in cell.findall(f"{_X}p"))


def read_ods(path: Path, sheet: str | None) -> list[list[object]]:
    """Rows of an .ods with each cell's text as written, merged cells filled."""
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
            root = ElementTree.parse(content).getroot()
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError) as err:
        raise _unreadable(path, err) from None
    tables = root.findall(".//office:spreadsheet/table:table", _NS)
    names = [t.get(f"{_T}name", "") for t in tables]
    table = tables[names.index(pick_sheet(path, names, sheet))]
    rows: list[list[object]] = []
    spans: dict[tuple[int, int], object] = {}
    for row in table.iter(f"{_T}table-row"):
        cells: list[object] = []
        for cell in row:
            if cell.tag not in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                continue
            repeat = min(int(cell.get(f"{_T}number-columns-repeated", "1")), _REPEAT_LIMIT)
            value = _ods_cell(cell)
            for _ in range(repeat):
                r, c = len(rows), len(cells)
                if cell.tag.endswith("covered-table-cell"):
                    cells.append(spans.get((r, c), ""))
                    continue
                cells.append(value)
                down = int(cell.get(f"{_T}number-rows-spanned", "1"))
                across = int(cell.get(f"{_T}number-columns-spanned", "1"))
                for dr in range(down):
                    for dc in range(across):
                        if dr or dc:
                            spans[(r + dr, c + dc)] = value
        while cells and cells[-1] == "":
            cells.pop()
        repeat = min(int(row.get(f"{_T}number-rows-repeated", "1")), _REPEAT_LIMIT)
        rows += [list(cells) for _ in range(repeat)]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _decode(data: bytes, encoding: str | None, path: Path) -> tuple[str, str | None]:
    """CSV bytes as text; a note when the encoding was guessed."""
    if encoding:
        try:
            return data.decode(encoding), None
        except LookupError:
            raise SheetError(f"{path}: unknown encoding {encoding!r}.") from None
        except UnicodeDecodeError as err:
            raise SheetError(
                f"{path}: not valid {encoding} at byte {err.start}", hint="encoding-other"
            ) from None
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


def _read_csv(path: Path, encoding: str | None) -> tuple[list[list[str]], list[str]]:
    text, note = _decode(path.read_bytes(), encoding, path)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise SheetError(f"{path}: the file is empty.")
    # The stdlib reader takes ragged rows (a title typed above the header, a stray trailing
    # comma) that pandas' C parser refuses, and every cell comes back as text.
    sample = text[:16384]
    counts = {d: sample.count(d) for d in ",;\t|"}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as err:
        raise SheetError(f"{path}: not a readable CSV file ({err}).") from None
    return rows, [note] if note else []


def _read_other(path: Path, sheet: str | None) -> list[list[object]]:
    """.xls and .xlsb, through pandas and calamine: values only."""
    import pandas as pd

    try:
        with pd.ExcelFile(path, engine="calamine") as book:
            name = pick_sheet(path, [str(n) for n in book.sheet_names], sheet)
            frame = book.parse(
                sheet_name=name,
                header=None,
                dtype=object,
                keep_default_na=False,  # a company called "NA" is a company
            )
    except SheetError:
        raise
    except Exception as err:  # calamine raises many kinds for damaged or encrypted files
        raise _unreadable(path, err) from None
    return frame.to_numpy().tolist()


def read_cells(
    path: Path, sheet: str | None = None, encoding: str | None = None
) -> tuple[list[list[str]], list[str]]:
    """Every cell of the sheet as text, row by row (row 1 first), and any reading notes."""
    if not path.exists():
        raise SheetError(f"{path}: no such file.")
    if path.is_dir():
        raise SheetError(f"{path}: is a folder, not a spreadsheet.")
    if path.stat().st_size == 0:
        raise SheetError(f"{path}: the file is empty (0 bytes); save your sheet again.")
    suffix = path.suffix.lower()
    if suffix in TEXT:
        if sheet:
            raise SheetError(f"{path}: a CSV file has one sheet", hint="csv-one-sheet")
        raw, notes = _read_csv(path, encoding)
    elif suffix in (".xlsx", ".xlsm"):
        raw, notes = read_xlsx(path, sheet), []
    elif suffix == ".ods":
        raw, notes = read_ods(path, sheet), []
    elif suffix in EXCEL:
        raw, notes = _read_other(path, sheet), []
    else:
        raise SheetError(
            f"{path}: unknown file type {suffix or '(none)'}; use .xlsx, .xlsm, .xls, .ods or .csv."
        )
    return [[cell_text(value) for value in row] for row in raw], notes


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
