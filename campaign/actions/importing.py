"""Importing one spreadsheet file: read, check, write. `campaign import` and the web page.

Both faces call `import_file`, so a sheet is bounded the same way from either (see
sheets/limits.py): refused with one line before it is expanded.
"""

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
    include_hidden: bool = False,
):
    """(parsed sheet, prospects.ImportResult); `source` names the file in messages."""
    from campaign.sheets.prospects import import_rows
    from campaign.sheets.rows import Parsed
    from campaign.sheets.workbook import open_sheet

    source = source or path.name
    opened = open_sheet(path, sheet=sheet, encoding=encoding)
    parsed = Parsed(
        opened.rows,
        mapping,
        source=source,
        include_hidden=include_hidden,
        escaped=opened.kind != "xlsx",
    )
    result = import_rows(
        conn, parsed, source=source, today=today, skip_invalid=skip_invalid, dry_run=dry_run
    )
    result.warnings[:0] = opened.notes
    return parsed, result
