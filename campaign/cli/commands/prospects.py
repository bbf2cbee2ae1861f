"""campaign import, campaign prospects, campaign show."""

from __future__ import annotations

import json
from pathlib import Path

import click

from campaign.cli.hints import HINTS
from campaign.cli.options import dry_run_option, json_option, pass_state
from campaign.cli.output import echo, emit_json, say, table
from campaign.errors import worded
from campaign.followups.items import LABELS, STAGES
from campaign.sheets.headers import FIELDS
from campaign.util.text import agree, plural

STATUSES = ("active", "replied", "rejected", "closed", "hired")
LIST_FIELDS = ("id", *FIELDS, "status", "role")


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--sheet", metavar="NAME", help="The worksheet to read (default: the first).")
@click.option(
    "--map",
    "mapping",
    multiple=True,
    metavar='"HEADER=field"',
    help='Say what a column holds, e.g. --map "Boss=name". Repeatable; field "ignore" skips it.',
)
@click.option("--skip-invalid", is_flag=True, help="Import the good rows, list the bad ones.")
@click.option("--encoding", metavar="NAME", help="The text encoding of a CSV file (e.g. cp1252).")
@click.option(
    "--include-hidden", is_flag=True, help="Also import rows hidden in the sheet (or by a filter)."
)
@dry_run_option
@json_option
@pass_state
def import_(state, path, sheet, mapping, skip_invalid, encoding, include_hidden, dry_run, as_json):
    """Import your employer list (.xlsx, .xls, .ods, .csv or a .vcf address book).

    Finds the header row by itself and understands common headers ("Company Name",
    "E-mail Address", "Contact", "ZIP", "Phone #"...) and the contacts exports of Outlook,
    Google, LinkedIn, Salesforce and HubSpot. Importing an edited sheet again updates
    prospects in place and keeps their history. A sheet with any bad row imports
    nothing, unless --skip-invalid. Hidden rows are skipped unless --include-hidden.

    \b
    Examples:
      campaign import ~/employers.xlsx
      campaign import ~/Downloads/Connections.csv --skip-invalid
      campaign import leads.csv --map "Boss=name" --dry-run
    """
    from campaign.actions.importing import import_file

    parsed, result = import_file(
        state.conn,
        path,
        state.today,
        sheet=sheet,
        mapping=mapping,
        encoding=encoding,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        include_hidden=include_hidden,
    )
    for line in parsed.mapping_lines():
        say(line)
    result.warnings = [worded(w, HINTS) for w in result.warnings]  # in the CLI's words
    for note in result.warnings:
        say(f"warning: {note}", fg="yellow")
    for error in parsed.errors:
        say(f"{path.name} {error}", fg="red")
    if dry_run and not (parsed.errors and not skip_invalid):
        _say_changes(result.prospects())
    blocked = parsed.errors and not skip_invalid
    if as_json:
        emit_json(result.as_dict())
    if blocked:
        bad = len({e.row for e in parsed.errors})
        say(
            f"{bad:,} of {plural(bad + parsed.good, 'row')} {agree(bad, 'has', 'have')} "
            "problems, so nothing was imported. "
            "Fix them and import again, or pass --skip-invalid to import the rest.",
            fg="red",
        )
        raise SystemExit(2)
    verb = "Would import" if dry_run else "Imported"
    say(
        f"{verb} {path.name}: {result.new} new, {result.updated} updated, "
        f"{result.unchanged} unchanged, {result.skipped} skipped."
        + (" Nothing was written (--dry-run)." if dry_run else "")
    )


def _say_changes(changes: list[dict]) -> None:
    """Per prospect, what a dry run would do: new, or which fields change (old -> new)."""
    from campaign.util.text import quote, shorten

    for item in changes:
        who = shorten(f"{item['company']} ({item['name']})" if item["name"] else item["company"])
        if item["action"] == "new":
            say(f"  new     row {item['row']}: {who}")
            continue
        diffs = "; ".join(
            f"{name} {quote(old or '', 30)} -> {quote(new or '', 30)}"
            for name, (old, new) in item["changes"].items()
        )
        say(f"  update  row {item['row']}: #{item['prospect_id']} {who}: {diffs}")


