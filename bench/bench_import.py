"""Time the things a user waits for: `campaign --help`, a 200-row import, a 100,000-row import.

Run: python bench/bench_import.py

Each figure comes from the installed `campaign` script in a subprocess, start-up included,
against a fresh workspace in a temporary folder. Prints figures; asserts nothing about time.

Python may be told not to write bytecode (PYTHONDONTWRITEBYTECODE); then every run of an editable
install compiles campaign's modules from source. A user's `pip install` has .pyc files, so the
figures use a bytecode cache in the temporary folder (PYTHONPYCACHEPREFIX, the checkout stays
clean); `--help` is also timed without one, for comparison.
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP_RUNS = 10
SMALL_ROWS = 200
BIG_ROWS = 100_000
HEADER = [
    "Priority",
    "Company Name",
    "Contact",
    "Title",
    "E-mail Address",
    "Address",
    "City",
    "State",
    "ZIP",
    "Phone #",
    "Industry",
    "Notes",
]


def campaign_script() -> str:
    """The installed console script next to this Python, else the one on PATH."""
    beside = Path(sys.executable).with_name("campaign")
    found = str(beside) if beside.exists() else shutil.which("campaign")
    if not found:
        sys.exit("bench: no `campaign` script installed; run `pip install -e .` first")
    return found


def row(n: int) -> list:
    return [
        n % 5 + 1 if n % 7 else "",
        f"Company {n:06d} Ltd",
        f"Maria{n} López",
        "Hiring Manager",
        f"maria{n}@example.com" if n % 3 else "",
        f"{n} Elm Street",
        "Springfield",
        "IL",
        f"{n % 100000:05d}",
        f"217-555-01{n % 100:02d}",
        "Logistics",
        "met at the job fair; call after 10",
    ]


def write_xlsx(path: Path, rows: int) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["My target employers"])
    sheet.append([])
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append(row(n))
    book.save(path)


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(row(n) for n in range(rows))


def timed(args: list[str], env: dict) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"bench: {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done


def fresh_workspace(script: str, folder: Path, env: dict) -> Path:
    root = folder / "ws"
    if root.exists():
        shutil.rmtree(root)
    timed([script, "init", str(root)], env)
    return root


def main() -> None:
    script = campaign_script()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    figures = []
    with tempfile.TemporaryDirectory(prefix="campaign-bench-") as tmp:
        folder = Path(tmp)
        env = {k: v for k, v in inherited.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")

        for label, help_env in (("", env), (", no .pyc", inherited)):
            if label and "PYTHONDONTWRITEBYTECODE" not in inherited:
                continue  # the same as the first figure
            timed([script, "--help"], help_env)  # warm the file cache (and write .pyc) once
            runs = [timed([script, "--help"], help_env)[0] for _ in range(HELP_RUNS)]
            median = statistics.median(runs) * 1000
            figures.append((f"campaign --help, median of 10{label}", f"{median:.0f} ms", "150 ms"))

        small = folder / "employers.xlsx"
        write_xlsx(small, SMALL_ROWS)
        tiny = folder / "tiny.csv"
        write_csv(tiny, 10)
        # Warm up: the bytecode cache starts empty, so pandas & co. compile once here, untimed.
        for path in (small, tiny):
            root = fresh_workspace(script, folder, env)
            timed([script, "--workspace", str(root), "import", str(path)], env)
        root = fresh_workspace(script, folder, env)
        elapsed, done = timed([script, "--workspace", str(root), "import", str(small)], env)
        figures.append((f"import {SMALL_ROWS}-row .xlsx", f"{elapsed:.2f} s", "1 s"))
        summary = done.stderr.strip().splitlines()[-1]

        big = folder / "big.csv"
        write_csv(big, BIG_ROWS)
        root = fresh_workspace(script, folder, env)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        elapsed, done = timed([script, "--workspace", str(root), "import", str(big)], env)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        # ru_maxrss is the largest child so far, in KiB on Linux (bytes on macOS).
        scale = 1 if sys.platform == "darwin" else 1024
        note = "" if peak > before else " (or less: an earlier child was larger)"
        figures.append((f"import {BIG_ROWS:,}-row .csv", f"{elapsed:.2f} s", "15 s"))
        figures.append((f"  peak memory{note}", f"{peak * scale / 2**20:.0f} MiB", "1024 MiB"))
        big_summary = done.stderr.strip().splitlines()[-1]

    width = max(len(f[0]) for f in figures)
    print(f"{'figure'.ljust(width)}  {'measured':>10}  {'target':>9}")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 9}")
    for name, value, target in figures:
        print(f"{name.ljust(width)}  {value:>10}  {'< ' + target:>9}")
    print()
    print(f"200 rows:     {summary}")
    print(f"100,000 rows: {big_summary}")


if __name__ == "__main__":
    main()
