"""Running the app: bind 127.0.0.1, write the link file, open the browser, stop cleanly."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign.errors import CampaignError

if TYPE_CHECKING:
    from campaign.web.base import Web


def serve(
    root: Path | None,
    target: Path,
    today: str | None,
    port: int,
    open_browser: bool,
    announce: Callable[[Path], None],
    notify: Callable[[str], None] = lambda message: None,
) -> None:
    """Serve the workspace at `root` until Ctrl-C or SIGTERM; announce(link file) once it is
    listening. The token is never printed nor put on a command line: it is in the link file.

    Without a workspace (`root` None), the app's first page makes one at `target`; the
    folder is made private now, since the link file lives there (see write_link)."""
    import uvicorn

    from campaign.email.unknown import settle
    from campaign.web.access import Access, write_link
    from campaign.web.app import create_app
    from campaign.web.protocol import DeadlineProtocol

    sock = _listen(port)
    access = Access(port=sock.getsockname()[1])
    app = create_app(root, today, access, target)
    if root is not None:
        # A run that died left its sends `sending`: they are unknown now, and the Due page
        # lists them. Pages never write on GET, so the ledger is settled once, here, as
        # `due` does.
        with app.state.web.ledger() as (_, conn):
            settle(conn, root)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http=DeadlineProtocol,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,  # the request line and headers
    )
    server = uvicorn.Server(config)
    started = server.startup
    if root is None:
        from campaign.util.atomic import make_private_folder

        make_private_folder(target)
    link = write_link(access, root or target)

    async def startup(sockets: Any = None) -> None:
        await started(sockets=sockets)
        announce(link)
        if open_browser:
            _open_browser(link)

    server.startup = startup  # type: ignore[method-assign]
    app.state.web.cache.start(app.state.web.settings, app.state.web.today)
    try:
        with _stopped_by_sigterm():
            server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C (or SIGTERM) it handled
        pass
    finally:
        sock.close()
        link.unlink(missing_ok=True)
        app.state.web.cache.stop()
        shutil.rmtree(app.state.web.uploads, ignore_errors=True)
    _finish_runs(app.state.web, notify)


def _listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as err:
        sock.close()
        raise CampaignError(
            f"cannot listen on 127.0.0.1:{port} ({err.strerror}); pick another with --port."
        ) from None
    return sock


def _open_browser(link: Path) -> None:
    """Open the link file in the browser, in a thread: webbrowser waits for a `BROWSER`
    program to exit (lynx, w3m or a wrapper may never), and the server must answer meanwhile.
    The command line names the file, never the token."""
    import webbrowser

    threading.Thread(
        target=webbrowser.open, args=(link.as_uri(),), name="campaign-browser", daemon=True
    ).start()


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM stops the server as Ctrl-C does: uvicorn shuts down, then re-raises the signal
    it caught, which this turns into KeyboardInterrupt, so the link file and uploads are
    removed (the default action would end the process before any clean-up)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _finish_runs(state: Web, notify: Callable[[str], None]) -> None:
    """A sending run still going is let finish, so no send is left unknown; Ctrl-C again
    stops at once (the message in flight is then reported unknown by the next run)."""
    going = [run for run in state.runs.values() if not run.finished.is_set()]
    if not going:
        return
    notify("Letting the sending run finish, so no email is left unknown (Ctrl-C again: stop now).")
    try:
        for run in going:
            while not run.finished.wait(0.2):
                pass
    except KeyboardInterrupt:
        pass
