"""campaign demo: the weekly routine on the shipped sample list, in a temporary workspace."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..cli import cli, say


@cli.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Make the demo workspace here instead of a temporary folder.",
)
@click.pass_context
def demo(ctx: click.Context, directory: Path | None) -> None:
    """Run the weekly routine on the shipped sample list, touching nothing of yours.

    Makes a workspace (in a temporary folder unless --dir), imports the 120 sample
    employers, and walks through the week. No mail account is needed: emails are
    written as files to the workspace's outbox/.

    \b
    Example:
      campaign demo --dir /tmp/demo-search
    """
    from ..resources import sample_list

    root = directory or Path(tempfile.mkdtemp(prefix="campaign-demo-")) / "my-search"
    today = ctx.obj.today_arg
    base = ["--workspace", str(root)] + (["--today", today] if today else [])

    def step(title: str, *args: str) -> None:
        say(f"\n$ campaign {' '.join(args)}", bold=True)
        say(f"  ({title})")
        if args[0] == "init":
            ctx.invoke(
                cli.commands["init"],
                directory=root,
                name="Jane Doe",
                email="jane.doe@example.org",
                phone="(217) 555-0142",
                address=("40 Oak Avenue", "Springfield, IL 62704"),
            )
            return
        cli.main([*base, *args], standalone_mode=False, prog_name="campaign")

    step("make a workspace", "init", str(root))
    from ..workspace import adopt_example_letters

    adopt_example_letters(root)
    say("  (the demo sends the example letters as they are; make yours your own first)")
    step("import the sample list of 120 employers", "import", str(sample_list()))
    step("pick this week's top twenty, best priority first", "batch")
    step("what the first of them will receive", "preview")
    step("email the batch: no [smtp] yet, so each goes to outbox/ as an .eml file", "send", "--yes")
    step(
        "print the letters for those without email, and record them as posted",
        "print",
        "--envelopes",
        str(root / "outbox" / "envelopes.pdf"),
        "--mark-mailed",
    )
    step("follow-ups falling due in the next four weeks", "due", "--days", "28")
    step(
        "this week's call sheet (receipt checks for the posted letters)",
        "calls",
        "--days",
        "7",
        "--out",
        str(root / "outbox" / "calls.pdf"),
    )
    step("the campaign at a glance", "status")
    step("a tracker workbook to open in Excel", "export", str(root / "tracker.xlsx"))
    outbox = sorted((root / "outbox").iterdir())
    say(f"\nThe demo workspace is {root}", bold=True)
    say(f"  {root / 'campaign.toml'}   your settings (commented)")
    say(f"  {root / 'templates'}/   the letters; edit them freely")
    say(f"  {root / 'campaign.db'}   the ledger")
    say(
        f"  {root / 'outbox'}/   {sum(p.suffix == '.eml' for p in outbox)} emails (.eml), "
        "the letters, envelopes and call sheet (.pdf)"
    )
    say(f"  {root / 'tracker.xlsx'}")
    say("Start your own: campaign init my-search")
