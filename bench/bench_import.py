"""Time the things a user waits for: `campaign --help`, a 200-row import, a 100,000-row import.

Run: python bench/bench_import.py

Each figure comes from the installed `campaign` script in a subprocess, start-up included,
against a fresh workspace in a temporary folder. Prints figures; asserts nothing about time.
Peak memory is the import's own: a small wrapper process runs it and reads its
getrusage(RUSAGE_CHILDREN). Imports run RUNS times and the quickest is reported, since other
work on a shared machine only ever adds time (the median is printed beside it).

Python may be told not to write bytecode (PYTHONDONTWRITEBYTECODE); then every run of an editable
install compiles campaign's modules from source. A user's `pip install` has .pyc files, so the
figures use a bytecode cache in the temporary folder (PYTHONPYCACHEPREFIX, the checkout stays
clean); `--help` is also timed without one, for comparison.
"""

from __future__ import annotations

import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HELP_RUNS = 10
RUNS = 3
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


_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    "cpu": resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime,
    "code": done.returncode,
    "stderr": done.stderr,
}))
"""


def measured(args: list[str], env: dict) -> dict:
    """Run `args` in a child of a wrapper: its wall time, its own peak memory, its stderr."""
    import json

    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args], capture_output=True, text=True, env=env
    )
    got = json.loads(out.stdout)
    if got["code"] != 0:
        sys.exit(f"bench: {' '.join(args)} failed ({got['code']}):\n{got['stderr']}")
    return got


def import_runs(script: str, folder: Path, env: dict, path: Path) -> tuple[list[dict], str]:
    """RUNS imports of `path`, each into a fresh workspace; and the last one's summary."""
    runs = []
    for _ in range(RUNS):
        root = fresh_workspace(script, folder, env)
        runs.append(measured([script, "--workspace", str(root), "import", str(path)], env))
    return runs, runs[-1]["stderr"].strip().splitlines()[-1]


def fresh_workspace(script: str, folder: Path, env: dict) -> Path:
    root = folder / "ws"
    if root.exists():
        shutil.rmtree(root)
    timed([script, "init", str(root)], env)
    return root


def floor(path: Path, folder: Path, script: str, env: dict) -> float:
    """What any importer must spend: the CSV read by the csv module and inserted into a
    fresh ledger with one executemany in one transaction, nothing checked."""
    import sqlite3

    root = fresh_workspace(script, folder, env)
    conn = sqlite3.connect(root / "campaign.db", isolation_level=None)
    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO prospects (priority, company, first_name, title, email, address, city,"
            " state, postal_code, phone, notes, extras, list_order, created_on, updated_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-01-01', '2026-01-01')",
            ((*r[:10], r[11], '{"industry": "x"}', n) for n, r in enumerate(reader)),
        )
        conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - start


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
        runs, summary = import_runs(script, folder, env, small)
        seconds = sorted(r["seconds"] for r in runs)
        figures.append(
            (
                f"import {SMALL_ROWS}-row .xlsx (median {statistics.median(seconds):.2f} s)",
                f"{seconds[0]:.2f} s",
                "0.5 s",
            )
        )
        figures.append(("  peak memory", f"{max(r['mib'] for r in runs):.0f} MiB", "150 MiB"))

        big = folder / "big.csv"
        write_csv(big, BIG_ROWS)
        runs, big_summary = import_runs(script, folder, env, big)
        seconds = sorted(r["seconds"] for r in runs)
        figures.append(
            (
                f"import {BIG_ROWS:,}-row .csv (median {statistics.median(seconds):.2f} s)",
                f"{seconds[0]:.2f} s",
                "4 s",
            )
        )
        figures.append(("  peak memory", f"{max(r['mib'] for r in runs):.0f} MiB", "150 MiB"))
        cpu = min(r["cpu"] for r in runs)
        figures.append(("  CPU time (user + system)", f"{cpu:.2f} s", "4 s"))
        bottom = min(floor(big, folder, script, env) for _ in range(RUNS))
        figures.append(("  floor: csv module + one executemany", f"{bottom:.2f} s", "-"))
        figures.append(("  import / floor", f"{seconds[0] / bottom:.1f}x", "-"))

    width = max(len(f[0]) for f in figures)
    print(f"{'figure'.ljust(width)}  {'measured':>10}  {'target':>9}")
    print(f"{'-' * width}  {'-' * 10}  {'-' * 9}")
    for name, value, target in figures:
        print(f"{name.ljust(width)}  {value:>10}  {'< ' + target:>9}")
    print()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average: {load} on {os.cpu_count()} cores (others' work slows every figure)")
    print(f"200 rows:     {summary}")
    print(f"100,000 rows: {big_summary}")


if __name__ == "__main__":
    main()
