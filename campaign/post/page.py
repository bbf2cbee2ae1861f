"""The page: paper sizes, envelope windows, fonts, and fitting an address in the window.

Shared by the letters (post.py) and the envelopes and labels (envelopes.py). reportlab loads
inside the functions, so importing this module stays free.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files

from campaign.errors import CampaignError
from campaign.util.text import plural, shorten

INCH = 72.0
MM = 72 / 25.4
PAPERS = ("letter", "a4")


@dataclass(frozen=True)
class Sender:
    """The job seeker, as printed in the letterhead and return address."""

    name: str
    address_lines: list[str]
    phone: str
    email: str


@dataclass(frozen=True)
class PostLetter:
    """One rendered letter, ready to print."""

    key: str
    recipient_name: str
    recipient_lines: list[str]
    date: datetime.date
    blocks: list[tuple[str, object]]
    closing: str
    typed_name: str


class AddressTooLong(CampaignError, ValueError):
    """An address block that would not show through the envelope window."""


@dataclass(frozen=True)
class Box:
    """A rectangle in points, measured from the top-left corner of the page."""

    x: float
    top: float
    width: float
    height: float


# A US #10 window envelope has a 4 1/2 x 1 1/8 in window, 7/8 in from the left and 1/2 in from
# the bottom; on a Letter sheet Z-folded in thirds it shows this part of the top panel.
LETTER_WINDOW = Box(0.875 * INCH, 2.125 * INCH, 4 * INCH, 1 * INCH)
# DIN 5008 form B (DL and C5/6 window envelopes): the address field is 85 x 45 mm at 20 mm from
# the left and 45 mm from the top. Its upper 17.7 mm carry the return line, the lower 27.3 mm
# (six lines) the address itself.
A4_WINDOW = Box(20 * MM, 45 * MM, 85 * MM, 45 * MM)
A4_ADDRESS_ZONE = Box(20 * MM, 62.7 * MM, 85 * MM, 27.3 * MM)

FONT = "DejaVuSerif"
FONT_BOLD = "DejaVuSerif-Bold"
_FONT_FILES = {
    FONT: "DejaVuSerif.ttf",
    FONT_BOLD: "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic": "DejaVuSerif-Italic.ttf",
    "DejaVuSerif-BoldItalic": "DejaVuSerif-BoldItalic.ttf",
}
ADDRESS_SIZE = 10.0
ADDRESS_LEADING = 12.0
BODY_SIZE = 10.5
BODY_LEADING = 14.0
SIGNATURE_HEIGHT = 0.6 * INCH
SIGNATURE_MAX_WIDTH = 3 * INCH
_MONTHS = "January February March April May June July August September October November December"


@dataclass(frozen=True)
class _Layout:
    """Where things go on one paper size; vertical positions are from the top of the page."""

    size: tuple[float, float]
    left: float
    right: float
    bottom: float
    head_top: float  # baseline of the sender's name
    address: Box  # the part of the window the address lines must fill
    address_x: float  # where the address lines start
    return_line: float  # baseline of the one-line return address (0: none)
    date_top: float  # baseline of the date
    date_right: bool
    body_top: float  # top of the text on the first page
    later_top: float  # top of the text on pages 2+
    marks: tuple[float, ...]  # fold and punch marks


_LAYOUTS = {
    "letter": _Layout(
        size=(8.5 * INCH, 11 * INCH),
        left=1 * INCH,
        right=1 * INCH,
        bottom=0.9 * INCH,
        head_top=0.8 * INCH,
        address=LETTER_WINDOW,
        address_x=1 * INCH,  # 1/8 in inside the window, flush with the body text
        return_line=0,
        date_top=1.75 * INCH,
        date_right=False,
        body_top=3.5 * INCH,
        later_top=0.95 * INCH,
        marks=(11 / 3 * INCH, 22 / 3 * INCH),
    ),
    "a4": _Layout(
        size=(210 * MM, 297 * MM),
        left=25 * MM,
        right=20 * MM,
        bottom=20 * MM,
        head_top=18 * MM,
        address=A4_ADDRESS_ZONE,
        address_x=25 * MM,  # DIN 5008: 5 mm inside the field, flush with the body text
        return_line=60.7 * MM,
        date_top=97 * MM,
        date_right=True,
        body_top=105 * MM,
        later_top=22 * MM,
        marks=(105 * MM, 148.5 * MM, 210 * MM),
    ),
}


def _layout(paper: str) -> _Layout:
    if paper not in _LAYOUTS:
        raise ValueError(f'unknown paper "{paper}"; use one of: {", ".join(PAPERS)}')
    return _LAYOUTS[paper]


@cache
def register_fonts() -> None:
    """Register the shipped DejaVu Serif family with reportlab, once per process."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = files("campaign.post").joinpath("fonts")
    for name, filename in _FONT_FILES.items():
        font = TTFont(name, str(folder.joinpath(filename)))
        # Merged letters measure the same words thousands of times; widths never change.
        font.stringWidth = lru_cache(maxsize=65536)(font.stringWidth)
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=f"{FONT}-Italic", boldItalic=f"{FONT}-BoldItalic"
    )


