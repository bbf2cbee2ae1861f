"""Changing campaign.toml for the user (the web app's forms): comments, order and layout kept.

tomlkit keeps every comment, blank line and the order of keys, which the standard library's
tomllib (read-only) cannot, and a hand-written writer would get wrong for quoting. A detail
`init` left as a commented example (`# phone = "217-555-0100"   # the number employers call`)
is written in that line's place, so the file still reads top to bottom as `init` laid it out.

Every change is checked as campaign.toml is read (workspace/settings.py) before the file is
replaced, atomically and privately: a bad value never reaches the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaign.errors import WorkspaceError
from campaign.util.atomic import write_private
from campaign.util.contact import email_problem, phone_problem
from campaign.util.text import strip_controls
from campaign.workspace.settings import CONFIG, MAX_CONFIG, SAMPLE_VALUES, Settings, parse


class FieldProblems(WorkspaceError):
    """Problems with values typed into a form, by field name: each shown beside its field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()) + ".")
        self.fields = problems


@dataclass(frozen=True)
class Details:
    """The [sender] details a person types: who the letters are from."""

    name: str = ""
    email: str = ""
    phone: str = ""
    address: tuple[str, ...] = ()


@dataclass(frozen=True)
class Servers:
    """[smtp] and [imap] as a person chooses them; no host: the section is removed."""

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    username: str = ""
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "ssl"
    save_sent: bool = True


def one_line(text: str) -> str:
    """A typed value on one line, without control characters (as `init` writes them)."""
    return " ".join(strip_controls(text)[0].split())


