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
    """A running `campaign serve`: its URL with the token, base address and process."""

    def __init__(self, process: subprocess.Popen, url: str):
        self.process = process
        self.url = url
        self.base = url.split("/?", 1)[0]
        self.host = self.base.removeprefix("http://")
        self.token = url.rsplit("token=", 1)[1]
        self.stopped: tuple[int, str] | None = None

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


@pytest.fixture
def serve(workspace: Path):
    """A factory: serve(today) starts `campaign serve --no-browser --port 0` on the workspace."""
    started: list[Served] = []

    def start(today: str, *extra: str) -> Served:
        env = {**os.environ, "CAMPAIGN_TODAY": today, "CAMPAIGN_WORKSPACE": str(workspace)}
        process = subprocess.Popen(
            [CAMPAIGN, "serve", "--no-browser", "--port", "0", *extra],
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            found = re.search(r"http://127\.0\.0\.1:\d+/\?token=[\w-]+", line)
            if found:
                served = Served(process, found.group(0))
                started.append(served)
                return served
            if not line and process.poll() is not None:
                break
        process.kill()
        process.wait()
        process.stderr.close()
        raise AssertionError(f"campaign serve did not start: {line!r}")

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
