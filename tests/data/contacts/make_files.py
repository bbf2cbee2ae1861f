"""Writes the contact export files in this folder, byte for byte as the programs named in
README.md write them. Run it from the repository root (`python tests/data/contacts/make_files.py`)
only to change a file on purpose: the files are committed, and expected.json describes them.

Every person, company, address and number here is made up (example and .example domains,
Ofcom's drama range for UK numbers, 555 numbers in North America).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

HERE = Path(__file__).parent

# --- CSV writing, quoting as each program does -------------------------------------------------


def quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def minimal(value: str) -> str:
    """Quoted only when it must be (a comma, a quote or a line break), as most exporters do."""
    if any(c in value for c in ',"\r\n'):
        return quote(value)
    return value


def write(name: str, text: str, encoding: str, bom: bytes = b"") -> None:
    (HERE / name).write_bytes(bom + text.encode(encoding))


# --- 1. Outlook for Windows: File > Open & Export > Import/Export > Export to a file >
# Comma Separated Values. 92 columns, every header quoted, ANSI code page (cp1252), CRLF.

OUTLOOK_CLASSIC = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business Street 2", "Business Street 3", "Business City",
    "Business State", "Business Postal Code", "Business Country/Region", "Home Street",
    "Home Street 2", "Home Street 3", "Home City", "Home State", "Home Postal Code",
    "Home Country/Region", "Other Street", "Other Street 2", "Other Street 3", "Other City",
    "Other State", "Other Postal Code", "Other Country/Region", "Assistant's Phone",
    "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
    "Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone",
    "Other Fax", "Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone",
    "Telex", "Account", "Anniversary", "Assistant's Name", "Billing Information", "Birthday",
    "Business Address PO Box", "Categories", "Children", "Directory Server", "E-mail Address",
    "E-mail Type", "E-mail Display Name", "E-mail 2 Address", "E-mail 2 Type",
    "E-mail 2 Display Name", "E-mail 3 Address", "E-mail 3 Type", "E-mail 3 Display Name",
    "Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials",
    "Internet Free Busy", "Keywords", "Language", "Location", "Manager's Name", "Mileage",
    "Notes", "Office Location", "Organizational ID Number", "Other Address PO Box", "Priority",
    "Private", "Profession", "Referred By", "Sensitivity", "Spouse", "User 1", "User 2",
    "User 3", "User 4", "Web Page",
]  # fmt: skip
# Outlook quotes these even when empty and leaves other empty cells bare; a row stops after
# Sensitivity when the columns after it are empty.
OUTLOOK_ALWAYS_QUOTED = {
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Account", "Initials", "Keywords", "Language", "Location",
}  # fmt: skip
OUTLOOK_DEFAULTS = {
    "Anniversary": "0/0/00",
    "Birthday": "0/0/00",
    "Gender": "Unspecified",
    "Priority": "Normal",
    "Private": "False",
    "Sensitivity": "Normal",
}


def outlook_row(values: dict[str, str]) -> str:
    unknown = set(values) - set(OUTLOOK_CLASSIC)
    assert not unknown, unknown
    full = {**OUTLOOK_DEFAULTS, **values}
    cells = []
    for header in OUTLOOK_CLASSIC:
        value = full.get(header, "")
        cells.append(quote(value) if value or header in OUTLOOK_ALWAYS_QUOTED else "")
    last = OUTLOOK_CLASSIC.index("Sensitivity")
    if not any(full.get(h) for h in OUTLOOK_CLASSIC[last + 1 :]):
        cells = cells[: last + 1]
    return ",".join(cells)


def outlook_email(name: str, address: str) -> dict[str, str]:
    return {"Type": "SMTP", "Address": address, "Display Name": f"{name} ({address})"}


def email_columns(number: str, name: str, address: str) -> dict[str, str]:
    prefix = "E-mail" if number == "1" else f"E-mail {number}"
    parts = outlook_email(name, address)
    return {f"{prefix} {key}": value for key, value in parts.items()}


def outlook_classic() -> None:
    rows = [
        {
            "Title": "Dr.",
            "First Name": "Zoë",
            "Last Name": "Ørsted",
            "Company": "Nordlys Analytics GmbH",
            "Department": "Data Platform",
            "Job Title": "Head of Data Engineering",
            "Business Street": "Friedrichstraße 123",
            "Business City": "Berlin",
            "Business Postal Code": "10117",
            "Business Country/Region": "Germany",
            "Business Phone": "+49 30 5550 1234",
            "Mobile Phone": "+49 170 5550987",
            **email_columns("1", "Zoë Ørsted", "zoe.orsted@nordlys-analytics.example"),
            "Initials": "Z.Ø.",
            "Categories": "Job search",
            "Notes": "Met at the Berlin Data Summit.\r\nPrefers email.",
        },
        {
            "Title": "Prof.",
            "First Name": "José",
            "Last Name": "Núñez",
            "Company": "Cordillera Robotics, Inc.",
            "Job Title": "Director of Research",
            "Business Street": "200 Bay Street\r\nSuite 1400",
            "Business City": "Toronto",
            "Business State": "ON",
            "Business Postal Code": "M5J 2J5",
            "Business Country/Region": "Canada",
            "Business Phone": "+1 (416) 555-0142",
            **email_columns("1", "José Núñez", "jose.nunez@cordillera.example"),
            "Initials": "J.N.",
            "Categories": "Job search",
        },
        {
            "Title": "Ms.",
            "First Name": "Siobhán",
            "Last Name": "O’Hara",
            "Company": "Harbourview Systems Ltd",
            "Job Title": "VP of Engineering",
            "Business Street": "10 Fenchurch Avenue",
            "Business Street 2": "Floor 3",
            "Business City": "London",
            "Business Postal Code": "EC3M 5BN",
            "Business Country/Region": "United Kingdom",
            "Business Phone": "+44 20 7946 0321",
            "Mobile Phone": "+44 7700 900123",
            # Only a second address: the first was deleted in Outlook.
            **email_columns("2", "Siobhán O’Hara", "s.ohara@harbourview.example"),
            "Initials": "S.O.",
            "Categories": "Job search",
        },
        {
            "First Name": "Maria",
            "Last Name": "Lopez",
            "Company": "Passaic Paper Mill Co.",
            "Job Title": "Controller",
            "Business Street": "1 Riverfront Plaza",
            "Business City": "Newark",
            "Business State": "NJ",
            "Business Postal Code": "07102",
            "Business Country/Region": "United States of America",
            "Business Phone": "(973) 555-0100",
            "Mobile Phone": "(973) 555-0199",
            **email_columns("1", "Maria Lopez", "maria.lopez@passaicpaper.example"),
            "Initials": "M.L.",
        },
        {
            "First Name": "Daniel",
            "Last Name": "Whitaker",
            "Company": "Whitaker Cabinetry",
            "Job Title": "Owner",
            "Home Street": "14 Elm Street",
            "Home City": "Cambridge",
            "Home State": "MA",
            "Home Postal Code": "02139",
            "Home Country/Region": "United States of America",
            "Mobile Phone": "(617) 555-1000",
            "Initials": "D.W.",
        },
    ]
    lines = [",".join(quote(h) for h in OUTLOOK_CLASSIC)] + [outlook_row(r) for r in rows]
    write("outlook_contacts_cp1252.csv", "\r\n".join(lines) + "\r\n", "cp1252")


# --- 2. Outlook.com / new Outlook: People > Manage contacts > Export contacts. 61 columns,
# nothing quoted unless it must be, UTF-8 with a byte order mark, CRLF.

OUTLOOK_COM = [
    "First Name", "Middle Name", "Last Name", "Title", "Suffix", "Nickname", "Given Yomi",
    "Surname Yomi", "E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Home Phone",
    "Home Phone 2", "Business Phone", "Business Phone 2", "Mobile Phone", "Car Phone",
    "Other Phone", "Primary Phone", "Pager", "Business Fax", "Home Fax", "Other Fax",
    "Company Main Phone", "Callback", "Radio Phone", "Telex", "TTY/TDD Phone", "IMAddress",
    "Job Title", "Department", "Company", "Office Location", "Manager's Name",
    "Assistant's Name", "Assistant's Phone", "Company Yomi", "Business Street", "Business City",
    "Business State", "Business Postal Code", "Business Country/Region", "Home Street",
    "Home City", "Home State", "Home Postal Code", "Home Country/Region", "Other Street",
    "Other City", "Other State", "Other Postal Code", "Other Country/Region",
    "Personal Web Page", "Spouse", "Schools", "Hobby", "Location", "Web Page", "Birthday",
    "Anniversary", "Notes",
]  # fmt: skip


def table(headers: list[str], rows: list[dict[str, str]], cell=minimal, eol="\r\n") -> str:
    for row in rows:
        unknown = set(row) - set(headers)
        assert not unknown, unknown
    lines = [",".join(cell(h) for h in headers)]
    lines += [",".join(cell(row.get(h, "")) for h in headers) for row in rows]
    return eol.join(lines) + eol


def outlook_com() -> None:
    rows = [
        {
            "First Name": "Zoë",
            "Last Name": "Ørsted",
            "Title": "Dr.",
            "E-mail Address": "zoe.orsted@nordlys-analytics.example",
            "Business Phone": "+49 30 5550 1234",
            "Mobile Phone": "+49 170 5550987",
            "Job Title": "Head of Data Engineering",
            "Department": "Data Platform",
            "Company": "Nordlys Analytics GmbH",
            "Business Street": "Friedrichstraße 123",
            "Business City": "Berlin",
            "Business Postal Code": "10117",
            "Business Country/Region": "Germany",
        },
        {
            "First Name": "José",
            "Last Name": "Núñez",
            "Title": "Prof.",
            "E-mail Address": "jose.nunez@cordillera.example",
            "Business Phone": "+1 (416) 555-0142",
            "Job Title": "Director of Research",
            "Company": "Cordillera Robotics, Inc.",
            "Business Street": "200 Bay Street\r\nSuite 1400",
            "Business City": "Toronto",
            "Business State": "ON",
            "Business Postal Code": "M5J 2J5",
            "Business Country/Region": "Canada",
        },
        {
            "First Name": "Siobhán",
            "Last Name": "O’Hara",
            "Title": "Ms.",
            "E-mail Address": "s.ohara@harbourview.example",
            "Home Phone": "+44 20 7946 0999",
            "Business Phone": "+44 20 7946 0321",
            "Mobile Phone": "+44 7700 900123",
            "Job Title": "VP of Engineering",
            "Company": "Harbourview Systems Ltd",
            "Business Street": "10 Fenchurch Avenue\r\nFloor 3",
            "Business City": "London",
            "Business Postal Code": "EC3M 5BN",
            "Business Country/Region": "United Kingdom",
        },
        {
            "First Name": "Priya",
            "Last Name": "Raman",
            "Title": "Dr.",
            "E-mail Address": "priya.raman@backbaybio.example",
            "Business Phone": "(617) 555-0123",
            "Job Title": "Chief Medical Officer",
            "Company": "Back Bay Biologics",
            "Business Street": "75 Arlington Street",
            "Business City": "Boston",
            "Business State": "MA",
            "Business Postal Code": "02116",
            "Business Country/Region": "United States",
        },
    ]
    write("outlook_com_contacts_utf8.csv", table(OUTLOOK_COM, rows), "utf-8", b"\xef\xbb\xbf")


# --- 3. Google Contacts (contacts.google.com > Export > Google CSV), today's columns. The
# E-mail/Phone/Address groups repeat as many times as the busiest contact needs. UTF-8 with a
# byte order mark, LF. "* " marks the primary value; " ::: " joins several values of one label.

GOOGLE = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
    "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Organization Department", "Birthday", "Notes",
    "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label",
    "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label",
    "Phone 2 - Value", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street",
    "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Address 1 - Extended Address", "Website 1 - Label",
    "Website 1 - Value",
]  # fmt: skip


def google() -> None:
    rows = [
        {
            "First Name": "Zoë",
            "Last Name": "Ørsted",
            "Name Prefix": "Dr.",
            "Organization Name": "Nordlys Analytics GmbH",
            "Organization Title": "Head of Data Engineering",
            "Organization Department": "Data Platform",
            "Labels": "* myContacts ::: Job search",
            "E-mail 1 - Label": "* Work",
            "E-mail 1 - Value": "zoe.orsted@nordlys-analytics.example",
            "Phone 1 - Label": "Mobile",
            "Phone 1 - Value": "+49 170 5550987",
            "Phone 2 - Label": "Work",
            "Phone 2 - Value": "+49 30 5550 1234",
            "Address 1 - Label": "Work",
            "Address 1 - Formatted": "Friedrichstraße 123\n10117 Berlin\nGermany",
            "Address 1 - Street": "Friedrichstraße 123",
            "Address 1 - City": "Berlin",
            "Address 1 - Postal Code": "10117",
            "Address 1 - Country": "Germany",
        },
        {
            "First Name": "José",
            "Last Name": "Núñez",
            "Name Prefix": "Prof.",
            "Organization Name": "Cordillera Robotics, Inc.",
            "Organization Title": "Director of Research",
            "Labels": "* myContacts ::: Job search",
            "E-mail 1 - Label": "* Work",
            "E-mail 1 - Value": "jose.nunez@cordillera.example",
            "E-mail 2 - Label": "Home",
            "E-mail 2 - Value": "jnunez.home@example.com",
            "Phone 1 - Label": "Work",
            "Phone 1 - Value": "+1 416-555-0142 ::: +1 416-555-0100",
            "Address 1 - Label": "Work",
            "Address 1 - Formatted": "200 Bay Street\nSuite 1400\nToronto ON M5J 2J5\nCanada",
            "Address 1 - Street": "200 Bay Street",
            "Address 1 - City": "Toronto",
            "Address 1 - Region": "ON",
            "Address 1 - Postal Code": "M5J 2J5",
            "Address 1 - Country": "Canada",
            "Address 1 - Extended Address": "Suite 1400",
            "Website 1 - Label": "Work",
            "Website 1 - Value": "https://cordillera.example",
        },
        {
            "First Name": "Siobhán",
            "Last Name": "O’Hara",
            "Name Prefix": "Ms.",
            "Organization Name": "Harbourview Systems Ltd",
            "Organization Title": "VP of Engineering",
            "Labels": "* myContacts",
            "E-mail 1 - Label": "* Work",
            "E-mail 1 - Value": "s.ohara@harbourview.example",
            "Phone 1 - Label": "Mobile",
            "Phone 1 - Value": "+44 7700 900123",
            "Address 1 - Label": "Work",
            "Address 1 - Formatted": (
                "10 Fenchurch Avenue\nFloor 3\nLondon EC3M 5BN\nUnited Kingdom"
            ),
            "Address 1 - Street": "10 Fenchurch Avenue\nFloor 3",
            "Address 1 - City": "London",
            "Address 1 - Postal Code": "EC3M 5BN",
            "Address 1 - Country": "United Kingdom",
        },
        {
            "First Name": "Maria",
            "Last Name": "Lopez",
            "Organization Name": "Passaic Paper Mill Co.",
            "Organization Title": "Controller",
            "Labels": "* myContacts ::: Job search",
            "E-mail 1 - Label": "* Work",
            "E-mail 1 - Value": "maria.lopez@passaicpaper.example",
            "Phone 1 - Label": "Work",
            "Phone 1 - Value": "(973) 555-0100",
            "Phone 2 - Label": "Mobile",
            "Phone 2 - Value": "(973) 555-0199",
            "Address 1 - Label": "Work",
            "Address 1 - Formatted": "1 Riverfront Plaza\nNewark, NJ 07102\nUS",
            "Address 1 - Street": "1 Riverfront Plaza",
            "Address 1 - City": "Newark",
            "Address 1 - Region": "NJ",
            "Address 1 - Postal Code": "07102",
            "Address 1 - Country": "US",
        },
        {
            "First Name": "Priya",
            "Last Name": "Raman",
            "Name Prefix": "Dr.",
            "Organization Name": "Back Bay Biologics",
            "Organization Title": "Chief Medical Officer",
            "Labels": "* myContacts",
            "E-mail 1 - Label": "* Work",
            "E-mail 1 - Value": "priya.raman@backbaybio.example",
            "Phone 1 - Label": "Work",
            "Phone 1 - Value": "(617) 555-0123",
            "Address 1 - Label": "Work",
            "Address 1 - Formatted": "75 Arlington Street\nBoston, MA 02116\nUS",
            "Address 1 - Street": "75 Arlington Street",
            "Address 1 - City": "Boston",
            "Address 1 - Region": "MA",
            "Address 1 - Postal Code": "02116",
            "Address 1 - Country": "US",
        },
    ]
    write("google_contacts.csv", table(GOOGLE, rows, eol="\n"), "utf-8", b"\xef\xbb\xbf")


# --- 4. Gmail's older "Google CSV" export (before the 2020s Contacts redesign): a Name column
# beside Given/Family Name, "- Type" instead of "- Label", Organization 1 - ... columns.
# UTF-16 little-endian with a byte order mark, LF.

GOOGLE_LEGACY = [
    "Name", "Given Name", "Additional Name", "Family Name", "Yomi Name", "Given Name Yomi",
    "Additional Name Yomi", "Family Name Yomi", "Name Prefix", "Name Suffix", "Initials",
    "Nickname", "Short Name", "Maiden Name", "Birthday", "Gender", "Location",
    "Billing Information", "Directory Server", "Mileage", "Occupation", "Hobby", "Sensitivity",
    "Priority", "Subject", "Notes", "Language", "Photo", "Group Membership", "E-mail 1 - Type",
    "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value", "Phone 2 - Type",
    "Phone 2 - Value", "Address 1 - Type", "Address 1 - Formatted", "Address 1 - Street",
    "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Address 1 - Extended Address", "Organization 1 - Type",
    "Organization 1 - Name", "Organization 1 - Yomi Name", "Organization 1 - Title",
    "Organization 1 - Department", "Organization 1 - Symbol", "Organization 1 - Location",
    "Organization 1 - Job Description", "Website 1 - Type", "Website 1 - Value",
]  # fmt: skip


def google_legacy() -> None:
    rows = [
        {
            "Name": "Dr. Zoë Ørsted",
            "Given Name": "Zoë",
            "Family Name": "Ørsted",
            "Name Prefix": "Dr.",
            "Group Membership": "* My Contacts ::: Job search",
            "E-mail 1 - Type": "* Work",
            "E-mail 1 - Value": "zoe.orsted@nordlys-analytics.example",
            "Phone 1 - Type": "Mobile",
            "Phone 1 - Value": "+49 170 5550987",
            "Phone 2 - Type": "Work",
            "Phone 2 - Value": "+49 30 5550 1234",
            "Address 1 - Type": "Work",
            "Address 1 - Formatted": "Friedrichstraße 123\n10117 Berlin\nGermany",
            "Address 1 - Street": "Friedrichstraße 123",
            "Address 1 - City": "Berlin",
            "Address 1 - Postal Code": "10117",
            "Address 1 - Country": "Germany",
            "Organization 1 - Name": "Nordlys Analytics GmbH",
            "Organization 1 - Title": "Head of Data Engineering",
            "Organization 1 - Department": "Data Platform",
        },
        {
            "Name": "Prof. José Núñez",
            "Given Name": "José",
            "Family Name": "Núñez",
            "Name Prefix": "Prof.",
            "Group Membership": "* My Contacts ::: Job search",
            "E-mail 1 - Type": "* Work",
            "E-mail 1 - Value": "jose.nunez@cordillera.example",
            "Phone 1 - Type": "Work",
            "Phone 1 - Value": "+1 416-555-0142",
            "Address 1 - Type": "Work",
            "Address 1 - Formatted": "200 Bay Street\nSuite 1400\nToronto ON M5J 2J5\nCanada",
            "Address 1 - Street": "200 Bay Street",
            "Address 1 - City": "Toronto",
            "Address 1 - Region": "ON",
            "Address 1 - Postal Code": "M5J 2J5",
            "Address 1 - Country": "Canada",
            "Address 1 - Extended Address": "Suite 1400",
            "Organization 1 - Name": "Cordillera Robotics, Inc.",
            "Organization 1 - Title": "Director of Research",
        },
        {
            "Name": "Ms. Siobhán O’Hara",
            "Given Name": "Siobhán",
            "Family Name": "O’Hara",
            "Name Prefix": "Ms.",
            "Group Membership": "* My Contacts",
            "E-mail 1 - Type": "* Work",
            "E-mail 1 - Value": "s.ohara@harbourview.example",
            "Phone 1 - Type": "Work",
            "Phone 1 - Value": "+44 20 7946 0321",
            "Phone 2 - Type": "Mobile",
            "Phone 2 - Value": "+44 7700 900123",
            "Organization 1 - Name": "Harbourview Systems Ltd",
            "Organization 1 - Title": "VP of Engineering",
        },
        {
            "Name": "Maria Lopez",
            "Given Name": "Maria",
            "Family Name": "Lopez",
            "Group Membership": "* My Contacts ::: Job search",
            "E-mail 1 - Type": "* Work",
            "E-mail 1 - Value": "maria.lopez@passaicpaper.example",
            "Phone 1 - Type": "Work",
            "Phone 1 - Value": "(973) 555-0100",
            "Address 1 - Type": "Work",
            "Address 1 - Formatted": "1 Riverfront Plaza\nNewark, NJ 07102",
            "Address 1 - Street": "1 Riverfront Plaza",
            "Address 1 - City": "Newark",
            "Address 1 - Region": "NJ",
            "Address 1 - Postal Code": "07102",
            "Organization 1 - Name": "Passaic Paper Mill Co.",
            "Organization 1 - Title": "Controller",
        },
    ]
    text = table(GOOGLE_LEGACY, rows, eol="\n")
    write("google_contacts_legacy_utf16.csv", text, "utf-16-le", b"\xff\xfe")


# --- 5. LinkedIn: Settings > Data privacy > Get a copy of your data > Connections. A "Notes:"
# preamble, a blank line, then the header; most emails empty. UTF-8 with a BOM, CRLF.

LINKEDIN_NOTE = (
    "When exporting your connection data, you may notice that some of the email addresses are "
    "missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more here "
    "https://www.linkedin.com/help/linkedin/answer/261"
)
LINKEDIN = [
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
]


def linkedin() -> None:
    rows = [
        {
            "First Name": "Zoë",
            "Last Name": "Ørsted",
            "URL": "https://www.linkedin.com/in/zoe-orsted-4b1a2c3d",
            "Company": "Nordlys Analytics GmbH",
            "Position": "Head of Data Engineering",
            "Connected On": "14 Mar 2025",
        },
        {
            "First Name": "José",
            "Last Name": "Núñez, PhD",
            "URL": "https://www.linkedin.com/in/josenunez",
            "Email Address": "jose.nunez@cordillera.example",
            "Company": "Cordillera Robotics, Inc.",
            "Position": "Director of Research",
            "Connected On": "02 Feb 2025",
        },
        {
            "First Name": "Siobhán",
            "Last Name": "O’Hara",
            "URL": "https://www.linkedin.com/in/siobhan-ohara",
            "Company": "Harbourview Systems Ltd",
            "Position": "VP of Engineering",
            "Connected On": "28 Jan 2025",
        },
        {
            "First Name": "Maria",
            "Last Name": "Lopez",
            "URL": "https://www.linkedin.com/in/maria-lopez-cpa",
            "Email Address": "maria.lopez@passaicpaper.example",
            "Company": "Passaic Paper Mill Co.",
            "Position": "Controller",
            "Connected On": "09 Dec 2024",
        },
        {
            "First Name": "Priya",
            "Last Name": "Raman",
            "URL": "https://www.linkedin.com/in/priyaramanmd",
            "Company": "Back Bay Biologics",
            "Position": "Chief Medical Officer",
            "Connected On": "17 Oct 2024",
        },
    ]
    preamble = f"Notes:\r\n{quote(LINKEDIN_NOTE)}\r\n\r\n"
    write("Connections.csv", preamble + table(LINKEDIN, rows), "utf-8", b"\xef\xbb\xbf")


# --- 6. macOS Contacts: File > Export > Export vCard. vCard 3.0, UTF-8 without a BOM, CRLF,
# lines folded at 75 octets with a leading space (RFC 2425 section 5.8.1).


def fold(line: str, limit: int = 75) -> list[str]:
    """Split a content line into <= `limit` octet pieces, never inside a UTF-8 character."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        budget = limit if not pieces else limit - 1  # continuation lines start with a space
        if size + width > budget:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return [pieces[0]] + [" " + p for p in pieces[1:]]


