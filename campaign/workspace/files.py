"""Files the user hands campaign from the web app: the signature, the resume, the letters.

Each is checked for what it claims to be before it is kept, and written atomically and
privately inside the workspace under a name campaign chooses (never one from the upload), so
nothing lands outside the workspace and a half-written file is never read.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from campaign.errors import CampaignError, TemplateError
from campaign.util.atomic import make_private_folder, write_private
from campaign.workspace.checks import template_name_problem

MAX_SIGNATURE = 5 * 1024 * 1024  # a scanned signature is tens of kilobytes
MAX_RESUME = 10 * 1024 * 1024  # a resume is a few pages
MAX_TEMPLATE = 64 * 1024  # a letter is a page of text
PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG image, read from its header; None when it is neither.

    PNG: the IHDR chunk follows the signature (PNG specification, 11.2.2). JPEG: the first
    start-of-frame marker (SOF0-SOF15 but DHT, JPG and DAC) carries the height and width
    (ITU T.81, B.2.2)."""
    if data.startswith(PNG) and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return (width, height) if width and height else None
    if not data.startswith(JPEG):
        return None
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return (width, height) if width and height else None
        at += 2 + length
    return None


def save_signature(root: Path, data: bytes) -> str:
    """Keep a scanned signature (PNG or JPEG) as signature.png or signature.jpg; its name."""
    if len(data) > MAX_SIGNATURE:
        raise CampaignError("the signature image is larger than 5 MB; scan it smaller")
    size = image_size(data)
    if size is None:
        raise CampaignError("the signature must be a PNG or JPEG image (a scan or a photo)")
    name = "signature.png" if data.startswith(PNG) else "signature.jpg"
    for old in ("signature.png", "signature.jpg"):
        if old != name:
            (root / old).unlink(missing_ok=True)
    write_private(root / name, data)
    return name


def pdf_pages(data: bytes) -> int:
    """The number of pages of a PDF; a CampaignError when it is not one pypdf can read."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.lstrip()[:5] == b"%PDF-":
        raise CampaignError("the resume must be a PDF file (save or export it as PDF)")
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, struct.error, RecursionError):
        raise CampaignError("the resume's PDF cannot be read; export it as PDF again") from None
    if not pages:
        raise CampaignError("the resume's PDF has no pages")
    return pages


def save_resume(root: Path, data: bytes) -> str:
    """Keep the resume (a PDF) as resume.pdf; its name."""
    if len(data) > MAX_RESUME:
        raise CampaignError("the resume is larger than 10 MB; export it as a smaller PDF")
    pdf_pages(data)
    write_private(root / "resume.pdf", data)
    return "resume.pdf"


def template_text(text: str) -> bytes:
    """A letter as typed in a text area, as the file keeps it: \\n line ends, one at the end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") + "\n"
    data = text.encode("utf-8")
    if len(data) > MAX_TEMPLATE:
        raise TemplateError("a letter is at most 64 KB of text")
    return data


def save_template(root: Path, name: str, text: str) -> Path:
    """Write the letter `name` (templates/NAME.md) atomically and privately; its path."""
    if why := template_name_problem(name):
        raise TemplateError(why + ".")
    folder = root / "templates"
    make_private_folder(folder)
    path = folder / f"{name}.md"
    write_private(path, template_text(text))
    return path


def without_example(text: str) -> str:
    """The letter with its `example:` line removed (the letter is the user's own now): only
    in the front matter between the `---` lines, so a body line "Example: at Acme I..." stays."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return text
    end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), 0)
    if not end:  # no front matter closed: nothing of it to change
        return text
    head = [line for line in lines[1:end] if not line.lower().startswith("example:")]
    return "".join([lines[0], *head, *lines[end:]])
