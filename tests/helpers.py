"""Helpers the tests share: the CLI as a user runs it, sheets, a real SMTP server, settings.

Import them from here (`from tests.helpers import Run`); conftest.py holds only fixtures.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from campaign.cli.main import cli


class Run:
    """Invoke the CLI as a user would; returns click's Result."""

    def __init__(self, workspace: Path | None = None):
        self.workspace = workspace

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None):
        prefix = ["--workspace", str(self.workspace)] if self.workspace else []
        runner = CliRunner()
        return runner.invoke(
            cli, [*prefix, *map(str, args)], input=input, env=env, catch_exceptions=False
        )

    def json(self, *args: str, **kwargs):
        result = self(*args, "--json", **kwargs)
        assert result.exit_code in (0, 1), result.stderr
        return json.loads(result.stdout)


# The job seeker every test workspace belongs to (`campaign init` writes only what it is given).
SENDER = [
    "--name",
    "Jane Doe",
    "--email",
    "jane.doe@example.org",
    "--phone",
    "(217) 555-0142",
    "--address",
    "40 Oak Avenue",
    "--address",
    "Springfield, IL 62704",
]


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], title_rows: int = 0) -> Path:
    """An .xlsx written with openpyxl; `title_rows` blank-or-title rows above the header."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Employers"
    for index in range(title_rows):
        sheet.append(["My target employers" if index == 0 else None])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


class SmtpServer(list):
    """An aiosmtpd handler that keeps every message it accepts (it is the list of them).

    Knobs, set by a test before sending:
      refuse      addresses answered 550 at RCPT (a permanent refusal)
      temporary   address -> how many times to answer 451 at RCPT before accepting it
      busy        how many times to answer 451 at MAIL FROM (a rate limit) before accepting
      cut_at      the Nth DATA overall is not accepted: the connection is closed, no reply
      close_after after accepting this many messages overall, close the connection (once)
      credentials (username, password) that AUTH must match; MAIL needs AUTH when set
      block_at    the Nth DATA overall sets `blocked` and waits for `release` before replying;
                  `keep_blocked` says whether that message is kept (on arrival, before the
                  reply); `unblocked` is set once the blocked DATA is over
    """

    def __init__(self) -> None:
        super().__init__()
        self.host = "127.0.0.1"
        self.port = 0
        self.refuse: set[str] = set()
        self.temporary: dict[str, int] = {}
        self.busy = 0
        self.cut_at: int | None = None
        self.close_after: int | None = None
        self.credentials: tuple[str, str] | None = None
        self.block_at: int | None = None
        self.keep_blocked = False
        self.blocked = threading.Event()
        self.release = threading.Event()
        self.unblocked = threading.Event()  # the blocked DATA has been answered (or dropped)
        self.data_commands = 0
        self.connections = 0
        self.logins: list[tuple[str, bool]] = []  # (username, accepted)

    def to(self, address: str) -> list:
        """The messages received for `address`."""
        return [m for m in self if address in m.rcpt_tos]

    # aiosmtpd hooks ------------------------------------------------------------------------

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        login = auth_data.login.decode()
        ok = self.credentials is not None and (login, auth_data.password.decode()) == tuple(
            self.credentials
        )
        self.logins.append((login, ok))
        return AuthResult(success=ok, handled=False)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.credentials and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if self.busy > 0:
            self.busy -= 1
            return "451 4.7.1 Too many messages, slow down"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if self.temporary.get(address, 0) > 0:
            self.temporary[address] -= 1
            return f"451 4.7.1 <{address}>: Recipient address rejected: try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import email
        import email.policy

        self.data_commands += 1
        number = self.data_commands
        if number == self.cut_at:
            server.transport.close()
            return "421 4.4.2 connection dropped"
        received = Received(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            email.message_from_bytes(envelope.original_content, policy=email.policy.default),
            envelope.original_content,
            list(envelope.mail_options),
        )
        if number == self.block_at:
            # Kept (queued for delivery) before the client hears back, as a real server does.
            if self.keep_blocked:
                self.append(received)
            self.blocked.set()
            try:
                await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
            finally:  # aiosmtpd cancels this when the client goes away
                self.unblocked.set()
            if not self.keep_blocked:
                server.transport.close()
                return "421 4.4.2 connection dropped"
            return "250 2.0.0 OK: queued"
        self.append(received)
        if self.close_after is not None and len(self) == self.close_after:
            self.close_after = None
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 2.0.0 OK: queued"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: Any  # email.message.EmailMessage
    raw: bytes
    mail_options: list[str] = field(default_factory=list)  # e.g. SMTPUTF8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def configure(workspace: Path, **sections: dict) -> None:
    """Merge settings into the workspace's campaign.toml, e.g. configure(ws, sending={...})."""
    import tomllib

    path = workspace / "campaign.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    lines = []
    for name, table in data.items():
        lines.append(f"[{name}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in table.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def use_smtp(workspace: Path, server: SmtpServer, username: str = "", **sending) -> None:
    """Point the workspace at `server` (security none); retries are instant."""
    configure(
        workspace,
        smtp={"host": server.host, "port": server.port, "security": "none", "username": username},
        sending={"retry_seconds": 0.001, **sending},
    )


def damage_ledger(path: Path) -> None:
    """Overwrite the prospects table's root page with garbage, as a failing disk might: the
    ledger still opens, and reading prospects says "database disk image is malformed"."""
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'prospects'").fetchone()
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root[0] - 1) * size)
        handle.write(b"\xff" * size)


