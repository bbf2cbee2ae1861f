"""campaign init, campaign where."""

from __future__ import annotations

import os
from pathlib import Path

import click

from campaign.cli.options import json_option
from campaign.cli.output import echo, emit_json, say


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="", help="Your name, as you sign your letters.")
@click.option("--email", default="", help="Your email address: the From: of every email.")
@click.option("--phone", default="", help="The phone number employers call.")
@click.option(
    "--address",
    multiple=True,
    metavar="LINE",
    help="A line of your postal address; repeat it for each line.",
)
@click.option(
    "--provider",
    type=click.Choice(["gmail", "outlook", "icloud", "yahoo", "fastmail"]),
    help="Fill in the mail servers ([smtp] and [imap]) of your provider (needs --email).",
)
def init(
    directory: Path,
    name: str,
    email: str,
    phone: str,
    address: tuple[str, ...],
    provider: str | None,
) -> None:
    """Make a new workspace: campaign.toml, templates/, outbox/ and the ledger.

    Writes into campaign.toml only the details you give; the others stay comments to fill
    in. Letters that need a detail you have not set are refused, never sent with a blank.

    \b
    Examples:
      campaign init my-search --name "Jane Doe" --email jane@doe.example \\
        --phone "(217) 555-0142" --address "40 Oak Avenue" --address "Springfield, IL 62704"
      campaign init my-search --email jane@gmail.com --provider gmail   # mail servers set
    """
    from campaign.ledger.db import connect
    from campaign.util.text import plural
    from campaign.workspace.providers import PROVIDERS
    from campaign.workspace.settings import LEDGER
    from campaign.workspace.skeleton import init

    if provider and not email.strip():
        raise click.UsageError("--provider needs --email: your address there is the login.")
    lines = [x.strip() for line in address for x in line.splitlines() if x.strip()]
    made = init(
        directory,
        name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        address=lines,
        provider=provider,
    )
    connect(directory / LEDGER).close()
    say(
        f"Made the workspace {directory}/ with campaign.toml, "
        f"{plural(len(made) - 2, 'letter template')}, outbox/ and the ledger campaign.db."
    )
    missing = [
        key
        for key, value in (("name", name), ("email", email), ("phone", phone), ("address", lines))
        if not value
    ]
    say("Next:")
    say(f"  cd {directory}")
    if missing:
        say(f"  edit campaign.toml          # set your {', '.join(missing)} under [sender]")
    refused = PROVIDERS[provider].refused if provider else ""
    if provider and not refused:
        say("  campaign check-mail         # once the app password is stored: does mail work?")
    say("  campaign import employers.xlsx")
    if refused:
        say(
            f"{refused}: campaign.toml has the servers only as comments, and `campaign send` "
            "writes each email as a draft in outbox/ for Outlook to send (a work or school "
            "account that allows SMTP sign-in: remove the # signs)."
        )


@click.command()
@json_option
@click.pass_context
def where(ctx: click.Context, as_json: bool) -> None:
    """Show which workspace commands use, and why.

    Order: --workspace, then $CAMPAIGN_WORKSPACE, then the nearest folder upward from here
    that holds campaign.toml.

    \b
    Example:
      campaign where
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
        echo(f"{key:10} {value}")