def _document(root: Path) -> Any:
    import tomlkit

    path = root / CONFIG
    raw = path.read_bytes()
    if len(raw) > MAX_CONFIG:
        raise WorkspaceError(f"{path}: larger than 1 MB; this is not a campaign.toml.")
    try:
        return tomlkit.parse(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as err:
        raise WorkspaceError(f"{path}: cannot be read ({err}); fix the file first.") from None


def _save(root: Path, text: str) -> Settings:
    """Check `text` as campaign.toml is checked, then replace the file with it."""
    settings = parse(root, tomllib.loads(text))
    write_private(root / CONFIG, text.encode("utf-8"))
    return settings


def _uncomment(text: str, section: str, key: str, value_line: str) -> str | None:
    """`text` with the commented example of `key` in [section] replaced by `value_line`, or
    None when there is no such comment."""
    lines = text.splitlines(keepends=True)
    current = ""
    for n, line in enumerate(lines):
        header = re.match(r"\s*\[([A-Za-z_]+)\]\s*(#.*)?$", line)
        if header:
            current = header.group(1)
        elif current == section and re.match(rf"#\s*{key}\s*=", line):
            lines[n] = value_line + "\n"
            return "".join(lines)
    return None


def _set_keys(root: Path, section: str, values: dict[str, Any]) -> str:
    """campaign.toml's text with each key of `values` set in [section] (None: removed)."""
    import tomlkit

    text = (root / CONFIG).read_text(encoding="utf-8")
    for key, value in values.items():
        doc = tomlkit.parse(text)
        table = doc.get(section)
        if value is None:
            if table is not None and key in table:
                del table[key]
                text = tomlkit.dumps(doc)
            continue
        if table is not None and key in table:
            table[key] = value
            text = tomlkit.dumps(doc)
            continue
        line = tomlkit.dumps({key: value}).rstrip("\n")
        replaced = _uncomment(text, section, key, line)
        if replaced is not None:
            text = replaced
            continue
        if table is None:
            doc[section] = tomlkit.table()
            table = doc[section]
        table[key] = value
        text = tomlkit.dumps(doc)
    return text


def detail_problems(details: Details) -> dict[str, str]:
    """What is wrong with each detail, as campaign.toml's check says it, by field."""
    problems: dict[str, str] = {}
    if not details.name:
        problems["name"] = "your name is needed: every letter is signed with it"
    if not details.email:
        problems["email"] = "your email address is needed: it is the From: of every email"
    elif why := email_problem(details.email):
        problems["email"] = f"{details.email} is not an email address ({why})"
    if details.phone and (why := phone_problem(details.phone)):
        problems["phone"] = f"{details.phone} is not a phone number ({why})"
    for key, value in (("name", details.name), ("email", details.email),
                       ("phone", details.phone)):  # fmt: skip
        if value in SAMPLE_VALUES.get(key, ()):
            problems[key] = f"{value} is the example: type your own"
    if any(line in SAMPLE_VALUES["address"] for line in details.address):
        problems["address"] = "that is the example address: type your own"
    if len(details.address) == 1:
        problems["address"] = (
            "write the street on the first line and the city, state and ZIP code on the next"
        )
    return problems


def set_details(root: Path, details: Details) -> Settings:
    """Write the sender's details into [sender]; a blank phone or address is removed."""
    details = Details(
        one_line(details.name),
        one_line(details.email),
        one_line(details.phone),
        tuple(one_line(x) for x in details.address if one_line(x)),
    )
    if problems := detail_problems(details):
        raise FieldProblems(problems)
    values = {
        "name": details.name,
        "email": details.email,
        "phone": details.phone or None,
        "address": list(details.address) or None,
    }
    return _save(root, _set_keys(root, "sender", values))


def set_file(root: Path, key: str, name: str | None) -> Settings:
    """[sender] signature or resume: the file's name in the workspace (None: none)."""
    if key not in ("signature", "resume"):
        raise ValueError(key)
    return _save(root, _set_keys(root, "sender", {key: name}))


def set_letter(root: Path, name: str) -> Settings:
    """[sending] letter: the template the batch sends."""
    return _save(root, _set_keys(root, "sending", {"letter": name}))


def server_problems(servers: Servers) -> dict[str, str]:
    """What is wrong with each server setting typed, by field."""
    problems: dict[str, str] = {}
    host = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
    for key, value in (("smtp_host", servers.smtp_host), ("imap_host", servers.imap_host)):
        if value and not host.fullmatch(value):
            problems[key] = f"{value} is not a server name (such as smtp.example.com)"
    for key, port in (("smtp_port", servers.smtp_port), ("imap_port", servers.imap_port)):
        if not 1 <= port <= 65535:
            problems[key] = "a port is a number from 1 to 65535"
    if servers.smtp_security not in ("ssl", "starttls", "none"):
        problems["smtp_security"] = "pick SSL, STARTTLS or none"
    if servers.imap_security not in ("ssl", "starttls", "none"):
        problems["imap_security"] = "pick SSL, STARTTLS or none"
    if servers.smtp_host and not servers.username:
        problems["username"] = "the username is needed (usually your full email address)"
    return problems


def set_servers(root: Path, servers: Servers) -> Settings:
    """Write [smtp] and [imap] (a blank host removes its section), comments kept."""
    import tomlkit

    servers = Servers(
        one_line(servers.smtp_host).lower(), servers.smtp_port, servers.smtp_security,
        one_line(servers.username), one_line(servers.imap_host).lower(), servers.imap_port,
        servers.imap_security, servers.save_sent,
    )  # fmt: skip
    if problems := server_problems(servers):
        raise FieldProblems(problems)
    doc = tomlkit.parse((root / CONFIG).read_text(encoding="utf-8"))
    sections = {
        "smtp": {
            "host": servers.smtp_host,
            "port": servers.smtp_port,
            "security": servers.smtp_security,
            "username": servers.username,
        }
        if servers.smtp_host
        else None,
        "imap": {
            "host": servers.imap_host,
            "port": servers.imap_port,
            "security": servers.imap_security,
            "save_sent": servers.save_sent,
        }
        if servers.imap_host
        else None,
    }
    for name, values in sections.items():
        if values is None:
            doc.pop(name, None)
            continue
        table = doc.get(name)
        if table is None:
            table = tomlkit.table()
            doc[name] = table
        for key, value in values.items():
            table[key] = value
    return _save(root, tomlkit.dumps(doc))
