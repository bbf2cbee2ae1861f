"""Which column feeds which prospect field: known contact exports by their headers, else aliases.

An address book export is not a hand-made list: Outlook's `Title` is the name prefix (Dr.,
Ms.) and `Job Title` the job; its addresses and phones come in Business, Home and Other groups;
Google numbers its emails, phones and addresses and labels each one (`* Work`, `Mobile`).
So a file whose headers match a known export is read with that program's layout: each field
from the first of its candidate columns that holds a value, the address from one whole group
(the business one first), a business number before a mobile one and a home number never.
Layouts were copied from the programs' own exports (tests/data/contacts/README.md says
where each was checked). A `--map` the user gives wins over any layout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from campaign.sheets.headers import ALIASES, LOOKUP

# Where a candidate value ranks: work first; a mobile only without one; home last (never for
# a phone: a letter that prints someone's home number is not a business letter).
_WORK = re.compile(r"work|business|office|main|company|pref")
_MOBILE = re.compile(r"mobile|cell|iphone")
ADDRESS_PARTS = ("address", "address2", "address3", "city", "state", "postal_code", "country")


def fold(header: str) -> str:
    """A header with case, spaces and punctuation folded away: "E-mail Address" → "emailaddress"."""
    return re.sub(r"[^0-9a-z]", "", header.casefold().replace("#", ""))


@dataclass
class Candidate:
    """One place a field (or a group of fields) may come from, with its label."""

    columns: dict[str, int]  # field -> column index
    label: str = ""  # a fixed label ("work", "home", "mobile")...
    label_column: int | None = None  # ...or the column that holds it (Google's "Phone 1 - Label")


@dataclass
class Layout:
    """How one sheet's columns become prospect fields."""

    name: str  # the export recognised ("Outlook contacts export"), "" for a hand-made sheet
    choices: dict[str, list[Candidate]]  # a field (or "postal" for the address) -> candidates
    extras: dict[int, str] = field(default_factory=dict)  # column -> extra field name
    stop_at_blank: bool = False  # a report whose footer follows the first empty row
    used: set[int] = field(default_factory=set)  # columns that fed a value at least once

    def compile(self) -> None:
        """Split the choices into one-column fields (read directly) and real choices."""
        self._direct = [
            (target, index)
            for name, candidates in self.choices.items()
            if len(candidates) == 1 and name != "postal"
            for target, index in candidates[0].columns.items()
        ]
        self._chosen = [
            (name, candidates)
            for name, candidates in self.choices.items()
            if len(candidates) > 1 or name == "postal"
        ]

    def values(self, row: Sequence[str]) -> tuple[dict[str, str], str]:
        """The fields of one row, and the label of the address group used ("" if none)."""
        out: dict[str, str] = {}
        group = ""
        width = len(row)
        # The common case, a column per field, without the machinery of choosing: this loop
        # runs for every row of a 100,000-row sheet. (Which columns fed a value matters only
        # for a known export's many columns.)
        if self.name:
            used = self.used
            for target, index in self._direct:
                if index < width and (text := row[index].strip()):
                    out[target] = _first_value(text)
                    used.add(index)
        else:
            for target, index in self._direct:
                if index < width and (text := row[index].strip()):
                    out[target] = text
        for name, candidates in self._chosen:
            chosen = _choose(name, candidates, row)
            if chosen is None:
                continue
            for target, index in chosen.columns.items():
                text = _first_value(_cell(row, index))
                if text:
                    self.used.add(index)
                    out[target] = text
            if name == "postal":
                group = _label(chosen, row)
        return out, group


