"""Sheet files read as the user sees them: Excel number formats applied, merged cells filled.

A ZIP code typed as the number 7102 and shown by Excel's `00000` format as 07102 must reach the
letter as 07102; a phone number 6175551002 shown as (617) 555-1002 must print that way; a
company typed once in a cell merged over two rows belongs to both rows.

.xlsx/.xlsm (sheets/xlsx.py) and .ods (sheets/ods.py) are streamed from their XML with every
bound checked first (sheets/limits.py); .vcf cards become rows (sheets/vcard.py); .csv cells are
taken as written. Older formats (.xls, .xlsb) go through pandas and calamine, values only.

How a cell's value becomes the text the user saw is cells.py's job.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from campaign.errors import Notice, SheetError
from campaign.sheets.cells import cell_text, decode, pick_sheet
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

Numbered = Iterator[tuple[int, list[str], bool]]


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their endings, as a file opened with newline="" gives them.

    Not io.StringIO: it holds its text as four bytes a character, 60 MB for a 15 MB sheet.
    """
    start = 0
    for match in _NEWLINE.finditer(text):
        yield text[start : match.end()]
        start = match.end()
    if start < len(text):
        yield text[start:]


def _csv_rows(path: Path, text: str) -> Numbered:
    """Each record as (number, cells, False): cells as written, never through a number."""
    # The stdlib reader takes ragged rows (a title typed above the header, a stray trailing
    # comma) that pandas' C parser refuses, and every cell comes back as text.
    sample = text[:16384]
    counts = {d: sample.count(d) for d in ",;\t|"}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    budget = Budget(path)
    try:
        if text.count("\n") > MAX_ROWS:
            # Perhaps too many records: counted first at the csv module's own speed, so a
            # file of empty lines is refused before a row is handled.
            counting = csv.reader(_lines(text), delimiter=delimiter)
            records = sum(1 for _ in itertools.islice(counting, MAX_ROWS + 1))
            if records > MAX_ROWS:
                budget.row(records)
        reader = csv.reader(_lines(text), delimiter=delimiter)
        for number, row in enumerate(reader, 1):
            budget.row(number)
            if len(row) > MAX_COLUMNS:
                budget.cell(number, len(row))
            yield number, row, False
    except csv.Error as err:
        raise SheetError(f"{path}: not a readable CSV file ({err}).") from None


def _read_other(path: Path, sheet: str | None) -> Numbered:
    """.xls and .xlsb, through pandas and calamine: values only."""
    import pandas as pd  # type: ignore[import-untyped]

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
