"""Enclosures: the resume's pages after each posted letter, as campaign.toml promises."""

from __future__ import annotations

from pathlib import Path

from campaign.errors import CampaignError
from campaign.util.atomic import replacing


def check_pdf(path: Path, what: str = "the resume") -> None:
    """A readable PDF, or one clear error naming the setting."""
    if not path.is_file():
        raise CampaignError(f"campaign.toml: {what} {path} does not exist.")
    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            raise CampaignError(
                f"campaign.toml: {what} {path.name} is not a PDF; posted letters enclose its "
                "pages, so save it as PDF (File > Save as > PDF) and set resume to that file."
            )


def enclose(letters: Path, starts: list[int], enclosure: Path) -> int:
    """Insert every page of `enclosure` after each letter of `letters` (first pages `starts`).

    Returns the new page count. pypdf writes objects the pages share (the fonts, the
    letterhead, the signature image, the enclosure's own resources) once.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    check_pdf(enclosure)
    try:
        extra = PdfReader(enclosure)
        extra_pages = list(extra.pages)
    except (PdfReadError, ValueError, OSError) as err:
        raise CampaignError(f"{enclosure.name}: cannot be read as a PDF ({err}).") from None
    if extra.is_encrypted:
        raise CampaignError(f"{enclosure.name} is password-protected; save a copy without one.")
    source = PdfReader(letters)
    total = len(source.pages)
    bounds = [s - 1 for s in starts] + [total]
    writer = PdfWriter()
    for index in range(len(starts)):
        for number in range(bounds[index], bounds[index + 1]):
            writer.add_page(source.pages[number])
        for page in extra_pages:
            writer.add_page(page)
    with replacing(letters) as temp, temp.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)