def _cell(row: Sequence[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _first_value(text: str) -> str:
    # Google joins several values of one field with " ::: ": the first is the primary.
    return text.split(" ::: ", 1)[0].strip() if " ::: " in text else text


def _label(candidate: Candidate, row: Sequence[str]) -> str:
    if candidate.label_column is not None:
        return _cell(row, candidate.label_column).casefold()
    return candidate.label


def _rank(name: str, candidate: Candidate, row: Sequence[str]) -> int | None:
    label = _label(candidate, row)
    if _WORK.search(label):
        return 0
    if _MOBILE.search(label):
        return 2
    if "home" in label:
        return None if name == "phone" else 3
    return 1


def _choose(name: str, candidates: list[Candidate], row: Sequence[str]) -> Candidate | None:
    best: tuple[int, int, int] | None = None
    chosen = None
    for order, candidate in enumerate(candidates):
        if not any(_cell(row, i) for i in candidate.columns.values()):
            continue
        rank = _rank(name, candidate, row) if len(candidates) > 1 else 0
        if rank is None:
            continue
        primary = 0 if _label(candidate, row).startswith("*") else 1
        key = (rank, primary, order)
        if best is None or key < best:
            best, chosen = key, candidate
    return chosen


# --- the known exports ------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    name: str
    signature: frozenset[str]  # folded headers that must all be there
    fields: dict[str, tuple[str, ...]]  # field -> folded headers, in order of preference
    groups: tuple[tuple[str, dict[str, tuple[str, ...]]], ...] = ()  # (label, address parts)
    numbered: dict[str, str] = field(default_factory=dict)  # Google: "phone" -> "phone{n}"
    label_word: str = "label"  # Google's "Phone 1 - Label"; the older export says "Type"
    keep: tuple[str, ...] = ()  # other columns kept as extra fields for letters
    stop_at_blank: bool = False


def _outlook_group(prefix: str) -> dict[str, tuple[str, ...]]:
    return {
        "address": (f"{prefix}street",),
        "address2": (f"{prefix}street2",),
        "address3": (f"{prefix}street3",),
        "city": (f"{prefix}city",),
        "state": (f"{prefix}state",),
        "postal_code": (f"{prefix}postalcode",),
        "country": (f"{prefix}countryregion",),
    }


EXPORTS = (
    Export(
        "Outlook contacts export",
        frozenset({"title", "firstname", "lastname", "company", "jobtitle", "businessstreet"}),
        {
            "prefix": ("title",),
            "first_name": ("firstname",),
            "last_name": ("lastname",),
            "company": ("company",),
            "title": ("jobtitle",),
            "email": ("emailaddress", "email2address", "email3address"),
            "phone": (
                "businessphone",
                "businessphone2",
                "companymainphone",
                "primaryphone",
                "otherphone",
                "mobilephone",
                "carphone",
            ),
            "assistant": ("assistantsname",),
            "notes": ("notes",),
        },
        (
            ("work", _outlook_group("business")),
            ("home", _outlook_group("home")),
            ("other", _outlook_group("other")),
        ),
        keep=("department", "webpage", "officelocation", "profession", "categories"),
    ),
    Export(
        "Google Contacts export",
        # Its name columns are always there; the numbered ones only as the contacts need.
        frozenset({"firstname", "lastname", "nameprefix", "phoneticfirstname"}),
        {
            "prefix": ("nameprefix",),
            "first_name": ("firstname",),
            "last_name": ("lastname",),
            "company": ("organizationname",),
            "title": ("organizationtitle",),
            "notes": ("notes",),
        },
        numbered={"email": "email{n}", "phone": "phone{n}", "postal": "address{n}"},
        keep=("organizationdepartment", "website1value"),
    ),
    Export(
        "Google Contacts export (older format)",
        frozenset({"givenname", "additionalname", "familyname", "yominame"}),
        {
            "prefix": ("nameprefix",),
            "first_name": ("givenname",),
            "last_name": ("familyname",),
            "name": ("name",),
            "company": ("organization1name",),
            "title": ("organization1title",),
            "notes": ("notes",),
        },
        numbered={"email": "email{n}", "phone": "phone{n}", "postal": "address{n}"},
        label_word="type",
        keep=("organization1department", "website1value"),
    ),
    Export(
        "LinkedIn connections export",
        frozenset({"firstname", "lastname", "url", "emailaddress", "company", "position"}),
        {
            "first_name": ("firstname",),
            "last_name": ("lastname",),
            "email": ("emailaddress",),
            "company": ("company",),
            "title": ("position",),
        },
        keep=("url", "connectedon"),
    ),
    Export(
        "Salesforce contacts report",
        frozenset({"firstname", "lastname", "accountname"}),
        {
            "prefix": ("salutation",),
            "first_name": ("firstname",),
            "last_name": ("lastname",),
            "company": ("accountname",),
            "title": ("title",),
            "email": ("email",),
            "phone": ("phone", "mobile"),
            "assistant": ("assistant",),
        },
        (
            (
                "work",
                {
                    "address": ("mailingstreet", "mailingaddressline1"),
                    "city": ("mailingcity",),
                    "state": ("mailingstateprovince", "mailingstate"),
                    "postal_code": ("mailingzippostalcode", "mailingpostalcode"),
                    "country": ("mailingcountry",),
                },
            ),
        ),
        keep=("department",),
        stop_at_blank=True,
    ),
    Export(
        "HubSpot contacts export",
        frozenset({"recordid", "firstname", "lastname", "companyname", "email"}),
        {
            "first_name": ("firstname",),
            "last_name": ("lastname",),
            "company": ("companyname",),
            "title": ("jobtitle",),
            "email": ("email",),
            "phone": ("phonenumber", "mobilephonenumber"),
        },
        (
            (
                "work",
                {
                    "address": ("streetaddress",),
                    "address2": ("streetaddress2",),
                    "city": ("city",),
                    "state": ("stateregion",),
                    "postal_code": ("postalcode",),
                    "country": ("countryregion",),
                },
            ),
        ),
        keep=("industry", "leadstatus"),
    ),
)
VCARD = "vCard address book"

_NUMBERED_PARTS = {
    "email": {"email": "value"},
    "phone": {"phone": "value"},
    "postal": {
        "address": "street",
        "address2": "extendedaddress",
        "city": "city",
        "state": "region",
        "postal_code": "postalcode",
        "country": "country",
    },
}


def _numbered(export: Export, where: dict[str, int], kind: str) -> list[Candidate]:
    """Google's "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - ..." as candidates."""
    candidates = []
    stem = export.numbered[kind]
    for n in range(1, 100):
        base = stem.format(n=n)
        columns = {
            target: where[base + part]
            for target, part in _NUMBERED_PARTS[kind].items()
            if base + part in where
        }
        if not columns:
            break
        candidates.append(Candidate(columns, label_column=where.get(base + export.label_word)))
    return candidates


def recognise(headers: list[str]) -> Export | None:
    """The known export these headers are, if any."""
    folded = {fold(h) for h in headers if h}
    for export in EXPORTS:
        if export.signature <= folded:
            return export
    return None


def known_layout(export: Export, headers: list[str], overrides: dict[str, str]) -> Layout:
    """The layout of a recognised export; columns named by `--map` go where the user said."""
    where: dict[str, int] = {}
    for index, header in enumerate(headers):
        where.setdefault(fold(header), index)
    choices: dict[str, list[Candidate]] = {}
    for target, options in export.fields.items():
        found = [Candidate({target: where[o]}, label=o) for o in options if o in where]
        if found:
            choices[target] = found
    for kind in export.numbered:
        found = _numbered(export, where, kind)
        if found:
            choices[kind] = found
    postal = []
    for label, parts in export.groups:
        columns = {
            target: next(where[o] for o in options if o in where)
            for target, options in parts.items()
            if any(o in where for o in options)
        }
        if columns:
            postal.append(Candidate(columns, label=label))
    if postal:
        choices["postal"] = postal
    layout = Layout(export.name, choices, stop_at_blank=export.stop_at_blank)
    for name in export.keep:
        if name in where:
            layout.extras[where[name]] = name
    _override(layout, headers, overrides)
    return layout


def generic_layout(headers: list[str], overrides: dict[str, str]) -> tuple[Layout, list[str]]:
    """A hand-made sheet's layout from the header aliases; warnings for repeated columns."""
    from campaign.util.text import quote

    choices: dict[str, list[Candidate]] = {}
    labels: dict[str, str] = {}
    extras: dict[int, str] = {}
    warnings: list[str] = []
    phones: list[tuple[int, int]] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        target = overrides.get(fold(header)) or LOOKUP.get(fold(header))
        if target == "ignore":
            continue
        if target == "phone" and fold(header) not in overrides:
            # Several phone columns: the office number first, a mobile only without one.
            phones.append((ALIASES["phone"].index(fold(header)), index))
        elif target and target not in labels:
            choices[target] = [Candidate({target: index})]
            labels[target] = header
        else:
            name = field_name(header)
            taken = set(extras.values()) | set(ALIASES) | {"prefix", "address3"}
            while name in taken:
                name += "_2"
            extras[index] = name
            if target:
                warnings.append(
                    f"column {quote(header)} repeats {quote(labels[target])}; kept as {name}"
                )
    if phones and "phone" not in choices:
        choices["phone"] = [Candidate({"phone": i}) for _, i in sorted(phones)]
    layout = Layout("", choices)
    layout.extras = extras
    return layout, warnings


def _override(layout: Layout, headers: list[str], overrides: dict[str, str]) -> None:
    """`--map "Header=field"` always wins: that column alone feeds the field."""
    for index, header in enumerate(headers):
        target = overrides.get(fold(header))
        if not target:
            continue
        for candidates in layout.choices.values():
            for candidate in candidates:
                candidate.columns = {t: i for t, i in candidate.columns.items() if i != index}
        layout.extras.pop(index, None)
        if target == "ignore":
            continue
        if target in ADDRESS_PARTS and "postal" in layout.choices:
            for candidate in layout.choices["postal"]:
                candidate.columns[target] = index
        else:
            layout.choices[target] = [Candidate({target: index})]
        for candidates in layout.choices.values():
            candidates[:] = [c for c in candidates if c.columns]


def field_name(header: str) -> str:
    """A template-friendly name for an extra column: "Referred by" → "referred_by"."""
    text = re.sub(r"[^0-9a-zA-Z]+", "_", header.strip()).strip("_").lower()
    return text if text and not text[0].isdigit() else f"col_{text}"


def header_fields(layout: Layout, headers: list[str]) -> dict[str, str]:
    """Header -> the field it fed, for the columns that fed a value (or were asked for)."""
    shown: dict[str, str] = {}
    for name, candidates in layout.choices.items():
        for candidate in candidates:
            for target, index in candidate.columns.items():
                if index < len(headers) and (index in layout.used or not layout.name):
                    shown.setdefault(headers[index], target if name != "postal" else target)
    return shown
