"""Letters for the post: signed letters, envelopes and address labels as PDF files."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

# reportlab loads inside the functions below, so importing this module stays free. The page's
# geometry, fonts and address fitting live in page.py.
from campaign.post.page import (
    _LAYOUTS,
    _MONTHS,
    ADDRESS_LEADING,
    ADDRESS_SIZE,
    BODY_LEADING,
    BODY_SIZE,
    FONT,
    FONT_BOLD,
    INCH,
    SIGNATURE_HEIGHT,
    SIGNATURE_MAX_WIDTH,
    PostLetter,
    Sender,
    _layout,
    _width,
    fit_address,
    register_fonts,
)
from campaign.util.atomic import replacing
from campaign.util.text import shorten


def format_date(day: datetime.date, paper: str) -> str:
    """The letter's date as written on `paper`: US style on Letter, day first on A4."""
    month = _MONTHS.split()[day.month - 1]
    if paper == "letter":
        return f"{month} {day.day}, {day.year}"
    return f"{day.day} {month} {day.year}"


def _signature_size(signature: Path) -> tuple[float, float]:
    """Check the signature image is a readable PNG or JPEG; return its size on the page."""
    from reportlab.lib.utils import ImageReader

    if not signature.is_file():
        raise FileNotFoundError(f"signature image not found: {signature}")
    with signature.open("rb") as f:
        magic = f.read(8)
    if not (magic.startswith(b"\x89PNG\r\n\x1a\n") or magic.startswith(b"\xff\xd8\xff")):
        raise ValueError(f"{signature}: the signature must be a PNG or JPEG image")
    try:
        pixels_w, pixels_h = ImageReader(str(signature)).getSize()
    except Exception as err:  # PIL raises many kinds for a damaged file
        raise ValueError(f"{signature}: cannot read the signature image ({err})") from err
    width = SIGNATURE_HEIGHT * pixels_w / pixels_h
    if width > SIGNATURE_MAX_WIDTH:
        return SIGNATURE_MAX_WIDTH, SIGNATURE_MAX_WIDTH * pixels_h / pixels_w
    return width, SIGNATURE_HEIGHT


@cache
def _signature_flowable() -> type:
    """A flowable drawing an image by file name: reportlab then stores the image once per PDF."""
    from reportlab.platypus import Flowable

    class Signature(Flowable):
        def __init__(self, path: str, width: float, height: float) -> None:
            super().__init__()
            self.path, self.width, self.height = path, width, height

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            self.canv.drawImage(self.path, 0, 0, self.width, self.height, mask="auto")

    return Signature


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Skip reportlab's ASCII85 encoding of streams: smaller files, written faster."""
    from reportlab import rl_config

    saved, rl_config.useA85 = rl_config.useA85, 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _fit(text: str, font: str, size: float, room: float) -> float:
    """The largest font size up to `size` at which `text` fits in `room` points."""
    wide = _width(text, font, size)
    return size if wide <= room else size * room / wide


def _letterhead(sender: Sender, paper: str) -> Callable[[Any], None]:
    """Draw the letterhead, fold marks and return line: the same on every letter's first page."""
    lay = _LAYOUTS[paper]
    page_w, page_h = lay.size
    room = page_w - lay.left - lay.right
    contact = [sender.phone, sender.email]
    info = [" · ".join(filter(None, sender.address_lines)), " · ".join(filter(None, contact))]
    lines = [(sender.name, FONT_BOLD, 18.0, lay.left, page_h - lay.head_top, room)]
    y = page_h - lay.head_top - 6
    for line in filter(None, info):
        y -= 11
        lines.append((line, FONT, 9.0, lay.left, y, room))
    rule = y - 7
    if lay.return_line:
        back = " · ".join([sender.name, *sender.address_lines])
        zone = lay.address.x + lay.address.width - lay.address_x - 2
        lines.append((back, FONT, 7.0, lay.address_x, page_h - lay.return_line, zone))
    fitted = [
        (text, font, _fit(text, font, size, wide), x, y) for text, font, size, x, y, wide in lines
    ]

    def draw(canv: Any) -> None:
        # Stored once as a form XObject: smaller files, and faster than redrawing per letter.
        if not canv.hasForm("letterhead"):
            canv.beginForm("letterhead")
            canv.setFillGray(0)
            for n, (text, font, size, x, y) in enumerate(fitted):
                canv.setFont(font, size)
                canv.drawString(x, y, text)
                if n == 0:
                    canv.setFillGray(0.25)
            canv.setStrokeGray(0.4)
            canv.setLineWidth(0.5)
            canv.line(lay.left, rule, page_w - lay.right, rule)
            canv.setLineWidth(0.3)
            for mark in lay.marks:
                canv.line(0.25 * INCH, page_h - mark, 0.25 * INCH + 8, page_h - mark)
            canv.endForm()
        canv.doForm("letterhead")

    return draw


def _first_page(letter: PostLetter, paper: str, letterhead: Callable, starts: list[int], i: int):
    """The canvas callback for a letter's first page: letterhead, date and window address."""
    lay = _LAYOUTS[paper]
    page_w, page_h = lay.size
    date = format_date(letter.date, paper)
    lines, size = fit_address(letter, paper)

    def draw(canv: Any, doc: Any) -> None:
        starts[i] = doc.page
        canv.saveState()
        letterhead(canv)
        canv.setFont(FONT, BODY_SIZE)
        if lay.date_right:
            canv.drawRightString(page_w - lay.right, page_h - lay.date_top, date)
        else:
            canv.drawString(lay.left, page_h - lay.date_top, date)
        # Each line sits in a box one leading tall, its descenders just inside the box.
        leading = size * ADDRESS_LEADING / ADDRESS_SIZE
        baseline = lay.address.top + leading - 0.25 * size
        text = canv.beginText(lay.address_x, page_h - baseline)
        text.setFont(FONT, size, leading)
        text.textLines(lines)
        canv.drawText(text)
        canv.restoreState()

    return draw