def vcard_text(cards: list[list[str]]) -> str:
    lines = []
    for card in cards:
        for line in card:
            lines += fold(line)
    return "\r\n".join(lines) + "\r\n"


def photo_b64() -> str:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (48, 48), (86, 120, 160))
    draw = ImageDraw.Draw(image)
    draw.ellipse((14, 6, 34, 26), fill=(235, 205, 180))
    draw.rectangle((8, 30, 40, 48), fill=(40, 60, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=50, optimize=True)
    return base64.b64encode(out.getvalue()).decode()


def apple_vcf() -> None:
    photo = "PHOTO;ENCODING=b;TYPE=JPEG:" + photo_b64()
    prodid = "PRODID:-//Apple Inc.//macOS 14.6.1//EN"
    cards = [
        [
            "BEGIN:VCARD",
            "VERSION:3.0",
            prodid,
            "N:Ørsted;Zoë;;Dr.;",
            "FN:Dr. Zoë Ørsted",
            "ORG:Nordlys Analytics GmbH;Data Platform",
            "TITLE:Head of Data Engineering",
            "EMAIL;type=INTERNET;type=WORK;type=pref:zoe.orsted@nordlys-analytics.example",
            "TEL;type=CELL;type=VOICE;type=pref:+49 170 5550987",
            "TEL;type=WORK;type=VOICE:+49 30 5550 1234",
            "item1.ADR;type=WORK;type=pref:;;Friedrichstraße 123;Berlin;;10117;Germany",
            "item1.X-ABADR:de",
            photo,
            "REV:2025-03-14T09:12:44Z",
            "END:VCARD",
        ],
        [
            "BEGIN:VCARD",
            "VERSION:3.0",
            prodid,
            "N:Núñez;José;;Prof.;",
            "FN:Prof. José Núñez",
            "ORG:Cordillera Robotics\\, Inc.;Research",
            "TITLE:Director of Research",
            "EMAIL;type=INTERNET;type=WORK;type=pref:jose.nunez@cordillera.example",
            "TEL;type=WORK;type=VOICE;type=pref:+1 (416) 555-0142",
            "item1.ADR;type=WORK;type=pref:;;200 Bay Street\\nSuite 1400;Toronto;ON;M5J 2J5;Canada",
            "item1.X-ABADR:ca",
            "item2.URL;type=pref:https://cordillera.example",
            "item2.X-ABLabel:_$!<HomePage>!$_",
            photo,
            "REV:2025-02-02T16:40:03Z",
            "END:VCARD",
        ],
        [  # no PHOTO
            "BEGIN:VCARD",
            "VERSION:3.0",
            prodid,
            "N:O’Hara;Siobhán;;Ms.;",
            "FN:Ms. Siobhán O’Hara",
            "ORG:Harbourview Systems Ltd;",
            "TITLE:VP of Engineering",
            "EMAIL;type=INTERNET;type=WORK;type=pref:s.ohara@harbourview.example",
            "TEL;type=CELL;type=VOICE;type=pref:+44 7700 900123",
            "TEL;type=WORK;type=VOICE:+44 20 7946 0321",
            "item1.ADR;type=WORK;type=pref:;;10 Fenchurch Avenue\\nFloor 3;London;;EC3M 5BN;"
            "United Kingdom",
            "item1.X-ABADR:gb",
            "NOTE:Introduced by Tom at the London fintech meetup; hiring two platform "
            "engineers this spring\\, ask about the reliability team.",
            "REV:2025-01-28T11:05:19Z",
            "END:VCARD",
        ],
        [
            "BEGIN:VCARD",
            "VERSION:3.0",
            prodid,
            "N:Lopez;Maria;;;",
            "FN:Maria Lopez",
            "ORG:Passaic Paper Mill Co.;",
            "TITLE:Controller",
            "EMAIL;type=INTERNET;type=WORK;type=pref:maria.lopez@passaicpaper.example",
            "TEL;type=WORK;type=VOICE;type=pref:(973) 555-0100",
            "TEL;type=CELL;type=VOICE:(973) 555-0199",
            "item1.ADR;type=WORK;type=pref:;;1 Riverfront Plaza;Newark;NJ;07102;United States",
            "item1.X-ABADR:us",
            photo,
            "REV:2024-12-09T08:30:00Z",
            "END:VCARD",
        ],
        [
            "BEGIN:VCARD",
            "VERSION:3.0",
            prodid,
            "N:Whitaker;Daniel;;;",
            "FN:Daniel Whitaker",
            "ORG:Whitaker Cabinetry;",
            "TITLE:Owner",
            "TEL;type=CELL;type=VOICE;type=pref:(617) 555-1000",
            "item1.ADR;type=HOME;type=pref:;;14 Elm Street;Cambridge;MA;02139;United States",
            "item1.X-ABADR:us",
            "REV:2024-11-21T19:02:37Z",
            "END:VCARD",
        ],
    ]
    write("apple_contacts.vcf", vcard_text(cards), "utf-8")


# --- 7. vCard 4.0 (RFC 6350), as a CardDAV address book built on sabre/vobject (Nextcloud)
# exports it: TEL as a tel: URI, TYPE values in one quoted list, PREF=1, ADR with a LABEL.


def vcard4() -> None:
    prodid = "PRODID:-//Sabre//Sabre VObject 4.5.6//EN"
    cards = [
        [
            "BEGIN:VCARD",
            "VERSION:4.0",
            prodid,
            "UID:6c1f1d0e-3f5b-4a53-9a4e-2b7f1c9e0a11",
            "FN:Prof. José Núñez",
            "N:Núñez;José;;Prof.;",
            "ORG:Cordillera Robotics\\, Inc.;Research",
            "TITLE:Director of Research",
            "EMAIL;TYPE=work;PREF=1:jose.nunez@cordillera.example",
            'TEL;VALUE=uri;TYPE="cell,voice":tel:+1-647-555-0178',
            'TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-416-555-0142',
            'ADR;TYPE=work;LABEL="200 Bay Street\\nSuite 1400\\nToronto ON M5J 2J5\\nCanada":;;'
            "200 Bay Street\\nSuite 1400;Toronto;ON;M5J 2J5;Canada",
            "REV:20250202T164003Z",
            "END:VCARD",
        ],
        [
            "BEGIN:VCARD",
            "VERSION:4.0",
            prodid,
            "UID:0e9b7d64-8a2c-4c1e-b5f0-61d2a7c3e4f5",
            "FN:Ms. Siobhán O’Hara",
            "N:O’Hara;Siobhán;;Ms.;",
            "ORG:Harbourview Systems Ltd",
            "TITLE:VP of Engineering",
            "EMAIL;TYPE=home:siobhan.ohara@example.com",
            "EMAIL;TYPE=work;PREF=1:s.ohara@harbourview.example",
            'TEL;VALUE=uri;TYPE="work,voice":tel:+44-20-7946-0321',
            "ADR;TYPE=work:;;10 Fenchurch Avenue\\nFloor 3;London;;EC3M 5BN;United Kingdom",
            "REV:20250128T110519Z",
            "END:VCARD",
        ],
        [
            "BEGIN:VCARD",
            "VERSION:4.0",
            prodid,
            "UID:a4d2f7c1-5b6e-4f08-8c3d-9e1b2a7f6c50",
            "FN:Dr. Priya Raman",
            "N:Raman;Priya;;Dr.;",
            "ORG:Back Bay Biologics",
            "TITLE:Chief Medical Officer",
            "EMAIL;TYPE=work:priya.raman@backbaybio.example",
            'TEL;VALUE=uri;TYPE="work,voice":tel:+1-617-555-0123',
            "ADR;TYPE=work:;;75 Arlington Street;Boston;MA;02116;United States",
            "REV:20241017T093000Z",
            "END:VCARD",
        ],
    ]
    write("contacts_vcard4.vcf", vcard_text(cards), "utf-8")


# --- 8. Salesforce (Lightning): a Contacts & Accounts report, Export > Details Only >
# Comma Delimited .csv, encoding Unicode (UTF-8). Every cell quoted, LF, and the report's
# footer lines after two blank lines.

SALESFORCE = [
    "Salutation", "First Name", "Last Name", "Title", "Account Name", "Mailing Street",
    "Mailing City", "Mailing State/Province", "Mailing Zip/Postal Code", "Mailing Country",
    "Phone", "Mobile", "Email", "Contact Owner",
]  # fmt: skip


def salesforce() -> None:
    rows = [
        {
            "Salutation": "Dr.",
            "First Name": "Zoë",
            "Last Name": "Ørsted",
            "Title": "Head of Data Engineering",
            "Account Name": "Nordlys Analytics GmbH",
            "Mailing Street": "Friedrichstraße 123",
            "Mailing City": "Berlin",
            "Mailing Zip/Postal Code": "10117",
            "Mailing Country": "Germany",
            "Phone": "+49 30 5550 1234",
            "Mobile": "+49 170 5550987",
            "Email": "zoe.orsted@nordlys-analytics.example",
        },
        {
            "Salutation": "Prof.",
            "First Name": "José",
            "Last Name": "Núñez",
            "Title": "Director of Research",
            "Account Name": "Cordillera Robotics, Inc.",
            "Mailing Street": "200 Bay Street\nSuite 1400",
            "Mailing City": "Toronto",
            "Mailing State/Province": "ON",
            "Mailing Zip/Postal Code": "M5J 2J5",
            "Mailing Country": "Canada",
            "Phone": "(416) 555-0142",
            "Email": "jose.nunez@cordillera.example",
        },
        {
            "Salutation": "Ms.",
            "First Name": "Siobhán",
            "Last Name": "O’Hara",
            "Title": "VP of Engineering",
            "Account Name": "Harbourview Systems Ltd",
            "Mailing Street": "10 Fenchurch Avenue\nFloor 3",
            "Mailing City": "London",
            "Mailing Zip/Postal Code": "EC3M 5BN",
            "Mailing Country": "United Kingdom",
            "Mobile": "+44 7700 900123",
            "Email": "s.ohara@harbourview.example",
        },
        {
            "First Name": "Maria",
            "Last Name": "Lopez",
            "Title": "Controller",
            "Account Name": "Passaic Paper Mill Co.",
            "Mailing Street": "1 Riverfront Plaza",
            "Mailing City": "Newark",
            "Mailing State/Province": "NJ",
            "Mailing Zip/Postal Code": "07102",
            "Mailing Country": "United States",
            "Phone": "(973) 555-0100",
            "Mobile": "(973) 555-0199",
            "Email": "maria.lopez@passaicpaper.example",
        },
        {
            "Salutation": "Mr.",
            "First Name": "Daniel",
            "Last Name": "Whitaker",
            "Title": "Owner",
            "Account Name": "Whitaker Cabinetry",
            "Mailing Street": "14 Elm Street",
            "Mailing City": "Cambridge",
            "Mailing State/Province": "MA",
            "Mailing Zip/Postal Code": "02139",
            "Mailing Country": "United States",
            "Mobile": "(617) 555-1000",
        },
    ]
    for row in rows:
        row["Contact Owner"] = "Jane Doe"
    footer = [
        "",
        "",
        quote("Job search contacts"),
        quote("Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."),
        quote("Confidential Information - Do Not Distribute"),
        quote("Generated By:  Jane Doe  3/14/2025 9:12 AM"),
        quote("Jane Doe Consulting"),
    ]
    text = table(SALESFORCE, rows, cell=quote, eol="\n") + "\n".join(footer) + "\n"
    write("salesforce_contacts_report.csv", text, "utf-8")


# --- 9. HubSpot: Contacts > Export > CSV. Every cell quoted, UTF-8 without a BOM, LF.

HUBSPOT = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "Company Name", "Job Title", "Street Address", "City", "State/Region", "Postal Code",
    "Country/Region", "Contact owner", "Lead Status", "Create Date", "Last Activity Date",
]  # fmt: skip


