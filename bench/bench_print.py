"""Time write_letters for 200 letters and show how the PDF grows with letters and a signature.

Run: python bench/bench_print.py
"""

import datetime
import random
import sys
import tempfile
import time
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from campaign.post.letters import write_letters  # noqa: E402
from campaign.post.page import PostLetter, Sender

SENDER = Sender(
    name="Jane Q. Doe",
    address_lines=["12 Elm St", "Springfield, IL 62704"],
    phone="(217) 555-0142",
    email="jane.doe@example.com",
)
NAMES = ["Maria Lopez", "Zoë Łukasiewicz", "Antonín Dvořák", "Þórr Jónsson", "Ana Peña"]


def signature_png(path: Path, width: int = 600, height: int = 200) -> None:
    """Write a noisy RGBA PNG (a stand-in signature) with zlib only, no imaging library."""
    rng = random.Random(42)
    rows = []
    for _ in range(height):
        pixels = bytearray()
        for _ in range(width):
            ink = rng.random() < 0.3
            pixels += bytes((20, 30, 110, rng.randrange(120, 256))) if ink else bytes(4)
        rows.append(b"\x00" + bytes(pixels))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes((8, 6, 0, 0, 0))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def letters(count: int) -> list[PostLetter]:
    """Letters shaped like templates/intro.md as rendered (about 170 words), with a merged name."""
    made = []
    for n in range(count):
        name = NAMES[n % len(NAMES)]
        company = f"Company {n} & Sons" if n % 7 == 0 else f"Company {n}, Inc."
        co = escape(company)
        made.append(
            PostLetter(
                key=f"{n:04d}-bench",
                recipient_name=name,
                recipient_lines=[
                    name,
                    "Director of Operations",
                    company,
                    f"{100 + n} Industrial Pkwy",
                    "Springfield, IL 62703",
                ],
                date=datetime.date(2026, 11, 23),
                blocks=[
                    ("p", f"Dear {escape(name)},"),
                    (
                        "p",
                        "I am writing to you directly because, as Director of Operations at "
                        f"{co}, you are the one who knows when a strong addition would make a "
                        "difference. Over the past several years I have built a record of "
                        "<b>results you can measure</b>:",
                    ),
                    (
                        "ul",
                        [
                            "cut operating costs by 18% in two years without cutting service",
                            "led teams of up to 25 people through two system migrations, on time",
                            "earned a reputation for <i>clear reports</i> and calm "
                            "problem-solving, and saved €120,000 a year on freight",
                        ],
                    ),
                    (
                        "p",
                        "If an opening exists now, or is likely soon, I would welcome a short "
                        f"conversation about {co}. I will call your office in a few days, or you "
                        "can reach me at (217) 555-0142 or jane.doe@example.com.",
                    ),
                    ("p", "Thank you for your time and consideration."),
                ],
                closing="Sincerely,",
                typed_name="Jane Q. Doe",
            )
        )
    return made


def main() -> None:
    """Print the timings for 200 letters, then the file sizes with and without a signature."""
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        signature = tmp / "signature.png"
        signature_png(signature)
        print(f"signature PNG: {signature.stat().st_size:,} bytes")

        batch = letters(200)
        runs = []
        for _ in range(4):  # the first run also loads the fonts, as one CLI run does
            start = time.perf_counter()
            pages = write_letters(batch, SENDER, tmp / "200.pdf", signature=signature)
            runs.append(time.perf_counter() - start)
        print(
            f"200 letters, signed, {pages} pages: first run {runs[0]:.2f} s, "
            f"then {', '.join(f'{run:.2f}' for run in runs[1:])} s"
        )

        print(f"{'letters':>7}  {'pages':>5}  {'unsigned':>12}  {'signed':>12}  {'difference':>10}")
        for count in (1, 50, 200):
            batch = letters(count)
            plain = tmp / f"plain-{count}.pdf"
            signed = tmp / f"signed-{count}.pdf"
            pages = write_letters(batch, SENDER, plain)
            write_letters(batch, SENDER, signed, signature=signature)
            a, b = plain.stat().st_size, signed.stat().st_size
            print(f"{count:>7}  {pages:>5}  {a:>12,}  {b:>12,}  {b - a:>10,}")


if __name__ == "__main__":
    main()
