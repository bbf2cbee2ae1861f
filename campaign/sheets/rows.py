"""Sheet rows → checked prospect rows: headers mapped to fields, the user's row numbers kept.

Reading the files themselves is workbook.py's job; which column feeds which field is
layouts.py's. Rows stream through: the header is found in the first rows, then each row is
checked and handed on, so a 100,000-row list never sits in memory whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from campaign.errors import Notice, SheetError
from campaign.sheets.headers import FIELDS, LOOKUP
from campaign.sheets.layouts import (
    ADDRESS_PARTS,
    field_name,
    fold,
    generic_layout,
    header_fields,
    known_layout,
    recognise,
)
from campaign.sheets.xlsx import unescape
from campaign.util.text import CONTROL, agree, is_invisible, plural, quote, strip_controls

__all__ = ["Parsed", "Problem", "Row", "field_name", "fold", "parse", "parse_map", "split_name"]

MAPPABLE = sorted({*FIELDS, "name", "address2", "address3", "ignore"})
ONE_LINE = set(FIELDS) - {"address", "notes"}
HONORIFICS = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "madam", "rev",
    "doctor", "herr", "frau", "mme", "mlle",
}  # fmt: skip
PRIORITY_WORDS = {"high": 1, "top": 1, "medium": 2, "med": 2, "normal": 2, "low": 3}
# US states and territories whose ZIP codes start with 0 (USPS Publication 65): a sheet that
# read 07102 as a number wrote 7102.
ZERO_STATES = {"CT", "MA", "ME", "NH", "NJ", "PR", "RI", "VT", "VI", "AE", "APO", "FPO"}
US_NAMES = {"", "us", "usa", "u.s.", "u.s.a.", "united states", "united states of america"}
_WHOLE_FLOAT = re.compile(r"(\d+)\.0+")
_ANGLE = re.compile(r"^(.*?)<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$")
_SEPARATORS = re.compile(r"[;,]|\s+")
# An everyday address: ASCII, a dot-atom local part, a domain of letters, digits and hyphens.
# Decided here in a microsecond; anything else goes to email_validator's full check.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
# Domains email_validator refuses as special-use (RFC 6761; its SPECIAL_USE_DOMAIN_NAMES and
# a margin): left to its full check.
_SPECIAL = re.compile(r"(?:^|\.)(?:arpa|invalid|local|localhost|onion|test|internal|lan)$")


def parse_map(pairs: Iterable[str]) -> dict[str, str]:
    """ "Column Header=field" pairs (the meaning of a column) → {folded header: field}."""
    mapping = {}
    for pair in pairs:
        header, sep, target = pair.rpartition("=")
        target = target.strip().lower()
        if not sep or not header.strip():
            raise SheetError(f'{pair!r}: write a column\'s meaning as "Column Header=field".')
        if target not in MAPPABLE:
            raise SheetError(
                f"{pair!r}: {target!r} is not a field; use one of " + ", ".join(MAPPABLE)
            )
        mapping[fold(header)] = target
    return mapping


@dataclass
class Problem:
    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "sheet"
        col = f", {self.column}" if self.column else ""
        return f"{where}{col}: {self.message}"


@dataclass
class Row:
    """One spreadsheet row made into prospect fields."""

    number: int
    fields: dict[str, object]
    extras: dict[str, str] = field(default_factory=dict)


def _header_score(row: list[str], overrides: dict[str, str]) -> int:
    targets = {overrides.get(fold(c)) or LOOKUP.get(fold(c)) for c in row if c}
    targets.discard(None)
    if not targets & {"company", "name", "first_name", "last_name", "email"}:
        return 0
    return len(targets)


def is_header(row: list[str], overrides: dict[str, str]) -> bool:
    """Whether a row names two or more fields (or is a known export's header)."""
    return _header_score(row, overrides) >= 2 or recognise(row) is not None


def _split_prefix(text: str) -> tuple[str, str]:
    """ "Dr. Priya Raman" -> ("Dr.", "Priya Raman"); the prefix as written."""
    words = text.split()
    taken = 0
    while taken < len(words) - 1 and words[taken].rstrip(".").casefold() in HONORIFICS:
        taken += 1
    return " ".join(words[:taken]), " ".join(words[taken:])


def _is_degree(text: str) -> bool:
    """PhD, MBA, CPA: a credential after a name, not part of it (Jr. and III are)."""
    from nameparser.config import CONSTANTS

    words = [w.strip().replace(".", "").casefold() for w in text.split(",")]
    return all(w in CONSTANTS.suffix_acronyms for w in words if w) and any(words)


def _without_suffix(last: str) -> str:
    """ "Núñez, PhD" -> "Núñez"; "Lopez, Jr." stays: a generation is part of the name."""
    head, comma, tail = last.partition(",")
    if not comma or not head.strip():
        return last
    return head.strip() if _is_degree(tail) else last


def split_person(full: str) -> tuple[str, str, str]:
    """(prefix, first, last) of a whole name: "Dr. Maria Lopez", "Lopez, Maria", "Cher"."""
    full = " ".join(full.split())
    prefix, rest = _split_prefix(full)
    if "," in rest:
        # "Last, First" and "First Last, PhD": nameparser knows which comma is which.
        from nameparser import HumanName

        person = HumanName(rest)
        last = " ".join(x for x in (person.middle, person.last) if x)
        if person.suffix and not _is_degree(person.suffix):
            last = f"{last}, {person.suffix}"
        if person.first or last:
            return prefix or person.title, person.first, last
    words = rest.split(" ")
    if len(words) == 1:
        return prefix, words[0], ""
    return prefix, words[0], " ".join(words[1:])


def split_name(full: str) -> tuple[str, str]:
    """ "Maria Lopez" → ("Maria", "Lopez"); "Lopez, Maria" and "Dr. Maria Lopez" too."""
    _, first, last = split_person(full)
    return first, last


def _names(values: dict[str, str], full_name: str) -> None:
    """First, last and prefix: from a whole name, or apart from a prefix typed in front."""
    if full_name and not (values["first_name"] or values["last_name"]):
        prefix, values["first_name"], values["last_name"] = split_person(full_name)
        values["prefix"] = values["prefix"] or prefix
        return
    if values["first_name"] and values["first_name"].split(" ", 1)[0].rstrip(".").casefold() in (
        HONORIFICS
    ):
        prefix, first = _split_prefix(values["first_name"])
        if first:
            values["first_name"] = first
            values["prefix"] = values["prefix"] or prefix
    if "," in values["last_name"]:
        values["last_name"] = _without_suffix(values["last_name"])


def _fast_email(text: str) -> str | None:
    """The normalized address if the fast path can vouch for it, else None."""
    if len(text) > 254:
        return None
    match = _PLAIN_EMAIL.fullmatch(text)
    if match is None:
        return None
    local, _, domain = text.rpartition("@")
    domain = domain.lower()
    # "--" in a label is IDNA's business (RFC 5891 4.2.3.1: "xn--", and no "ab--" labels):
    # left to the full check, as are special-use domains.
    if len(local) > 64 or _SPECIAL.search(domain) or "--" in domain:
        return None
    return f"{local}@{domain}"


def check_email(text: str) -> str:
    """The address normalized (domain in lower case), or ValueError saying what is wrong."""
    fast = _fast_email(text)
    if fast is not None:
        return fast
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False, allow_smtputf8=True).normalized
    except EmailNotValidError as err:
        raise ValueError(str(err).rstrip(".")) from None