@click.command("prospects")
@click.option("--status", type=click.Choice(STATUSES), help="Only prospects with this status.")
@click.option(
    "--stage", type=click.Choice(STAGES), help="Only prospects at this stage (not-written...)."
)
@json_option
@pass_state
def prospects_(state, status, stage, as_json):
    """List the prospects, best priority first, each with its stage and next step.

    The stage is where the employer stands (not-written, written, answered, meeting,
    interviewed, offer, hired, closed, rejected, or paused: no working address); the next
    step is the follow-up due first, or why nothing more is planned.

    \b
    Examples:
      campaign prospects --status active
      campaign prospects --stage written --json
    """
    from campaign.followups.due import standings
    from campaign.ledger.queries import list_prospects

    where = standings(state.conn, state.settings.cadence, state.today, stage=stage)
    rows = [
        {**_prospect_dict(r), **where[r["id"]].as_dict(HINTS)}
        for r in list_prospects(state.conn, status)
        if r["id"] in where
    ]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        say("No prospects yet. Import your list: campaign import employers.xlsx")
        return
    for row in rows:
        row["name"] = f"{row['first_name']} {row['last_name']}".strip()
        step = row["next_step"]
        row["next"] = f"{LABELS.get(step['kind'], step['kind'])} {step['due']}" if step else "-"
        row["reach"] = " + ".join(
            x
            for x, ok in (
                ("email", row["email"]),
                ("post", row["address"] and row["city"] and row["postal_code"]),
            )
            if ok
        )
    echo(
        table(
            rows,
            [
                ("id", "id", 5),
                ("priority", "pri", 3),
                ("company", "company", 28),
                ("name", "hiring authority", 24),
                ("title", "title", 22),
                ("reach", "reach", 12),
                ("status", "status", 8),
                ("stage", "stage", 11),
                ("next", "next step", 30),
            ],
        )
    )
    say(f"{plural(len(rows), 'prospect')}.")


def _prospect_dict(row) -> dict:
    data = {f: row[f] for f in LIST_FIELDS}
    data["extras"] = json.loads(row["extras"])
    return data


@click.command()
@click.argument("prospect")
@json_option
@pass_state
def show(state, prospect, as_json):
    """Show one prospect with everything sent and logged.

    PROSPECT is an id, an email, a name or a company (or part of one); when several
    match, they are listed with their ids.

    \b
    Examples:
      campaign show 12
      campaign show maria.lopez@example.com
      campaign show "Acme Tools"
    """
    from campaign.followups.due import standings
    from campaign.ledger.queries import find_prospect
    from campaign.reports.history import history

    row = find_prospect(state.conn, prospect)
    data = _prospect_dict(row)
    data["source"] = row["source"]
    data["history"] = history(state.conn, row["id"], labels=True)
    where = standings(state.conn, state.settings.cadence, state.today, ids=[row["id"]])
    data.update(where[row["id"]].as_dict(HINTS))
    if as_json:
        emit_json(data)
        return
    name = " ".join(x for x in (row["prefix"], row["first_name"], row["last_name"]) if x)
    echo(f"#{row['id']}  {name}, {row['title'] or 'no title'} at {row['company']}")
    for key in ("email", "phone", "assistant", "best_time", "priority", "status", "role"):
        if row[key] not in ("", None):
            echo(f"  {key.replace('_', ' '):10} {row[key]}")
    from campaign.post.printables import city_line

    address = ", ".join(
        x for x in (row["address"].replace("\n", ", "), city_line(row), row["country"]) if x
    )
    if address:
        echo(f"  {'address':10} {address}")
    for key, value in data["extras"].items():
        if str(value).strip():  # an export's many empty columns are not worth a line each
            echo(f"  {key:10} {value}")
    if row["notes"]:
        echo(f"  {'notes':10} {row['notes']}")
    echo(f"  {'from':10} {row['source']}")
    echo(f"  {'stage':10} {data['stage']}")
    step = data["next_step"]
    if step:
        said = LABELS.get(step["kind"], step["kind"])
        echo(f"  {'next step':10} {said}, due {step['due']}: {step['reason']}")
    else:
        echo(f"  {'next step':10} nothing planned: {data['nothing_planned']}")
    echo("History:" if data["history"] else "History: nothing sent or logged yet.")
    for item in data["history"]:
        detail = f" - {item['detail']}" if item["detail"] else ""
        # A dismissal's label names the follow-up dismissed already.
        status = f" ({item['status']})" if item["status"] and item["what"] != "skip" else ""
        mark = f"  [event {item['touch_id']}]" if "touch_id" in item else ""
        undone = f" (undone on {item['undone_on']})" if "undone_on" in item else ""
        echo(f"  {item['date']}  {item['label']}{status}{detail}{undone}{mark}")
        for person in item.get("people", ()):
            about = ", ".join(x for x in (person.get("title"), person.get("email")) if x)
            echo(f"              met {person['name']}" + (f" ({about})" if about else ""))
