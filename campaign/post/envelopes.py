"""Envelopes and address-label sheets for the posted letters (reportlab canvas)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaign.post.letters import _binary_streams
from campaign.post.page import (
    FONT,
    INCH,
    MM,
    AddressTooLong,
    PostLetter,
    Sender,
    _layout,
    _width,
    register_fonts,
)
from campaign.util.atomic import replacing
from campaign.util.text import shorten


@dataclass(frozen=True)
class LabelSheet:
    """A sheet of address labels, in points."""

    name: str
    size: tuple[float, float]
    columns: int
    rows: int
    width: float
    height: float
    top: float
    side: float
    pitch_x: float
    pitch_y: float


AVERY_5160 = LabelSheet(
    name="Avery 5160",
    size=(8.5 * INCH, 11 * INCH),
    columns=3,
    rows=10,
    width=2.625 * INCH,
    height=1 * INCH,
    top=0.5 * INCH,
    side=0.1875 * INCH,
    pitch_x=2.75 * INCH,
    pitch_y=1 * INCH,
)
AVERY_L7160 = LabelSheet(
    name="Avery L7160",
    size=(210 * MM, 297 * MM),
    columns=3,
    rows=7,
    width=63.5 * MM,
    height=38.1 * MM,
    top=15.15 * MM,
    side=7.2 * MM,
    pitch_x=66.04 * MM,
    pitch_y=38.1 * MM,
)
LABELS = {"letter": AVERY_5160, "a4": AVERY_L7160}
ENVELOPES = {"letter": (9.5 * INCH, 4.125 * INCH), "a4": (220 * MM, 110 * MM)}  # #10, DL


def _canvas(path: Path, size: tuple[float, float], title: str) -> Any:
    from reportlab.pdfgen.canvas import Canvas

    canv = Canvas(str(path), pagesize=size, initialFontName=FONT)
    canv.setTitle(title)
    canv.setCreator("campaign")
    return canv


def _fit_block(lines: list[str], width: float, height: float, size: float) -> float:
    """The font size, `size` at most, at which `lines` fit `width` x `height` points."""
    widest = max((_width(line, FONT, size) for line in lines), default=0)
    fits_width = size * width / widest if widest > width else size
    return min(fits_width, height / (1.2 * max(len(lines), 1)))


def _draw_block(canv: Any, lines: list[str], x: float, top: float, size: float) -> None:
    """Draw `lines` at `size` from `top` down, in canvas coordinates."""
    canv.setFont(FONT, size)
    for n, line in enumerate(lines):
        canv.drawString(x, top - size - n * 1.2 * size, line)


def _require_addresses(letters: Sequence[PostLetter], what: str) -> None:
    if not letters:
        raise ValueError(f"there are no {what} to print")
    for letter in letters:
        if not letter.recipient_lines:
            who = shorten(letter.recipient_name, 40)
            raise ValueError(f"{who} ({letter.key}): the letter has no address")


def write_envelopes(
    letters: Sequence[PostLetter], sender: Sender, out: Path, *, paper: str = "letter"
) -> int:
    """Write one envelope per letter (#10 for letter, DL for a4) into a PDF; return pages."""
    _layout(paper)
    _require_addresses(letters, "envelopes")
    register_fonts()
    env_w, env_h = ENVELOPES[paper]
    margin = 0.375 * INCH
    back = [sender.name, *sender.address_lines]
    back_size = _fit_block(back, env_w * 0.4, env_h * 0.35, 9)
    to_x = env_w * 0.42
    with replacing(Path(out)) as tmp, _binary_streams():
        canv = _canvas(tmp, (env_w, env_h), "Envelopes")
        for letter in letters:
            _draw_block(canv, back, margin, env_h - margin, back_size)
            lines = letter.recipient_lines
            size = _fit_block(lines, env_w - to_x - margin, env_h * 0.45, 12)
            # Centred 42% up: inside the USPS read area, clear of the barcode strip below.
            _draw_block(canv, lines, to_x, env_h * 0.42 + 0.6 * size * len(lines), size)
            canv.showPage()
        canv.save()
    return len(letters)


def write_labels(letters: Sequence[PostLetter], out: Path, *, paper: str = "letter") -> int:
    """Write address labels (Avery 5160 for letter, L7160 for a4) into a PDF; return pages."""
    _layout(paper)
    _require_addresses(letters, "labels")
    register_fonts()
    sheet = LABELS[paper]
    pad_x, pad_y = 0.12 * INCH, 0.06 * INCH
    room_w, room_h = sheet.width - 2 * pad_x, sheet.height - 2 * pad_y
    sizes = [_fit_block(letter.recipient_lines, room_w, room_h, 10) for letter in letters]
    for letter, size in zip(letters, sizes, strict=True):
        if size < 5:
            raise AddressTooLong(
                f"{shorten(letter.recipient_name, 40)} ({letter.key}): the address does not fit an "
                f"{sheet.name} label even at 5 pt; shorten it."
            )
    per_page = sheet.columns * sheet.rows
    with replacing(Path(out)) as tmp, _binary_streams():
        canv = _canvas(tmp, sheet.size, f"{sheet.name} labels")
        for n, (letter, size) in enumerate(zip(letters, sizes, strict=True)):
            if n and n % per_page == 0:
                canv.showPage()
            row, col = divmod(n % per_page, sheet.columns)
            block = 1.2 * size * len(letter.recipient_lines)
            top = sheet.size[1] - sheet.top - row * sheet.pitch_y - (sheet.height - block) / 2
            _draw_block(
                canv, letter.recipient_lines, sheet.side + col * sheet.pitch_x + pad_x, top, size
            )
        canv.showPage()
        canv.save()
    return math.ceil(len(letters) / per_page)
