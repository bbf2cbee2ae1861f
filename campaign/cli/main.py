"""The `campaign` command: a lazy click group. Nothing heavy at import.

Each command lives in cli/commands/ and is imported only when it runs; `campaign --help` reads
the one-line summaries from COMMANDS instead of importing them (start-up stays fast).
"""

from __future__ import annotations

import importlib

import click

from campaign import __version__
from campaign.cli.hints import HINTS
from campaign.cli.options import State
from campaign.errors import CampaignError, worded


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


# name: (module in cli/commands/, function, one line for `campaign --help`), in the order of
# a week's work.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("setup", "init", "Make a new workspace."),
    "where": ("setup", "where", "Show which workspace and ledger commands use."),
    "import": ("prospects", "import_", "Import or update prospects from a spreadsheet."),
    "prospects": ("prospects", "prospects_", "List the prospects, best priority first."),
    "show": ("prospects", "show", "One prospect and everything sent and logged."),
    "batch": ("sending", "batch", "Pick (or show) this week's top twenty."),
    "preview": ("sending", "preview", "Show exactly what a prospect will receive."),
    "send": ("sending", "send", "Email what the batch (or the follow-ups) is owed, once."),
    "print": ("post", "print_", "The post letters as one PDF, with envelopes and labels."),
    "mailed": ("post", "mailed", "Record printed letters as posted."),
    "unknown": ("unknown", "unknown", "Emails a stopped run may or may not have sent: say which."),
    "due": ("followups", "due", "Follow-ups due today, most overdue first."),
    "log": ("followups", "log_", "Record a call, reply, interview or status change."),
    "calls": ("followups", "calls", "The call sheet to take to the phone."),
    "status": ("followups", "status", "The campaign at a glance."),
    "export": ("followups", "export", "The tracker workbook (.xlsx) or calendar events (.ics)."),
    "sync": ("mailbox", "sync", "Read replies, out-of-office answers and bounces from your inbox."),
    "check-mail": ("mailbox", "check_mail", "Try your mail servers and say what to fix."),
    "demo": ("demo", "demo", "The weekly routine on the sample list, in a scratch folder."),
    "serve": ("serve", "serve", "The whole routine in your web browser, on this computer only."),
}


class CampaignGroup(click.Group):
    """Loads each command when it runs, and translates library errors into one clear line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name, summary = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"campaign.cli.commands.{module}"), name)
        command.short_help = summary
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The summaries from the table: listing them imports no command module.
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, _, summary) in COMMANDS.items()])

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

    def invoke(self, ctx: click.Context):
        import sqlite3

        try:
            return super().invoke(ctx)
        except CampaignError as err:
            raise UserError(worded(err, HINTS)) from err
        except sqlite3.OperationalError as err:
            # e.g. "database is locked" while another program holds campaign.db
            raise UserError(f"the ledger campaign.db: {err}; try again in a moment.") from err
        except sqlite3.DatabaseError as err:
            if type(err) is not sqlite3.DatabaseError:
                raise  # an IntegrityError or ProgrammingError is a bug to see in full
            # "database disk image is malformed", "file is not a database": a damaged page
            raise UserError(
                f"the ledger campaign.db is damaged ({err}); nothing was changed. Restore it "
                "from a backup, or try `sqlite3 campaign.db .recover`."
            ) from err
        except OSError as err:
            # A full disk, a folder without write permission, a file gone: the computer's
            # answer in one line (a ClickException or Abort is no OSError).
            where = f"{err.filename}: " if err.filename else ""
            raise UserError(f"{where}{err.strerror or err}.") from err


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
