"""The CLI's commands, one module per job; importing this registers them on `cli`."""

from campaign.cli import cli
from campaign.commands import (  # noqa: F401
    demo,
    followups,
    mailbox,
    post,
    prospects,
    sending,
    setup,
    unknown,
    web,
)

# One line each for `campaign --help`, in the order of a week's work.
SUMMARIES = {
    "init": "Make a new workspace.",
    "where": "Show which workspace and ledger commands use.",
    "import": "Import or update prospects from a spreadsheet.",
    "prospects": "List the prospects, best priority first.",
    "show": "One prospect and everything sent and logged.",
    "batch": "Pick (or show) this week's top twenty.",
    "preview": "Show exactly what a prospect will receive.",
    "send": "Email what the batch (or the follow-ups) is owed, once.",
    "print": "The post letters as one PDF, with envelopes and labels.",
    "mailed": "Record printed letters as posted.",
    "unknown": "Emails a stopped run may or may not have sent: say which.",
    "due": "Follow-ups due today, most overdue first.",
    "log": "Record a call, reply, interview or status change.",
    "calls": "The call sheet to take to the phone.",
    "status": "The campaign at a glance.",
    "export": "The tracker workbook (.xlsx) or calendar events (.ics).",
    "sync": "Read replies, out-of-office answers and bounces from your inbox.",
    "check-mail": "Try your mail servers and say what to fix.",
    "demo": "The weekly routine on the sample list, in a scratch folder.",
    "serve": "The whole routine in your web browser, on this computer only.",
}
for _name, _text in SUMMARIES.items():
    cli.commands[_name].short_help = _text
