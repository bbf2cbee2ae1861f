"""Printed letters, envelopes and labels, read back from the PDF as a reader would see them."""

import datetime
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from campaign.post.envelopes import AVERY_5160, AVERY_L7160, write_envelopes, write_labels
from campaign.post.letters import write_letters
from campaign.post.page import (
    A4_ADDRESS_ZONE,
    A4_WINDOW,
    ADDRESS_SIZE,
    LETTER_WINDOW,
    AddressTooLong,
    Box,
    PostLetter,
    Sender,
    check_window,
    fit_address,
)

SENDER = Sender(
    name="Jane Q. Doe",
    address_lines=["12 Elm St", "Springfield, IL 62704"],
    phone="(217) 555-0142",
    email="jane.doe@example.com",
)
MARIA = [
    "Maria Lopez",
    "Director of Operations",
    "Acme Widgets, Inc.",
    "400 Industrial Pkwy",
    "Springfield, IL 62703",
]
DAY = datetime.date(2026, 11, 23)
LETTER_SIZE = (612, 792)
A4_SIZE = (595.3, 841.9)

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def letter(lines=MARIA, *, key="0042-lopez-acme", blocks=None, closing="Sincerely,"):
    """A short letter to the first line of `lines`."""
    blocks = blocks or [
        ("p", f"Dear {lines[0]},"),
        ("p", "I am writing to ask whether <b>Acme</b> has an opening for an operations manager."),
        ("ul", ["cut costs by <b>18%</b>", "led teams of <i>25 people</i>"]),
        ("p", "Thank you for your time &amp; consideration."),
    ]
    return PostLetter(key, lines[0], list(lines), DAY, blocks, closing, "Jane Q. Doe")


def long_letter(lines=MARIA, key="0042-lopez-acme"):
    """A letter whose body runs onto a second page."""
    sentence = "Over the past eight years I have run warehouse teams of up to forty people. "
    paragraph = ("p", sentence * 6)
    return letter(lines, key=key, blocks=[("p", f"Dear {lines[0]},"), *[paragraph] * 9])


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(pdf).pages]


def page_size(pdf: Path, number: int = 0) -> tuple[float, float]:
    box = PdfReader(pdf).pages[number].mediabox
    return float(box.width), float(box.height)


