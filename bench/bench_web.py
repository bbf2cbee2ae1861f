"""Time `campaign serve`: server time per page, start-up, and a first page in chromium.

Run: python bench/bench_web.py

Three workspaces, each served by the installed `campaign serve --no-browser --port 0` in a
subprocess: the shipped sample list (120 prospects, this week's batch sent to outbox/);
100,000 prospects with a fresh campaign (the same first weeks of activity); and
bench_due.py's year-old ledger of 100,000 prospects, every one written to and followed up
(a stress case: its Due page and dashboard cost what `campaign due` costs). Each page is
fetched over HTTP with the token cookie under the app's secret path, median of 5 after one
untimed fetch: the server time is the app's own (its Server-Timing header), the wall time a
whole request on a new connection. Start-up is
the time from launching `campaign serve` to its first answer (median of 3, after one
untimed start); the first page load is
chromium's navigation start to first contentful paint (and the wall time of page.goto).
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import unquote

import httpx
from bench_due import Ledger  # beside this file: python bench/bench_web.py
from bench_import import campaign_script

RUNS = 5
TODAY = "2026-12-28"  # bench_due's "a year later", a Monday
PAGES = (
    "/",
    "/week",
    "/due",
    "/prospects",
    "/prospects?q=Maria1&sort=company&order=desc&page=3",
    "/prospects/1",
    "/prospects?stage=written&sort=next",
    "/import",
    "/letters?prospect=1",
    "/letters?template=followup1&prospect=1&as=post",
    "/setup",
    "/week/send",
)
SENDER = ["--name", "Jane Doe", "--email", "jane.doe@example.org", "--phone", "(217) 555-0142"]
SENDER += ["--address", "40 Oak Avenue", "--address", "Springfield, IL 62704"]


def run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode not in (0, 1):
        sys.exit(f"bench: {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


@dataclass
class App:
    """A running `campaign serve`, as its link file describes it."""

    link: Path  # the page that lets a browser in
    origin: str  # http://127.0.0.1:PORT
    prefix: str  # /<scope>: every page's path starts with it
    token: str  # the cookie's value

    @classmethod
    def read(cls, link: Path) -> App:
        text = link.read_text(encoding="utf-8")
        action = re.search(r'action="(http://127\.0\.0\.1:\d+)(/[\w-]+)/open"', text)
        token = re.search(r'name="token" value="([\w-]+)"', text)
        if not (action and token):
            sys.exit(f"bench: {link} is not a campaign link file")
        return cls(link, action.group(1), action.group(2), token.group(1))

    @property
    def cookie(self) -> dict[str, str]:
        return {"campaign_token": self.token}


def serve(script: str, root: Path, env: dict) -> tuple[subprocess.Popen, App, float]:
    """`campaign serve` on `root`: (process, the app, seconds until it answered a page)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            script,
            "--workspace",
            str(root),
            "--today",
            TODAY,
            "serve",
            "--no-browser",
            "--port",
            "0",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    line = process.stderr.readline()
    found = re.search(r"file://(\S+\.html)", line)
    if not found:
        process.kill()
        sys.exit(f"bench: campaign serve did not start: {line}{process.stderr.read()}")
    app = App.read(Path(unquote(found.group(1))))
    answer = httpx.get(app.origin + app.prefix + "/", cookies=app.cookie)
    assert answer.status_code == 200  # answering
    return process, app, time.perf_counter() - start


def page_times(app: App) -> list[tuple[str, float, float]]:
    """(path, server time from its Server-Timing header, wall time on a new connection)."""
    out = []
    for path in PAGES:
        fetch(app, path)  # the first, untimed: caches warm
        server, wall = zip(*(fetch(app, path) for _ in range(RUNS)), strict=True)
        out.append((path, statistics.median(server), statistics.median(wall)))
    return out


