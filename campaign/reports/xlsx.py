"""Worksheets safe to open in Excel: a bold frozen header, filters, no text run as a formula."""

from __future__ import annotations

import datetime as dt

from campaign.util.text import clean

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def add_sheet(book, title: str, header: list[str], rows: list[list], widths: list[int]):
    """A worksheet with a bold frozen header, filters, set widths and formula-safe text."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([safe(v) for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                if cell.value.startswith(FORMULA_START):
                    # Text, never a formula: a string cell that Excel shows with a quote prefix.
                    cell.data_type = "s"
                    cell.quotePrefix = True
                if "\n" in cell.value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def safe(value):
    if value is None:
        return ""
    if isinstance(value, int | float | dt.date):
        return value
    # openpyxl refuses control characters (IllegalCharacterError): never let one through.
    return clean(str(value))