def words(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """Words on a page with their boxes in points from the top-left corner (pdftotext -bbox)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    number = r'"([\d.]+)"'
    pattern = rf"<word xMin={number} yMin={number} xMax={number} yMax={number}>([^<]*)</word>"
    found = re.findall(pattern, html)
    return [(w, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, w in found]


def inside(word: tuple, box: Box) -> bool:
    _, x0, y0, x1, y1 = word
    return box.x <= x0 and x1 <= box.x + box.width and box.top <= y0 and y1 <= box.top + box.height


def image_ids(pdf: Path) -> list[set[int]]:
    """For each page, the object numbers of the images it draws."""
    ids = []
    for page in PdfReader(pdf).pages:
        xobjects = page["/Resources"].get("/XObject")
        xobjects = xobjects.get_object() if xobjects else {}
        images = [ref for ref in xobjects.values() if ref.get_object()["/Subtype"] == "/Image"]
        ids.append({ref.idnum for ref in images})
    return ids


@pytest.fixture
def signature(tmp_path) -> Path:
    """A noisy 600 x 200 RGBA PNG: big enough that a copy per letter would show in the size."""
    from PIL import Image

    rng = random.Random(7)
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 0))
    image.putdata([tuple(rng.randrange(256) for _ in range(4)) for _ in range(600 * 200)])
    path = tmp_path / "signature.png"
    image.save(path)
    return path


def test_window_constants_match_the_envelopes():
    inch, mm = 72, 72 / 25.4
    assert Box(7 / 8 * inch, 2.125 * inch, 4 * inch, 1 * inch) == LETTER_WINDOW
    assert pytest.approx(Box(20 * mm, 45 * mm, 85 * mm, 45 * mm)) == A4_WINDOW
    zone = A4_ADDRESS_ZONE
    assert (zone.x, zone.width) == (A4_WINDOW.x, A4_WINDOW.width)
    assert zone.top + zone.height == pytest.approx(A4_WINDOW.top + A4_WINDOW.height)


@pytest.mark.parametrize(
    ("sheet", "unit", "spec"),
    [
        (AVERY_5160, 72, (3, 10, 2.625, 1, 0.5, 0.1875, 2.75)),
        (AVERY_L7160, 72 / 25.4, (3, 7, 63.5, 38.1, 15.15, 7.2, 66.04)),
    ],
)
def test_label_sheets_match_avery(sheet, unit, spec):
    columns, rows, width, height, top, side, pitch = spec
    assert (sheet.columns, sheet.rows) == (columns, rows)
    measured = (sheet.width, sheet.height, sheet.top, sheet.side, sheet.pitch_x, sheet.pitch_y)
    assert measured == pytest.approx(
        tuple(v * unit for v in (width, height, top, side, pitch, height))
    )
    page_w, page_h = sheet.size
    assert 2 * sheet.side + (columns - 1) * sheet.pitch_x + sheet.width == pytest.approx(
        page_w, abs=0.5
    )
    assert 2 * sheet.top + rows * sheet.pitch_y == pytest.approx(page_h, abs=0.5)


def test_letters_print_sender_recipient_and_body_one_per_page(tmp_path):
    out = tmp_path / "letters.pdf"
    ana = ["Ana Peña", "Peña & Sons", "1 Main St", "Boston, MA 02134"]
    pages = write_letters([letter(), letter(ana, key="0043-pena")], SENDER, out)

    assert pages == 2
    assert len(PdfReader(out).pages) == 2
    assert page_size(out) == pytest.approx(LETTER_SIZE)
    first, second = page_texts(out)
    letterhead = ["Jane Q. Doe", "(217) 555-0142", "jane.doe@example.com", "Springfield, IL 62704"]
    body = [
        "Dear Maria Lopez,",
        "opening for an operations manager",
        "cut costs by 18%",
        "led teams of 25 people",
        "time & consideration.",
        "Sincerely,",
    ]
    for expected in [*MARIA, *letterhead, "November 23, 2026", *body]:
        assert expected in first
    assert "Ana Peña" not in first
    for expected in ana:
        assert expected in second
    assert "Maria Lopez" not in second


def test_bold_and_italic_use_the_embedded_family(tmp_path):
    out = tmp_path / "letters.pdf"
    write_letters([letter()], SENDER, out)

    fonts = PdfReader(out).pages[0]["/Resources"]["/Font"].get_object()
    names = {font.get_object()["/BaseFont"].split("+")[-1] for font in fonts.values()}
    assert {"DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic"} <= names
    for font in fonts.values():
        descriptor = font.get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # embedded, not left to the printer


def test_a4_letter_has_a4_size_day_first_date_and_return_line(tmp_path):
    out = tmp_path / "letters.pdf"
    assert write_letters([letter()], SENDER, out, paper="a4") == 1

    assert page_size(out) == pytest.approx(A4_SIZE, abs=0.1)
    (text,) = page_texts(out)
    assert "23 November 2026" in text
    assert "Jane Q. Doe · 12 Elm St · Springfield, IL 62704" in text


@needs_pdftotext
def test_non_ascii_names_and_euro_read_back_intact(tmp_path):
    out = tmp_path / "letters.pdf"
    names = ["Zoë Łukasiewicz", "Antonín Dvořák", "Þórr Jónsson", "Ana Peña"]
    batch = [
        letter(
            [name, "Rue de l'Église 3", "1000 Bruxelles"],
            key=f"k{n}",
            blocks=[("p", f"Dear {name},"), ("p", "A saving of <b>€120,000</b> a year.")],
        )
        for n, name in enumerate(names)
    ]
    write_letters(batch, SENDER, out, paper="a4")

    poppler = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    for name, text in zip(names, page_texts(out), strict=True):
        assert f"Dear {name}," in text
        assert "Rue de l'Église 3" in text
        assert "€120,000" in text
        assert name in poppler
    assert "\ufffd" not in poppler


@needs_pdftotext
@pytest.mark.parametrize(
    ("paper", "window", "zone"),
    [
        ("letter", LETTER_WINDOW, LETTER_WINDOW),
        ("a4", A4_WINDOW, A4_ADDRESS_ZONE),
    ],
)
def test_only_the_address_shows_through_the_window(tmp_path, paper, window, zone):
    out = tmp_path / "letters.pdf"
    six = [*MARIA[:4], "Suite 200", MARIA[4]]
    write_letters([letter(six)], SENDER, out, paper=paper)

    in_window = [word for word in words(out) if inside(word, window)]
    in_zone = [word for word in in_window if inside(word, zone)]
    assert " ".join(word[0] for word in in_zone) == " ".join(six)
    above = [word[0] for word in in_window if word not in in_zone]
    if paper == "a4":  # DIN 5008: the return line sits in the window, above the address zone
        assert " ".join(above) == "Jane Q. Doe · 12 Elm St · Springfield, IL 62704"
    else:
        assert above == []


@needs_pdftotext
def test_space_for_the_signature_between_closing_and_name(tmp_path, signature):
    for signed in (None, signature):
        out = tmp_path / "letters.pdf"
        write_letters([letter(closing="With thanks & best wishes,")], SENDER, out, signature=signed)
        on_page = words(out)
        closing = next(word for word in on_page if word[0] == "wishes,")
        name = [word for word in on_page if word[0] == "Doe"][-1]  # the typed name, not letterhead
        assert name[2] - closing[4] >= 0.55 * 72


def test_signature_on_every_letter_but_stored_once(tmp_path, signature):
    out = tmp_path / "letters.pdf"
    batch = [letter(key=f"k{n}") for n in range(3)]
    write_letters(batch, SENDER, out, signature=signature)

    per_page = image_ids(out)
    assert all(len(ids) == 1 for ids in per_page)
    assert len(set.union(*per_page)) == 1
    assert all(len(page.images) == 1 for page in PdfReader(out).pages)


def test_file_size_grows_with_letters_not_signature_copies(tmp_path, signature):
    def size(count: int, signed: Path | None) -> int:
        out = tmp_path / f"{count}-{bool(signed)}.pdf"
        write_letters([letter(key=f"k{n}") for n in range(count)], SENDER, out, signature=signed)
        return out.stat().st_size

    one = size(1, signature) - size(1, None)
    thirty = size(30, signature) - size(30, None)
    assert one > 50_000  # the image really is in the file
    assert thirty < one + 30 * 300  # plus a short "draw it here" per page, not 30 images


def test_jpeg_signature(tmp_path):
    from PIL import Image

    jpeg = tmp_path / "signature.jpg"
    Image.new("RGB", (300, 100), (200, 210, 255)).save(jpeg)
    out = tmp_path / "letters.pdf"
    write_letters([letter()], SENDER, out, signature=jpeg)
    assert len(PdfReader(out).pages[0].images) == 1


def test_long_letter_continues_with_header_and_page_numbers_restart(tmp_path, signature):
    out = tmp_path / "letters.pdf"
    ana = ["Ana Peña", "1 Main St", "Boston, MA 02134"]
    pages = write_letters(
        [long_letter(), long_letter(ana, key="0043-pena")], SENDER, out, signature=signature
    )

    assert pages == 4
    texts = page_texts(out)
    assert "Maria Lopez - page 2" in texts[1]
    assert "Ana Peña - page 2" in texts[3]
    assert " - page" not in texts[0] + texts[2]
    assert "November 23, 2026" in texts[2]
    assert "Ana Peña" in texts[2]
    assert "Sincerely," in texts[1]
    assert "Sincerely," not in texts[0]
    assert [len(ids) for ids in image_ids(out)] == [0, 1, 0, 1]


def test_nine_line_address_is_too_long(tmp_path):
    nine = [*MARIA[:4], "Building 7", "Floor 3", "Suite 200", MARIA[4], "USA"]
    with pytest.raises(AddressTooLong, match=r"Maria Lopez.*9 lines.*holds 7"):
        check_window(letter(nine), "letter")
    with pytest.raises(AddressTooLong, match="Maria Lopez"):
        write_letters([letter(MARIA), letter(nine)], SENDER, tmp_path / "letters.pdf")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_wide_address_line_wraps_or_shrinks_to_fit(paper):
    from campaign.post.page import MIN_ADDRESS_SIZE

    wide = "Department of Strategic Workforce Planning and Organisational Development"
    lines, size = fit_address(letter([MARIA[0], wide, *MARIA[2:]]), paper)
    assert MIN_ADDRESS_SIZE <= size <= 10
    assert " ".join(lines) == " ".join([MARIA[0], wide, *MARIA[2:]])
    assert len(lines) in (len(MARIA), len(MARIA) + 1)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_an_address_that_cannot_fit_is_named_in_one_short_line(paper):
    huge = "Long Company Name " * 600  # 10,800 characters
    with pytest.raises(AddressTooLong) as caught:
        check_window(letter([MARIA[0], huge, *MARIA[2:]]), paper)
    message = str(caught.value)
    assert message.startswith("Maria Lopez")
    assert '"Long Company Name Long Company Name' in message
    assert "(10,799 characters)" in message
    assert len(message) < 300


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_six_line_address_fits(paper):
    six = letter([*MARIA[:4], "Suite 200", MARIA[4]])
    check_window(six, paper)  # raises AddressTooLong when it does not fit
    lines, size = fit_address(six, paper)
    assert lines == [*MARIA[:4], "Suite 200", MARIA[4]]  # each line whole, none wrapped
    assert size == ADDRESS_SIZE  # at the usual size, not shrunk


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_10000_character_company_cannot_fit_and_is_refused(paper):
    """Wrapping measures each word once (bench/bench_print.py times it)."""
    name = " ".join(["Consolidated"] * 800)
    with pytest.raises(AddressTooLong, match="Maria Lopez"):
        fit_address(letter([MARIA[0], MARIA[1], name, *MARIA[3:]]), paper)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_suite_number_stays_with_its_word_on_any_paper(paper, tmp_path):
    """An address line too wide for the window breaks after its comma, never inside "Suite
    4400": read back from the printed PDF, on Letter and on A4."""
    street = "1200 Corporate Boulevard Northwest, Suite 4400"
    wide = letter([MARIA[0], MARIA[1], "Consolidated Widgets International Holdings", street])
    lines, _ = fit_address(wide, paper)
    assert "Suite 4400" in lines or street in lines
    assert not any(line.endswith("Suite") or line == "4400" for line in lines)
    out = tmp_path / "letter.pdf"
    write_letters([wide], SENDER, out, paper=paper)
    text = PdfReader(out).pages[0].extract_text()
    assert "Suite 4400" in text


def test_a_line_too_wide_wraps_at_the_last_space_that_fits():
    from campaign.post.page import _wrap

    words = "Director of Strategic Partnerships and Business Development, North America"
    lines = _wrap(words, 150.0, ADDRESS_SIZE)
    assert len(lines) == 2
    assert " ".join(lines) == words  # nothing lost, split at a space
    assert _wrap(lines[0] + " " + lines[1].split(" ")[0], 150.0, ADDRESS_SIZE)[0] == lines[0]
    assert _wrap("Short", 150.0, ADDRESS_SIZE) == ["Short"]


def test_failure_while_writing_keeps_the_old_file_and_no_partial(tmp_path, monkeypatch):
    from reportlab.pdfgen.canvas import Canvas

    out = tmp_path / "letters.pdf"
    out.write_bytes(b"old")

    def full_disk(self):
        Path(self._filename).write_bytes(b"%PDF-1.4 partial")
        raise OSError("No space left on device")

    monkeypatch.setattr(Canvas, "save", full_disk)
    with pytest.raises(OSError, match="No space"):
        write_letters([letter()], SENDER, out)
    with pytest.raises(OSError, match="No space"):
        write_labels([letter()], tmp_path / "labels.pdf")
    assert out.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["letters.pdf"]


def test_bad_markup_names_the_letter_and_writes_nothing(tmp_path):
    bad = letter(key="0044-broken", blocks=[("p", "An <b>unclosed tag")])
    with pytest.raises(ValueError, match=r"0044-broken.*block 1"):
        write_letters([letter(), bad], SENDER, tmp_path / "letters.pdf")
    assert list(tmp_path.iterdir()) == []


def test_missing_or_unreadable_signature_writes_nothing(tmp_path):
    out = tmp_path / "letters.pdf"
    with pytest.raises(FileNotFoundError, match="nope.png"):
        write_letters([letter()], SENDER, out, signature=tmp_path / "nope.png")
    not_png = tmp_path / "sig.png"
    not_png.write_text("not an image")
    with pytest.raises(ValueError, match="PNG or JPEG"):
        write_letters([letter()], SENDER, out, signature=not_png)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(ValueError, match="cannot read"):
        write_letters([letter()], SENDER, out, signature=broken)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["broken.png", "sig.png"]


def test_nothing_to_print_and_unknown_paper(tmp_path):
    with pytest.raises(ValueError, match="no letters"):
        write_letters([], SENDER, tmp_path / "letters.pdf")
    with pytest.raises(ValueError, match="unknown paper"):
        write_letters([letter()], SENDER, tmp_path / "letters.pdf", paper="legal")
    assert list(tmp_path.iterdir()) == []


@needs_pdftotext
@pytest.mark.parametrize(
    ("paper", "size"),
    [
        ("letter", (9.5 * 72, 4.125 * 72)),
        ("a4", (220 / 25.4 * 72, 110 / 25.4 * 72)),
    ],
)
def test_envelopes_one_per_letter_return_top_left_recipient_right(tmp_path, paper, size):
    out = tmp_path / "envelopes.pdf"
    ana = ["Ana Peña", "1 Main St", "Boston, MA 02134"]
    assert write_envelopes([letter(), letter(ana)], SENDER, out, paper=paper) == 2

    assert page_size(out) == pytest.approx(size, abs=0.1)
    first, second = page_texts(out)
    assert all(line in first for line in [*MARIA, SENDER.name, *SENDER.address_lines])
    assert all(line in second for line in ana)
    on_page = words(out, 2)
    sender = next(word for word in on_page if word[0] == "Jane")
    recipient = next(word for word in on_page if word[0] == "Ana")
    assert sender[1] < 0.5 * 72
    assert sender[2] < 0.6 * 72
    assert recipient[1] > 0.4 * size[0]
    assert 0.3 * size[1] < recipient[2] < 0.7 * size[1]


@needs_pdftotext
@pytest.mark.parametrize(
    ("paper", "sheet", "size"),
    [
        ("letter", AVERY_5160, LETTER_SIZE),
        ("a4", AVERY_L7160, A4_SIZE),
    ],
)
def test_labels_fill_the_sheet_inside_each_label(tmp_path, paper, sheet, size):
    per_sheet = sheet.columns * sheet.rows
    batch = [letter([f"Person{n} Lopez", *MARIA[1:]], key=f"k{n}") for n in range(per_sheet + 1)]
    nine = ["Person4 Lopez", *MARIA[1:4], "Building 7", "Floor 3", "Suite 200", MARIA[4], "USA"]
    batch[4] = letter(nine, key="nine")  # shrunk to fit, not refused
    out = tmp_path / "labels.pdf"
    assert write_labels(batch, out, paper=paper) == 2

    assert page_size(out) == pytest.approx(size, abs=0.1)
    assert f"Person{per_sheet} Lopez" in page_texts(out)[1]
    cells = [
        Box(sheet.side + col * sheet.pitch_x, sheet.top + row * sheet.pitch_y, sheet.width,
            sheet.height)
        for row in range(sheet.rows)
        for col in range(sheet.columns)
    ]  # fmt: skip
    on_page = words(out)
    names = [word for word in on_page if word[0].startswith("Person")]
    assert [int(word[0].removeprefix("Person")) for word in names] == list(range(per_sheet))
    for n, word in enumerate(names):
        assert inside(word, cells[n]), (word, cells[n])
    assert [word for word in on_page if not any(inside(word, cell) for cell in cells)] == []
    assert inside(next(word for word in on_page if word[0] == "USA"), cells[4])
