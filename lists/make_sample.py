"""Generate the shipped sample spreadsheet ``lists/employers.xlsx``.

It imitates a real job seeker's hand-kept Excel list: a title and a note above
the header row, blank cells here and there, ZIP codes stored as text, a few
non-ASCII names and multi-line addresses.  All people and companies are
invented; e-mail addresses use only the reserved example.com/.org/.net domains
and phone numbers use the fictional 555-0100..555-0199 range.

Deterministic (fixed seed, stdlib ``random`` + openpyxl only).  Run from the
repository root:  python lists/make_sample.py
"""

import io
import random
import re
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parent / "employers.xlsx"
HEADERS = [
    "Priority",
    "Company Name",
    "Contact",
    "Title",
    "E-mail Address",
    "Address",
    "City",
    "State",
    "ZIP",
    "Phone #",
    "Assistant",
    "Best time to call",
    "Industry",
    "Notes",
]
WIDTHS = [9, 32, 24, 28, 32, 28, 16, 7, 8, 15, 18, 20, 15, 38]
N_ROWS = 120
FIXED_TIME = datetime(2026, 1, 5, 9, 0, 0)

FIRST = [
    "Maria",
    "James",
    "Linda",
    "Robert",
    "Priya",
    "David",
    "Aisha",
    "Michael",
    "Jennifer",
    "Kevin",
    "Laura",
    "Daniel",
    "Grace",
    "Omar",
    "Susan",
    "Brian",
    "Mei",
    "Carlos",
    "Rachel",
    "Thomas",
    "Nadia",
    "Steven",
    "Emily",
    "Andre",
    "Hannah",
    "Victor",
    "Olivia",
    "Samuel",
    "Karen",
    "Marcus",
    "Chloe",
    "Raj",
    "Denise",
    "Patrick",
    "Yuki",
    "Gregory",
    "Fatima",
    "Ethan",
    "Monica",
    "Trevor",
]
LAST = [
    "Lopez",
    "Carter",
    "Nguyen",
    "Patel",
    "Johnson",
    "Kim",
    "Okafor",
    "Brennan",
    "Schultz",
    "Ramirez",
    "Chen",
    "Walsh",
    "Novak",
    "Harper",
    "Goldberg",
    "Singh",
    "Fischer",
    "Morales",
    "Whitfield",
    "Adeyemi",
    "Sullivan",
    "Park",
    "Kowalski",
    "Bauer",
    "Delgado",
    "Hughes",
    "Tanaka",
    "Reyes",
    "Lindqvist",
    "Murphy",
    "Castillo",
    "Abbott",
    "Fleming",
    "Varga",
    "Osei",
    "Rossi",
]
# (contact, company) pairs with non-ASCII characters, placed at fixed rows
SPECIAL = [
    ("Zoë Łukasiewicz", None),
    ("José Peña", "Café Ñandú Foods"),
    ("Åsa Øberg", None),
    ("Tomáš Dvořák", "Dvořák Precision Castings"),
    ("Siobhán Ní Bhriain", None),
    ("Renée Müller", "Müller & Söhne Tooling"),
]
FOLD = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "Æ": "AE", "æ": "ae"})

INDUSTRIES = {  # industry -> company-name suffixes
    "Logistics": ["Freight", "Logistics", "Transport"],
    "Software": ["Software", "Labs", "Systems"],
    "Healthcare": ["Health", "Medical Group", "Clinics", "Care Partners"],
    "Manufacturing": ["Manufacturing", "Industries", "Fabrication", "Components"],
    "Finance": ["Capital", "Financial", "Credit Union", "Advisors"],
    "Energy": ["Energy", "Power", "Solar"],
    "Retail": ["Outfitters", "Markets", "Home Goods"],
    "Education": ["Academy", "Learning", "College"],
    "Nonprofit": ["Foundation", "Alliance", "Community Trust"],
    "Construction": ["Builders", "Contracting"],
}
STEMS = [
    "Brightway",
    "Summit",
    "Northfield",
    "Harbor",
    "Ironwood",
    "Bluestem",
    "Cedar",
    "Granite",
    "Redline",
    "Keystone",
    "Meridian",
    "Lakeshore",
    "Pinecrest",
    "Silverline",
    "Crossroads",
    "Evergreen",
    "Frontier",
    "Copperleaf",
    "Riverbend",
    "Highpoint",
    "Oakmont",
    "Tidewater",
    "Prairie",
    "Beacon",
    "Sterling",
    "Westgate",
    "Clearwater",
    "Foxhollow",
    "Sunrise",
    "Patriot",
]
TITLES = [
    "VP Operations",
    "Director of Engineering",
    "Plant Manager",
    "CFO",
    "Controller",
    "Director of Human Resources",
    "Hiring Manager",
    "VP Sales",
    "Chief Operating Officer",
    "Director of Finance",
    "IT Director",
    "Warehouse Operations Manager",
    "Talent Acquisition Lead",
    "Director of Nursing",
    "Engineering Manager",
    "Executive Director",
    "Supply Chain Director",
    "Regional Manager",
    "Head of Product",
    "Principal",
    "CEO",
    "Director of Development",
]
CITIES = [
    tuple(c.split())
    for c in [
        "Boston MA 02134 617",
        "Worcester MA 01608 508",
        "Hoboken NJ 07030 201",
        "Newark NJ 07102 973",
        "Hartford CT 06103 860",
        "Providence RI 02903 401",
        "Portland ME 04101 207",
        "Burlington VT 05401 802",
        "Chicago IL 60601 312",
        "Columbus OH 43215 614",
        "Atlanta GA 30303 404",
        "Denver CO 80202 303",
        "Austin TX 78701 512",
        "Seattle WA 98101 206",
        "Phoenix AZ 85004 602",
        "Nashville TN 37203 615",
        "Minneapolis MN 55401 612",
        "Pittsburgh PA 15222 412",
        "Raleigh NC 27601 919",
        "Sacramento CA 95814 916",
    ]
]
STREETS = [
    "Market St",
    "Main St",
    "Commerce Dr",
    "Industrial Pkwy",
    "Elm St",
    "Harbor Blvd",
    "Oak Ave",
    "Washington St",
    "Lakeview Rd",
    "Technology Way",
    "River Rd",
    "Park Ave",
]
ASSISTANTS = ["Beth Sanders", "Tony Russo", "Kim Alvarez", "Paula Grant", "Derek Moss", "Ana Silva"]
BEST_TIMES = ["Tue-Thu mornings", "after 2pm", "Mon before 10am", "Fri afternoons", "mornings"]
NOTES = [
    "Met at career fair in March",
    "Referred by Dave K.",
    "Sent resume 1/12, follow up",
    "Posting closes end of month",
    "Prefers LinkedIn message first",
    "Hiring freeze until Q3?",
    "Former colleague of Jen",
    "Ask about relocation package",
    "Left voicemail twice",
]