def _email_cell(text: str) -> tuple[str, str, str]:
    """(the address, any other address in the cell, a note saying what was taken)."""
    if text.isascii():  # no invisible character is ASCII (controls are gone by now)
        cleaned = text.strip()
    else:
        cleaned = "".join(c for c in text if not is_invisible(c)).strip()
    note = ""
    if cleaned != text.strip():
        note = "removed invisible characters from the email"
    angle = _ANGLE.match(cleaned) if "<" in cleaned else None
    if angle:
        note = f"took the address {quote(angle.group(2))} from {quote(cleaned)}"
        cleaned = angle.group(2)
    parts = [p for p in _SEPARATORS.split(cleaned) if p] if cleaned.count("@") > 1 else []
    if len(parts) > 1 and all("@" in p for p in parts):
        others = ", ".join(parts[1:])
        note = f"took the first of {len(parts)} addresses; kept {quote(others)} as email_2"
        return parts[0], others, note
    return cleaned, "", note


def _restore_zip(values: dict[str, str]) -> bool:
    """07102 from the 7102 a spreadsheet made of it, for a state whose ZIPs start with 0."""
    code = values["postal_code"]
    if not code.isdigit() or len(code) not in (3, 4):
        return False
    if values["state"].strip().upper().replace(".", "") not in ZERO_STATES:
        return False
    if values["country"].strip().casefold() not in US_NAMES:
        return False
    values["postal_code"] = code.zfill(5)
    return True


