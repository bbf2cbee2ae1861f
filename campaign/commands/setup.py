"""campaign init, campaign where."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..cli import cli, emit_json, json_option, say


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="Jane Doe", show_default=True, help="Your name, for the letters.")
@click.option(
    "--provider",
    type=click.Choice(["gmail", "outlook", "icloud", "yahoo", "fastmail"]),
    help="Fill in the mail servers ([smtp] and [imap]) of your provider.",
)
def init(directory: Path, name: str, provider: str | None) -> None:
    """Make a new workspace: campaign.toml, templates/, outbox/ and the ledger.

    \b
    Examples:
      campaign init my-search --name "Jane Doe"
      campaign init my-search --provider gmail   # the mail servers filled in
    """
    from ..ledger import connect
    from ..workspace import CONFIG, LEDGER, init

    made = init(directory, sender_name=name)
    if provider:
        from ..providers import sections

        with (directory / CONFIG).open("a", encoding="utf-8") as config:
            config.write(sections(provider, "jane.doe@example.com"))
    connect(directory / LEDGER).close()
    say(f"Made the workspace {directory}/ with campaign.toml, {len(made) - 2} letter templates,")
    say("outbox/ and the ledger campaign.db. Next:")
    say(f"  cd {directory}")
    say("  edit campaign.toml          # your name, address, and [smtp] when ready to email")
    if provider:
        say("  campaign check-mail         # once the app password is stored: does mail work?")
    say("  campaign import employers.xlsx")


@cli.command()
@json_option
@click.pass_context
def where(ctx: click.Context, as_json: bool) -> None:
    """Show which workspace commands use, and why.

    Order: --workspace, then $CAMPAIGN_WORKSPACE, then the nearest folder upward from here
    that holds campaign.toml.
    """
    state = ctx.obj
    settings = state.settings
    if state.workspace_arg and os.environ.get("CAMPAIGN_WORKSPACE") == state.workspace_arg:
        how = "$CAMPAIGN_WORKSPACE"
    elif state.workspace_arg:
        how = "--workspace"
    else:
        how = "found upward from the current folder"
    info = {
        "workspace": str(settings.root),
        "found_by": how,
        "config": str(settings.root / "campaign.toml"),
        "ledger": str(settings.ledger_path),
        "templates": str(settings.templates),
        "outbox": str(settings.outbox),
        "today": state.today.isoformat(),
    }
    if as_json:
        emit_json(info)
        return
    for key, value in info.items():
        click.echo(f"{key:10} {value}")
