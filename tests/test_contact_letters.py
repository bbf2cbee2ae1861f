"""From an address book export to the letter an employer reads: the message the SMTP server
received and the PDF read back with pdftotext. And no letter ever goes out with a blank."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import add_prospects, use_smtp

DATA = Path(__file__).parent / "data" / "contacts"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

LETTER = """---
subject: {{ title }} at {{ company }}
closing: Sincerely,
---
{{ salutation }},

As {{ title }} at {{ company }}, you will know whether your team needs another hand.
{% if phone %}I will call you on {{ phone }} next week.{% endif %}
"""


def pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def body(message) -> str:
    return message.message.get_body(("plain",)).get_content()


def decoded(received) -> str:
    """Every header and text part of a received message, decoded as a mail program shows it."""
    message = received.message
    parts = [f"{k}: {v}" for k, v in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def greeting(person: dict) -> str:
    if person["prefix"]:
        return f"Dear {person['prefix']} {person['last_name']},"
    return f"Dear {person['first_name']} {person['last_name']},"


@needs_pdftotext
@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("outlook_contacts_cp1252.csv", []),
        ("google_contacts.csv", []),
        ("Connections.csv", ["--skip-invalid"]),
        ("employers_excel.xlsx", ["--include-hidden"]),
    ],
)
def test_an_export_reaches_the_employer_with_the_right_words(
    run, workspace, smtp_server, tmp_path, name, extra
):
    (workspace / "templates" / "contact.md").write_text(LETTER, encoding="utf-8")
    use_smtp(workspace, smtp_server)
    assert run("import", DATA / name, *extra).exit_code == 0
    assert run("batch", "--all").exit_code == 0
    sent = run("send", "--letter", "contact", "--yes")
    assert sent.exit_code == 0, sent.stderr
    pdf = tmp_path / "letters.pdf"
    people = EXPECTED[name]
    by_post = [p for p in people if not p["email"]]
    if by_post:
        printed = run("print", "--letter", "contact", "--out", pdf)
        assert printed.exit_code == 0, printed.stderr
    everything = "".join(decoded(m) for m in smtp_server)
    for person in people:
        title, company = person["title"], person["company"]
        if person["email"]:
            [message] = smtp_server.to(person["email"])
            assert message.message["Subject"] == f"{title} at {company}"
            text = " ".join(body(message).split())
        else:
            text = " ".join(pdf_text(pdf).split())
            # The window address: the person (with the prefix), title, company, street, town.
            name_line = " ".join(x for x in (person["prefix"], person["first_name"]) if x)
            address = " ".join([f"{name_line} {person['last_name']}", title, company])
            assert address in text
            assert " ".join(person["address"].split("\n")) in text
            assert f"{person['city']}, {person['state']} {person['postal_code']}" in text
        assert greeting(person) in text
        assert f"As {title} at {company}, you will know" in text
        if person["phone"]:
            assert f"I will call you on {person['phone']} next week." in text
        else:
            assert "I will call you" not in text
    assert len(smtp_server) == len(people) - len(by_post)
    assert "_x000D_" not in everything
    assert "\r\n\r\n\r\n" not in everything
    if by_post:
        assert "_x000D_" not in pdf_text(pdf)


@needs_pdftotext
def test_an_address_abroad_is_laid_out_as_its_post_expects(run, workspace, tmp_path):
    (workspace / "templates" / "contact.md").write_text(LETTER, encoding="utf-8")
    add_prospects(
        run,
        tmp_path,
        [
            {
                "Company": "Harbourview Systems Ltd",
                "Contact": "Ms. Siobhán O’Hara",
                "Title": "VP of Engineering",
                "Address": "10 Fenchurch Avenue",
                "City": "London",
                "Postcode": "EC3M 5BN",
                "Country": "United Kingdom",
            },
            {
                "Company": "Laurentian Freight",
                "Contact": "Luc Tremblay",
                "Title": "Directeur",
                "Address": "845 Sherbrooke St W",
                "City": "Montréal",
                "Province/State": "QC",
                "Postcode": "H3A 0G4",
                "Country": "Canada",
            },
        ],
    )
    assert run("batch", "--all").exit_code == 0
    pdf = tmp_path / "letters.pdf"
    printed = run("print", "--letter", "contact", "--out", pdf)
    assert printed.exit_code == 0, printed.stderr
    lines = [line.strip() for line in pdf_text(pdf).splitlines() if line.strip()]
    # Royal Mail: the post town in capitals on its own line, then the postcode.
    at = lines.index("Ms. Siobhán O’Hara")
    assert lines[at : at + 7] == [
        "Ms. Siobhán O’Hara",
        "VP of Engineering",
        "Harbourview Systems Ltd",
        "10 Fenchurch Avenue",
        "LONDON",
        "EC3M 5BN",
        "UNITED KINGDOM",
    ]
    # Canada Post: the whole block in capitals, the province between town and postcode.
    at = lines.index("LUC TREMBLAY")
    assert lines[at : at + 6] == [
        "LUC TREMBLAY",
        "DIRECTEUR",
        "LAURENTIAN FREIGHT",
        "845 SHERBROOKE ST W",
        "MONTRÉAL QC H3A 0G4",
        "CANADA",
    ]


BLANK_LETTER = """---
subject: A note for {{ company }}
closing: Sincerely,
---
{{ salutation }},

