"""The IMAP conversation bounded: a server's impossible UIDs, an inbox of 150,000 messages,
a server too slow to ever finish; each against a real Dovecot (through a relay that lies or
dawdles where a hostile server would)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaign.mailbox import sync as sync_module
from campaign.mailbox.imap import WINDOW, uid_set, windows
from tests.helpers import configure
from tests.messages import dsn, reply
from tests.test_mailbox import sent_batch

ALICE, BOB, CAROL = (f"person{n}@company{n}.example.com" for n in range(1, 4))
HUGE = 4294967295  # the largest UID there can be (RFC 3501: a 32-bit number)


class Relay:
    """A TCP relay to Dovecot; subclasses change what the server says on its way back."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.stopped = threading.Event()
        self.sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            threading.Thread(target=self._up, args=(client, server), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client), daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                self.heard(data)
                server.sendall(data)
        self._close(client, server)

    def _down(self, server: socket.socket, client: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := server.recv(65536):
                self.send(client, data)
        self._close(client, server)

    def heard(self, data: bytes) -> None:
        """What the client said (a command)."""

    def send(self, client: socket.socket, data: bytes) -> None:
        client.sendall(data)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()
        self._close(*self.sockets)


class HugeUid(Relay):
    """Adds UID 4294967295 to every SEARCH answer, as a malicious server may."""

    def __init__(self, target: tuple[str, int]):
        self.pending = b""
        super().__init__(target)

    def send(self, client: socket.socket, data: bytes) -> None:
        lines = (self.pending + data).split(b"\r\n")
        self.pending = lines.pop()
        said = [line + b" %d" % HUGE if line.startswith(b"* SEARCH") else line for line in lines]
        client.sendall(b"".join(line + b"\r\n" for line in said))


class Dribbling(Relay):
    """Once the client has said `after` (from the greeting when empty), passes the server's
    answer on one byte every `every` seconds: each byte restarts a socket's timeout. Gives
    up (closes) after `give_up` seconds, so a client with no deadline fails, if slowly."""

    def __init__(self, target: tuple[str, int], after: bytes, every: float = 0.2,
                 give_up: float = 20.0):  # fmt: skip
        self.after, self.every, self.give_up = after, every, give_up
        self.since = time.monotonic() if not after else None
        super().__init__(target)

    def heard(self, data: bytes) -> None:
        if self.since is None and self.after in data:
            self.since = time.monotonic()

    def send(self, client: socket.socket, data: bytes) -> None:
        if self.since is None:
            client.sendall(data)
            return
        for index in range(len(data)):
            if self.stopped.wait(self.every) or time.monotonic() - self.since > self.give_up:
                raise OSError("gave up")
            client.sendall(data[index : index + 1])


def _where(ledger) -> int:
    return ledger.execute("SELECT last_uid FROM mail_folders WHERE name = 'INBOX'").fetchone()[0]


def test_a_server_claiming_uid_4294967295_cannot_hide_later_mail(
    run, workspace, smtp_server, imap, tmp_path, ledger
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=2)
    imap.deliver(reply(ALICE, "Re: your letter", "Yes.", ids[ALICE]))
    relay = HugeUid((imap.server.host, imap.server.port))
    configure(workspace, imap={"port": relay.port})
    try:
        first = run.json("--today", "2026-12-02", "sync")
    finally:
        relay.close()
    assert (first["scanned"], first["replies"]) == (1, 1)
    assert _where(ledger) == 1  # UIDNEXT is 2: nothing above 1 exists
    configure(workspace, imap={"port": imap.server.port})
    imap.deliver(reply(BOB, "Re: your letter", "Call me.", ids[BOB]))
    second = run.json("--today", "2026-12-03", "sync")
    assert [(i["prospect_id"], i["kind"]) for i in second["items"]] == [(2, "reply")]
    assert _where(ledger) == 2


def test_a_place_recorded_past_the_folders_end_is_read_again(
    run, workspace, smtp_server, imap, tmp_path, ledger
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=2)
    imap.deliver(reply(ALICE, "Re: your letter", "Yes.", ids[ALICE]))
    assert run.json("--today", "2026-12-02", "sync")["replies"] == 1
    # What an earlier version left after such a server: a place no message can be past.
    ledger.execute("UPDATE mail_folders SET last_uid = ?", (HUGE,))
    imap.deliver(reply(BOB, "Re: your letter", "Call me.", ids[BOB]))
    result = run("--today", "2026-12-03", "sync", "--json")
    assert result.exit_code == 0, result.stderr
    assert "it was read again in full" in result.stderr
    import json

    report = json.loads(result.stdout)
    assert report["scanned"] == 2
    assert [(i["prospect_id"], i["kind"]) for i in report["items"]] == [(2, "reply")]
    assert len([h for h in run.json("show", "1")["history"] if h["what"] == "reply"]) == 1
    assert _where(ledger) == 2


NOISE = (
    b"From: Sender %d <sender%d@news%d.test>\r\nTo: jane.doe@example.org\r\n"
    b"Subject: Newsletter number %d\r\nDate: Tue, 1 Dec 2026 09:00:00 +0000\r\n"
    b"Message-ID: <noise.%d@news.test>\r\nList-Id: <news.test>\r\n\r\nNothing for you.\r\n"
)


def test_an_inbox_of_150000_messages_is_read_and_then_only_what_is_new(
    run, workspace, smtp_server, imap, tmp_path, ledger, capsys
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=3)

    def inbox():
        for n in range(150_000):
            if n == 75_000:
                yield reply(ALICE, "Re: your letter", "Yes, call me.", ids[ALICE])
            elif n == 149_990:
                yield dsn(BOB, original_id=ids[BOB])
            else:
                yield NOISE % (n, n, n % 97, n, n)

    # UIDs from 1,000,000, as in a mailbox where older mail was deleted: the answer to one
    # search for all of them is 1,200,000 bytes, past what imaplib reads as one line.
    started = time.perf_counter()
    assert imap.fill(inbox(), first_uid=1_000_000) == 150_000
    filled = time.perf_counter() - started
    started = time.perf_counter()
    first = run.json("--today", "2026-12-02", "sync")
    took = time.perf_counter() - started
    assert first["scanned"] == 150_000
    assert {(i["prospect_id"], i["kind"]) for i in first["items"]} == {(1, "reply"), (2, "bounce")}
    assert _where(ledger) == 1_149_999
    imap.deliver(reply(CAROL, "Re: your letter", "Thanks.", ids[CAROL]))
    started = time.perf_counter()
    again = run.json("--today", "2026-12-03", "sync")
    then = time.perf_counter() - started
    assert again["scanned"] == 1
    assert [(i["prospect_id"], i["kind"]) for i in again["items"]] == [(3, "reply")]
    with capsys.disabled():
        print(
            f"\n150,000 messages: written to the maildir in {filled:.1f} s; first sync "
            f"{took:.1f} s; the next sync (1 new) {then:.2f} s"
        )


@pytest.mark.parametrize(
    "after", [b"", b"UID SEARCH", b"UID FETCH"], ids=["greeting", "search", "fetch"]
)
def test_a_server_dribbling_bytes_is_stopped_by_the_sync_deadline(
    run, workspace, smtp_server, imap, tmp_path, monkeypatch, after
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=2)
    imap.deliver(*(reply(a, "Re: your letter", "Yes. " * 200, ids[a]) for a in (ALICE, BOB)))
    # raising=False: the test runs (and fails by taking forever) on a version without one.
    monkeypatch.setattr(sync_module, "DEADLINE", 2.0, raising=False)
    relay = Dribbling((imap.server.host, imap.server.port), after)
    configure(workspace, imap={"port": relay.port})
    started = time.monotonic()
    try:
        result = run("--today", "2026-12-02", "sync")
    finally:
        relay.close()
    took = time.monotonic() - started
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "did not finish within 2 seconds" in result.stderr, result.stderr
    assert took < 8
    # Nothing half-recorded; the next sync, against a server that answers, reads it all.
    configure(workspace, imap={"port": imap.server.port})
    assert run.json("--today", "2026-12-02", "sync")["replies"] == 2


# --- the windows and sets sent to the server, for any UIDs --------------------------------------


@given(
    first=st.integers(1, 10**6),
    span=st.integers(0, 10**6),
    exists=st.integers(0, 200_000),
    size=st.integers(100, 60_000),
)
def test_windows_cover_the_range_once_and_none_can_answer_more_than_size(first, span, exists, size):
    last = first + span - 1
    ranges = list(windows(first, last, exists, size))
    if span == 0:
        assert ranges == []
        return
    assert ranges[0][0] == first
    assert ranges[-1][1] == last
    assert all(b + 1 == c for (_, b), (c, _) in zip(ranges, ranges[1:], strict=False))
    assert all(a <= b for a, b in ranges)
    # A range holds at most its length of messages, and never more than the folder holds.
    assert all(min(b - a + 1, exists) <= size for a, b in ranges)


def test_the_default_window_answers_within_imaplibs_line_limit():
    import imaplib

    longest = len(b"* SEARCH") + WINDOW * len(b" 4294967295") + 2
    assert longest < imaplib._MAXLINE


@given(st.lists(st.integers(1, 5000), min_size=1, unique=True))
def test_a_uid_set_names_exactly_its_uids(uids):
    uids.sort()
    named = []
    for run_ in uid_set(uids).split(","):
        a, _, b = run_.partition(":")
        named += range(int(a), int(b or a) + 1)
    assert named == uids
