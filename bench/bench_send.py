"""Time `campaign send` against the PyPI `mailmerge` tool: 200 emails to one local aiosmtpd.

Both run as subprocesses against the same aiosmtpd server (started here, a handler that only
counts), with no pacing and no login, over the same 200 rows and a letter of the same shape
(plain text plus an HTML alternative rendered from light Markdown). The workspace, its import
and its batch are made before the clock starts; each timing is the whole command, start-up
included. Target: campaign at least 1.4x faster.

Run: python bench/bench_send.py [--rows 200] [--rounds 3]
"""

import argparse
import csv
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

TODAY = "2026-11-23"
CAMPAIGN = [sys.executable, "-c", "from campaign.cli.main import main; main()"]

MAILMERGE_TEMPLATE = """\
TO: {{first_name}} {{last_name}} <{{email}}>
SUBJECT: {{title}} at {{company}}: an experienced hand, ready now
FROM: Jane Doe <jane.doe@example.com>
CONTENT-TYPE: text/markdown

Dear {{first_name}} {{last_name}},

I am writing to you directly because, as {{title}} at {{company}}, you are the one who knows
when a strong addition would make a difference.

Over the past several years I have built a record of **results you can measure**:

- cut operating costs by 18% in two years without cutting service
- led teams of up to 25 people through two system migrations, on time
- earned a reputation for clear reports and calm problem-solving

If an opening exists now, or is likely soon, I would welcome a short conversation. I will call
your office in a few days, or you can reach me at 217-555-0100 or jane.doe@example.com.

Thank you for your time and consideration.

Sincerely,

Jane Doe
"""


class Counter:
    """An aiosmtpd handler that only counts messages and recipients."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages = 0
        self.recipients: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages += 1
            self.recipients.update(envelope.rcpt_tos)
        return "250 OK"

    def reset(self) -> None:
        with self.lock:
            self.messages = 0
            self.recipients = set()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rows(count: int) -> list[dict]:
    return [
        {
            "company": f"Company {n}",
            "first_name": f"Person{n}",
            "last_name": f"Surname{n}",
            "title": "Director of Operations",
            "email": f"person{n}@example.com",
        }
        for n in range(1, count + 1)
    ]


def write_csv(path: Path, data: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, list(data[0]))
        writer.writeheader()
        writer.writerows(data)
    return path


def check(command: list[str], cwd: Path | None = None, env: dict | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")


SENDER = ["--name", "Jane Doe", "--email", "jane.doe@example.org", "--phone", "217-555-0142"]


def campaign_workspace(folder: Path, data: list[dict], port: int, env: dict) -> Path:
    """A workspace with the rows imported (CLI) and one batch of all of them picked."""
    root = folder / "ws"
    check([*CAMPAIGN, "init", str(root), *SENDER], env=env)
    from campaign.workspace.skeleton import adopt_example_letters

    adopt_example_letters(root)  # the example letters, taken as they are
    sheet = write_csv(
        folder / "employers.csv",
        [
            {
                "Company": r["company"],
                "First Name": r["first_name"],
                "Last Name": r["last_name"],
                "Title": r["title"],
                "Email": r["email"],
            }
            for r in data
        ],
    )
    check([*CAMPAIGN, "--workspace", str(root), "import", str(sheet)], env=env)
    check([*CAMPAIGN, "--workspace", str(root), "batch", "--size", str(len(data))], env=env)
    config = root / "campaign.toml"
    text = config.read_text(encoding="utf-8").replace("retry_seconds = 2", "retry_seconds = 0.001")
    text += f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nusername = ""\n'
    config.write_text(text, encoding="utf-8")
    return root


def mailmerge_folder(folder: Path, data: list[dict], port: int) -> Path:
    """mailmerge_template.txt, mailmerge_database.csv and mailmerge_server.conf."""
    root = folder / "mm"
    root.mkdir()
    (root / "mailmerge_template.txt").write_text(MAILMERGE_TEMPLATE, encoding="utf-8")
    write_csv(root / "mailmerge_database.csv", data)
    (root / "mailmerge_server.conf").write_text(
        f"[smtp_server]\nhost = 127.0.0.1\nport = {port}\nsecurity = Never\nratelimit = 0\n",
        encoding="utf-8",
    )
    return root


def timed(command: list[str], cwd: Path | None, env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def delivered(counter: Counter, expected: int, who: str) -> None:
    deadline = time.monotonic() + 5
    while counter.messages < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    if counter.messages != expected or len(counter.recipients) != expected:
        sys.exit(
            f"{who}: the server got {counter.messages} messages for "
            f"{len(counter.recipients)} recipients, expected {expected}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    mailmerge = shutil.which("mailmerge") or str(Path(sys.executable).parent / "mailmerge")
    if not Path(mailmerge).exists():
        sys.exit("the `mailmerge` tool is not installed: pip install mailmerge")

    from aiosmtpd.controller import Controller

    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    env["CAMPAIGN_TODAY"] = TODAY
    data = rows(args.rows)
    ours, theirs = [], []
    try:
        for number in range(1, args.rounds + 1):
            with tempfile.TemporaryDirectory() as name:
                folder = Path(name)
                workspace = campaign_workspace(folder, data, port, env)
                merge = mailmerge_folder(folder, data, port)
                runs = [
                    ("campaign", [*CAMPAIGN, "--workspace", str(workspace), "send", "--yes"], None),
                    (
                        "mailmerge",
                        [mailmerge, "--no-dry-run", "--no-limit", "--output-format", "raw"],
                        merge,
                    ),
                ]
                if number % 2 == 0:  # alternate who goes first
                    runs.reverse()
                for who, command, cwd in runs:
                    counter.reset()
                    elapsed = timed(command, cwd, env)
                    delivered(counter, args.rows, who)
                    (ours if who == "campaign" else theirs).append(elapsed)
                    print(f"round {number}: {who:9} {args.rows} emails in {elapsed:6.2f} s")
    finally:
        controller.stop()

    mine, other = statistics.median(ours), statistics.median(theirs)
    print()
    print(f"{args.rows} emails to aiosmtpd on 127.0.0.1, no pacing, median of {args.rounds}:")
    print(f"  campaign send --yes       {mine:6.2f} s  ({args.rows / mine:6.0f} emails/s)")
    print(f"  mailmerge --no-dry-run    {other:6.2f} s  ({args.rows / other:6.0f} emails/s)")
    ratio = other / mine
    verdict = "met" if ratio >= 1.4 else "MISSED"
    print(f"  campaign is {ratio:.2f}x faster (target at least 1.4x: {verdict})")


if __name__ == "__main__":
    main()
