""".xlsx and .xlsm read as Excel shows them, streamed and bounded.

The parts are read with expat as they decompress (ECMA-376 Part 1, 18.3 for the worksheet,
18.4 for shared strings, 18.8 for styles): a row is counted the moment it starts, so a sheet
that declares or holds a million rows is refused after the first few kilobytes past the bound.
A general-purpose reader (openpyxl) builds the whole grid first, which is how a 1.5 KB file
with one cell at XFD1048576 grew to gigabytes.

What Excel shows is what a letter prints: a number's format is applied (`00000` keeps the zero
of 07102; see workbook.displayed), `_xHHHH_` escapes are decoded (18.4.1: Excel stores a
carriage return typed in a cell as `_x000D_`), rows hidden by hand or by a filter are marked,
and a merged cell's value covers every cell it spans.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat
from zipfile import BadZipFile
from zlib import error as zerror

from campaign.errors import SheetError
from campaign.sheets.limits import MAX_ROWS, Budget, checked_zip, open_part, parse_ref, unreadable

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Excel's built-in number formats that matter for text (ECMA-376 18.8.30); dates by id below.
_BUILTIN = {1: "0", 3: "#,##0", 49: "@"}
_DATE_IDS = {*range(14, 23), *range(45, 48), *range(27, 37), *range(50, 59)}
# What a damaged or truncated archive raises while a part is read.
_DAMAGED = (KeyError, ValueError, OSError, expat.ExpatError, EOFError, BadZipFile, zerror)
_DATE_LETTERS = re.compile(r"[dmyhs]", re.IGNORECASE)
_NOT_DATE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def unescape(text: str) -> str:
    """Excel's `_xHHHH_` escapes decoded ("Eve_x000D_" -> "Eve\\r"); `_x005F_` is "_"."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def is_date_format(fmt: str) -> bool:
    """Whether a custom number format shows a date or time (d, m, y, h, s outside quotes)."""
    return bool(_DATE_LETTERS.search(_NOT_DATE.sub("", fmt)))


