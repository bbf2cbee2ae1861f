"""Time `campaign serve`'s pages while slow work runs in another request.

Run: python bench/bench_web_busy.py

One workspace of 2,000 prospects, served by the installed `campaign serve --no-browser`.
Pages (the dashboard, Prospects, This week) are fetched one after another on new
connections: first with nothing else going on, then while another request is busy with
(a) Read my inbox against a mail server that accepts the connection and never answers (a
mail server gone slow), and (b) the Import page's check of a 60,000-row sheet (about 5 MB).
For each: the median and slowest wall time of a page, how many pages answered, and how long
the busy request itself took. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import contextlib
import csv
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from bench_import import campaign_script
from bench_web import SENDER, App, run, serve

PAGES = ("/", "/prospects", "/week")
WINDOW = 6.0  # seconds of page fetching while the slow request runs


def workspace(script: str, folder: Path, env: dict, imap_port: int) -> Path:
    root = folder / "busy"
    run([script, "init", str(root), *SENDER], env)
    sheet = folder / "start.csv"
    write_sheet(sheet, 2_000)
    run([script, "--workspace", str(root), "import", str(sheet)], env)
    with (root / "campaign.toml").open("a", encoding="utf-8") as config:
        config.write(
            f'\n[imap]\nhost = "127.0.0.1"\nport = {imap_port}\nsecurity = "none"\n'
            'username = "jane"\n'
        )
    return root


def write_sheet(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["Company", "Contact", "Title", "Email", "City", "Notes"])
        for n in range(rows):
            writer.writerow(
                [f"Company {n}", f"Person {n} Name", "Hiring Manager", f"p{n}@company{n}.example",
                 "Springfield", "a note " * 4]
            )  # fmt: skip


class SilentServer:
    """Accepts connections and never says a word (until closed)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.listener.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.listener.close()
        for sock in self.held:
            sock.close()


def page_walls(app: App, until: float | None = None, rounds: int = 5) -> list[float]:
    """Wall times of PAGES fetched in turn (new connection each), for `rounds` rounds or until
    the monotonic time `until`; a page that takes over 60 s counts as 60 s."""
    walls = []
    done = 0
    while (until is None and done < rounds) or (until is not None and time.monotonic() < until):
        for path in PAGES:
            start = time.perf_counter()
            with contextlib.suppress(httpx.TimeoutException):
                httpx.get(app.origin + app.prefix + path, cookies=app.cookie, timeout=60)
            walls.append(time.perf_counter() - start)
        done += 1
    return walls


def busy(app: App, start_slow) -> tuple[list[float], float]:
    """Page wall times while `start_slow` (a request) runs; and that request's own time."""
    took: list[float] = []

    def slow() -> None:
        begun = time.perf_counter()
        start_slow()
        took.append(time.perf_counter() - begun)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)  # the slow request is under way
    walls = page_walls(app, until=time.monotonic() + WINDOW)
    thread.join(120)
    return walls, took[0] if took else float("nan")


def csrf(app: App) -> str:
    text = httpx.get(app.origin + app.prefix + "/due", cookies=app.cookie).text
    return text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def show(what: str, walls: list[float], took: float | None = None) -> None:
    line = (
        f"  {what:44} {len(walls):3} pages, median {statistics.median(walls) * 1000:7.1f} ms, "
        f"slowest {max(walls) * 1000:8.1f} ms"
    )
    if took is not None:
        line += f"; the busy request took {took:.1f} s"
    print(line)


def main() -> None:
    script = campaign_script()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    env["CAMPAIGN_IMAP_PASSWORD"] = "not-used"
    silent = SilentServer()
    with tempfile.TemporaryDirectory(prefix="campaign-bench-busy-") as tmp:
        folder = Path(tmp)
        root = workspace(script, folder, env, silent.port)
        big = folder / "big.csv"
        write_sheet(big, 60_000)
        process, app, _ = serve(script, root, env)
        try:
            headers = {"origin": app.origin}
            print(f"campaign serve on 2,000 prospects; pages {', '.join(PAGES)}")
            show("nothing else going on", page_walls(app))

            def read_inbox() -> None:
                httpx.post(
                    app.origin + app.prefix + "/due/inbox",
                    data={"csrf": csrf(app)},
                    headers=headers,
                    cookies=app.cookie,
                    timeout=120,
                )

            def check_import() -> None:
                with big.open("rb") as sheet:
                    httpx.post(
                        app.origin + app.prefix + "/import",
                        data={"csrf": csrf(app)},
                        files={"file": ("big.csv", sheet, "text/csv")},
                        headers=headers,
                        cookies=app.cookie,
                        timeout=120,
                    )

            closer = threading.Timer(WINDOW + 1, silent.close)  # the server answers at last
            closer.start()
            walls, took = busy(app, read_inbox)
            show("while Read my inbox waits on a silent server", walls, took)
            walls, took = busy(app, check_import)
            show(f"while a {big.stat().st_size / 1e6:.1f} MB sheet is checked", walls, took)
        finally:
            process.terminate()
            process.wait()
            silent.close()


if __name__ == "__main__":
    sys.exit(main())