You are the one in {{ industry }} who knows when a strong addition would make a difference.
{% if referred_by %}{{ referred_by }} suggested I write.{% endif %}
{{ city | default("") }}
"""

BLANK_ROWS = [
    {
        "Company": "Acme",
        "Contact": "Ann Lee",
        "Email": "ann@acme.example",
        "Industry": "robotics",
        "Referred by": "",
    },
    {
        "Company": "Beta",
        "Contact": "Bo Chan",
        "Email": "bo@beta.example",
        "Industry": "",
        "Referred by": "Sam",
    },
    {
        "Company": "Gamma Mill",
        "Contact": "Cy Diaz",
        "Email": "",
        "Industry": "",
        "Address": "1 Mill Road",
        "City": "Newark",
        "State": "NJ",
        "ZIP": "07102",
    },
    {
        "Company": "Delta Mill",
        "Contact": "Di Eve",
        "Email": "",
        "Industry": "paper",
        "Address": "2 Mill Road",
        "City": "Newark",
        "State": "NJ",
        "ZIP": "07102",
    },
]


@needs_pdftotext
def test_a_letter_with_a_blank_field_is_held_back_and_named(run, workspace, smtp_server, tmp_path):
    (workspace / "templates" / "blank.md").write_text(BLANK_LETTER, encoding="utf-8")
    use_smtp(workspace, smtp_server, letter="blank")  # `mailed` records the usual letter
    add_prospects(run, tmp_path, BLANK_ROWS)
    assert run("batch", "--all").exit_code == 0
    held = (
        "held back: Bo Chan <bo@beta.example>: the letter 'blank' prints {{ industry }}, "
        "empty for this prospect"
    )

    preview = run("preview", "Beta", "--letter", "blank")
    assert preview.exit_code == 1
    assert "warning: held back: the letter 'blank' prints {{ industry }}, empty for this " in (
        preview.stderr
    )
    assert run("preview", "Acme", "--letter", "blank").exit_code == 0

    dry = run("send", "--letter", "blank", "--dry-run")
    assert dry.exit_code == 1
    assert held in dry.stderr
    assert "would send to Ann Lee <ann@acme.example>" in dry.stderr
    assert "Bo Chan" not in dry.stderr.replace(held, "")
    assert len(smtp_server) == 0

    sent = run("send", "--letter", "blank", "--yes", "--json")
    assert sent.exit_code == 1
    assert held in sent.stderr
    document = json.loads(sent.stdout)
    assert document["sent"] == 1
    assert document["held"] == [
        {
            "to": "Bo Chan <bo@beta.example>",
            "reason": "the letter 'blank' prints {{ industry }}, empty for this prospect",
        }
    ]
    [message] = smtp_server
    assert message.rcpt_tos == ["ann@acme.example"]
    text = body(message)
    assert "You are the one in robotics who knows" in text
    assert "suggested I write" not in text  # guarded, so Ann's blank referral is fine

    pdf = tmp_path / "post.pdf"
    printed = run("print", "--letter", "blank", "--out", pdf)
    assert printed.exit_code == 1
    assert "left out: Cy Diaz (" in printed.stderr
    assert "the letter 'blank' prints {{ industry }}, empty for this prospect" in printed.stderr
    words = " ".join(pdf_text(pdf).split())
    assert "You are the one in paper who knows" in words
    assert "Cy Diaz" not in words
    assert "Gamma Mill" not in words
    mailed = run("mailed")
    assert "Recorded 1 letter as posted" in mailed.stderr
    assert "not recorded: Cy Diaz: the letter 'blank' prints {{ industry }}, empty for" in (
        mailed.stderr
    )

    # Filled in and imported again, the letter goes, once.
    rows = [dict(r, Industry=r["Industry"] or "logistics") for r in BLANK_ROWS]
    add_prospects(run, tmp_path, rows, name="list2.csv")
    again = run("send", "--letter", "blank", "--yes")
    assert again.exit_code == 0, again.stderr
    assert [m.rcpt_tos for m in smtp_server] == [["ann@acme.example"], ["bo@beta.example"]]
    assert "You are the one in logistics who knows" in body(smtp_server[1])
