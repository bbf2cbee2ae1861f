"""How much of a sheet is read: every bound is checked before the data is expanded.

An .xlsx or .ods is a zip of XML, and a few hundred bytes of it can declare a million rows
(`<dimension ref="A1:XFD1048576"/>`, `table:number-rows-repeated="1048576"`) or inflate to
gigabytes. So the archive's directory is checked before anything is decompressed (entries,
declared sizes, compression ratio), a part is never read past its declared size, and rows and
cells are counted while the XML streams by, so a refusal costs a fraction of a second and a few
megabytes. A job seeker's list has 75 to 200 employers (docs/domain.md); the bounds leave room
for a whole CRM export and refuse only what no list of people needs.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from campaign.errors import SheetError

MAX_ROWS = 150_000  # rows of a sheet, counted as read (empty ones too)
MAX_COLUMNS = 1_000  # Outlook's export has 92 columns, Google's about 100
MAX_CELLS = 3_000_000  # cells with something in them
MAX_TEXT_BYTES = 100 * 1024 * 1024  # a .csv or .vcf file
MAX_PART_BYTES = 256 * 1024 * 1024  # one XML part of an .xlsx or .ods, uncompressed
MAX_ENTRIES = 5_000  # files inside the zip (a workbook has a dozen or two)
MAX_RATIO = 100  # uncompressed / compressed, for parts over RATIO_FLOOR
RATIO_FLOOR = 4 * 1024 * 1024


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


def too_big(path: Path, what: str) -> SheetError:
    """The one line that refuses a sheet past a bound, naming the bound."""
    return SheetError(f"{path.name}: {what}; not read. Is it the right file?")


def unreadable(path: Path, err: Exception) -> SheetError:
    reason = str(err).splitlines()[0] if str(err) else type(err).__name__
    return SheetError(
        f"{path}: cannot be read as a spreadsheet ({reason[:120]}). Is it password-protected "
        "or damaged? Open it and save a copy without a password."
    )


def checked_zip(path: Path) -> zipfile.ZipFile:
    """The archive, once its directory is sane: few entries, no part a bomb."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise unreadable(path, err) from None
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        archive.close()
        raise too_big(path, f"the file holds {len(entries):,} parts (at most {MAX_ENTRIES:,})")
    return archive


def open_part(archive: zipfile.ZipFile, name: str, path: Path):
    """One part of the archive for reading, refused if it would expand past the bounds.

    zipfile never returns more than a part's declared size, so checking that size bounds
    what is decompressed, whatever the compressed stream holds.
    """
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise too_big(
            path, f"{name} expands to {_mib(info.file_size)} (at most {_mib(MAX_PART_BYTES)})"
        )
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise too_big(
            path,
            f"{name} expands {ratio:,} times ({info.compress_size:,} bytes to "
            f"{_mib(info.file_size)}), as no spreadsheet does",
        )
    return archive.open(info)


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def column_number(letters: str) -> int:
    """ "A" -> 1, "XFD" -> 16384."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def parse_ref(ref: str) -> tuple[int, int] | None:
    """ "B12" -> (12, 2); None if it is not a cell reference."""
    match = _REF.match(ref)
    if not match:
        return None
    return int(match.group(2)), column_number(match.group(1))


@dataclass
class Budget:
    """Rows and cells counted while a sheet streams by; past a bound, one clear line."""

    path: Path
    rows: int = 0
    cells: int = 0

    def row(self, number: int, count: int = 1) -> None:
        self.rows += count
        if number > MAX_ROWS:
            raise too_big(
                self.path, f"the sheet reaches row {number:,} (at most {MAX_ROWS:,} rows are read)"
            )
        if self.rows > MAX_ROWS:
            raise too_big(self.path, f"the sheet has more than {MAX_ROWS:,} rows")

    def cell(self, row: int, column: int, count: int = 1) -> None:
        self.cells += count
        if column > MAX_COLUMNS:
            raise too_big(
                self.path,
                f"row {row} has something in column {column:,} (at most {MAX_COLUMNS:,} "
                "columns are read); delete what lies right of your list",
            )
        if row > MAX_ROWS:
            raise too_big(self.path, f"the sheet has something in row {row:,}")
        if self.cells > MAX_CELLS:
            raise too_big(self.path, f"the sheet has more than {MAX_CELLS:,} filled cells")

    def declared(self, ref: str) -> None:
        """An .xlsx's `<dimension ref="A1:K200"/>`: refused at once if past the bounds."""
        last = parse_ref(ref.split(":")[-1])
        if last is None:
            return
        rows, columns = last
        if rows > MAX_ROWS or columns > MAX_COLUMNS:
            raise too_big(
                self.path,
                f"the sheet declares cells up to {ref.split(':')[-1].upper()} "
                f"({rows:,} rows by {columns:,} columns; at most {MAX_ROWS:,} by "
                f"{MAX_COLUMNS:,} are read)",
            )


def check_text_size(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise too_big(path, f"the file is {_mib(size)} (at most {_mib(MAX_TEXT_BYTES)})")
