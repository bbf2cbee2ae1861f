"""Fixtures for the web tests: `campaign serve` in a subprocess, and Debian's chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CAMPAIGN = str(Path(sys.executable).parent / "campaign")  # the installed command
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


class Served:
    """A running `campaign serve`: its link file, the app's base address, and its token.

    The token is read from the link file, as the user's browser does: the server prints only
    the file's name.
    """

    def __init__(self, process: subprocess.Popen, link: Path):
        self.process = process
        self.link = link
        self.url = link.as_uri()  # what a browser opens: the form that lets it in
        text = link.read_text(encoding="utf-8")
        action = re.search(r'action="(http://127\.0\.0\.1:\d+/[\w-]+)/open"', text)
        token = re.search(r'name="token" value="([\w-]+)"', text)
        assert action, text
        assert token, text
        self.base = action.group(1)  # http://127.0.0.1:PORT/<scope>: every page is below
        self.origin = self.base.rsplit("/", 1)[0]
        self.host = self.origin.removeprefix("http://")
        self.scope = self.base.rsplit("/", 1)[1]
        self.token = token.group(1)
        self.stopped: tuple[int, str] | None = None

    def open(self, page) -> None:
        """Open the app in a browser tab as the user does: the link file, then the dashboard."""
        page.goto(self.url)
        page.wait_for_url(self.base + "/")

    def login(self, http) -> None:
        """What the link file's form does, for an httpx client: it then holds the cookie."""
        first = http.post(self.base + "/open", data={"token": self.token})
        assert first.status_code == 303, first.text
        assert first.headers["location"] == f"/{self.scope}/welcome"

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as a user would; (exit code, what it printed after the link)."""
        if self.stopped is not None:
            return self.stopped
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with self.process.stderr:
            self.stopped = (self.process.returncode, self.process.stderr.read())
        return self.stopped


def start_serving(workspace: Path, today: str, *extra: str, env: dict | None = None) -> Served:
    """`campaign serve --port 0 ...` on `workspace`, once it says where its link file is."""
    env = {
        **os.environ,
        "CAMPAIGN_TODAY": today,
        "CAMPAIGN_WORKSPACE": str(workspace),
        **(env or {}),
    }
    args = [CAMPAIGN, "serve", "--port", "0", *extra]
    if "--browser" in args:
        args.remove("--browser")
    else:
        args.insert(2, "--no-browser")
    process = subprocess.Popen(
        args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env
    )
    deadline = time.monotonic() + 20
    line = ""
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        found = re.search(r"(file://\S+\.html)", line)
        if found:
            from urllib.parse import unquote, urlsplit

            return Served(process, Path(unquote(urlsplit(found.group(1)).path)))
        if not line and process.poll() is not None:
            break
    process.kill()
    process.wait()
    process.stderr.close()
    raise AssertionError(f"campaign serve did not start: {line!r}")


@pytest.fixture
def serve(workspace: Path):
    """A factory: serve(today) starts `campaign serve --no-browser --port 0` on the workspace
    (`--browser` among the extra arguments: let it open the browser $BROWSER names)."""
    started: list[Served] = []

    def start(today: str, *extra: str, env: dict | None = None) -> Served:
        served = start_serving(workspace, today, *extra, env=env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, through playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs the chromium package")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path: Path):
    """A fresh browser tab; every dialog (alert...) it sees is kept in page.dialogs."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    tab = context.new_page()
    tab.dialogs = []

    def on_dialog(dialog):
        tab.dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.set_default_timeout(15000)
    yield tab
    context.close()


def unlabelled(page) -> list[str]:
    """The form controls on the page that have no label (a screen reader could not name)."""
    return page.eval_on_selector_all(
        "input:not([type=hidden]), select, textarea, button",
        "els => els.filter(e => e.tagName === 'BUTTON' ? !e.textContent.trim()"
        " : !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))"
        ".map(e => e.outerHTML)",
    )


def screenshot(page, tmp_path: Path, name: str) -> Path:
    """The page as a PNG in the test's folder; with CAMPAIGN_SCREENSHOTS=1, a copy in
    docs/screenshots/ too (the README's pictures), so a test run leaves the checkout clean."""
    assert unlabelled(page) == [], name  # every control on every page has a label
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("CAMPAIGN_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / f"{name}.png")
    return path


class OtherServer:
    """Another local HTTP server (another user's, say) on 127.0.0.1: it keeps every request's
    bytes as received (request line, headers, body) and answers each with a short page."""

    def __init__(self) -> None:
        import socketserver
        import threading

        received = self.received = []

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = self.request.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                received.append(data)
                body = b"<!DOCTYPE html><title>other</title><p>another server</p>"
                self.request.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def other_server():
    server = OtherServer()
    yield server
    server.close()
