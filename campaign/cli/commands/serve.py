"""campaign serve."""

from __future__ import annotations

from pathlib import Path

import click

from campaign.cli.options import pass_state
from campaign.cli.output import say


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="The local port (0: any free one).",
)
@click.option(
    "--no-browser", is_flag=True, help="Do not open a browser; say which file opens the app."
)
@pass_state
def serve(state, port, no_browser):
    """Run the campaign in your web browser, on this computer only.

    Opens your browser on a private page (a file in the workspace only you can read) that
    lets it in; no other program or user of this computer can. Everything the weekly
    routine needs is there: import, this week's batch, send, print, calls, the funnel.
    Ctrl-C stops it.

    \b
    Example:
      campaign serve
      campaign serve --port 8800 --no-browser
    """
    from campaign.web.server import serve as run

    root = state.settings.root
    state.today  # noqa: B018  (a bad --today stops here, not on the first page)

    def announce(link: Path) -> None:
        # The file, never the link inside it: a link clicked in a terminal is handed to the
        # browser on its command line, which every user of the computer can read (`ps`).
        if no_browser:
            say(f"campaign is running. Open this file in your browser to use it: {link.as_uri()}")
        else:
            say(f"campaign is running; opening it in your browser ({link.as_uri()}).")
        say("It lets in only the browser that opens it. Ctrl-C stops campaign.")

    run(root, state.today_arg, port, not no_browser, announce, notify=say)
    say("Stopped.")