def _priority(text: str) -> int | None | str:
    if not text:
        return None
    word = PRIORITY_WORDS.get(text.strip().casefold())
    if word:
        return word
    try:
        number = float(text)
    except ValueError:
        return "priority must be a whole number (1 is best) or left blank"
    if not number.is_integer() or number < 0:
        return "priority must be a whole number (1 is best) or left blank"
    return int(number)


Numbered = tuple[int, list[str], bool]


class Parsed:
    """A sheet being read: its header and layout found, then its rows checked one by one.

    Iterate over it for the good rows; `errors` and `warnings` fill as it goes. `parse()`
    reads it whole (`rows`), for callers that want a list.
    """

    def __init__(
        self,
        rows: Iterable[Numbered],
        mapping: Iterable[str] = (),
        source: str = "",
        include_hidden: bool = False,
        escaped: bool = True,
    ) -> None:
        self.source = source
        # Whether cells may still hold Excel's _xHHHH_ escapes: a CSV saved from a sheet read
        # without decoding them; the .xlsx reader decodes them itself, exactly once.
        self.escaped = escaped
        self.include_hidden = include_hidden
        self.overrides = parse_map(mapping)
        self.errors: list[Problem] = []
        self.warnings: list[str | Notice] = []
        self.rows: list[Row] = []
        self.good = 0
        self.hidden: list[int] = []
        self.by_group: dict[str, int] = {}
        self._stream = iter(rows)
        self._head: list[Numbered] = []
        self._find_header()

    # --- the header -------------------------------------------------------------------------

    def _where(self) -> str:
        return f"{self.source}: " if self.source else ""

    def _find_header(self) -> None:
        seen_any = False
        for item in self._stream:
            self._head.append(item)
            number, cells, _ = item
            seen_any = seen_any or any(c.strip() for c in cells)
            cells = [strip_controls(c)[0].strip() for c in cells]
            if is_header(cells, self.overrides):
                self.header_row = number
                self.headers = cells
                self._head = []
                self._set_layout()
                return
            if len(self._head) >= 50:
                break
        if not seen_any and not any(any(c.strip() for c in r) for _, r, _ in self._stream):
            raise SheetError(f"{self._where()}the sheet is empty.")
        raise SheetError(
            f"{self._where()}no header row found: expected column headers such as Company, "
            "Contact (or First Name and Last Name), Email, Address, City, ZIP. Add a header row",
            hint="map-column",
            field="company",
        )

    def _set_layout(self) -> None:
        export = recognise(self.headers)
        if export is not None:
            self.layout = known_layout(export, self.headers, self.overrides)
        else:
            self.layout, warnings = generic_layout(self.headers, self.overrides)
            self.warnings += warnings
        found = set(self.layout.choices) | (
            set(ADDRESS_PARTS) if "postal" in self.layout.choices else set()
        )
        if "company" not in found:
            seen = "headers seen: " + ", ".join(h for h in self.headers if h)
            raise SheetError(
                f"{self._where()}no Company column found ({seen}); name it Company (or "
                "Employer, Organisation)",
                hint="map-column",
                field="company",
            )
        if not found & {"name", "first_name", "last_name"}:
            raise SheetError(
                f"{self._where()}no column for the hiring authority's name (Contact, Name, "
                "First Name/Last Name)",
                hint="map-column",
                field="name",
            )
        self.extras = {self.headers[i]: name for i, name in self.layout.extras.items()}
        self.layout.compile()

    def fields_fed(self) -> frozenset[str]:
        """The prospect fields some column of this sheet feeds (the others are left alone)."""
        fed = {"company", "first_name", "last_name", "email", "priority"}
        for name, candidates in self.layout.choices.items():
            for candidate in candidates:
                fed |= set(candidate.columns)
            if name == "name":
                fed.add("prefix")
        fed |= {"address"} if fed & {"address2", "address3"} else set()
        return frozenset(fed & set(FIELDS))

    @property
    def export(self) -> str:
        """The known export recognised ("Outlook contacts export"), or ""."""
        return self.layout.name

    @property
    def columns(self) -> dict[str, str]:
        """Header as written → the field or extra field it became."""
        return {**header_fields(self.layout, self.headers), **self.extras}

    def mapping(self) -> dict:
        """Which header became which field, and which were kept as extra fields."""
        fields = header_fields(self.layout, self.headers)
        return {"fields": fields, "extras": dict(self.extras), "export": self.export}

    def mapping_lines(self) -> list[str]:
        """The mapping in words, for the person importing."""
        named = {
            "name": "name (split into first and last)",
            "address2": "address (line 2)",
            "address3": "address (line 3)",
        }
        lines = []
        if self.export:
            count = self.good + len({p.row for p in self.errors})
            business = self.by_group.get("work", 0)
            with_address = f", {business} with a business address" if business else ""
            lines.append(f"{self.export}: {count} contacts{with_address}")
        fields = ", ".join(
            f"{quote(h, 30)} → {named.get(f, f)}" for h, f in self.mapping()["fields"].items()
        )
        where = "card" if self.header_row == 0 else f"header row {self.header_row}"
        lines.append(f"Columns ({where}): {fields}")
        if self.extras:
            kept = ", ".join(f"{quote(h, 30)} → {{{{ {n} }}}}" for h, n in self.extras.items())
            lines.append(f"Kept as extra fields for your letters: {kept}")
        return lines

    # --- the rows ----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Row]:
        blank_seen = False
        for number, cells, hidden in self._all():
            if not "".join(cells).strip():
                blank_seen = True
                continue
            if blank_seen and self.layout.stop_at_blank:
                break  # a report's footer: the report name, copyright, who ran it
            if hidden and not self.include_hidden:
                self.hidden.append(number)
                continue
            row = self._row(number, cells)
            if row is not None:
                self.good += 1
                yield row
        if self.hidden:
            self.warnings.append(_hidden_notice(self.hidden))

    def _all(self) -> Iterator[Numbered]:
        yield from self._head
        yield from self._stream

    def _clean(self, number: int, cells: list[str]) -> tuple[list[str], bool]:
        """Excel escapes decoded, then control characters removed (with a warning); and
        whether any cell has a line break or tab. One scan of the whole row answers each
        question for most rows, instead of one per cell."""
        joined = "".join(cells)
        if self.escaped and "_x" in joined:
            cells = [unescape(c) for c in cells]
            joined = "".join(cells)
        spaced = "\n" in joined or "\r" in joined or "\t" in joined
        if not CONTROL.search(joined):
            return cells, spaced
        out = []
        for index, text in enumerate(cells):
            cleaned, removed = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
            if removed:
                # NUL, ESC and the like cannot be printed, saved to .xlsx or sent.
                header = self.headers[index] if index < len(self.headers) else ""
                self.warnings.append(
                    f"row {number}, {header or index + 1}: removed control characters from "
                    f"{quote(cleaned)}"
                )
            out.append(cleaned)
        return out, spaced

    def _row(self, number: int, cells: list[str]) -> Row | None:
        cells, spaced = self._clean(number, cells)
        found, group = self.layout.values(cells)
        values = dict.fromkeys(FIELDS, "")
        values.update(found)
        full_name = values.pop("name", "")
        more = (values.pop("address2", ""), values.pop("address3", ""))
        if spaced:  # a line break or tab somewhere in the row: fold them where one line goes
            for target in ONE_LINE:
                text = values[target]
                if "\n" in text or "\r" in text or "\t" in text:
                    values[target] = " ".join(text.split())
            full_name = " ".join(full_name.split())
            values["notes"] = values["notes"].replace("\r\n", "\n").replace("\r", "\n")
        if spaced or more[0] or more[1]:
            values["address"] = "\n".join(
                line.strip()
                for part in (values["address"], *more)
                for line in part.splitlines()
                if line.strip()
            )
        if group:
            self.by_group[group] = self.by_group.get(group, 0) + 1
        width = len(cells)
        extras = {
            name: cells[index].strip() if index < width else ""
            for index, name in self.layout.extras.items()
        }
        return self._checked(number, values, full_name, extras)

    def _checked(
        self, number: int, values: dict[str, str], full_name: str, extras: dict[str, str]
    ) -> Row | None:
        _names(values, full_name)
        for key in ("phone", "postal_code"):
            if values[key].endswith(".0"):  # 9735550100.0: a number written as a float
                whole = _WHOLE_FLOAT.fullmatch(values[key])
                values[key] = whole.group(1) if whole else values[key]
        if _restore_zip(values):
            self.warnings.append(
                f"row {number}, {self._label('postal_code')}: read ZIP code "
                f"{values['postal_code'].lstrip('0')} for {values['state']} as "
                f"{values['postal_code']} (the spreadsheet had dropped its leading zero)"
            )
        problems: list[Problem] = []
        if not values["company"]:
            problems.append(Problem(number, self._label("company"), "the company is empty"))
        if not (values["first_name"] or values["last_name"]):
            problems.append(Problem(number, self._label("name"), "no hiring authority's name"))
        if values["email"]:
            self._email(number, values, extras, problems)
        elif not (values["address"] and values["city"] and values["postal_code"]):
            missing = [self._label(f) for f in ("address", "city", "postal_code") if not values[f]]
            problems.append(
                Problem(
                    number,
                    self._label("email"),
                    "no email and no full postal address "
                    f"(missing {', '.join(missing)}); add either one",
                )
            )
        priority = _priority(values["priority"])
        if isinstance(priority, str):
            problems.append(
                Problem(number, self._label("priority"), f"{quote(values['priority'])}: {priority}")
            )
            priority = None
        if problems:
            self.errors.extend(problems)
            return None
        fields: dict[str, object] = values  # type: ignore[assignment]  # now with an int
        fields["priority"] = priority
        return Row(number, fields, extras)

    def _email(
        self, number: int, values: dict[str, str], extras: dict[str, str], problems: list
    ) -> None:
        address, others, note = _email_cell(values["email"])
        try:
            values["email"] = check_email(address)
        except ValueError as err:
            problems.append(
                Problem(
                    number,
                    self._label("email"),
                    f"{quote(values['email'])} is not an email address ({err})",
                )
            )
            return
        if note:
            self.warnings.append(f"row {number}, {self._label('email')}: {note}")
        if others:
            extras["email_2"] = others

    def _label(self, target: str) -> str:
        """The header that feeds `target`, for messages."""
        for name, candidates in self.layout.choices.items():
            for candidate in candidates:
                index = candidate.columns.get(target)
                if index is not None and (name == target or target in ADDRESS_PARTS):
                    return self.headers[index]
        if target == "name":
            for fallback in ("last_name", "first_name"):
                if fallback in self.layout.choices:
                    return self._label(fallback)
        return target


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _hidden_notice(rows: list[int]) -> Notice:
    shown = ", ".join(str(n) for n in rows[:20]) + (" and more" if len(rows) > 20 else "")
    return Notice(
        f"skipped {plural(len(rows), 'hidden row')} (hidden by hand or by a filter): "
        f"{agree(len(rows), 'row', 'rows')} {shown}",
        hint="include-hidden",
    )