def hubspot() -> None:
    rows = [
        {
            "Record ID": "51234567801",
            "First Name": "Dr. Zoë",  # typed so by the user: HubSpot has no salutation field
            "Last Name": "Ørsted",
            "Email": "zoe.orsted@nordlys-analytics.example",
            "Phone Number": "+49 30 5550 1234",
            "Mobile Phone Number": "+49 170 5550987",
            "Company Name": "Nordlys Analytics GmbH",
            "Job Title": "Head of Data Engineering",
            "Street Address": "Friedrichstraße 123",
            "City": "Berlin",
            "Postal Code": "10117",
            "Country/Region": "Germany",
            "Lead Status": "NEW",
            "Create Date": "2025-03-14 09:12",
        },
        {
            "Record ID": "51234567802",
            "First Name": "José",
            "Last Name": "Núñez",
            "Email": "jose.nunez@cordillera.example",
            "Phone Number": "+1 416-555-0142",
            "Company Name": "Cordillera Robotics, Inc.",
            "Job Title": "Director of Research",
            "Street Address": "200 Bay Street, Suite 1400",
            "City": "Toronto",
            "State/Region": "ON",
            "Postal Code": "M5J 2J5",
            "Country/Region": "Canada",
            "Lead Status": "OPEN",
            "Create Date": "2025-02-02 16:40",
            "Last Activity Date": "2025-03-01 10:00",
        },
        {
            "Record ID": "51234567803",
            "First Name": "Siobhán",
            "Last Name": "O’Hara",
            "Email": "s.ohara@harbourview.example",
            "Mobile Phone Number": "+44 7700 900123",
            "Company Name": "Harbourview Systems Ltd",
            "Job Title": "VP of Engineering",
            "Street Address": "10 Fenchurch Avenue",
            "City": "London",
            "Postal Code": "EC3M 5BN",
            "Country/Region": "United Kingdom",
            "Create Date": "2025-01-28 11:05",
        },
        {
            "Record ID": "51234567804",
            "First Name": "Maria",
            "Last Name": "Lopez",
            "Email": "maria.lopez@passaicpaper.example",
            "Phone Number": "(973) 555-0100",
            "Company Name": "Passaic Paper Mill Co.",
            "Job Title": "Controller",
            "Street Address": "1 Riverfront Plaza",
            "City": "Newark",
            "State/Region": "NJ",
            "Postal Code": "07102",
            "Country/Region": "United States",
            "Lead Status": "CONNECTED",
            "Create Date": "2024-12-09 08:30",
        },
        {
            "Record ID": "51234567805",
            "First Name": "Priya",
            "Last Name": "Raman",
            "Email": "priya.raman@backbaybio.example",
            "Phone Number": "(617) 555-0123",
            "Company Name": "Back Bay Biologics",
            "Job Title": "Chief Medical Officer",
            "Street Address": "75 Arlington Street",
            "City": "Boston",
            "State/Region": "MA",
            "Postal Code": "02116",
            "Country/Region": "United States",
            "Create Date": "2024-10-17 09:30",
        },
    ]
    for row in rows:
        row["Contact owner"] = "Jane Doe"
    write("hubspot_contacts.csv", table(HUBSPOT, rows, cell=quote, eol="\n"), "utf-8")


