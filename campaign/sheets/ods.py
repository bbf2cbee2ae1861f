""".ods read as the user saw it, streamed and bounded.

OpenDocument (ODF 1.2 Part 1, 9.1 and 9.1.3) stores each cell's text as displayed, and packs
runs of identical rows and cells with `table:number-rows-repeated` and
`table:number-columns-repeated`: LibreOffice pads every sheet to its last row that way. A run
of empty rows or cells is only counted, never built; a run with something in it is built and
counted against the bounds, so a 769-byte file that repeats one cell a billion times is
refused in milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat
from zipfile import BadZipFile
from zlib import error as zerror

from campaign.errors import SheetError
from campaign.sheets.limits import Budget, checked_zip, open_part, unreadable

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_FLOAT_TEXT = re.compile(r"-?\d+\.0+")

Row = tuple[int, list[str], bool]


class _OdsReader:
    """expat handlers for content.xml: the chosen table's rows, as they come."""

    def __init__(self, path: Path, wanted: str | None):
        self.budget = Budget(path)
        self.wanted = wanted.strip().casefold() if wanted else None
        self.names: list[str] = []
        self.active = False
        self.done = False
        self.out: list[Row] = []
        self.number = 0  # the last row number given out or skipped
        self.empty_rows = 0  # empty rows seen but not built yet
        self.cells: list[str] = []
        self.empty_cells = 0
        self.row_attrs: dict[str, str] = {}
        self.cell: dict[str, str] | None = None
        self.covered = False
        self.paragraphs: list[str] = []
        self.text: list[str] | None = None
        self.skip = 0  # inside an annotation (a comment): not the cell's text
        self.spans: list[tuple[int, int, int, int, str]] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        space, _, local = tag.rpartition(" ")
        if space == _TABLE and local == "table":
            name = attrs.get(f"{_TABLE} name", "")
            self.names.append(name)
            wanted = self.wanted
            self.active = not self.done and (
                (wanted is None and len(self.names) == 1) or name.strip().casefold() == wanted
            )
        if not self.active:
            return
        if space == _OFFICE and local == "annotation":
            self.skip += 1
        elif self.skip:
            return
        elif space == _TABLE and local == "table-row":
            self.row_attrs = attrs
            self.cells, self.empty_cells = [], 0
        elif space == _TABLE and local in ("table-cell", "covered-table-cell"):
            self.cell, self.covered = attrs, local == "covered-table-cell"
            self.paragraphs = []
        elif space == _TEXT and local == "p" and self.cell is not None:
            self.text = []
        elif space == _TEXT and self.text is not None:
            if local == "s":
                self.text.append(" " * min(int(attrs.get(f"{_TEXT} c", "1") or 1), 1000))
            elif local == "tab":
                self.text.append("\t")
            elif local == "line-break":
                self.text.append("\n")

    def end(self, tag: str) -> None:
        space, _, local = tag.rpartition(" ")
        if not self.active:
            return
        if space == _OFFICE and local == "annotation":
            self.skip -= 1
        elif self.skip:
            return
        elif space == _TEXT and local == "p" and self.text is not None:
            self.paragraphs.append("".join(self.text))
            self.text = None
        elif space == _TABLE and local in ("table-cell", "covered-table-cell"):
            self._end_cell()
        elif space == _TABLE and local == "table-row":
            self._end_row()
        elif space == _TABLE and local == "table":
            self.active, self.done = False, True

    def chars(self, data: str) -> None:
        if self.active and self.text is not None and not self.skip:
            self.text.append(data)

    def _value(self, attrs: dict[str, str]) -> str:
        from campaign.sheets.cells import plain_number

        text = "\n".join(self.paragraphs).strip()
        kind = attrs.get(f"{_OFFICE} value-type", "")
        if kind == "date":
            value = attrs.get(f"{_OFFICE} date-value", "")
            return value[:10] if value.endswith("T00:00:00") or len(value) == 10 else value
        if kind in ("float", "percentage", "currency"):
            raw = attrs.get(f"{_OFFICE} value", "")
            # pandas writes a float column's text as repr(): 7102.0 is the number 7102.
            if raw and (not text or _FLOAT_TEXT.fullmatch(text)):
                try:
                    return plain_number(float(raw))
                except ValueError:
                    return text
        return text

    def _end_cell(self) -> None:
        attrs = self.cell or {}
        self.cell = None
        repeat = int(attrs.get(f"{_TABLE} number-columns-repeated", "1") or 1)
        row = self.number + self.empty_rows + 1
        column = len(self.cells) + self.empty_cells + 1
        if self.covered:
            value = next(
                (v for r0, c0, r1, c1, v in self.spans if r0 <= row <= r1 and c0 <= column <= c1),
                "",
            )
        else:
            value = self._value(attrs)
        if not value:
            self.empty_cells += repeat
            return
        self.budget.cell(row, column + repeat - 1, repeat)
        self.cells += [""] * self.empty_cells + [value] * repeat
        self.empty_cells = 0
        down = int(attrs.get(f"{_TABLE} number-rows-spanned", "1") or 1)
        across = int(attrs.get(f"{_TABLE} number-columns-spanned", "1") or 1)
        if (down > 1 or across > 1) and not self.covered:
            self.spans.append((row, column, row + down - 1, column + across - 1, value))

    def _end_row(self) -> None:
        attrs = self.row_attrs
        repeat = int(attrs.get(f"{_TABLE} number-rows-repeated", "1") or 1)
        if not self.cells:
            self.empty_rows += repeat  # counted, never built: LibreOffice pads to the end
            return
        first = self.number + self.empty_rows + 1
        last = first + repeat - 1
        self.budget.row(last, repeat)
        self.budget.cell(last, len(self.cells), len(self.cells) * (repeat - 1))
        hidden = attrs.get(f"{_TABLE} visibility", "visible") in ("collapse", "filter")
        for number in range(first, last + 1):
            self.out.append((number, list(self.cells), hidden))
        self.number, self.empty_rows = last, 0
        self.spans = [s for s in self.spans if s[2] > last]


def read_ods(path: Path, sheet: str | None) -> Iterator[Row]:
    """(row number, cells, hidden) of an .ods sheet, streamed from its content.xml."""
    from campaign.sheets.cells import pick_sheet

    archive = checked_zip(path)
    reader = _OdsReader(path, sheet)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.chars

    def refuse(*_: Any) -> None:
        raise expat.ExpatError("a DOCTYPE declaration (not allowed in a spreadsheet)")

    parser.StartDoctypeDeclHandler = refuse
    try:
        with archive, open_part(archive, "content.xml", path) as content:
            while chunk := content.read(65536):
                parser.Parse(chunk, False)
                yield from reader.out
                reader.out.clear()
            parser.Parse(b"", True)
            yield from reader.out
    except SheetError:
        raise
    except (KeyError, ValueError, OSError, expat.ExpatError, EOFError, BadZipFile, zerror) as err:
        raise unreadable(path, err) from None
    if not reader.names:
        raise SheetError(f"{path}: the workbook has no sheets.")
    if sheet is not None and not reader.done:
        pick_sheet(path, reader.names, sheet)  # raises, listing the sheets there are
