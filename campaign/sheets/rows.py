"""Sheet cells → checked prospect rows: headers mapped to fields, the user's row numbers kept.

Reading the files themselves (xlsx, xlsm, xls, ods, csv) is workbook.py's job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from campaign.errors import SheetError
from campaign.sheets.headers import FIELDS, LOOKUP
from campaign.util.text import quote, strip_controls

MAPPABLE = sorted({*FIELDS, "name", "address2", "ignore"})
ONE_LINE = set(FIELDS) - {"address", "notes"}
HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam"}
PRIORITY_WORDS = {"high": 1, "top": 1, "medium": 2, "med": 2, "normal": 2, "low": 3}


def fold(header: str) -> str:
    """A header with case, spaces and punctuation folded away: "E-mail Address" → "emailaddress"."""
    return re.sub(r"[^0-9a-z]", "", header.casefold().replace("#", ""))


def field_name(header: str) -> str:
    """A template-friendly name for an extra column: "Referred by" → "referred_by"."""
    text = re.sub(r"[^0-9a-zA-Z]+", "_", header.strip()).strip("_").lower()
    return text if text and not text[0].isdigit() else f"col_{text}"


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


@dataclass
class Parsed:
    rows: list[Row]
    errors: list[Problem]
    warnings: list[str]
    columns: dict[str, str]  # header as written → field or extra name
    header_row: int
    extras: dict[str, str] = field(default_factory=dict)  # header → extra field name

    def mapping(self) -> dict[str, dict[str, str]]:
        """Which header became which field, and which were kept as extra fields."""
        fields = {h: f for h, f in self.columns.items() if h not in self.extras}
        return {"fields": fields, "extras": dict(self.extras)}

    def mapping_lines(self) -> list[str]:
        """The mapping in words, for the person importing."""
        named = {"name": "name (split into first and last)", "address2": "address (line 2)"}
        fields = ", ".join(
            f"{quote(h, 30)} → {named.get(f, f)}" for h, f in self.mapping()["fields"].items()
        )
        lines = [f"Columns (header row {self.header_row}): {fields}"]
        if self.extras:
            kept = ", ".join(f"{quote(h, 30)} → {{{{ {n} }}}}" for h, n in self.extras.items())
            lines.append(f"Kept as extra fields for your letters: {kept}")
        return lines


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


def _header_score(row: list[str], overrides: dict[str, str]) -> int:
    targets = {overrides.get(fold(c)) or LOOKUP.get(fold(c)) for c in row if c}
    targets.discard(None)
    if not targets & {"company", "name", "first_name", "last_name", "email"}:
        return 0
    return len(targets)


def find_header(cells: list[list[str]], overrides: dict[str, str]) -> int:
    """Index of the header row: the first of the top rows that names two or more fields."""
    for index, row in enumerate(cells[:50]):
        if _header_score(row, overrides) >= 2:
            return index
    expected = (
        "no header row found: expected column headers such as Company, Contact (or First Name "
        "and Last Name), Email, Address, City, ZIP. Add a header row"
    )
    raise SheetError(expected, hint="map-column", field="company")


def split_name(full: str) -> tuple[str, str]:
    """ "Maria Lopez" → ("Maria", "Lopez"); "Lopez, Maria" and "Dr. Maria Lopez" too."""
    full = " ".join(full.split())
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    words = full.split(" ")
    while len(words) > 1 and words[0].rstrip(".").casefold() in HONORIFICS:
        words = words[1:]
    if len(words) == 1:
        return words[0], ""
    return words[0], " ".join(words[1:])


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


def parse(cells: list[list[str]], mapping: Iterable[str] = (), source: str = "") -> Parsed:
    """Turn sheet cells into prospect rows; every problem is collected, none raised."""
    from email_validator import EmailNotValidError, validate_email

    overrides = parse_map(mapping)
    if not any(any(c for c in row) for row in cells):
        raise SheetError(f"{source}: the sheet is empty." if source else "the sheet is empty.")
    where = f"{source}: " if source else ""
    try:
        header_index = find_header(cells, overrides)
    except SheetError as err:
        raise SheetError(f"{where}{err.message}", hint=err.hint, **err.values) from None
    headers = [strip_controls(h)[0].strip() for h in cells[header_index]]
    columns: dict[int, str] = {}
    labels: dict[str, str] = {}
    extras: dict[int, str] = {}
    warnings: list[str] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        target = overrides.get(fold(header)) or LOOKUP.get(fold(header))
        if target == "ignore":
            continue
        if target and target not in columns.values():
            columns[index] = target
            labels[target] = header
        else:
            name = field_name(header)
            while name in FIELDS or name in extras.values() or name in ("name", "address2"):
                name += "_2"
            extras[index] = name
            if target:
                warnings.append(
                    f"column {quote(header)} repeats {quote(labels[target])}; kept as {name}"
                )
    found = set(columns.values())
    if "company" not in found:
        seen = "headers seen: " + ", ".join(h for h in headers if h)
        raise SheetError(
            f"{where}no Company column found ({seen}); name it Company (or Employer, Organisation)",
            hint="map-column",
            field="company",
        )
    if not found & {"name", "first_name", "last_name"}:
        missing = (
            f"{where}no column for the hiring authority's name (Contact, Name, First Name/"
            "Last Name)"
        )
        raise SheetError(missing, hint="map-column", field="name")

    def label(target: str) -> str:
        return labels.get(target, target)

    rows: list[Row] = []
    errors: list[Problem] = []
    width = len(headers)
    for offset, raw in enumerate(cells[header_index + 1 :], start=header_index + 2):
        raw = raw + [""] * (width - len(raw))
        if not any(raw):
            continue
        for index, text in enumerate(raw):
            cleaned, removed = strip_controls(text)
            if removed:
                # NUL, ESC and the like cannot be printed, saved to .xlsx or sent (issue 9).
                raw[index] = cleaned
                column = headers[index] if index < len(headers) and headers[index] else index + 1
                warnings.append(
                    f"row {offset}, {column}: removed control characters from {quote(cleaned)}"
                )
        values: dict[str, str] = {f: "" for f in FIELDS}
        full_name = address2 = ""
        for index, target in columns.items():
            text = raw[index].replace("\r\n", "\n").replace("\r", "\n").strip()
            if target == "name":
                full_name = text
            elif target == "address2":
                address2 = text
            else:
                values[target] = text
        for target in ONE_LINE:
            if "\n" in values[target] or "\t" in values[target]:
                values[target] = " ".join(values[target].split())
        if full_name and not (values["first_name"] or values["last_name"]):
            values["first_name"], values["last_name"] = split_name(full_name)
        if address2:
            values["address"] = "\n".join(x for x in (values["address"], address2) if x)
        problems: list[Problem] = []
        if not values["company"]:
            problems.append(Problem(offset, label("company"), "the company is empty"))
        if not (values["first_name"] or values["last_name"]):
            column = label("name") if "name" in found else label("last_name")
            problems.append(Problem(offset, column, "no hiring authority's name"))
        if values["email"]:
            try:
                checked = validate_email(
                    values["email"], check_deliverability=False, allow_smtputf8=True
                )
                values["email"] = checked.normalized
            except EmailNotValidError as err:
                problems.append(
                    Problem(
                        offset,
                        label("email"),
                        f"{quote(values['email'])} is not an email address "
                        f"({str(err).rstrip('.')})",
                    )
                )
        elif not (values["address"] and values["city"] and values["postal_code"]):
            missing = [label(f) for f in ("address", "city", "postal_code") if not values[f]]
            problems.append(
                Problem(
                    offset,
                    label("email"),
                    "no email and no full postal address "
                    f"(missing {', '.join(missing)}); add either one",
                )
            )
        priority = _priority(values["priority"])
        if isinstance(priority, str):
            problems.append(
                Problem(offset, label("priority"), f"{quote(values['priority'])}: {priority}")
            )
            priority = None
        if problems:
            errors.extend(problems)
            continue
        fields: dict[str, object] = dict(values)
        fields["priority"] = priority
        rows.append(
            # Blank extra cells too: a column of the sheet is a field of every row.
            Row(offset, fields, {name: raw[index] for index, name in extras.items()})
        )
    return Parsed(
        rows=_merge_duplicates(rows, warnings),
        errors=errors,
        warnings=warnings,
        columns={**{labels[t]: t for t in labels}, **{headers[i]: n for i, n in extras.items()}},
        header_row=header_index + 1,
        extras={headers[i]: n for i, n in extras.items()},
    )


def person_key(fields: dict) -> tuple[str, str, str]:
    """Company and person, case-folded: how a prospect without an email is matched."""
    return tuple(str(fields[f]).casefold() for f in ("company", "first_name", "last_name"))


def _merge_duplicates(rows: list[Row], warnings: list[str]) -> list[Row]:
    by_email: dict[str, Row] = {}
    by_person: dict[tuple, Row] = {}
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
        for key, value in row.fields.items():
            if value not in ("", None) and first.fields.get(key) in ("", None):
                first.fields[key] = value
        for key, value in row.extras.items():
            if value and not first.extras.get(key):
                first.extras[key] = value
        if email and not first.fields["email"]:
            by_email[email] = first
    return kept