# --- 10. An .xlsx as Excel saves one: shared strings (where Excel writes a carriage return as
# the escape _x000D_), number formats, an AutoFilter with the rows it hides, a row hidden by
# hand. Written with xlsxwriter, which writes these parts the way Excel does (openpyxl writes
# inline strings instead).

EXCEL_PHONE = "[<=9999999]###-####;(###) ###-####"  # Format Cells > Special > Phone Number


def excel_xlsx() -> None:
    import datetime as dt

    import xlsxwriter

    path = HERE / "employers_excel.xlsx"
    book = xlsxwriter.Workbook(path)
    when = dt.datetime(2025, 3, 14, 9, 12, 44)
    book.set_properties({"author": "Jane Doe", "created": when})
    sheet = book.add_worksheet("Employers")
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    phone = book.add_format({"num_format": EXCEL_PHONE})
    phone_plain = book.add_format({"num_format": "(###) ###-####"})
    zip5 = book.add_format({"num_format": "00000"})
    zip9 = book.add_format({"num_format": "00000-0000"})
    header = ["Company", "Contact", "Title", "Email", "Phone", "Address", "City", "State", "ZIP"]
    header += ["Country", "Priority"]
    sheet.write_row(0, 0, header, bold)
    rows = [
        # Row 2: "Last, First" in the one name column; ZIP and phone typed as numbers.
        ["Passaic Paper Mill Co.", "Lopez, Maria", "Controller",
         "maria.lopez@passaicpaper.example", (9735550100, phone), "1 Riverfront Plaza",
         "Newark", "NJ", (7102, zip5), "USA", "High"],
        # Row 3: a name pasted from a two-line email signature (CR LF inside the cell).
        ["Harbourview Systems Ltd", ("Ms. Siobhán\r\nO’Hara", wrap), "VP of Engineering",
         "s.ohara@harbourview.example", "+44 20 7946 0321",
         ("10 Fenchurch Avenue\nFloor 3", wrap), "London", None, "EC3M 5BN", "United Kingdom",
         "High"],
        # Rows 4 and 5: hidden by the AutoFilter (Priority = High).
        ["Back Bay Biologics", "Dr. Priya Raman", "Chief Medical Officer",
         "priya.raman@backbaybio.example", (6175550123, phone_plain), "75 Arlington Street",
         "Boston", "MA", (21161234, zip9), "USA", "Low"],
        ["Whitaker Cabinetry", "Daniel Whitaker", "Owner", None, (6175551000, phone_plain),
         "14 Elm Street", "Cambridge", "MA", (2139, zip5), "USA", "Medium"],
        # Row 6: hidden by hand (right-click > Hide), though it passes the filter.
        ["Cordillera Robotics, Inc.", "Prof. José Núñez", "Director of Research",
         "jose.nunez@cordillera.example", "+1 416-555-0142",
         ("200 Bay Street\nSuite 1400", wrap), "Toronto", "ON", "M5J 2J5", "Canada", "High"],
    ]  # fmt: skip
    for index, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            value, style = cell if isinstance(cell, tuple) else (cell, None)
            if value is not None:
                sheet.write(index, column, value, style)
    sheet.autofilter("A1:K6")
    sheet.filter_column("K", "Priority == High")
    for index in (3, 4, 5):  # rows 4, 5 and 6 as Excel numbers them
        sheet.set_row(index, None, None, {"hidden": True})
    sheet.freeze_panes(1, 0)
    for column, width in enumerate([26, 22, 24, 34, 16, 24, 12, 7, 11, 16, 9]):
        sheet.set_column(column, column, width)
    book.close()