def _width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


def _measure(points: float, paper: str) -> str:
    return f"{points / INCH:.2f} in" if paper == "letter" else f"{points / MM:.0f} mm"


MIN_ADDRESS_SIZE = 8.0  # the smallest print a post office's scanner and a person read well


def _wrap(line: str, room: float, size: float) -> list[str]:
    """`line` as one line, or two split at a space when it is wider than `room`.

    Where it splits: after a comma if the head fits there ("1200 Corporate Blvd," / "Suite
    4400"), else at the last space that fits, but never between a word and the number after
    it ("Suite 4400", "Floor 3", "# 12" stay whole: a post office reads them as one part).
    Each word is measured once and the head's width summed as it grows (a TrueType string's
    width is the sum of its glyphs' advances: reportlab applies no kerning), so a 10,000-
    character name costs one pass.
    """
    if _width(line, FONT, size) <= room or " " not in line:
        return [line]
    words = line.split(" ")
    space = _width(" ", FONT, size)
    widths = [_width(word, FONT, size) for word in words]
    total = sum(widths) + space * (len(words) - 1)
    head, fits, after_comma = 0.0, 0, 0
    for count, word in enumerate(words[:-1], start=1):  # the tail keeps one word at least
        head += widths[count - 1] + (space if count > 1 else 0.0)
        if head > room:
            break
        if not _glued(words[count]):
            fits = count
            if word.endswith(",") and total - head - space <= room:  # and the rest fits
                after_comma = count
    cut = after_comma or fits
    if not cut:
        return [line]
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def _glued(word: str) -> bool:
    """Whether `word` belongs with the word before it: a number ("4400", "#12", "3rd")."""
    return word[:1].isdigit() or word[:1] == "#"


def fit_address(letter: PostLetter, paper: str) -> tuple[list[str], float]:
    """The address lines and font size that fit the envelope window on `paper`.

     A line too wide wraps to a second line, and the block shrinks from 10 pt down to 8 pt
    ; past that, AddressTooLong says which letter and why, in one short line.
    """
    from campaign.util.text import quote

    layout = _layout(paper)
    register_fonts()
    who, lines = shorten(letter.recipient_name, 40), letter.recipient_lines
    if not lines:
        raise ValueError(f"{who} ({letter.key}): the letter has no address")
    room = layout.address.x + layout.address.width - layout.address_x - 2
    height = layout.address.height + 0.01
    for wrap in (False, True):
        size = ADDRESS_SIZE
        while size >= MIN_ADDRESS_SIZE:
            fitted = [part for line in lines for part in _wrap(line, room, size)] if wrap else lines
            tall = len(fitted) * size * ADDRESS_LEADING / ADDRESS_SIZE
            if tall <= height and all(_width(x, FONT, size) <= room for x in fitted):
                return list(fitted), size
            size -= 0.5
    limit = int(height // (MIN_ADDRESS_SIZE * ADDRESS_LEADING / ADDRESS_SIZE))
    if len(lines) > limit:
        raise AddressTooLong(
            f"{who} ({letter.key}): the address has {len(lines)} lines but the {paper} envelope "
            f"window holds {plural(limit, 'line')}; join or drop a line (a title or department, "
            "say)."
        )
    widest = max(lines, key=lambda x: _width(x, FONT, MIN_ADDRESS_SIZE))
    raise AddressTooLong(
        f"{who} ({letter.key}): the address line {quote(widest, 60)} does not fit the {paper} "
        f"envelope window ({_measure(room, paper)} wide) even on two lines at "
        f"{MIN_ADDRESS_SIZE:g} pt; shorten it in your sheet and import it again."
    )


def check_window(letter: PostLetter, paper: str) -> None:
    """Raise AddressTooLong unless the address block fits the envelope window on `paper`."""
    fit_address(letter, paper)
