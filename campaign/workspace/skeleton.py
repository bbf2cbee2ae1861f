"""A new workspace: what `campaign init` writes, and taking its example letters as they are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaign.errors import Notice, WorkspaceError
from campaign.util.atomic import make_private_folder, tighten, write_private
from campaign.util.contact import email_problem, phone_problem
from campaign.util.resources import shipped
from campaign.util.text import plural
from campaign.workspace.settings import CONFIG, SENDER_EXAMPLES

CONFIG_HEAD = """\
# campaign.toml: the settings of one job search. Lines starting with # are comments.
# Every number below is a default from the career coaches' practice; change it to suit you.

[sender]
# Who the letters are from: the letterhead, the From: line and the signature. A letter that
# needs a detail still missing (or still one of the examples) is refused, so set yours here.
"""

CONFIG_TAIL = """\
# reply_to = "jane.doe@example.com"
# A scan of your signature (PNG or JPEG), printed on posted letters. Path relative to here.
# signature = "signature.png"
# Your resume as a PDF: attached to every email, and its pages follow each posted letter.
# Letters mention an enclosed resume only when this is set. Path relative to here.
# resume = "resume.pdf"

# Without an [smtp] section, `campaign send` writes each email as a draft (.eml) in outbox/,
# so you can look at everything before a real mail account is involved.
# The password is never stored here: set CAMPAIGN_SMTP_PASSWORD, or keep it in the system
# keyring (service "campaign", user = username), or type it when asked.
# [smtp]
# host = "smtp.example.com"
# port = 587
# security = "starttls"        # ssl | starttls | none
# username = "jane.doe@example.com"   # empty = the server needs no login

# With an [imap] section, `campaign sync` reads replies and bounces (it only reads: nothing is
# marked, moved or deleted) and each email sent is saved in your Sent folder. The password:
# CAMPAIGN_IMAP_PASSWORD, the keyring, or for the same username the SMTP password.
# [imap]
# host = "imap.example.com"
# port = 993
# security = "ssl"             # ssl | starttls | none
# username = ""                # default: the [smtp] username
# inbox = "INBOX"
# sent = ""                    # default: the folder flagged as Sent, else "Sent"
# save_sent = true             # false where the provider files sent mail itself (Gmail)

[sending]
batch_size = 20          # the weekly top-twenty batch
letter = "intro"         # the template sent by `campaign send`
per_minute = 0           # messages a minute at most (0 = no limit)
per_day = 0              # messages a day at most (0 = no limit); many providers cap ~100-500
paper = "letter"         # letter (US #10 window envelope) or a4 (DL window envelope)
retry_seconds = 2        # first pause before retrying a dropped connection (then doubles)