def parse(
    cells: Iterable[list[str]],
    mapping: Iterable[str] = (),
    source: str = "",
    include_hidden: bool = False,
) -> Parsed:
    """Turn sheet cells (row 1 first) into prospect rows; every problem is collected."""
    numbered = ((n, list(row), False) for n, row in enumerate(cells, 1))
    parsed = Parsed(numbered, mapping, source, include_hidden)
    parsed.rows = merge_duplicates(list(parsed), parsed.warnings)
    return parsed


def person_key(fields) -> str:
    """Company and person, case-folded: how a prospect without an email is matched.

    One string rather than a tuple of three: a 100,000-row import keeps one per row.
    """
    return "\x00".join(str(fields[f]).casefold() for f in ("company", "first_name", "last_name"))


def merge_duplicates(rows: list[Row], warnings: list) -> list[Row]:
    """Rows of one sheet for the same person merged into the first (blanks filled)."""
    by_email: dict[str, Row] = {}
    by_person: dict[str, Row] = {}
    kept: list[Row] = []
    for row in rows:
        email = str(row.fields["email"]).casefold()
        first = by_email.get(email) if email else None
        reason = "same email"
        if first is None:
            first = by_person.get(person_key(row.fields))
            reason = "same company and person"
        if first is None:
            kept.append(row)
            if email:
                by_email[email] = row
            by_person.setdefault(person_key(row.fields), row)
            continue
        warnings.append(f"row {row.number} repeats row {first.number} ({reason}); merged")
        merge_into(first.fields, first.extras, row)
        if email and not first.fields["email"]:
            by_email[email] = first
    return kept


def merge_into(fields: dict, extras: dict, row: Row) -> None:
    """Fill the blanks of `fields` and `extras` from a later row for the same person."""
    for key, value in row.fields.items():
        if value not in ("", None) and fields.get(key) in ("", None):
            fields[key] = value
    for key, value in row.extras.items():
        if value and not extras.get(key):
            extras[key] = value
