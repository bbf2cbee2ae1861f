"""campaign unknown: sends a stopped run left unknown, and the user's word on them."""

from __future__ import annotations

import click

from campaign.cli.options import json_option, pass_state
from campaign.cli.output import echo, emit_json, say
from campaign.errors import CampaignError
from campaign.util.text import agree, plural


@click.command()
@click.argument("send_ids", nargs=-1, type=int, metavar="[SEND_ID]...")
@click.option("--sent", "went", flag_value=True, default=None, help="They went: record as sent.")
@click.option("--unsent", "went", flag_value=False, help="They did not go: send them again.")
@json_option
@pass_state
def unknown(state, send_ids, went, as_json):
    """Sends a stopped run left unknown: say whether each one went.

    Without options, lists them with the Message-ID to look for in your Sent folder.
    --sent records them as sent on the day they were tried (their follow-ups start then);
    --unsent makes them owed again, so the next `campaign send` sends each one once.

    \b
    Examples:
      campaign unknown
      campaign unknown --sent 41 42
      campaign unknown --unsent 43 && campaign send
    """
    from campaign.actions.unknown import pending, resolve
    from campaign.email.unknown import Resolved

    conn = state.conn
    if send_ids and went is None:
        raise CampaignError("say what happened to them: --sent or --unsent.")
    done = Resolved()
    if went is not None:
        done = resolve(conn, state.settings.root, list(send_ids), went=went)
    rows = pending(conn, state.settings.root)
    if as_json:
        emit_json({"unknown": rows, "marked_sent": done.sent, "marked_unsent": done.unsent})
    if done.sent:
        count = len(done.sent)
        say(
            f"Recorded {plural(count, 'send')} as sent on the day tried; "
            f"{agree(count, 'its', 'their')} follow-ups start then."
        )
    if done.unsent:
        count = len(done.unsent)
        say(
            f"{plural(count, 'letter')} {agree(count, 'is', 'are')} owed again: "
            "`campaign send` sends each once."
        )
    if as_json:
        return
    if not rows:
        say("No unknown sends: every send is known to have gone or not.")
        return
    for row in rows:
        to = f"<{row['recipient']}>" if row["recipient"] else "(post)"
        echo(
            f"send {row['send_id']}  tried {row['attempted_on']}  #{row['prospect_id']} "
            f"{row['company']}, {row['name']} {to}  {row['letter']} letter"
        )
        echo(f"  Subject:    {row['subject']}")
        echo(f"  Message-ID: {row['message_id'] or '-'}")
    say(
        f"{plural(len(rows), 'send')} may or may not have gone. Look for each Message-ID in your "
        "Sent "
        "folder, then `campaign unknown --sent ID...` or `campaign unknown --unsent ID...`."
    )
