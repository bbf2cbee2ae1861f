"""Time `campaign due --json` and `campaign status --json` on a year-old ledger.

Run: python bench/bench_due.py [--profile]

The ledger keeps each prospect's follow-ups (followups/store.py): the first command after the
ledger is built computes every prospect once (printed, untimed); then each figure is `due` or
`status` cold (a new process), `due` just after `campaign log` wrote, `due` the next day (the
prospects whose answer expired computed again), and logging a call then `due` in-process (the
library work both faces do, start-up aside). The synthetic year is a diligent user's: replies
answered the same day, unanswered calls tried again until answered.

Two ledgers are built straight into campaign.db (a workspace made by `campaign init`, opened with
campaign.ledger.db.connect, then bulk INSERTs): 200 prospects with a year of weekly batches, receipt
checks, follow-up letters, replies, interviews with their thank-yous and follow-up calls,
networking contacts and warm insiders; and 100,000 prospects with the same activity per
prospect. Each command runs as the installed `campaign` script in a subprocess, start-up
included, median of 5 after one untimed run. Prints figures; asserts nothing about time.

As in bench_import.py, the bytecode cache lives in the temporary folder (PYTHONPYCACHEPREFIX),
as a user's `pip install` has .pyc files. With --profile, or when a figure misses its target,
the command is also run in-process under cProfile and the costliest calls are printed.
"""

from __future__ import annotations

import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_import import campaign_script  # beside this file: python bench/bench_due.py

from campaign.followups.items import business_days

RUNS = 5
START = dt.date(2026, 1, 5)  # a Monday: the first weekly batch
TODAY = dt.date(2026, 12, 28)  # a year later
SIZES = ((200, 0.300), (100_000, 0.300))  # prospects, target seconds for each command


