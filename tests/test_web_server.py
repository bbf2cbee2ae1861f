"""`campaign serve` as a process: the browser it opens, signals, slow clients and slow work."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import add_prospects, configure, people

TODAY = "2026-11-30"


def command_lines() -> dict[int, str]:
    """Every process's command line, as `ps` shows it to any user (/proc/PID/cmdline)."""
    lines = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            lines[int(entry.name)] = raw.replace(b"\0", b" ").decode("utf-8", "replace")
    return lines


@pytest.fixture
def lazy_browser(tmp_path: Path):
    """A `BROWSER` program that notes what it was given, then stays open (as w3m or a
    wrapper script may): its argv file, its pid file."""
    script = tmp_path / "browser.sh"
    argv, pid = tmp_path / "browser-argv", tmp_path / "browser-pid"
    script.write_text(
        f'#!/bin/sh\necho $$ > {pid}\necho "$@" > {argv}\n'
        "exec sleep 120 </dev/null >/dev/null 2>&1\n"
    )
    script.chmod(0o700)
    yield script, argv, pid
    if pid.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid.read_text()), signal.SIGKILL)


def wait_for(check, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


def test_the_browser_gets_the_link_file_the_token_is_on_no_command_line(
    workspace, serve, lazy_browser
):
    """The browser is started on the link file (a path, no secret), without waiting for it:
    the server answers while that browser program still runs, and SIGTERM stops it cleanly."""
    script, argv, pid = lazy_browser
    served = serve(TODAY, "--browser", env={"BROWSER": str(script)})
    given = wait_for(lambda: argv.exists() and argv.read_text().strip())
    assert given == served.link.as_uri()
    browser = int(wait_for(lambda: pid.exists() and pid.read_text().strip()))
    lines = command_lines()
    assert browser in lines  # the browser program is still running...
    for line in lines.values():  # ... and no process shows the secrets to anyone
        assert served.token not in line
        assert served.scope not in line
    with httpx.Client(base_url=served.base, timeout=5) as http:  # ... and the server answers
        served.login(http)
        assert http.get("/").status_code == 200
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=15) == 0
    assert "Stopped." in served.process.stderr.read()
    assert not served.link.exists()  # the token's file goes with the server
    assert browser in command_lines()  # the user's browser is theirs: left open


