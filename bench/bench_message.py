"""Time building the email messages of a 200-letter batch: headers, both parts, the bytes.

What `campaign send` does per message once the letters are rendered: email.message.build_message
(the From/To/Reply-To addresses, the Subject, Date, Message-ID, the text and HTML parts, and
with --resume a 100 KB PDF attached), then the bytes that go to the server. The letters are
rendered before the clock starts (bench_render.py times that). A quarter of the prospects have
non-ASCII names and every seventh company a long one, as in bench_render.py.

Run: python bench/bench_message.py [--letters 200] [--runs 15] [--resume]
To compare with another checkout, run the same file from that checkout's bench/ folder.
"""

import argparse
import datetime
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from campaign.email.message import build_message  # noqa: E402
from campaign.letters.render import Renderer  # noqa: E402
from campaign.sheets.headers import FIELDS  # noqa: E402
from campaign.workspace.settings import load  # noqa: E402
from campaign.workspace.skeleton import adopt_example_letters, init  # noqa: E402

NAMES = [("Maria", "Lopez"), ("Zoë", "Łukasiewicz"), ("", "Smith"), ("Þórr", "Jónsson")]
TITLES = ["Director of Operations", "", "Chief Financial Officer", "Directrice générale"]


def prospects(count: int) -> list[dict]:
    rows = []
    for n in range(1, count + 1):
        first, last = NAMES[n % len(NAMES)]
        row = dict.fromkeys(FIELDS, "")
        long_name = "Consolidated Regional Freight and Warehousing Cooperative"
        row.update(
            id=n,
            company=f"{long_name} {n}" if n % 7 == 0 else f"Company {n}, Inc.",
            first_name=first,
            last_name=last,
            title=TITLES[n % len(TITLES)],
            email=f"person{n}@example.com",
            priority=None,
            extras="{}",
        )
        rows.append(row)
    return rows


def build_all(settings, letters, attachments: list[Path]) -> int:
    when = datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.UTC)
    size = 0
    for letter in letters:
        size += len(build_message(letter, settings, when, attachments).data)
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--resume", action="store_true", help="attach a 100 KB PDF to each")
    args = parser.parse_args()

    day = datetime.date(2026, 11, 23)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        init(root, "Jane Doe", email="jane.doe@example.org", phone="(217) 555-0142")
        adopt_example_letters(root)
        settings = load(root)
        renderer = Renderer(settings)
        letters = [renderer.render("intro", row, day) for row in prospects(args.letters)]
        attachments = []
        if args.resume:
            resume = Path(folder) / "resume.pdf"
            resume.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 400 + b"\n%%EOF\n")
            attachments.append(resume)
        size = build_all(settings, letters, attachments)  # warm: imports, first folds
        times, cpu = [], []
        for _ in range(args.runs):
            started, used = time.perf_counter(), time.process_time()
            build_all(settings, letters, attachments)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - used)

    median = statistics.median(times)
    what = " with a 100 KB resume" if args.resume else ""
    print(f"{args.letters} messages{what} ({size / args.letters / 1024:.1f} KB each):")
    print(f"  median {median * 1000:7.1f} ms  ({median / args.letters * 1e6:6.0f} us a message)")
    print(f"  best   {min(times) * 1000:7.1f} ms   worst {max(times) * 1000:7.1f} ms")
    # CPU time is what the build costs; wall time also counts other work on a shared machine.
    print(f"  CPU    {statistics.median(cpu) * 1000:7.1f} ms median, {min(cpu) * 1000:.1f} ms best")


if __name__ == "__main__":
    main()