def add_prospects(run: Run, folder: Path, rows: list[dict], name: str = "list.csv") -> None:
    """Import `rows` (column -> value) as a CSV sheet through `campaign import`."""
    import csv

    headers = list(dict.fromkeys(key for row in rows for key in row))
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, headers)
        writer.writeheader()
        writer.writerows(rows)
    result = run("import", path)
    assert result.exit_code == 0, result.stderr


def people(count: int, start: int = 1, **extra) -> list[dict]:
    """`count` prospects with an email each: Company N, Person N, personN@example.com."""
    return [
        {
            "Company": f"Company {n}",
            "First Name": f"Person{n}",
            "Last Name": f"Surname{n}",
            "Title": "Director",
            "Email": f"person{n}@example.com",
            **extra,
        }
        for n in range(start, start + count)
    ]


@dataclass
class Imap:
    server: Any  # tests.dovecot.Dovecot
    user: str

    def deliver(self, *messages: bytes, folder: str = "INBOX") -> None:
        self.server.deliver(self.user, *messages, folder=folder)

    def fill(self, messages, arrived: float | None = None, first_uid: int = 0) -> int:
        """Many messages straight into the INBOX maildir (tests.dovecot.Dovecot.fill)."""
        return self.server.fill(self.user, messages, arrived, first_uid)

    def read(self, folder: str = "INBOX") -> list[tuple[set, bytes]]:
        return self.server.read(self.user, folder)

    def client(self):
        return self.server.client(self.user)


def use_imap(workspace: Path, mailbox: Imap, **settings) -> None:
    """Point the workspace's [imap] at the test mailbox (plain IMAP on 127.0.0.1)."""
    configure(
        workspace,
        imap={
            "host": mailbox.server.host,
            "port": mailbox.server.port,
            "security": "none",
            "username": mailbox.user,
            **settings,
        },
    )


def kept_follow_ups_problems(root: Path, today) -> list[str]:
    """Where the follow-ups, stages and counts the ledger keeps (campaign/followups/store.py)
    differ from computing every prospect again and counting every row: none, ever.

    For the random-history tests, after each step (once a command has refreshed `today`).
    """
    from campaign.followups.store import differences
    from campaign.ledger.db import connect
    from campaign.reports.status import counts
    from campaign.workspace.settings import load

    settings = load(root)
    conn = connect(settings.ledger_path)
    try:
        found = differences(conn, settings.cadence, today)
        kept = counts(conn)
        for table, key in (
            ("prospects", "status"),
            (
                "sends",
                "status || '|' || channel || '|' || "
                "CASE WHEN confirmed_by != '' THEN 'confirmed' ELSE via END",
            ),
            ("touches", "kind || '|' || (undone_on IS NULL)"),
            ("mail_seen", "kind"),
            ("followup_state", "stage || '|' || reached"),
        ):
            rows = dict(conn.execute(f"SELECT {key}, count(*) FROM {table} GROUP BY 1").fetchall())
            if kept[table] != rows:
                found.append(f"{table}: kept {kept[table]} != counted {rows}")
        return found
    finally:
        conn.close()
