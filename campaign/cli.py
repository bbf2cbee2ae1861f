"""The `campaign` command: parse options, call the library, print. Nothing heavy at import."""

from __future__ import annotations

import functools
import json

import click

from campaign import __version__
from campaign.errors import CampaignError


class UserError(click.ClickException):
    """A CampaignError on its way to the terminal: one line, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"campaign: error: {self.format_message()}", err=True)


GLOBAL_OPTIONS = ("--today", "--workspace", "-w")  # each takes one value


def hoist_global_options(args: list[str]) -> list[str]:
    """`campaign serve --today X` as well as `campaign --today X serve`: the global options
    written after the command's name are moved in front of it."""
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "--":
        index += 2 if args[index] in GLOBAL_OPTIONS else 1
    front, rest = list(args[: index + 1]), []
    tail = args[index + 1 :]
    position = 0
    while position < len(tail):
        word = tail[position]
        if word == "--":
            rest += tail[position:]
            break
        if word in GLOBAL_OPTIONS and position + 1 < len(tail):
            front[index:index] = tail[position : position + 2]
            index += 2
            position += 2
            continue
        if word.startswith(("--today=", "--workspace=")):
            front.insert(index, word)
            index += 1
        else:
            rest.append(word)
        position += 1
    return front + rest


class CampaignGroup(click.Group):
    """Translates library errors into one clear line, once, for every command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

    def invoke(self, ctx: click.Context):
        import sqlite3

        try:
            return super().invoke(ctx)
        except CampaignError as err:
            raise UserError(str(err)) from err
        except sqlite3.OperationalError as err:
            # e.g. "database is locked" while another program holds campaign.db
            raise UserError(f"the ledger campaign.db: {err}; try again in a moment.") from err


class State:
    """What the global options chose; the workspace and ledger are opened on first use."""

    def __init__(self, workspace: str | None, today: str | None):
        self.workspace_arg = workspace
        self.today_arg = today
        self._settings = None
        self._conn = None

    @functools.cached_property
    def today(self):
        from campaign.workspace.settings import today

        return today(self.today_arg)

    @property
    def settings(self):
        if self._settings is None:
            from campaign.workspace.settings import find_root, load

            self._settings = load(find_root(self.workspace_arg))
        return self._settings

    @property
    def conn(self):
        if self._conn is None:
            from campaign.ledger.db import connect

            self._conn = connect(self.settings.ledger_path)
        return self._conn


pass_state = click.make_pass_decorator(State)


def json_option(func):
    """--json: print exactly one JSON document on stdout; messages still go to stderr."""
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document on stdout."
    )(func)


def dry_run_option(func):
    return click.option(
        "--dry-run", is_flag=True, help="Do everything but write: show what would happen."
    )(func)


def emit_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def say(message: str = "", **style) -> None:
    """A message for the person at the terminal (stderr, so stdout stays for data)."""
    from campaign.util.text import visible

    click.secho(visible(message), err=True, **style)


def echo(text: str = "") -> None:
    """A line of a command's output on stdout, invisible characters shown as escapes."""
    from campaign.util.text import visible

    click.echo(visible(text))


def table(rows: list[dict], columns: list[tuple[str, str, int]]) -> str:
    """A plain text table: columns are (key, heading, max width)."""
    from campaign.util.text import visible

    cells = [
        [visible(str(r.get(k) if r.get(k) is not None else "")) for k, _, _ in columns]
        for r in rows
    ]
    widths = []
    for index, (_, heading, limit) in enumerate(columns):
        longest = max([len(heading), *(len(c[index]) for c in cells)])
        widths.append(min(longest, limit))

    def line(values: list[str]) -> str:
        parts = []
        for value, width in zip(values, widths, strict=True):
            value = value.replace("\n", ", ")
            if len(value) > width:
                value = value[: width - 1] + "…"
            parts.append(value.ljust(width))
        return "  ".join(parts).rstrip()

    out = [line([h for _, h, _ in columns]), line(["-" * w for w in widths])]
    out += [line(c) for c in cells]
    return "\n".join(out)


@click.group(
    cls=CampaignGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="campaign")
@click.option(
    "--workspace",
    "-w",
    metavar="DIR",
    envvar="CAMPAIGN_WORKSPACE",
    help="The workspace folder (else $CAMPAIGN_WORKSPACE, else the nearest one upward).",
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    envvar="CAMPAIGN_TODAY",
    help="Take this date as today (plan ahead; $CAMPAIGN_TODAY does the same).",
)
@click.pass_context
def cli(ctx: click.Context, workspace: str | None, today: str | None) -> None:
    """Mail-merge campaigns for job seekers: import your list of employers, send a
    personalised letter to the best twenty each week by email or post, and follow up on time.

    \b
    A first week:
      campaign init my-search --name "Jane Doe" --email jane@doe.example \\
        --phone "(217) 555-0142" --address "40 Oak Avenue" --address "Springfield, IL 62704"
      cd my-search
      campaign import ~/employers.xlsx
      campaign batch          # this week's top twenty
      campaign send           # email them (or write them as drafts to outbox/)
      campaign print          # signed PDF letters for those without email
      campaign due            # what to follow up, and when
    """
    ctx.obj = State(workspace, today)


def main() -> None:
    cli(prog_name="campaign")


# Commands live in their own modules and register themselves on `cli`.
from campaign import commands  # noqa: E402, F401
