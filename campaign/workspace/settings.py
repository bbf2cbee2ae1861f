"""Find the workspace, read campaign.toml into Settings, and know what day it is."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campaign.errors import WorkspaceError
from campaign.workspace.checks import Reader

CONFIG = "campaign.toml"
LEDGER = "campaign.db"

# The commented examples in [sender]: a setting still holding one is refused before anything is
# sent or printed, also in workspaces made before `init` stopped writing them live.
SENDER_EXAMPLES = {
    "name": ('"Your Name"', "your name as you sign it"),
    "address": ('["12 Elm Street", "Springfield, IL 62704"]', "your postal address, a line each"),
    "phone": ('"217-555-0100"', "the number employers call"),
    "email": ('"jane.doe@example.com"', "your email address: the From: of every email"),
}
SAMPLE_VALUES = {
    "name": {"Your Name"},
    "address": {"12 Elm Street"},
    "phone": {"217-555-0100"},
    "email": {"jane.doe@example.com"},
    "reply_to": {"jane.doe@example.com"},
}

DEFAULT_CADENCE: dict[str, Any] = {
    "receipt_check_days": 3,
    "followup_letter_days": [14, 28],
    "thank_you_days": 0,
    "first_call_after_meeting_days": 21,
    "call_every_days": [28, 35],
    "article_after_calls": 2,
    "networking_call_days": 42,
    "insider_checkin_days": [4, 6],
    "unanswered_calls_limit": 3,
    "retry_call_days": 2,
    "thank_you_late_days": 7,
}


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str
    username: str


@dataclass(frozen=True)
class Imap:
    """[imap]: the mailbox read for replies and bounces, and where sent copies are saved."""

    host: str
    port: int
    security: str
    username: str  # empty: neither [imap] nor [smtp] names one; connecting says so
    inbox: str = "INBOX"
    sent: str = ""  # empty: the folder flagged \\Sent (RFC 6154), else "Sent"
    save_sent: bool = True


@dataclass(frozen=True)
class Settings:
    """campaign.toml, checked and with defaults filled in."""

    root: Path
    sender_name: str = ""
    sender_address: tuple[str, ...] = ()
    sender_phone: str = ""
    sender_email: str = ""
    reply_to: str = ""
    signature: Path | None = None
    resume: Path | None = None
    smtp: Smtp | None = None
    imap: Imap | None = None
    batch_size: int = 20
    letter: str = "intro"
    per_minute: int = 0
    per_day: int = 0
    paper: str = "letter"
    retry_seconds: float = 2.0
    cadence: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_CADENCE))

    @property
    def ledger_path(self) -> Path:
        return self.root / LEDGER

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    def check_sender(self, needs: Iterable[str] = (), why: str = "") -> None:
        """Refuse while a [sender] detail is still an example, or one in `needs` is empty.

        `why` says what needs them, with "{it}" where "it" or "them" goes.
        """
        from campaign.util.text import quote

        problems = []  # every problem in one message: one edit, not one run per setting
        for key, attr in SENDER_ATTRS.items():
            value = getattr(self, attr)
            sample = next(
                (v for v in _as_tuple(value) if v.strip() in SAMPLE_VALUES.get(key, ())), None
            )
            if sample is not None:
                problems.append(
                    f"[sender] {key} is still the example {quote(sample)}; set your own {key} there"
                )
        missing = [
            key
            for key in dict.fromkeys(needs)
            if not any(v.strip() for v in _as_tuple(getattr(self, SENDER_ATTRS[key])))
        ]
        if len(missing) == 1:
            key = missing[0]
            example = SENDER_EXAMPLES.get(key, ('"..."', ""))[0]
            problems.append(
                f"[sender] {key} is not set, and {why.format(it='it')}; add it under "
                f"[sender], e.g. {key} = {example}"
            )
        elif missing:
            names = ", ".join(missing[:-1]) + f" and {missing[-1]}"
            examples = "; ".join(f"{k} = {SENDER_EXAMPLES[k][0]}" for k in missing)
            problems.append(
                f"[sender] {names} are not set, and {why.format(it='them')}; add them "
                f"under [sender] (like {examples})"
            )
        if problems:
            raise WorkspaceError(
                f"{CONFIG}: " + "; ".join(problems) + ". Nothing was sent or printed."
            )

    def sender_fields(self) -> dict[str, Any]:
        """The sender's details as template fields."""
        return {
            "sender_name": self.sender_name,
            "sender_address": "\n".join(self.sender_address),
            "sender_phone": self.sender_phone,
            "sender_email": self.sender_email,
        }