[cadence]
receipt_check_days = 3             # a call or email: did the letter arrive?
followup_letter_days = [14, 28]    # follow-up letters, 2 and 4 weeks after the first letter
thank_you_days = 0                 # thank-you notes: the same day as the interview
first_call_after_meeting_days = 21 # an appointment with no opening: call 3 weeks later,
call_every_days = [28, 35]         # ... then every 4 to 5 weeks
article_after_calls = 2            # after two calls with no opening, send an article
networking_call_days = 42          # networking contacts: a progress call every 6 weeks
insider_checkin_days = [4, 6]      # a warm insider: a check-in every 4 to 6 days
unanswered_calls_limit = 3         # after this many unanswered calls, change approach
retry_call_days = 2                # an unanswered call: try again 2 business days later
thank_you_late_days = 7            # a thank-you not sent within a week leaves the list
"""


def _toml_string(text: str) -> str:
    """A TOML basic string: one line (a detail typed with a line break is folded), escaped."""
    import json

    from campaign.util.text import strip_controls

    return json.dumps(" ".join(strip_controls(text)[0].split()), ensure_ascii=False)


def config_text(given: dict[str, Any]) -> str:
    """A fresh campaign.toml: what `init` was given as settings, every other detail a comment."""
    lines = []
    for key, (example, what) in SENDER_EXAMPLES.items():
        value = given.get(key)
        if isinstance(value, list | tuple) and value:
            lines.append(f"{key} = [" + ", ".join(_toml_string(v) for v in value) + "]")
        elif isinstance(value, str) and value.strip():
            lines.append(f"{key} = {_toml_string(value.strip())}")
        else:
            lines.append(f"# {key} = {example}   # {what}")
    return CONFIG_HEAD + "\n".join(lines) + "\n" + CONFIG_TAIL


def init(
    root: Path,
    sender_name: str = "",
    *,
    email: str = "",
    phone: str = "",
    address: tuple[str, ...] | list[str] = (),
    provider: str | None = None,
) -> list[Path]:
    """Make a workspace at `root`; return what was created. Never overwrites.

    Only the details given are written as settings; the rest stay comments, so no example
    value can reach a letter. An email or phone is checked as a sheet's are, and
    the workspace is private: the folder 0700, its files 0600 (README.md, "Privacy").
    """
    root = root.expanduser()
    if (root / CONFIG).exists():
        raise WorkspaceError(f"{root} is already a campaign workspace ({CONFIG} exists).")
    _check_details(email, phone)
    make_private_folder(root)
    made = []
    config = root / CONFIG
    given = {"name": sender_name, "email": email, "phone": phone, "address": list(address)}
    text = config_text(given)
    if provider:  # the mail servers of a known provider (its name checked by the caller)
        from campaign.workspace.providers import sections

        text += sections(provider, email)
    write_private(config, text.encode("utf-8"))
    made.append(config)
    templates = root / "templates"
    make_private_folder(templates)
    for source in sorted(shipped("templates").glob("*.md")):
        target = templates / source.name
        if not target.exists():
            write_private(target, source.read_bytes())
            made.append(target)
    make_private_folder(root / "outbox")
    made.append(root / "outbox")
    return made


def _check_details(email: str, phone: str) -> None:
    """The email and phone as the import checks them: every problem in one message."""
    from campaign.util.text import quote, strip_controls

    def written(text: str) -> str:  # as config_text writes it: one line, no control characters
        return " ".join(strip_controls(text)[0].split())

    problems = []
    if written(email) and (why := email_problem(written(email))):
        problems.append(f"the email {quote(email)} is not an email address ({why})")
    if written(phone) and (why := phone_problem(written(phone))):
        problems.append(f"the phone {quote(phone)} is not a phone number ({why})")
    if problems:
        raise WorkspaceError("; ".join(problems) + ". Nothing was made.")


def private_paths(root: Path) -> list[Path]:
    """What campaign writes in the workspace at `root`, which only its user may read."""
    from campaign.workspace.settings import LEDGER

    paths = [root, root / CONFIG, root / ".campaign.lock"]
    paths += [root / f"{LEDGER}{suffix}" for suffix in ("", "-wal", "-shm", "-journal")]
    for folder in (root / "templates", root / "outbox"):
        paths.append(folder)
        if folder.is_dir():
            paths += sorted(folder.iterdir())
    return paths


def make_private(root: Path) -> Notice | None:
    """Tighten a workspace made before it was private (or opened up since): the folder 0700,
    what campaign wrote in it 0600. A notice saying so, or None when it already was."""
    changed = [path for path in private_paths(root) if tighten(path)]
    if not changed:
        return None
    return Notice(
        f"made the workspace {root} private (only you can read it now: it holds other "
        "people's names and letters); "
        f"{plural(len(changed), 'file or folder', 'files and folders')} had been readable by others"
    )


def adopt_example_letters(root: Path) -> list[str]:
    """Take the shipped example letters as they are (the demo, tests and benches do).

    Deletes each template's `example:` line, as a user does once the letter is theirs;
    returns the names of the letters changed.
    """
    changed = []
    for path in sorted((root / "templates").glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if not line.lower().startswith("example:")]
        if kept != lines:
            path.write_text("".join(kept), encoding="utf-8")
            changed.append(path.stem)
    return changed
