"""A real IMAP server for the tests: Dovecot in the foreground, on 127.0.0.1, maildir storage.

Started once per test session from a config written into a short temporary folder (Dovecot's
socket paths must stay short); each test gets a fresh user, so a fresh mailbox.
"""

from __future__ import annotations

import contextlib
import grp
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PASSWORD = "imap-secret-Pw7"
USERS = 300

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
mail_uid = {mail_user}
mail_gid = {mail_group}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
}}
"""


def binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot",) if os.access(p, os.X_OK)), None
    )


def _user(*names: str) -> str:
    for name in names:
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError(f"none of the users {names} exists")


class Dovecot:
    """One Dovecot process; `user()` makes a fresh mailbox login."""

    host = "127.0.0.1"

    def __init__(self, port: int):
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="dv", dir="/tmp"))
        self.root.chmod(0o755)
        self.process: subprocess.Popen | None = None
        self._names = itertools.count(1)

    def start(self) -> None:
        me = pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:  # Dovecot runs no login or mail process as root
            login, internal, mail = (
                _user("dovenull", "nobody"),
                _user("dovecot", "nobody"),
                "nobody",
            )
        else:
            login = internal = mail = me
        group = lambda user: grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name  # noqa: E731
        (self.root / "mail").mkdir()
        (self.root / "state").mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root / "mail", mail, group(mail))
        # Every login the session may need, up front: Dovecot re-reads a changed passwd-file
        # only when its modification time moves on, which can be too late within a second.
        (self.root / "passwd").write_text(
            "".join(f"jane{n}:{{PLAIN}}{PASSWORD}::::::\n" for n in range(1, USERS + 1))
        )
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                login=login,
                internal=internal,
                internal_group=group(internal),
                mail_user=mail,
                mail_group=group(mail),
            )
        )
        self.process = subprocess.Popen(
            [binary(), "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot stopped: {self.process.stderr.read().decode()}")
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), 1):
                return
            time.sleep(0.05)
        raise RuntimeError("dovecot did not start listening")

    def stop(self) -> None:
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(15)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(5)
        finally:
            if self.process is not None and self.process.stderr is not None:
                self.process.stderr.close()
            shutil.rmtree(self.root, ignore_errors=True)

    def user(self) -> str:
        """A new login with an empty mailbox (INBOX and Sent)."""
        number = next(self._names)
        assert number <= USERS, "raise tests.dovecot.USERS"
        return f"jane{number}"

    def client(self, user: str):
        from imapclient import IMAPClient

        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        client.login(user, PASSWORD)
        return client

    def deliver(self, user: str, *messages: bytes, folder: str = "INBOX") -> None:
        """Put messages in a folder, unread, as a mail server delivering them would."""
        with self.client(user) as client:
            for data in messages:
                client.append(folder, data)

    def read(self, user: str, folder: str = "INBOX") -> list[tuple[set, bytes]]:
        """Every message in a folder: (flags, bytes), in order; reading marks nothing."""
        with self.client(user) as client:
            client.select_folder(folder, readonly=True)
            uids = client.search("ALL")
            data = client.fetch(uids, ["FLAGS", "BODY.PEEK[]"]) if uids else {}
            return [(set(data[u][b"FLAGS"]), data[u][b"BODY[]"]) for u in sorted(data)]
