"""Time `campaign sync` against a local Dovecot, and what saving sent copies costs a send.

Targets (issue 11):
  - first sync of an inbox of 10,000 messages, 200 of them relevant: < 5 s, peak < 200 MiB
  - an incremental sync with 20 new messages: < 0.5 s
  - sending 200 emails with save_sent on: within 1.5x of sending without it

Dovecot (Debian package dovecot-imapd) runs in the foreground from a config written to a
temporary folder, as in the tests; aiosmtpd (in this process) takes the emails. Each timing is
the whole command in its own process, start-up included; memory is that process's peak RSS.

Run: python bench/bench_mailbox.py [--messages 10000] [--relevant 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.dovecot import PASSWORD, Dovecot  # noqa: E402
from tests.helpers import configure, free_port  # noqa: E402
from tests.messages import newsletter, reply  # noqa: E402

TODAY = "2026-12-01"
CAMPAIGN = [sys.executable, "-c", "from campaign.cli.main import main; main()"]


def campaign(root: Path, *args: str) -> tuple[float, float, str]:
    """Run one command; (seconds, peak MiB, stdout)."""
    code = (
        "import resource, sys\n"
        "from campaign.cli.main import main\n"
        "try:\n    main()\n"
        "finally:\n"
        "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "    print(f'PEAK {peak:.1f}', file=sys.stderr)\n"
    )
    env = {**os.environ, "CAMPAIGN_IMAP_PASSWORD": PASSWORD, "CAMPAIGN_TODAY": TODAY}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, "--workspace", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0,):
        raise SystemExit(f"campaign {' '.join(args)} failed:\n{done.stderr}")
    peak = float(done.stderr.rsplit("PEAK ", 1)[1])
    return seconds, peak, done.stdout


def workspace(base: Path, name: str, rows: int, smtp_port: int, server: Dovecot, user: str,
              save_sent: bool) -> Path:  # fmt: skip
    root = base / name
    details = ["--name", "Jane Doe", "--email", "jane.doe@example.org", "--phone", "217-555-0142",
               "--address", "1 Oak St", "--address", "Springfield, IL 62704"]  # fmt: skip
    subprocess.run([*CAMPAIGN, "init", str(root), *details], check=True, capture_output=True)
    from campaign.workspace.skeleton import adopt_example_letters

    adopt_example_letters(root)  # the example letters, taken as they are
    sheet = base / f"{name}.csv"
    with sheet.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Company", "First Name", "Last Name", "Title", "Email"])
        for n in range(1, rows + 1):
            writer.writerow([f"Company {n}", f"Ann{n}", f"Lee{n}", "Director",
                             f"ann{n}@company{n}.example.com"])  # fmt: skip
    configure(
        root,
        smtp={"host": "127.0.0.1", "port": smtp_port, "security": "none", "username": ""},
        sending={"retry_seconds": 0.001},
        imap={"host": server.host, "port": server.port, "security": "none", "username": user,
              "save_sent": save_sent},
    )  # fmt: skip
    campaign(root, "import", str(sheet))
    campaign(root, "batch", "--size", str(rows))
    return root


def fill(server: Dovecot, user: str, messages: list[bytes]) -> None:
    with server.client(user) as client:
        for start in range(0, len(messages), 500):
            client.multiappend("INBOX", messages[start : start + 500])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--relevant", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    smtp = Controller(Sink(), hostname="127.0.0.1", port=free_port())
    smtp.start()
    server = Dovecot(free_port())
    server.start()
    try:
        base = Path(tempfile.mkdtemp(prefix="bench-mailbox-"))
        rows = args.relevant
        print(f"send {rows} emails (aiosmtpd), each run a fresh workspace:")
        timings = {False: [], True: []}
        for round_ in range(args.rounds):
            for save in (False, True):
                root = workspace(base, f"send-{round_}-{save}", rows, smtp.port, server,
                                 server.user(), save)  # fmt: skip
                seconds, _, out = campaign(root, "send", "--yes", "--json")
                timings[save].append(seconds)
        off, on = statistics.median(timings[False]), statistics.median(timings[True])
        print(f"  save_sent off  {off:6.2f} s (median of {args.rounds})")
        print(f"  save_sent on   {on:6.2f} s   ratio {on / off:.2f}x   (target <= 1.5x)")

        user = server.user()
        root = workspace(base, "sync", rows, smtp.port, server, user, False)
        campaign(root, "send", "--yes")
        noise = args.messages - rows
        print(f"\nfill INBOX: {noise} unrelated messages and {rows} replies...", flush=True)
        messages = [newsletter() for _ in range(noise)]
        step = max(noise // rows, 1)
        for n in range(1, rows + 1):
            messages.insert(n * step, reply(f"ann{n}@company{n}.example.com", "Re", "Yes."))
        fill(server, user, messages)
        seconds, peak, out = campaign(root, "sync", "--json")
        data = __import__("json").loads(out)
        print(f"first sync of {data['scanned']:,} messages ({data['replies']} replies): "
              f"{seconds:.2f} s, peak {peak:.0f} MiB   (target < 5 s, < 200 MiB)")  # fmt: skip
        news = [newsletter() for _ in range(10)]
        news += [reply(f"ann{n}@company{n}.example.com", "Re", "More.") for n in range(1, 11)]
        fill(server, user, news)
        seconds, peak, out = campaign(root, "sync", "--json")
        data = __import__("json").loads(out)
        print(f"incremental sync of {data['scanned']} new messages: {seconds:.2f} s, "
              f"peak {peak:.0f} MiB   (target < 0.5 s)")  # fmt: skip
        seconds, _, _ = campaign(root, "sync", "--json")
        print(f"a sync with nothing new: {seconds:.2f} s")
        print(f"(python start-up and `campaign --help` alone: "
              f"{campaign(root, '--help')[0]:.2f} s)")  # fmt: skip
    finally:
        server.stop()
        smtp.stop()


if __name__ == "__main__":
    main()
