"""Running the app: bind 127.0.0.1, print the link with its token, open the browser."""

from __future__ import annotations

import secrets
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

from campaign.errors import CampaignError


def serve(
    root: Path,
    today: str | None,
    port: int,
    open_browser: bool,
    announce: Callable[[str], None],
    notify: Callable[[str], None] = lambda message: None,
) -> None:
    """Serve the workspace at `root` until Ctrl-C; announce(url) once it is listening."""
    import uvicorn

    from campaign.web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as err:
        sock.close()
        raise CampaignError(
            f"cannot listen on 127.0.0.1:{port} ({err.strerror}); pick another with --port."
        ) from None
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    app = create_app(root, today, token, port)
    url = f"http://127.0.0.1:{port}/?token={token}"
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    started = server.startup

    async def startup(sockets=None):
        await started(sockets=sockets)
        announce(url)
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    server.startup = startup
    app.state.web.cache.start(app.state.web.settings, app.state.web.today)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled: a normal stop
        pass
    finally:
        sock.close()
        app.state.web.cache.stop()
        shutil.rmtree(app.state.web.uploads, ignore_errors=True)
    _finish_runs(app.state.web, notify)


def _finish_runs(state, notify: Callable[[str], None]) -> None:
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