SENDER_ATTRS = {
    "name": "sender_name",
    "address": "sender_address",
    "phone": "sender_phone",
    "email": "sender_email",
    "reply_to": "reply_to",
}


def _as_tuple(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def find_root(explicit: str | os.PathLike | None, start: Path | None = None) -> Path:
    """The workspace: the one named (--workspace / CAMPAIGN_WORKSPACE), else upward from here."""
    if explicit:
        root = Path(explicit).expanduser()
        if not (root / CONFIG).is_file():
            raise WorkspaceError(
                f"{root} is not a campaign workspace (no {CONFIG})",
                hint="make-workspace",
                root=root,
            )
        return root.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG).is_file():
            return folder
    raise WorkspaceError("not inside a campaign workspace", hint="no-workspace")


def _optional_path(root: Path, value: str) -> Path | None:
    return (root / Path(value).expanduser()) if value else None


# Every section and key campaign.toml may hold. A name not here is a mistake to report, never
# to ignore: a mistyped [Sender] once printed letters with no letterhead.
KNOWN: dict[str, set[str]] = {
    "sender": {"name", "address", "phone", "email", "reply_to", "signature", "resume"},
    "smtp": {"host", "port", "security", "username"},
    "imap": {"host", "port", "security", "username", "inbox", "sent", "save_sent"},
    "sending": {"batch_size", "letter", "per_minute", "per_day", "paper", "retry_seconds"},
    "cadence": set(DEFAULT_CADENCE),
}
MAX_CONFIG = 1024 * 1024  # campaign.toml is a page of settings; a megabyte is not one


def _did_you_mean(name: str, known: set[str]) -> str:
    import difflib

    same_case = [k for k in known if k.casefold() == name.casefold()]
    close = same_case or difflib.get_close_matches(name.casefold(), sorted(known), n=1)
    return f"; did you mean {close[0]}?" if close else f"; known: {', '.join(sorted(known))}."


def check_names(data: dict, reader: Reader | None = None) -> None:
    """Refuse an unknown section or key, naming the closest known one."""
    from campaign.util.text import shorten

    mine = reader or Reader()
    for section, table in data.items():
        if section not in KNOWN:
            hint = _did_you_mean(section, set(KNOWN))
            hint = hint.replace("did you mean ", "did you mean [").replace("?", "]?")
            mine.problem(f"unknown section [{shorten(section, 40)}]{hint}")
            continue
        if not isinstance(table, dict):
            mine.problem(f"{section} must be a [{section}] section")
            continue
        for key in table:
            if key not in KNOWN[section]:
                hint = _did_you_mean(key, KNOWN[section])
                mine.problem(f"unknown setting {shorten(key, 40)} in [{section}]{hint}")
    if reader is None:
        mine.check()


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG + 1)
    except OSError as err:
        raise WorkspaceError(f"{path}: cannot be read ({err.strerror}).") from err
    if len(raw) > MAX_CONFIG:
        raise WorkspaceError(f"{path}: larger than 1 MB; this is not a campaign.toml.")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise WorkspaceError(f"{path}: not UTF-8 text; save it as UTF-8.") from None
    except tomllib.TOMLDecodeError as err:
        raise WorkspaceError(f"{path}: {err}; fix the file and run again.") from err
    except RecursionError:
        raise WorkspaceError(f"{path}: arrays nested too deeply; fix the file.") from None


def _tables(data: dict) -> dict[str, dict]:
    """Each known section as a table ({} when absent or not a table)."""
    return {name: data[name] if isinstance(data.get(name), dict) else {} for name in KNOWN}


