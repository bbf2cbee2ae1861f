"""campaign serve."""

from __future__ import annotations

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
@click.option("--no-browser", is_flag=True, help="Print the link; do not open a browser.")
@pass_state
def serve(state, port, no_browser):
    """Run the campaign in your web browser, on this computer only.

    Prints a private link (with an access token) and opens it. Everything the weekly
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
    from campaign.email.unknown import settle

    # A run that died left its sends `sending`: they are unknown now, and the Due page lists
    # them (pages never write on GET, so this is done once, here, as `campaign due` does).
    settle(state.conn, root)

    def announce(url: str) -> None:
        say(f"campaign is running at {url}  (open it in your browser; Ctrl-C stops it)")

    run(root, state.today_arg, port, not no_browser, announce, notify=say)
    say("Stopped.")