# --- 11. An .ods written by pandas (DataFrame.to_excel(engine="odf")): a numeric column with
# one blank becomes float64, so ZIP 7102 is written as the number 7102.0 (shown "7102.0").


def pandas_ods() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "Company": ["Passaic Paper Mill Co.", "Whitaker Cabinetry", "Back Bay Biologics",
                        "Lumen Freight"],
            "First Name": ["Maria", "Daniel", "Priya", "Ana"],
            "Last Name": ["Lopez", "Whitaker", "Raman", "Costa"],
            "Title": ["Controller", "Owner", "Chief Medical Officer", "Head of Talent"],
            "Email": ["maria.lopez@passaicpaper.example", None, "priya.raman@backbaybio.example",
                      "ana.costa@lumenfreight.example"],
            "Phone": [9735550100, 6175551000, 6175550123, None],
            "Street": ["1 Riverfront Plaza", "14 Elm Street", "75 Arlington Street", None],
            "City": ["Newark", "Cambridge", "Boston", None],
            "State": ["NJ", "MA", "MA", None],
            "ZIP": [7102, 2139, 2116, None],
            "Country": ["USA", "USA", "USA", None],
        }
    )  # fmt: skip
    frame.to_excel(HERE / "pandas_export.ods", engine="odf", index=False, sheet_name="Prospects")