def fetch(app: App, path: str) -> tuple[float, float]:
    """One GET of `path` on a new connection: (server time, wall time)."""
    import http.client

    host, port = app.origin.removeprefix("http://").split(":")
    headers = {"cookie": f"campaign_token={app.token}", "host": f"{host}:{port}"}
    start = time.perf_counter()
    connection = http.client.HTTPConnection(host, int(port))
    connection.request("GET", app.prefix + path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        sys.exit(f"bench: GET {path} answered {response.status}")
    spent = re.search(r"dur=([\d.]+)", response.headers["server-timing"])
    return float(spent.group(1)) / 1000, time.perf_counter() - start


def after_writes(app: App, script: str, root: Path, env: dict) -> list[tuple[str, float, float]]:
    """Pages fetched just after the CLI wrote to the ledger (`campaign log ... note`), so the
    server's follow-ups are out of date: (what, server time, wall time), median of RUNS."""
    out = []
    for path in ("/due", "/"):
        base = [script, "--workspace", str(root), "--today", TODAY]
        times = []
        for n in range(RUNS):
            run([*base, "log", str(n + 1), "note", "--note", f"bench {time.perf_counter()}"], env)
            times.append(fetch(app, path))
        server, wall = zip(*times, strict=True)
        what = f"{path}, just after `campaign log` wrote"
        out.append((what, statistics.median(server), statistics.median(wall)))
    return out


def first_paint(app: App) -> tuple[float, float, float]:
    """(browser launch, page.goto wall time, navigation start to first contentful paint)."""
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
    args += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_playwright() as play:
        start = time.perf_counter()
        browser = play.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        launched = time.perf_counter() - start
        page = browser.new_context(bypass_csp=True).new_page()
        start = time.perf_counter()
        page.goto(app.link.as_uri())  # the link file's form lets the browser in
        page.wait_for_url(app.origin + app.prefix + "/", wait_until="load")
        wall = time.perf_counter() - start
        fcp = page.evaluate(
            "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime"
            " ?? performance.getEntriesByType('navigation')[0].loadEventEnd"
        )
        browser.close()
    return launched, wall, fcp / 1000


def sample_workspace(script: str, folder: Path, env: dict) -> Path:
    from campaign.util.resources import sample_list

    root = folder / "sample"
    run([script, "init", str(root), *SENDER], env)
    from campaign.workspace.skeleton import adopt_example_letters

    adopt_example_letters(root)  # the example letters, taken as they are
    base = [script, "--workspace", str(root), "--today", TODAY]
    run([*base, "import", str(sample_list())], env)
    run([*base, "batch"], env)
    run([*base, "send", "--yes"], env)
    return root


def large(script: str, folder: Path, env: dict, year_old: bool) -> Path:
    """100,000 prospects: only imported (the week's batch then sent), or a year of activity."""
    from campaign.ledger.db import connect

    root = folder / ("year" if year_old else "fresh")
    run([script, "init", str(root), *SENDER], env)
    from campaign.workspace.skeleton import adopt_example_letters

    adopt_example_letters(root)  # the example letters, taken as they are
    ledger = Ledger(100_000)
    ledger.build()
    if not year_old:  # a large list and a fresh campaign: the prospects alone
        ledger.batches = ledger.members = ledger.sends = ledger.touches = []
        ledger.status, ledger.role = {}, {}
    conn = connect(root / "campaign.db")
    ledger.write(conn)
    conn.close()
    base = [script, "--workspace", str(root), "--today", TODAY]
    if not year_old:
        run([*base, "batch"], env)
        run([*base, "send", "--yes"], env)
    # Rows written straight into the ledger have no follow-ups kept yet: the first `due`
    # computes them all once (bench_due.py times that, ~11 s for 100,000); the pages are timed
    # on the kept follow-ups that any `due`, `status` or page leaves behind.
    run([*base, "due"], env)
    return root


def main() -> None:
    script = campaign_script()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CAMPAIGN_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    with tempfile.TemporaryDirectory(prefix="campaign-bench-web-") as tmp:
        folder = Path(tmp)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        cases = (
            ("sample list (120)", sample_workspace, 0.050),
            ("100,000, fresh campaign", partial(large, year_old=False), 0.300),
            ("100,000, a year of follow-ups", partial(large, year_old=True), 0.300),
        )
        wanted = sys.argv[1:]  # e.g. "year": only the cases whose name has that word
        for name, make, target in cases:
            if wanted and not any(word in name for word in wanted):
                continue
            root = make(script, folder, env)
            starts = []
            for _ in range(3):  # after one untimed start (bytecode cache written)
                process, app, ready = serve(script, root, env)
                process.terminate()
                process.wait()
                starts.append(ready)
            process, app, ready = serve(script, root, env)
            ready = statistics.median(starts[1:] + [ready])
            try:
                print(f"\n{name}: `campaign serve` answered its first page in {ready:.2f} s")
                # Before anything else: the start-up warm-up may still be running.
                cold = [("/due, the first page after start-up", *fetch(app, "/due"))]
                print(f"  {'page':55} {'server':>9} {'wall':>9}")
                for path, seconds, wall in page_times(app):
                    mark = "ok" if seconds < target else f"over {target * 1000:.0f} ms"
                    print(f"  {path:55} {seconds * 1000:6.1f} ms {wall * 1000:6.1f} ms  {mark}")
                print("  cold (follow-ups not computed yet):")
                for what, seconds, wall in cold + after_writes(app, script, root, env):
                    print(f"  {what:55} {seconds * 1000:6.1f} ms {wall * 1000:6.1f} ms")
                if make is sample_workspace:
                    launched, wall, fcp = first_paint(app)
                    print(
                        f"  chromium: launched in {launched:.2f} s; first page: start to first "
                        f"contentful paint {fcp * 1000:.0f} ms (page.goto to load {wall:.2f} s)"
                    )
            finally:
                process.terminate()
                process.wait()


if __name__ == "__main__":
    main()