class Ledger:
    """Rows for one synthetic year of a campaign, written in bulk."""

    def __init__(self, prospects: int, seed: int = 6):
        self.count = prospects
        self.rand = random.Random(seed)
        self.prospects: list[tuple] = []
        self.batches: list[tuple] = []
        self.members: list[tuple] = []
        self.sends: list[tuple] = []
        self.touches: list[tuple] = []
        self.status: dict[int, str] = {}
        self.role: dict[int, str] = {}
        self.stamp = "2026-01-01T00:00:00Z"

    # --- helpers ----------------------------------------------------------------------------

    def send(self, pid, batch, touch, dedupe, kind, channel, day, recipient):
        if day > TODAY:
            return
        self.sends.append(
            (
                pid,
                batch,
                touch,
                dedupe,
                kind,
                kind,
                channel,
                "sent",
                recipient,
                f"{kind} letter",
                day.isoformat(),
                f"{day.isoformat()}T09:00:00Z",
                self.stamp,
            )
        )

    def touch(self, pid, kind, day, outcome="", note="", people="[]") -> int | None:
        if day > TODAY:
            return None
        self.touches.append((pid, kind, day.isoformat(), outcome, note, people, self.stamp))
        return len(self.touches)  # touches are inserted in this order into an empty table

    # --- the year ---------------------------------------------------------------------------

    def build(self) -> None:
        rand = self.rand
        weeks = min(52, -(-self.count // 20))  # ~20 a week for 200; the year for more
        per_week = -(-self.count // weeks)
        for week in range(weeks):
            monday = START + dt.timedelta(weeks=week)
            year, number, _ = monday.isocalendar()
            self.batches.append((week + 1, f"{year}-W{number:02d}", 0, monday.isoformat()))
        for pid in range(1, self.count + 1):
            has_email = pid % 3 != 0
            email = f"hm{pid}@employer{pid}.example" if has_email else ""
            self.prospects.append(
                (
                    pid,
                    f"Employer {pid:06d} Ltd",
                    f"Maria{pid}",
                    "López",
                    "Hiring Manager",
                    email,
                    f"{pid} Elm Street" if not has_email or pid % 2 else "",
                    "Springfield",
                    "IL",
                    f"{pid % 100000:05d}",
                    f"217-555-{pid % 10000:04d}",
                    pid % 5 + 1,
                    pid,
                    "2026-01-02",
                    "2026-01-02",
                )
            )
            week = (pid - 1) // per_week
            self.members.append(
                (week + 1, pid, (pid - 1) % per_week + 1, "email" if email else "post")
            )
            sent = START + dt.timedelta(weeks=week, days=rand.randrange(0, 3))
            self.year_of(pid, week + 1, sent, "email" if email else "post", email)

    def call(self, pid, day, outcomes, note="") -> dt.date:
        """A call, tried again two business days later while nobody answers (three tries at
        most, as the user does: docs/domain.md, "Unanswered calls"); the day it reached them."""
        for attempt in range(3):
            outcome = self.rand.choice(outcomes) if attempt < 2 else "spoke"
            self.touch(pid, "call", day, outcome, note=note)
            if outcome not in ("no-answer", "left-message"):
                return day
            day = business_days(day, 2)
        return day

    def year_of(self, pid, batch, sent, channel, email) -> None:
        """A diligent user's year with one prospect: every follow-up done when due."""
        rand = self.rand
        recipient = email or f"{pid} Elm Street, Springfield, IL"
        self.send(pid, batch, None, f"intro:{pid}", "intro", channel, sent, recipient)
        self.receipt_check(pid, sent, channel, recipient)
        fate = rand.random()
        if fate < 0.10:  # a reply, answered the same day
            day = sent + dt.timedelta(rand.randrange(5, 20))
            self.touch(pid, "reply", day, note="call me")
            self.touch(pid, "answered", day, note="proposed a call")
            self.status[pid] = "replied"
            return
        if fate < 0.21:
            end = rand.choice(["rejected", "rejected", "closed", "hired"])
            self.touch(pid, end, sent + dt.timedelta(rand.randrange(5, 40)), note="by letter")
            self.status[pid] = end
        self.followup_letters(pid, sent, channel, recipient)
        if self.status.get(pid):
            return
        if fate < 0.26:
            self.interviewed(pid, sent, channel, recipient)
        elif fate < 0.29:
            self.networking(pid, sent)
        elif fate < 0.30:
            self.insider(pid, sent)

    def receipt_check(self, pid, sent, channel, recipient) -> None:
        """Most receipt checks get done: an email, or a call (tried again until answered)."""
        if self.rand.random() >= 0.85:
            return
        day = sent + dt.timedelta(3)
        if channel == "email":
            self.send(pid, None, None, f"receipt:{pid}", "receipt", "email", day, recipient)
        else:
            self.call(pid, sent + dt.timedelta(4), ["spoke", "spoke", "assistant", "no-answer"])

    def followup_letters(self, pid, sent, channel, recipient) -> None:
        """Most went on time; recent batches may still owe them."""
        first = sent + dt.timedelta(14 + self.rand.choice([0, 0, 0, 1, 7]))
        if self.status.get(pid) is None or self.rand.random() < 0.5:
            second = first + dt.timedelta(14)
            self.send(pid, None, None, f"followup1:{pid}", "followup1", channel, first, recipient)
            self.send(pid, None, None, f"followup2:{pid}", "followup2", channel, second, recipient)

    def interviewed(self, pid, sent, channel, recipient) -> None:
        """An interview, its thank-yous, then a call every four weeks; the article after two."""
        rand = self.rand
        met = sent + dt.timedelta(rand.randrange(20, 60))
        people = [{"name": "Ann Lee", "title": "CFO"}, {"name": "Bo Chan", "title": "HR Lead"}]
        touch = self.touch(pid, "interview", met, people=json.dumps(people))
        for index in range(len(people)):
            dedupe = f"thankyou:{touch}:{index}"
            self.send(pid, None, touch, dedupe, "thankyou", "post", met, recipient)
        day, spoke = met + dt.timedelta(21), 0
        while day <= TODAY:
            day = self.call(pid, day, ["spoke", "spoke", "no-answer", "left-message"], "no opening")
            spoke += 1
            if spoke == 2:
                self.send(pid, None, None, f"article:{pid}", "article", channel, day, recipient)
            day += dt.timedelta(28)

    def networking(self, pid, sent) -> None:
        """A networking contact: a progress call every six weeks."""
        self.role[pid] = "contact"
        day = sent + dt.timedelta(10)
        self.touch(pid, "contact", day)
        while (day := day + dt.timedelta(42)) <= TODAY:
            self.touch(pid, "call", day, "spoke", note="two referrals")

    def insider(self, pid, sent) -> None:
        """A warm insider: a check-in every five days."""
        self.role[pid] = "insider"
        day = sent + dt.timedelta(7)
        self.touch(pid, "insider", day)
        while (day := day + dt.timedelta(5)) <= TODAY:
            day = self.call(pid, day, ["spoke", "no-answer"])

    def write(self, conn) -> None:
        from campaign.ledger.transaction import transaction

        with transaction(conn):
            conn.executemany(
                "INSERT INTO prospects (id, company, first_name, last_name, title, email, address,"
                " city, state, postal_code, phone, priority, list_order, created_on, updated_on)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.prospects,
            )
            conn.executemany(
                "UPDATE prospects SET status = ? WHERE id = ?",
                [(s, pid) for pid, s in self.status.items()],
            )
            conn.executemany(
                "UPDATE prospects SET role = ? WHERE id = ?",
                [(r, pid) for pid, r in self.role.items()],
            )
            conn.executemany(
                "INSERT INTO batches (id, week, is_all, created_on) VALUES (?, ?, ?, ?)",
                self.batches,
            )
            conn.executemany(
                "INSERT INTO batch_members (batch_id, prospect_id, position, channel)"
                " VALUES (?, ?, ?, ?)",
                self.members,
            )
            conn.executemany(
                "INSERT INTO touches (prospect_id, kind, on_date, outcome, note, people,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                self.touches,
            )
            conn.executemany(
                "INSERT INTO sends (prospect_id, batch_id, touch_id, dedupe, kind, letter,"
                " channel, status, recipient, subject, sent_on, sent_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                self.sends,
            )
        conn.execute("ANALYZE")


def timed(args: list[str], env: dict) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"bench: {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done.stdout


def profile(root: Path, command: str) -> str:
    """The command in-process under cProfile: where the time goes."""
    from campaign.cli.main import cli

    profiler = cProfile.Profile()
    args = ["--workspace", str(root), "--today", TODAY.isoformat(), command, "--json"]
    with contextlib.redirect_stdout(io.StringIO()):
        profiler.enable()
        cli.main(args, standalone_mode=False, prog_name="campaign")
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(12)  # own time: where the seconds actually go
    stats.sort_stats("cumulative").print_stats(r"campaign/", 8)  # and which of our code
    return out.getvalue()


def in_process_pairs(root: Path) -> list[float]:
    """`log P call` then `due`, as the library does them (what either face calls): seconds for
    each pair, a different prospect each time."""
    from campaign.followups.due import compute
    from campaign.followups.touches import Logged, log
    from campaign.ledger.db import connect
    from campaign.ledger.queries import find_prospect
    from campaign.workspace.settings import load

    settings = load(root)
    conn = connect(settings.ledger_path)
    compute(conn, settings.cadence, TODAY)  # the connection opened, nothing stale
    times = []
    for pid in range(101, 101 + RUNS):
        start = time.perf_counter()
        entry = Logged("call", TODAY, outcome="no-answer", again=True)
        log(conn, find_prospect(conn, str(pid)), entry, today=TODAY, cadence=settings.cadence)
        compute(conn, settings.cadence, TODAY)
        times.append(time.perf_counter() - start)
    conn.close()
    return times


def measure(script: str, root: Path, count: int, target: float, env: dict) -> tuple[list, list]:
    """The figures for one ledger: `due` and `status` cold, after a write, the next day."""
    base = [script, "--workspace", str(root), "--today", TODAY.isoformat()]
    figures, notes = [], []
    first, out = timed([*base, "due", "--json"], env)  # every prospect is stale: computed once
    notes.append(f"  the first `due` computed every prospect (then kept): {first:.1f} s")
    kinds: dict[str, int] = {}
    for item in json.loads(out):
        kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
    notes.append(f"  due lists {sum(kinds.values()):,}: {kinds}")
    for command in ("due", "status"):
        runs = [timed([*base, command, "--json"], env)[0] for _ in range(RUNS)]
        figures.append((f"{command} --json, {count:,} prospects", statistics.median(runs), target))
    after = []
    for n in range(RUNS):
        timed([*base, "log", str(n + 1), "note", "--note", f"bench {n}"], env)
        after.append(timed([*base, "due", "--json"], env)[0])
    figures.append((f"due after `log` wrote, {count:,}", statistics.median(after), target))
    later = [script, "--workspace", str(root), "--today", (TODAY + dt.timedelta(1)).isoformat()]
    moved, _ = timed([*later, "due", "--json"], env)
    figures.append((f"due the next day (expired ones again), {count:,}", moved, target))
    pairs = in_process_pairs(root)
    figures.append((f"log a call + due, in-process, {count:,}", statistics.median(pairs), 0.100))
    status = json.loads(timed([*base, "status", "--json"], env)[1])
    notes.append(f"  status: due today {status['due_today']}, overdue {status['overdue']}")
    notes.append(f"  stages: {status['stages']}")
    return figures, notes


def main() -> None:
    want_profile = "--profile" in sys.argv[1:]
    script = campaign_script()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CAMPAIGN_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    figures, notes, profiles = [], [], []
    with tempfile.TemporaryDirectory(prefix="campaign-bench-") as tmp:
        folder = Path(tmp)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        timed([script, "--help"], env)  # write the bytecode cache once, untimed
        runs = [timed([script, "--help"], env)[0] for _ in range(RUNS)]
        figures.append(("campaign --help (start-up alone)", statistics.median(runs), None))
        for count, target in SIZES:
            root = folder / f"ws{count}"
            timed([script, "init", str(root), "--name", "Jane Doe"], env)
            from campaign.ledger.db import connect

            ledger = Ledger(count)
            built = time.perf_counter()
            ledger.build()
            conn = connect(root / "campaign.db")
            ledger.write(conn)
            conn.close()
            size = os.path.getsize(root / "campaign.db") / 2**20
            notes.append(
                f"{count:,} prospects: {len(ledger.sends):,} sends, {len(ledger.touches):,} "
                f"touches, {len(ledger.batches)} batches (built in "
                f"{time.perf_counter() - built:.1f} s, {size:.1f} MiB)"
            )
            found, said = measure(script, root, count, target, env)
            figures += found
            notes += said
            for name, seconds, goal in found:
                if want_profile or (
                    goal is not None and seconds > goal and "in-process" not in name
                ):
                    command = "status" if name.startswith("status") else "due"
                    profiles.append((name, profile(root, command)))

    heading = f"figure (median of {RUNS}, start-up included)"
    width = max(len(heading), *(len(f[0]) for f in figures))
    print(f"{heading.ljust(width)}  {'measured':>9}  {'target':>8}")
    print(f"{'-' * width}  {'-' * 9}  {'-' * 8}")
    for name, seconds, target in figures:
        verdict = "" if target is None else ("  ok" if seconds <= target else "  MISSED")
        goal = "" if target is None else f"< {target * 1000:.0f} ms"
        print(f"{name.ljust(width)}  {seconds * 1000:>6.0f} ms  {goal:>8}{verdict}")
    print()
    for line in notes:
        print(line)
    for title, text in profiles:
        print(f"\n--- profile: {title} ---")
        print(text)


if __name__ == "__main__":
    main()
