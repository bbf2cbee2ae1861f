"""Fixtures: an isolated workspace per test, the ledger, a real SMTP and a real IMAP server.

Shared helpers (not fixtures) live in tests/helpers.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from campaign.cli.main import cli
from tests.helpers import (
    SENDER,
    Imap,
    Run,
    SmtpServer,
    free_port,
)

# The web app's fixtures (serve, browser, page), one instance each for the whole run: a second
# sync playwright in the same process is refused.
pytest_plugins = ["tests.web_fixtures"]

# In CI the property tests try the same examples every run (a red CI must mean a change broke
# something, not that a new random example turned up): new examples are found on developers'
# machines, where each run draws afresh, and kept as plain regression tests.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs in its own folder, with no workspace, password or date from outside."""
    for name in (
        "CAMPAIGN_WORKSPACE",
        "CAMPAIGN_TODAY",
        "CAMPAIGN_SMTP_PASSWORD",
        "CAMPAIGN_IMAP_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh workspace made by `campaign init`."""
    root = tmp_path / "ws"
    result = CliRunner().invoke(cli, ["init", str(root), *SENDER], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    from campaign.workspace.skeleton import adopt_example_letters

    adopt_example_letters(root)
    return root


@pytest.fixture
def run(workspace: Path) -> Run:
    return Run(workspace)


@pytest.fixture
def ledger(workspace: Path):
    from campaign.ledger.db import connect

    conn = connect(workspace / "campaign.db")
    yield conn
    conn.close()


@pytest.fixture
def start_smtp_server():
    """A factory: start_smtp_server(**aiosmtpd SMTP options) -> a running SmtpServer."""
    from aiosmtpd.controller import Controller

    started = []

    def start(**options) -> SmtpServer:
        handler = SmtpServer()
        handler.port = free_port()
        options.setdefault("authenticator", handler.authenticate)
        options.setdefault("auth_require_tls", False)
        controller = Controller(handler, hostname=handler.host, port=handler.port, **options)
        controller.start()
        started.append((handler, controller))
        return handler

    yield start
    for handler, controller in started:
        handler.release.set()
        controller.stop()


@pytest.fixture
def smtp_server(start_smtp_server) -> SmtpServer:
    """aiosmtpd on 127.0.0.1 at a free port: the SmtpServer (the list of messages it accepted)."""
    return start_smtp_server()


@pytest.fixture(scope="session")
def dovecot():
    """Dovecot on 127.0.0.1 for the whole session; CI=true fails rather than skips without it."""
    import os

    from tests.dovecot import Dovecot, binary

    if binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("dovecot is not installed (Debian package dovecot-imapd)")
        pytest.skip("dovecot is not installed (Debian package dovecot-imapd)")
    server = Dovecot(free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap(dovecot, monkeypatch: pytest.MonkeyPatch) -> Imap:
    """A fresh Dovecot mailbox; CAMPAIGN_IMAP_PASSWORD holds its password."""
    from tests.dovecot import PASSWORD

    monkeypatch.setenv("CAMPAIGN_IMAP_PASSWORD", PASSWORD)
    return Imap(dovecot, dovecot.user())