def load(root: Path) -> Settings:
    """Read and check campaign.toml in the workspace `root`: every problem in one message."""
    return parse(root, _read(root / CONFIG))


def parse(root: Path, data: dict) -> Settings:
    """The settings campaign.toml's parsed `data` give the workspace `root`, checked."""
    reader = Reader()
    check_names(data, reader)
    tables = _tables(data)
    sender, sending = tables["sender"], tables["sending"]
    address = reader.value(sender, "address", (list, str), [], "sender")
    if isinstance(address, str):
        address = address.splitlines()
    smtp = _smtp(tables["smtp"], reader) if "smtp" in data else None
    imap = _imap(tables["imap"], smtp, reader) if "imap" in data else None
    settings = Settings(
        root=root,
        sender_name=reader.value(sender, "name", str, "", "sender"),
        sender_address=tuple(str(line) for line in address),
        sender_phone=reader.phone(sender, "phone", "sender"),
        sender_email=reader.email(sender, "email", "sender"),
        reply_to=reader.email(sender, "reply_to", "sender"),
        signature=_optional_path(root, reader.value(sender, "signature", str, "", "sender")),
        resume=_optional_path(root, reader.value(sender, "resume", str, "", "sender")),
        smtp=smtp,
        imap=imap,
        batch_size=reader.whole(sending, "batch_size", 20, "sending", 1, 10_000),
        letter=reader.template(sending, "letter", "intro", "sending"),
        per_minute=reader.whole(sending, "per_minute", 0, "sending", 0, 10_000),
        per_day=reader.whole(sending, "per_day", 0, "sending", 0, 100_000),
        paper=reader.choice(sending, "paper", "letter", "sending", ("letter", "a4")),
        # The first pause before a retry, doubled each time: past five minutes the run
        # looks hung.
        retry_seconds=reader.seconds(sending, "retry_seconds", 2.0, "sending", 300),
        cadence=reader.cadence(
            {k: v for k, v in tables["cadence"].items() if k in DEFAULT_CADENCE},
            DEFAULT_CADENCE,
        ),
    )
    reader.check()
    return settings


def _smtp(table: dict, reader: Reader) -> Smtp | None:
    host = reader.value(table, "host", str, "", "smtp")
    if not host:
        reader.problem('[smtp] needs a host, e.g. host = "smtp.example.com"')
    security = reader.choice(table, "security", "starttls", "smtp", ("ssl", "starttls", "none"))
    default_port = {"ssl": 465, "starttls": 587, "none": 25}[security]
    return Smtp(
        host=host,
        port=reader.whole(table, "port", default_port, "smtp", 1, 65535),
        security=security,
        username=reader.value(table, "username", str, "", "smtp"),
    )


def _imap(table: dict, smtp: Smtp | None, reader: Reader) -> Imap:
    """[imap], checked; the username defaults to the SMTP one."""
    host = reader.value(table, "host", str, "", "imap")
    if not host:
        reader.problem('[imap] needs a host, e.g. host = "imap.example.com"')
    security = reader.choice(table, "security", "ssl", "imap", ("ssl", "starttls", "none"))
    return Imap(
        host=host,
        port=reader.whole(table, "port", 993 if security == "ssl" else 143, "imap", 1, 65535),
        security=security,
        username=reader.value(table, "username", str, smtp.username if smtp else "", "imap"),
        inbox=reader.value(table, "inbox", str, "INBOX", "imap") or "INBOX",
        sent=reader.value(table, "sent", str, "", "imap"),
        save_sent=reader.value(table, "save_sent", bool, True, "imap"),
    )


def parse_date(text: str, what: str = "date") -> dt.date:
    """A YYYY-MM-DD date, or a clear error."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise WorkspaceError(f"{what} {text!r} is not a date; use YYYY-MM-DD.") from None


def today(override: str | None = None) -> dt.date:
    """The date every command takes as today: --today, else CAMPAIGN_TODAY, else the clock."""
    value = override or os.environ.get("CAMPAIGN_TODAY")
    return parse_date(value, "--today") if value else dt.date.today()