def ascii_fold(text):
    text = unicodedata.normalize("NFKD", text.translate(FOLD))
    return "".join(c for c in text if c.isascii() and c.isalpha())


def make_email(rng, name, used):
    first, last = (ascii_fold(p).lower() for p in (name.split()[0], name.split()[-1]))
    base = rng.choice(
        [f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[0]}", f"{first}_{last}"]
    )
    domain, n = rng.choice(["example.com", "example.org", "example.net"]), 1
    email = f"{base}@{domain}"
    while email.lower() in used:
        n += 1
        email = f"{base}{n}@{domain}"
    used.add(email.lower())
    return email


def build_rows(rng):
    kinds = ["both"] * 60 + ["email"] * 36 + ["post"] * (N_ROWS - 96)  # 50/30/20 %
    rng.shuffle(kinds)
    blank_priority = set(rng.sample(range(N_ROWS), 15))
    special_at = dict(zip(rng.sample(range(N_ROWS), len(SPECIAL)), SPECIAL, strict=False))
    two_line = set(rng.sample([i for i, k in enumerate(kinds) if k != "email"], 5))
    used_emails, used_companies, rows = set(), set(), []
    for i, kind in enumerate(kinds):
        industry = rng.choice(list(INDUSTRIES))
        contact, company = special_at.get(i, (None, None))
        contact = contact or f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        while company is None or company in used_companies:
            company = f"{rng.choice(STEMS)} {rng.choice(INDUSTRIES[industry])}"
            company += rng.choice(["", "", " Inc.", " LLC", " Co."])
        used_companies.add(company)
        city, state, zip_code, area = rng.choice(CITIES)
        row = {h: None for h in HEADERS}
        row.update(
            {
                "Company Name": company,
                "Contact": contact,
                "Title": rng.choice(TITLES),
                "Industry": industry,
                "Phone #": f"{area}-555-01{rng.randrange(100):02d}",
            }
        )
        if i not in blank_priority:
            row["Priority"] = rng.randint(1, 5)
        if kind != "post":
            row["E-mail Address"] = make_email(rng, contact, used_emails)
        if kind != "email":
            street = f"{rng.randrange(10, 9900)} {rng.choice(STREETS)}"
            if i in two_line:
                street += "\n" + rng.choice(
                    ["Suite 400", "Floor 3", "Bldg B", "Suite 1210", "Unit 7"]
                )
            row.update({"Address": street, "City": city, "State": state, "ZIP": zip_code})
        for key, pool, share in (
            ("Assistant", ASSISTANTS, 0.2),
            ("Best time to call", BEST_TIMES, 0.25),
            ("Notes", NOTES, 0.2),
        ):
            if rng.random() < share:
                row[key] = rng.choice(pool)
        rows.append(row)
    return rows


def save_reproducibly(wb):
    """Save with fixed timestamps so re-running gives a byte-identical file."""
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(OUT, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp.encode(), data)
            dst.writestr(
                zipfile.ZipInfo(name, FIXED_TIME.timetuple()[:6]), data, zipfile.ZIP_DEFLATED
            )


def main():
    rng = random.Random(2026)
    wb = Workbook()
    ws = wb.active
    ws.title = "Employers"
    ws["A1"] = "Job search 2026 - target employers"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Updated weekly. Priority 1 = best."
    ws["A2"].font = Font(italic=True)
    for col, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=False), start=1):
        cell = ws.cell(row=4, column=col, value=header)
        cell.font = Font(bold=True)
        ws.column_dimensions[cell.column_letter].width = width
    for r, row in enumerate(build_rows(rng), start=5):
        for col, header in enumerate(HEADERS, start=1):
            cell = ws.cell(row=r, column=col, value=row[header])
            if header in ("ZIP", "Phone #"):
                cell.number_format = "@"  # keep ZIP/phone as text
            if header == "Address" and "\n" in (row[header] or ""):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A5"
    wb.properties.created = FIXED_TIME
    save_reproducibly(wb)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