def test_no_browser_names_the_link_file_and_prints_no_secret(workspace, tmp_path):
    from tests.web_fixtures import CAMPAIGN

    env = {**os.environ, "CAMPAIGN_WORKSPACE": str(workspace), "CAMPAIGN_TODAY": TODAY}
    process = subprocess.Popen(
        [CAMPAIGN, "serve", "--no-browser", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = process.stderr.readline()
        link = workspace / first.rsplit("/", 1)[1].strip()
        assert first.startswith("campaign is running. Open this file in your browser to use it: ")
        assert first.strip().endswith(f"{workspace.as_uri()}/{link.name}")
        text = link.read_text()
        token = text.split('name="token" value="', 1)[1].split('"', 1)[0]
        scope = text.split('action="http://', 1)[1].split("/", 2)[1]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    for said in (first, out, err):
        assert token not in said
        assert scope not in said


def raw_connection(served) -> socket.socket:
    host, port = served.host.split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def closed_by_server(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes `sock` within `seconds` (reading nothing but the end)."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_a_client_sending_its_headers_a_byte_at_a_time_is_cut_off(workspace, serve):
    """Slowloris: the request's headers must be in within 5 seconds, however it trickles."""
    served = serve(TODAY)
    slow = raw_connection(served)
    request = f"GET /{served.scope}/ HTTP/1.1\r\nHost: {served.host}\r\nX-Slow: ".encode()
    started = time.monotonic()
    closed = False
    for byte in request + b"a" * 40:  # a byte every 0.25 s: 20 s if nothing cut it off
        try:
            slow.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        if closed_by_server(slow, 0.25):
            closed = True
            break
    assert closed
    assert 4.5 < time.monotonic() - started < 8
    with httpx.Client(base_url=served.base, timeout=5) as http:  # everyone else is served
        served.login(http)
        assert http.get("/").status_code == 200


@pytest.fixture
def quick_deadlines(monkeypatch):
    """The deadline protocol, on an app of its own, with a 2-second whole-request deadline
    (60 s in `campaign serve`): (host, port) of the running server."""
    import asyncio

    import uvicorn

    from campaign.web import protocol

    monkeypatch.setattr(protocol, "REQUEST_SECONDS", 2.0)

    async def app(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"got %d bytes" % len(body)})

    sock = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(app, http=protocol.DeadlineProtocol, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(
        target=loop.run_until_complete, args=(server.serve(sockets=[sock]),), daemon=True
    )
    thread.start()
    wait_for(lambda: server.started)
    yield sock.getsockname()
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_a_body_that_never_finishes_is_cut_off(quick_deadlines):
    host, port = quick_deadlines
    whole = httpx.post(f"http://{host}:{port}/", content=b"x" * 1000, timeout=5)
    assert whole.text == "got 1000 bytes"  # a request that arrives in time is answered
    slow = socket.create_connection((host, port), timeout=10)
    started = time.monotonic()
    slow.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nsome")
    for _ in range(20):  # a byte every 0.2 s: the 100 would take 20 s
        if closed_by_server(slow, 0.2):
            break
        try:
            slow.sendall(b"y")
        except (BrokenPipeError, ConnectionResetError):
            break
    assert 1.8 < time.monotonic() - started < 3.5


def test_idle_connections_are_capped_and_the_user_still_gets_in(workspace, serve):
    """Hundreds of connections that never send a request: the server keeps at most 64 open
    (the longest waiting closed first), and a browser's new connection is still answered."""
    served = serve(TODAY)
    idle = [raw_connection(served) for _ in range(200)]
    time.sleep(0.5)
    with httpx.Client(base_url=served.base, timeout=5) as http:
        served.login(http)
        started = time.monotonic()
        assert http.get("/").status_code == 200
        assert time.monotonic() - started < 2
    still_open = sum(not closed_by_server(sock, 0.05) for sock in idle)
    assert still_open <= 64
    for sock in idle:
        sock.close()


class SilentImap:
    """A mail server that accepts connections and says nothing until released (a mail
    server gone slow): a reader of it waits."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.connected = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(sock)
            self.connected.set()

    def release(self) -> None:
        self.listener.close()
        for sock in self.accepted:
            sock.close()


def test_pages_answer_while_the_inbox_is_read_from_a_slow_server(
    run, workspace, serve, tmp_path, monkeypatch
):
    """Read my inbox against a server that does not answer: the other pages answer meanwhile
    (the read runs in a worker thread, not on the server's only event loop)."""
    add_prospects(run, tmp_path, people(30))
    silent = SilentImap()
    configure(
        workspace,
        imap={"host": "127.0.0.1", "port": silent.port, "security": "none", "username": "jane"},
    )
    served = serve(TODAY, env={"CAMPAIGN_IMAP_PASSWORD": "secret"})
    try:
        with httpx.Client(base_url=served.base, timeout=60) as http:
            served.login(http)
            csrf = http.get("/due").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
            reading: list[httpx.Response] = []

            def read_inbox() -> None:
                reading.append(
                    http.post("/due/inbox", data={"csrf": csrf}, headers={"origin": served.origin})
                )

            reader = threading.Thread(target=read_inbox)
            reader.start()
            assert silent.connected.wait(10)  # the read is under way, waiting on the server
            with httpx.Client(base_url=served.base, timeout=10) as other:
                served.login(other)
                for path in ("/", "/prospects", "/week", "/due"):
                    started = time.monotonic()
                    assert other.get(path).status_code == 200
                    assert time.monotonic() - started < 2, path
            assert reader.is_alive()  # all that while, the inbox read was still waiting
            silent.release()
            reader.join(60)
            assert reading[0].status_code < 500
    finally:
        silent.release()