# --- 12. The list saved last time as "CSV (Comma delimited)" from Excel for Windows after Excel
# read ZIPs and phones as numbers: leading zeros and punctuation gone. cp1252, CRLF.


def sheet_from_last_time() -> None:
    headers = ["Company", "Contact", "Title", "Email", "Phone", "Address", "City", "State", "ZIP"]
    headers += ["Country"]
    rows = [
        ["Passaic Paper Mill Co.", "Lopez, Maria", "Controller",
         "maria.lopez@passaicpaper.example", "9735550100", "1 Riverfront Plaza", "Newark", "NJ",
         "7102", "USA"],
        ["Whitaker Cabinetry", "Daniel Whitaker", "Owner", "", "6175551000", "14 Elm Street",
         "Cambridge", "MA", "2139", "USA"],
        ["Back Bay Biologics", "Dr. Priya Raman", "Chief Medical Officer",
         "priya.raman@backbaybio.example", "6175550123", "75 Arlington Street", "Boston", "MA",
         "2116", "USA"],
        ["Harbourview Systems Ltd", "Ms. Siobhán O’Hara", "VP of Engineering",
         "s.ohara@harbourview.example", "+44 20 7946 0321", "10 Fenchurch Avenue\nFloor 3",
         "London", "", "EC3M 5BN", "United Kingdom"],
        ["Cordillera Robotics, Inc.", "Núñez, José", "Director of Research",
         "jose.nunez@cordillera.example", "4165550142", "200 Bay Street\nSuite 1400", "Toronto",
         "ON", "M5J 2J5", "Canada"],
    ]  # fmt: skip
    lines = [",".join(minimal(c) for c in row) for row in [headers, *rows]]
    write("sheet_from_last_time.csv", "\r\n".join(lines) + "\r\n", "cp1252")


if __name__ == "__main__":
    outlook_classic()
    outlook_com()
    google()
    google_legacy()
    linkedin()
    apple_vcf()
    vcard4()
    salesforce()
    hubspot()
    excel_xlsx()
    pandas_ods()
    sheet_from_last_time()
