"""Spreadsheets (xlsx, xlsm, xls, ods, csv) → checked prospect rows, with the user's row numbers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SheetError
from .text import quote, strip_controls

EXCEL = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
TEXT = {".csv", ".tsv", ".txt"}

FIELDS = [
    "company",
    "first_name",
    "last_name",
    "title",
    "email",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
    "assistant",
    "best_time",
    "priority",
    "notes",
]

# Header aliases, compared after folding case, spaces and punctuation ("E-mail Address" →
# "emailaddress"). "name" is a whole person's name, split into first and last.
ALIASES: dict[str, tuple[str, ...]] = {
    "company": (
        "company",
        "companyname",
        "employer",
        "employername",
        "organisation",
        "organization",
        "organisationname",
        "organizationname",
        "org",
        "firm",
        "business",
        "businessname",
        "account",
        "accountname",
    ),
    "name": (
        "name",
        "contact",
        "contactname",
        "fullname",
        "hiringmanager",
        "hiringauthority",
        "hiringmanagername",
        "person",
        "contactperson",
        "decisionmaker",
        "hiringcontact",
        "contactfullname",
        "recipient",
        "recipientname",
    ),
    "first_name": ("firstname", "first", "givenname", "forename", "fname", "contactfirstname"),
    "last_name": ("lastname", "last", "surname", "familyname", "lname", "contactlastname"),
    "title": (
        "title",
        "jobtitle",
        "position",
        "positiontitle",
        "role",
        "jobrole",
        "contacttitle",
        "contactjobtitle",
        "designation",
    ),
    "email": ("email", "emailaddress", "mail", "contactemail", "emailid", "workemail"),
    "address": (
        "address",
        "street",
        "streetaddress",
        "address1",
        "addressline1",
        "addr",
        "addr1",
        "addressline",
        "streetaddress1",
        "mailingaddress",
        "postaladdress",
        "street1",
    ),
    "address2": ("address2", "addressline2", "addr2", "streetaddress2", "street2", "suite", "unit"),
    "city": ("city", "town", "towncity", "locality"),
    "state": ("state", "province", "region", "stateprovince", "county", "st"),
    "postal_code": (
        "zip",
        "zipcode",
        "postcode",
        "postalcode",
        "postal",
        "zippostalcode",
        "pin",
        "pincode",
        "zip4",
        "zipplus4",
        "postalzip",
        "postalzipcode",
    ),
    "country": ("country", "nation"),
    "phone": (
        "phone",
        "phonenumber",
        "telephone",
        "tel",
        "phoneno",
        "telephonenumber",
        "officephone",
        "workphone",
        "directline",
        "mobile",
        "mobilephone",
        "mobilenumber",
        "cell",
        "cellphone",
        "cellnumber",
        "businessphone",
        "contactphone",
        "phone1",
    ),
    "assistant": ("assistant", "secretary", "assistantname", "secretaryname", "gatekeeper"),
    "best_time": ("besttime", "besttimetocall", "calltime", "whentocall", "besttimetoreach"),
    "priority": ("priority", "rank", "rating", "prio", "tier"),
    "notes": ("notes", "note", "comments", "comment", "remarks"),
}
LOOKUP = {alias: target for target, aliases in ALIASES.items() for alias in aliases}
MAPPABLE = sorted({*FIELDS, "name", "address2", "ignore"})
ONE_LINE = set(FIELDS) - {"address", "notes"}
HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam"}
PRIORITY_WORDS = {"high": 1, "top": 1, "medium": 2, "med": 2, "normal": 2, "low": 3}


def fold(header: str) -> str:
    """A header with case, spaces and punctuation folded away: "E-mail Address" → "emailaddress"."""
    return re.sub(r"[^0-9a-z]", "", header.casefold().replace("#", ""))


def slug(header: str) -> str:
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


def _decode(data: bytes, encoding: str | None, path: Path) -> tuple[str, str | None]:
    """CSV bytes as text; a note when the encoding was guessed."""
    if encoding:
        try:
            return data.decode(encoding), None
        except LookupError:
            raise SheetError(f"{path}: unknown encoding {encoding!r}.") from None
        except UnicodeDecodeError as err:
            raise SheetError(
                f"{path}: not valid {encoding} at byte {err.start}; try another --encoding."
            ) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV" on Windows saves in the ANSI code page, almost always Windows-1252.
        return data.decode("cp1252"), (
            f"{path.name} is not UTF-8; read it as Windows-1252 (cp1252). "
            "If names look wrong, pass --encoding (e.g. --encoding latin-1)."
        )
    except UnicodeDecodeError:
        raise SheetError(
            f"{path}: not UTF-8 or Windows-1252 text; save it as CSV UTF-8, "
            "or pass --encoding NAME."
        ) from None


def _read_csv(path: Path, encoding: str | None) -> tuple[list[list[str]], list[str]]:
    text, note = _decode(path.read_bytes(), encoding, path)
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise SheetError(f"{path}: the file is empty.")
    # The stdlib reader takes ragged rows (a title typed above the header, a stray trailing
    # comma) that pandas' C parser refuses, and every cell comes back as text.
    sample = text[:16384]
    counts = {d: sample.count(d) for d in ",;\t|"}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as err:
        raise SheetError(f"{path}: not a readable CSV file ({err}).") from None
    return rows, [note] if note else []


def _read_other(path: Path, sheet: str | None) -> list[list[object]]:
    """.xls and .xlsb, through pandas and calamine: values only."""
    import pandas as pd

    from .workbook import _unreadable, pick_sheet

    try:
        with pd.ExcelFile(path, engine="calamine") as book:
            name = pick_sheet(path, [str(n) for n in book.sheet_names], sheet)
            frame = book.parse(
                sheet_name=name,
                header=None,
                dtype=object,
                keep_default_na=False,  # a company called "NA" is a company
            )
    except SheetError:
        raise
    except Exception as err:  # calamine raises many kinds for damaged or encrypted files
        raise _unreadable(path, err) from None
    return frame.to_numpy().tolist()


def read_cells(
    path: Path, sheet: str | None = None, encoding: str | None = None
) -> tuple[list[list[str]], list[str]]:
    """Every cell of the sheet as text, row by row (row 1 first), and any reading notes."""
    if not path.exists():
        raise SheetError(f"{path}: no such file.")
    if path.is_dir():
        raise SheetError(f"{path}: is a folder, not a spreadsheet.")
    suffix = path.suffix.lower()
    from .workbook import cell_text, read_ods, read_xlsx

    if suffix in TEXT:
        if sheet:
            raise SheetError(f"{path}: --sheet is for workbooks; a CSV file has one sheet.")
        raw, notes = _read_csv(path, encoding)
    elif suffix in (".xlsx", ".xlsm"):
        raw, notes = read_xlsx(path, sheet), []
    elif suffix == ".ods":
        raw, notes = read_ods(path, sheet), []
    elif suffix in EXCEL:
        raw, notes = _read_other(path, sheet), []
    else:
        raise SheetError(
            f"{path}: unknown file type {suffix or '(none)'}; use .xlsx, .xlsm, .xls, .ods or .csv."
        )
    return [[cell_text(value) for value in row] for row in raw], notes


def parse_map(pairs: Iterable[str]) -> dict[str, str]:
    """--map "Column Header=field" options → {folded header: field}."""
    mapping = {}
    for pair in pairs:
        header, sep, target = pair.rpartition("=")
        target = target.strip().lower()
        if not sep or not header.strip():
            raise SheetError(f'--map {pair!r}: write it as "Column Header=field".')
        if target not in MAPPABLE:
            raise SheetError(
                f"--map {pair!r}: {target!r} is not a field; use one of " + ", ".join(MAPPABLE)
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
    raise SheetError(
        "no header row found: expected column headers such as Company, Contact (or First Name "
        "and Last Name), Email, Address, City, ZIP. Add a header row, or name columns with "
        '--map "Your Header=company".'
    )


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
        raise SheetError(f"{where}{err}") from None
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
            name = slug(header)
            while name in FIELDS or name in extras.values() or name in ("name", "address2"):
                name += "_2"
            extras[index] = name
            if target:
                warnings.append(
                    f"column {quote(header)} repeats {quote(labels[target])}; kept as {name}"
                )
    found = set(columns.values())
    if "company" not in found:
        raise SheetError(
            f"{where}no Company column found; name it Company (or Employer, Organisation), or pass "
            '--map "Your Header=company". Headers seen: ' + ", ".join(h for h in headers if h)
        )
    if not found & {"name", "first_name", "last_name"}:
        raise SheetError(
            f"{where}no column for the hiring authority's name (Contact, Name, First Name/"
            'Last Name); --map "Your Header=name" names one.'
        )

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