def _later_page(letter: PostLetter, paper: str, starts: list[int], i: int):
    """The canvas callback for pages 2+ of a letter: who it is for, and the page number."""
    lay = _LAYOUTS[paper]

    def draw(canv: Any, doc: Any) -> None:
        canv.saveState()
        canv.setFont(FONT, 8.5)
        canv.setFillGray(0.25)
        header = f"{letter.recipient_name} - page {doc.page - starts[i] + 1}"
        canv.drawString(lay.left, lay.size[1] - lay.later_top + 22, header)
        canv.restoreState()

    return draw


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    body = ParagraphStyle("body", fontName=FONT, fontSize=BODY_SIZE, leading=BODY_LEADING)
    bullet = {"leftIndent": 16, "bulletIndent": 2, "bulletFontName": FONT}
    return {
        "p": ParagraphStyle("p", parent=body, spaceAfter=BODY_LEADING * 0.8),
        "li": ParagraphStyle("li", parent=body, spaceAfter=3, **bullet),
        "li-last": ParagraphStyle("li-last", parent=body, spaceAfter=BODY_LEADING * 0.8, **bullet),
        "closing": ParagraphStyle("closing", parent=body, spaceBefore=4, spaceAfter=4),
        "sign": body,
    }


def _story(letter: PostLetter, styles: dict[str, Any], signature: Any) -> list[Any]:
    """The flowables of one letter's text, from salutation to typed name."""
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    story: list[Any] = []
    for number, (kind, content) in enumerate(letter.blocks, start=1):
        try:
            if kind == "p":
                story.append(Paragraph(str(content), styles["p"]))
            elif kind == "ul" and isinstance(content, list | tuple):
                # Bulleted paragraphs: the same look as a ListFlowable at a fraction of the cost.
                styled = [styles["li"]] * (len(content) - 1) + [styles["li-last"]]
                story += [
                    Paragraph(str(item), style, bulletText="•")
                    for item, style in zip(content, styled, strict=True)
                ]
            else:
                raise ValueError(f'unknown block "{kind}" (use "p" or "ul" with a list)')
        except ValueError as err:
            where = f"{shorten(letter.recipient_name, 40)} ({letter.key}), block {number}"
            raise ValueError(f"{where}: {' '.join(str(err).split())}") from err
    # Closing, signature and name stay together: a new page unless all three fit.
    story.append(CondPageBreak(SIGNATURE_HEIGHT + 3 * BODY_LEADING))
    story.append(Paragraph(escape(letter.closing), styles["closing"]))
    story.append(signature() if signature else Spacer(1, SIGNATURE_HEIGHT))
    story.append(Paragraph(escape(letter.typed_name), styles["sign"]))
    return story


def write_letters(
    letters: Sequence[PostLetter],
    sender: Sender,
    out: Path,
    *,
    paper: str = "letter",
    signature: Path | None = None,
    enclosure: Path | None = None,
) -> int:
    """Write all letters into one PDF at `out`; return the page count.

    With `enclosure` (a PDF, such as the resume), its pages follow each letter.
    """
    from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate

    lay = _layout(paper)
    if not letters:
        raise ValueError("there are no letters to print")
    register_fonts()  # the letterhead and the address fitting measure text in them
    # Each letter's address is fitted to the window (or refused) by _first_page, below, before
    # anything is written.
    make_signature: Callable[[], Any] | None = None
    if signature is not None:
        signature = Path(signature)
        sig_w, sig_h = _signature_size(signature)
        flowable = _signature_flowable()
        path = str(signature)

        def make_signature() -> Any:
            return flowable(path, sig_w, sig_h)

    styles = _styles()
    page_w, page_h = lay.size
    text_w = page_w - lay.left - lay.right
    starts = [0] * len(letters)
    letterhead = _letterhead(sender, paper)
    flush = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    templates, story = [], []
    for i, letter in enumerate(letters):
        first = Frame(lay.left, lay.bottom, text_w, page_h - lay.body_top - lay.bottom, **flush)
        later = Frame(lay.left, lay.bottom, text_w, page_h - lay.later_top - lay.bottom, **flush)
        on_first = _first_page(letter, paper, letterhead, starts, i)
        templates.append(PageTemplate(f"first-{i}", [first], on_first))
        templates.append(PageTemplate(f"later-{i}", [later], _later_page(letter, paper, starts, i)))
        if i:  # page templates by index: a name lookup scans the whole list
            story += [NextPageTemplate(2 * i), PageBreak()]
        story.append(NextPageTemplate(2 * i + 1))
        story += _story(letter, styles, make_signature)
    out = Path(out)
    with replacing(out) as tmp, _binary_streams():
        doc = BaseDocTemplate(
            str(tmp),
            pagesize=lay.size,
            pageTemplates=templates,
            title="Letters",
            author=sender.name,
            creator="campaign",
            initialFontName=FONT,
        )
        doc.build(story)
    if enclosure is not None:
        from campaign.post.enclose import enclose

        return enclose(out, starts, Path(enclosure))
    return doc.page
