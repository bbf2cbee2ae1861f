"""vCard files (.vcf: Apple Contacts, Outlook, CardDAV address books) as rows of a sheet.

Read with vobject, which unfolds lines and undoes the escapes of vCard 3.0 (RFC 2426) and 4.0
(RFC 6350). Each card becomes one row under the column names a hand-made sheet would use, so
the rest of the import treats a vCard like any list. Which of several numbers, emails and
addresses a letter uses: the work one, whatever `pref` says (a `pref` mobile is still a mobile);
a mobile or untyped number when there is no work number; a home number never.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from campaign.errors import SheetError
from campaign.sheets.limits import Budget, check_text_size

HEADER = [
    "Prefix",
    "First Name",
    "Last Name",
    "Suffix",
    "Company",
    "Department",
    "Job Title",
    "Email",
    "Phone",
    "Street",
    "City",
    "State",
    "Postal Code",
    "Country",
    "Notes",
]
_TYPES_PHONE = {"work": 0, "main": 1, "voice": 1, "": 1, "cell": 2, "mobile": 2, "iphone": 2}
_NEVER_PHONE = {"home", "fax", "pager", "textphone"}


def _types(prop: Any) -> set[str]:
    """A property's TYPE values, lower case, vCard 4.0's "work,voice" lists split."""
    found = set()
    for value in prop.params.get("TYPE", []):
        found |= {part.strip().strip('"').lower() for part in str(value).split(",")}
    if prop.params.get("PREF"):
        found.add("pref")
    return found


def _phone(card: Any) -> str:
    best: tuple[int, int, str] | None = None
    for order, prop in enumerate(card.contents.get("tel", [])):
        kinds = _types(prop) - {"pref", "voice"}
        if kinds & _NEVER_PHONE and "work" not in kinds:
            continue
        rank = min((_TYPES_PHONE.get(k, 1) for k in kinds), default=1)
        value = str(prop.value).strip().removeprefix("tel:")
        if value and (best is None or (rank, order) < best[:2]):
            best = (rank, order, value)
    return best[2] if best else ""


def _ranked(props: list[Any]) -> list[Any]:
    """Work first, then preferred, then the rest, each in file order; home last."""

    def key(item: tuple[int, Any]) -> tuple[bool, bool, bool, int]:
        order, prop = item
        kinds = _types(prop)
        return "work" not in kinds, "home" in kinds, "pref" not in kinds, order

    return [prop for _, prop in sorted(enumerate(props), key=key)]


def _card_row(card: Any) -> list[str]:
    values = dict.fromkeys(HEADER, "")
    name = card.contents.get("n")
    if name:
        parts = name[0].value
        values["Prefix"] = str(parts.prefix or "").strip()
        values["First Name"] = str(parts.given or "").strip()
        values["Last Name"] = str(parts.family or "").strip()
        values["Suffix"] = str(parts.suffix or "").strip()
    elif card.contents.get("fn"):
        values["First Name"] = str(card.fn.value).strip()  # a whole name: split later
    org = card.contents.get("org")
    if org:
        components = org[0].value if isinstance(org[0].value, list) else [org[0].value]
        values["Company"] = str(components[0]).strip() if components else ""
        values["Department"] = str(components[1]).strip() if len(components) > 1 else ""
    if card.contents.get("title"):
        values["Job Title"] = str(card.title.value).strip()
    emails = _ranked(card.contents.get("email", []))
    if emails:
        values["Email"] = str(emails[0].value).strip()
    values["Phone"] = _phone(card)
    addresses = _ranked(card.contents.get("adr", []))
    if addresses:
        adr = addresses[0].value
        street = [str(x) for x in (adr.street, adr.extended) if x]
        values["Street"] = "\n".join(
            line.strip() for part in street for line in part.splitlines() if line.strip()
        )
        values["City"] = str(adr.city or "").strip()
        values["State"] = str(adr.region or "").strip()
        values["Postal Code"] = str(adr.code or "").strip()
        values["Country"] = str(adr.country or "").strip()
    if card.contents.get("note"):
        values["Notes"] = str(card.note.value).strip()
    return [values[h] for h in HEADER]


def read_vcard(path: Path, encoding: str | None = None) -> Iterator[tuple[int, list[str], bool]]:
    """A header row (numbered 0), then one row per card, numbered from 1."""
    import vobject  # type: ignore[import-untyped]

    from campaign.sheets.cells import decode

    check_text_size(path)
    text, _ = decode(path.read_bytes(), encoding, path)
    budget = Budget(path)
    yield 0, list(HEADER), False
    try:
        for number, card in enumerate(vobject.readComponents(text, ignoreUnreadable=True), 1):
            if card.name.upper() != "VCARD":
                continue
            budget.row(number)
            yield number, _card_row(card), False
    except SheetError:
        raise
    except Exception as err:  # vobject raises ParseError, ValueError and friends
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise SheetError(f"{path}: not a readable vCard file ({reason[:120]}).") from None