def _stream(part: IO[bytes], start: Callable, end: Callable | None, text: Callable | None):
    """Run expat over `part` in chunks; a DOCTYPE (entity tricks) is refused outright."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text

    def refuse(*_: object) -> None:
        raise expat.ExpatError("a DOCTYPE declaration (not allowed in a workbook)")

    parser.StartDoctypeDeclHandler = refuse
    while chunk := part.read(65536):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


@dataclass
class _Book:
    sheets: list[tuple[str, str]]  # (name, part path)
    shared_part: str | None
    styles_part: str | None
    date1904: bool = False


def _relationships(archive, path: Path, part: str) -> dict[str, tuple[str, str]]:
    """{id: (type's last word, target part)} of a part's .rels."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", f"{name}.rels")
    found: dict[str, tuple[str, str]] = {}
    if rels_name not in archive.NameToInfo:
        return found

    def start(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "Relationship":
            target = attrs.get("Target", "")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            kind = attrs.get("Type", "").rpartition("/")[2]
            found[attrs.get("Id", "")] = (kind, resolved)

    with open_part(archive, rels_name, path) as part_file:
        _stream(part_file, start, None, None)
    return found


def _book(archive, path: Path) -> _Book:
    rels = _relationships(archive, path, "xl/workbook.xml")
    sheets: list[tuple[str, str]] = []
    flags = {"date1904": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "sheet":
            kind, target = rels.get(attrs.get(f"{_REL} id", ""), ("", ""))
            if kind == "worksheet":
                sheets.append((attrs.get("name", ""), target))
        elif local == "workbookPr":
            flags["date1904"] = attrs.get("date1904", "0") in ("1", "true")

    with open_part(archive, "xl/workbook.xml", path) as part:
        _stream(part, start, None, None)
    by_kind = {kind: target for kind, target in rels.values()}
    return _Book(sheets, by_kind.get("sharedStrings"), by_kind.get("styles"), flags["date1904"])


def _shared_strings(archive, path: Path, part_name: str | None) -> list[str]:
    """The shared string table (18.4.8): rich text runs joined, phonetic hints left out."""
    strings: list[str] = []
    if not part_name or part_name not in archive.NameToInfo:
        return strings
    state: dict[str, Any] = {"parts": [], "in_t": False, "skip": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "si":
            state["parts"] = []
        elif local == "t" and not state["skip"]:
            state["in_t"] = True
        elif local in ("rPh", "phoneticPr"):
            state["skip"] += 1

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "si":
            strings.append(unescape("".join(state["parts"])))
        elif local == "t":
            state["in_t"] = False
        elif local in ("rPh", "phoneticPr"):
            state["skip"] -= 1

    def text(data: str) -> None:
        if state["in_t"]:
            state["parts"].append(data)

    with open_part(archive, part_name, path) as part:
        _stream(part, start, end, text)
    return strings


def _styles(archive, path: Path, part_name: str | None) -> list[str]:
    """Each cell style's number format code, by the style index a cell's `s` names."""
    formats: dict[int, str] = {}
    styles: list[str] = []
    if not part_name or part_name not in archive.NameToInfo:
        return styles
    depth = {"cellXfs": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "numFmt":
            formats[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            depth["cellXfs"] = True
        elif local == "xf" and depth["cellXfs"]:
            number = int(attrs.get("numFmtId", "0") or 0)
            if number in formats:
                styles.append(formats[number])
            elif number in _DATE_IDS:
                styles.append("yyyy-mm-dd")
            else:
                styles.append(_BUILTIN.get(number, "General"))

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            depth["cellXfs"] = False

    with open_part(archive, part_name, path) as part:
        _stream(part, start, end, None)
    return styles


@dataclass
class XlsxSheet:
    """A worksheet's cells as shown, by row number; which rows are hidden."""

    rows: dict[int, dict[int, str]] = field(default_factory=dict)
    hidden: set[int] = field(default_factory=set)
    merged: list[str] = field(default_factory=list)

    def numbered(self) -> Iterator[tuple[int, list[str], bool]]:
        """(row number, cells from column A, hidden) in row order, merged cells filled."""
        self._fill_merged()
        for number in sorted(self.rows):
            cells = self.rows[number]
            row = [""] * (max(cells) if cells else 0)
            for column, value in cells.items():
                row[column - 1] = value
            yield number, row, number in self.hidden

    def _fill_merged(self) -> None:
        for ref in self.merged:
            first, _, last = ref.partition(":")
            top, bottom = parse_ref(first), parse_ref(last or first)
            if top is None or bottom is None:
                continue
            value = self.rows.get(top[0], {}).get(top[1], "")
            if not value:
                continue
            # Bounded: merges only cover rows and columns the sheet already holds.
            for r in range(top[0], min(bottom[0], max(self.rows, default=0)) + 1):
                if r not in self.rows:
                    continue
                for c in range(top[1], min(bottom[1], top[1] + 1000) + 1):
                    if (r, c) != top:
                        self.rows[r][c] = value


class _SheetReader:
    """The expat handlers for one worksheet part."""

    def __init__(self, path: Path, strings: list[str], styles: list[str], date1904: bool):
        self.budget = Budget(path)
        self.strings, self.styles = strings, styles
        self.epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
        self.sheet = XlsxSheet()
        self.row_number = 0
        self.column = 0
        self.cell: dict[str, str] | None = None
        self.text: list[str] = []
        self.collect = False
        self.in_sheet_data = False
        self._handlers()

    # expat calls these for every element: a dictionary of handlers by tag keeps a row of a
    # 150,000-row sheet to about a microsecond.
    def start(self, tag: str, attrs: dict[str, str]) -> None:
        handler = self._starts.get(tag)
        if handler is not None:
            handler(attrs)

    def end(self, tag: str) -> None:
        handler = self._ends.get(tag)
        if handler is not None:
            handler()

    def _start_row(self, attrs: dict[str, str]) -> None:
        r = attrs.get("r")
        number = int(r) if r else self.row_number + 1
        self.row_number = number
        self.column = 0
        budget = self.budget
        budget.rows += 1
        if number > MAX_ROWS or budget.rows > MAX_ROWS:
            budget.row(number, 0)  # says which bound, and stops the reading
        if "hidden" in attrs and attrs["hidden"] in ("1", "true"):
            self.sheet.hidden.add(number)

    def _start_cell(self, attrs: dict[str, str]) -> None:
        if not self.in_sheet_data:
            return
        self.cell = attrs
        self.text = []
        ref = parse_ref(attrs["r"]) if "r" in attrs else None
        self.column = ref[1] if ref else self.column + 1

    def _start_text(self, attrs: dict[str, str]) -> None:
        if self.cell is not None:
            self.collect = True

    def _stop_text(self, attrs: dict[str, str] | None = None) -> None:
        self.collect = False

    def _start_data(self, attrs: dict[str, str]) -> None:
        self.in_sheet_data = True

    def _end_data(self) -> None:
        self.in_sheet_data = False

    def _end_cell(self) -> None:
        if self.cell is None:
            return
        value = self._value(self.cell, "".join(self.text))
        if value:
            self.budget.cell(self.row_number, self.column)
            self.sheet.rows.setdefault(self.row_number, {})[self.column] = value
        self.cell = None

    def _handlers(self) -> None:
        def tag(name: str) -> str:
            return f"{_MAIN} {name}"

        self._starts: dict[str, Callable[[dict[str, str]], None]] = {
            tag("row"): self._start_row,
            tag("c"): self._start_cell,
            tag("v"): self._start_text,
            tag("t"): self._start_text,
            tag("rPh"): self._stop_text,
            tag("sheetData"): self._start_data,
            tag("dimension"): lambda attrs: self.budget.declared(attrs.get("ref", "")),
            tag("mergeCell"): lambda attrs: self.sheet.merged.append(attrs.get("ref", "")),
        }
        self._ends: dict[str, Callable[[], None]] = {
            tag("v"): self._stop_text,
            tag("t"): self._stop_text,
            tag("c"): self._end_cell,
            tag("sheetData"): self._end_data,
        }

    def chars(self, data: str) -> None:
        if self.collect:
            self.text.append(data)

    def _value(self, attrs: dict[str, str], raw: str) -> str:
        kind = attrs.get("t", "n")
        if kind == "s":
            try:
                return self.strings[int(raw)].strip()
            except (ValueError, IndexError):
                return ""
        if kind in ("inlineStr", "str"):
            return unescape(raw).strip()
        if kind == "b":
            return "TRUE" if raw.strip() in ("1", "true") else "FALSE"
        if kind in ("e", "d"):
            return raw.strip()
        return self._number(raw.strip(), int(attrs.get("s", "0") or 0))

    def _number(self, raw: str, style: int) -> str:
        from campaign.sheets.cells import displayed, plain_number

        if not raw:
            return ""
        try:
            number = float(raw)
        except ValueError:
            return raw
        fmt = self.styles[style] if style < len(self.styles) else "General"
        if is_date_format(fmt) and 0 <= number < 2958466:
            moment = self.epoch + dt.timedelta(days=number)
            if moment.time() == dt.time():
                return moment.date().isoformat()
            return moment.replace(microsecond=0).isoformat(" ")
        if not number.is_integer() or abs(number) >= 1e17:
            return plain_number(number)
        whole = int(number)
        return displayed(whole, fmt) or str(whole)


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def _count_rows(archive, part: str, path: Path) -> None:
    """Count the worksheet's rows at the speed of decompression before parsing any.

    Parsing is the slow part (a Python call per element); a sheet of half a million empty
    rows is refused here in milliseconds instead. A tag split between two chunks may go
    uncounted: the parse that follows counts exactly.
    """
    rows = 0
    with open_part(archive, part, path) as stream:
        while chunk := stream.read(1 << 20):
            rows += len(_ROW_TAG.findall(chunk))
            if rows > MAX_ROWS:
                Budget(path).row(0, rows)


def read_xlsx(path: Path, sheet: str | None) -> XlsxSheet:
    """The chosen worksheet of an .xlsx/.xlsm, checked and bounded as it is read."""
    from campaign.sheets.cells import pick_sheet

    archive = checked_zip(path)
    try:
        try:
            book = _book(archive, path)
            names = [name for name, _ in book.sheets]
            part = dict(book.sheets)[pick_sheet(path, names, sheet)]
            reader = _SheetReader(
                path,
                _shared_strings(archive, path, book.shared_part),
                _styles(archive, path, book.styles_part),
                book.date1904,
            )
            _count_rows(archive, part, path)
            with open_part(archive, part, path) as stream:
                _stream(stream, reader.start, reader.end, reader.chars)
        except SheetError:
            raise
        except _DAMAGED as err:
            raise unreadable(path, err) from None
        return reader.sheet
    finally:
        archive.close()
