"""Importing one spreadsheet file: read, check, write. `campaign import` and the web page."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path


def import_file(
    conn: sqlite3.Connection,
    path: Path,
    today: dt.date,
    *,
    source: str | None = None,
    sheet: str | None = None,
    mapping: Iterable[str] = (),
    encoding: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
):
    """(parsed sheet, prospects.ImportResult); `source` names the file in messages."""
    from campaign.sheets.prospects import import_rows
    from campaign.sheets.rows import parse
    from campaign.sheets.workbook import read_cells

    source = source or path.name
    cells, notes = read_cells(path, sheet=sheet, encoding=encoding)
    parsed = parse(cells, mapping, source=source)
    result = import_rows(
        conn, parsed, source=source, today=today, skip_invalid=skip_invalid, dry_run=dry_run
    )
    result.warnings[:0] = notes
    return parsed, result
