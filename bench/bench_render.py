"""Time merging 200 prospects into the shipped intro letter: text and HTML for each.

What `campaign send` does before the first message goes: one Renderer (each template compiled
once), then Renderer.render + Letter.text() + Letter.html() per prospect. Target: < 100 ms.

Run: python bench/bench_render.py [--letters 200] [--runs 9]
"""

import argparse
import datetime
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from campaign.letters.render import Renderer, _parse  # noqa: E402
from campaign.sheets.headers import FIELDS  # noqa: E402
from campaign.workspace.settings import load  # noqa: E402
from campaign.workspace.skeleton import adopt_example_letters, init  # noqa: E402

NAMES = [("Maria", "Lopez"), ("Zoë", "Łukasiewicz"), ("", "Smith"), ("Þórr", "Jónsson")]
TITLES = ["Director of Operations", "", "Chief Financial Officer", "Head of Logistics"]


def prospects(count: int) -> list[dict]:
    """Rows shaped like ledger prospects, with a few non-ASCII names and blank titles."""
    rows = []
    for n in range(1, count + 1):
        first, last = NAMES[n % len(NAMES)]
        row = dict.fromkeys(FIELDS, "")
        row.update(
            id=n,
            company=f"Company {n} & Sons" if n % 7 == 0 else f"Company {n}, Inc.",
            first_name=first,
            last_name=last,
            title=TITLES[n % len(TITLES)],
            email=f"person{n}@example.com",
            priority=None,
            extras='{"referred_by": "Ann Lee"}' if n % 3 == 0 else "{}",
        )
        rows.append(row)
    return rows


def render_all(settings, rows: list[dict], day: datetime.date) -> int:
    """One Renderer, as one `campaign send` run has; returns the characters produced."""
    renderer = Renderer(settings)
    size = 0
    for row in rows:
        letter = renderer.render("intro", row, day)
        size += len(letter.text()) + len(letter.html())
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    day = datetime.date(2026, 11, 23)
    rows = prospects(args.letters)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ws"
        init(root, "Jane Doe", email="jane.doe@example.org", phone="(217) 555-0142")
        adopt_example_letters(root)  # the example letters, taken as they are
        settings = load(root)

        started = time.perf_counter()
        size = render_all(settings, rows, day)
        cold = time.perf_counter() - started

        times = []
        for _ in range(args.runs):
            _parse.cache_clear()  # each run parses the Markdown again, as a new process would
            started = time.perf_counter()
            render_all(settings, rows, day)
            times.append(time.perf_counter() - started)

    median = statistics.median(times)
    print(f"render {args.letters} intro letters (Renderer.render + text() + html()):")
    print(f"  {'first run (imports jinja2, mistune)':38} {cold * 1000:7.1f} ms")
    print(
        f"  {f'median of {args.runs} runs':38} {median * 1000:7.1f} ms"
        f"  (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})"
    )
    print(f"  {'per letter':38} {median / args.letters * 1e6:7.1f} µs")
    print(f"  {'text + HTML per letter':38} {size / args.letters:7.0f} characters")
    verdict = "met" if median < 0.1 else "MISSED"
    print(f"  target: under 100 ms for 200 letters: {verdict}")


if __name__ == "__main__":
    main()
