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
    Outside any workspace, its first page makes one (in ~/campaign, or the folder
    --workspace names) and walks you through setting it up. Ctrl-C stops it.

    \b
    Examples:
      campaign serve
      campaign serve --port 8800 --no-browser
    """
    from campaign.errors import WorkspaceError
    from campaign.web.server import serve as run
    from campaign.workspace.settings import CONFIG

    state.today  # noqa: B018  (a bad --today stops here, not on the first page)
    target = Path(state.workspace_arg or Path.home() / "campaign").expanduser()
    root: Path | None = None
    try:
        root = state.settings.root
    except WorkspaceError:
        if state.workspace_arg or not (target / CONFIG).exists():
            if (target / CONFIG).exists():
                raise  # a workspace whose campaign.toml is broken: said, never made again
            root = None  # none yet: the first page makes one at `target`
        else:  # ~/campaign, made by an earlier first run
            state.workspace_arg = str(target)
            root = state.settings.root

    def announce(link: Path) -> None:
        # The file, never the link inside it: a link clicked in a terminal is handed to the
        # browser on its command line, which every user of the computer can read (`ps`).
        if no_browser:
            say(f"campaign is running. Open this file in your browser to use it: {link.as_uri()}")
        else:
            say(f"campaign is running; opening it in your browser ({link.as_uri()}).")
        say("It lets in only the browser that opens it. Ctrl-C stops campaign.")

    run(root, target, state.today_arg, port, not no_browser, announce, notify=say)
    say("Stopped.")
