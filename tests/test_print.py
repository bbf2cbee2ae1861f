"""campaign print and campaign mailed: the week's post letters as PDFs, recorded once."""

import sqlite3

import pytest
from pypdf import PdfReader

from tests.helpers import write_csv

TODAY = "2026-11-23"
SHEET = (
    "Company,Contact,Title,Email,Address,City,State,ZIP,Phone\n"
    "Acme Tools,Maria Lopez,VP Ops,maria@example.com,1 Main St,Boston,MA,02134,617-555-0101\n"
    "Dvořák Castings,Tomáš Dvořák,Plant Manager,,22 Mill Rd,Hartford,CT,06103,860-555-0102\n"
    "Café Ñandú Foods,Zoë Łukasiewicz,CFO,,9 Elm St,Newark,NJ,07102,973-555-0103\n"
)


@pytest.fixture
def batch(run, tmp_path):
    assert run("import", write_csv(tmp_path / "list.csv", SHEET)).exit_code == 0
    assert run("--today", TODAY, "batch").exit_code == 0
    return run


def pdf_pages(path):
    return [page.extract_text() for page in PdfReader(path).pages]


def post_sends(workspace):
    conn = sqlite3.connect(workspace / "campaign.db")
    rows = conn.execute(
        "SELECT prospect_id, channel, status, sent_on FROM sends WHERE channel = 'post' "
        "ORDER BY prospect_id"
    ).fetchall()
    conn.close()
    return rows


def test_print_writes_the_post_letters_only(batch, workspace):
    result = batch("--today", TODAY, "print", "--json")
    assert result.exit_code == 0, result.stderr
    report = batch.json("--today", TODAY, "print")
    assert report["letters"] == 2
    pages = pdf_pages(report["files"][0])
    assert len(pages) == 2
    assert "Tomáš Dvořák" in pages[0]
    assert "Dear Tomáš Dvořák," in pages[0]
    assert "Zoë Łukasiewicz" in pages[1]
    assert "Café Ñandú Foods" in pages[1]
    assert not any("Maria Lopez" in page for page in pages)
    assert "November 23, 2026" in pages[0]
    assert post_sends(workspace) == []  # printing alone records nothing


def test_all_channels_and_per_letter_files(batch, tmp_path):
    report = batch.json(
        "--today",
        TODAY,
        "print",
        "--all-channels",
        "--per-letter",
        tmp_path / "each",
        "--out",
        tmp_path / "all.pdf",
    )
    assert report["letters"] == 3
    assert len(pdf_pages(tmp_path / "all.pdf")) == 3
    singles = sorted((tmp_path / "each").glob("*.pdf"))
    assert len(singles) == 3
    assert any("lopez" in p.name and "acme" in p.name for p in singles)
    assert all(len(pdf_pages(p)) == 1 for p in singles)


def test_mark_mailed_records_once(batch, workspace):
    first = batch.json("--today", TODAY, "print", "--mark-mailed")
    assert first["mailed"] == 2
    again = batch.json("--today", "2026-11-24", "print", "--mark-mailed")
    assert again["mailed"] == 0
    mailed = batch.json("--today", "2026-11-25", "mailed")
    assert mailed == {"mailed": 0, "already": 2, "on": "2026-11-25"}
    rows = post_sends(workspace)
    assert [(r[1], r[2], r[3]) for r in rows] == [("post", "sent", TODAY)] * 2


def test_a_letter_already_posted_is_left_out_of_the_next_print_unless_asked(batch, tmp_path):
    """Printing the week again after `mailed` would put a second copy in the post: those
    letters are named with the day they went and left out; --again prints them anyway."""
    assert batch.json("--today", TODAY, "mailed")["mailed"] == 2
    result = batch("--today", "2026-11-24", "print", "--out", tmp_path / "again.pdf")
    assert result.exit_code == 0, result.stderr
    assert "Tomáš Dvořák (Dvořák Castings) on 2026-11-23" in result.stderr
    assert "--again" in result.stderr
    assert not (tmp_path / "again.pdf").exists()
    report = batch.json("--today", "2026-11-24", "print", "--json")
    assert report["letters"] == 0
    assert [a["on"] for a in report["already_posted"]] == [TODAY, TODAY]
    forced = batch.json("--today", "2026-11-24", "print", "--again", "--out", tmp_path / "a.pdf")
    assert forced["letters"] == 2
    assert len(pdf_pages(tmp_path / "a.pdf")) == 2


def test_mailed_with_no_batch_but_follow_ups_due_by_post_names_mailed_followups(run, tmp_path):
    """No batch picked this week, yet follow-up letters are due by post: `mailed` says the
    follow-ups are recorded with --followups instead of telling the user to pick a batch."""
    assert run("import", write_csv(tmp_path / "list.csv", SHEET)).exit_code == 0
    assert run("--today", TODAY, "batch").exit_code == 0
    assert run.json("--today", TODAY, "mailed")["mailed"] == 2
    later = "2026-12-07"  # another week: no batch picked, first follow-ups due
    result = run("--today", later, "mailed")
    assert result.exit_code == 2
    assert "campaign mailed --followups" in result.stderr
    assert "campaign batch" not in result.stderr
    assert run.json("--today", later, "mailed", "--followups")["mailed"] == 2


def test_mailed_on_a_date_starts_the_follow_up_clock(batch):
    assert batch.json("--today", "2026-11-25", "mailed", "--on", "2026-11-24")["mailed"] == 2
    due = batch.json("--today", "2026-11-27", "due")
    checks = [d for d in due if d["kind"] == "receipt-check"]
    assert {d["channel"] for d in checks} == {"call"}
    assert {d["due"] for d in checks} == {"2026-11-27"}


def test_envelopes_and_labels(batch, tmp_path):
    report = batch.json(
        "--today",
        TODAY,
        "print",
        "--envelopes",
        tmp_path / "env.pdf",
        "--labels",
        tmp_path / "labels.pdf",
        "--paper",
        "a4",
    )
    assert len(report["files"]) == 3
    envelopes = PdfReader(tmp_path / "env.pdf")
    assert len(envelopes.pages) == 2
    width, height = (float(x) for x in envelopes.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (624, 312)  # DL, 220 x 110 mm
    assert "Jane Doe" in envelopes.pages[0].extract_text()
    labels = pdf_pages(tmp_path / "labels.pdf")
    assert len(labels) == 1
    assert "Zoë Łukasiewicz" in labels[0]


def test_missing_signature_is_one_clear_error(batch, workspace):
    config = workspace / "campaign.toml"
    config.write_text(
        config.read_text().replace('# signature = "signature.png"', 'signature = "sig.png"')
    )
    result = batch("--today", TODAY, "print")
    assert result.exit_code == 2
    assert "sig.png" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list((workspace / "outbox").glob("*.pdf"))


def test_an_address_too_long_leaves_that_letter_out_and_prints_the_rest(run, tmp_path, workspace):
    huge = "Long Company Name " * 560  # a 10,000-character company name
    sheet = (
        "Company,Contact,Title,Address,City,ZIP,Country\n"
        'Long Co,Ann Lee,CFO,"1 Main St\nBuilding 4\nFloor 3\nSuite 300",Boston,02134,USA\n'
        f"{huge},Bo Chan,CEO,2 Elm St,Newark,07102,\n"
        "Fine Co,Cy Diaz,COO,3 Oak St,Hartford,06103,\n"
    )
    assert run("import", write_csv(tmp_path / "long.csv", sheet)).exit_code == 0
    assert run("--today", TODAY, "batch").exit_code == 0
    out = tmp_path / "out.pdf"
    result = run("--today", TODAY, "print", "--all-channels", "--mark-mailed", "--out", out)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    pages = pdf_pages(out)
    assert len(pages) == 1
    assert "Cy Diaz" in pages[0]
    left_out = [line for line in result.stderr.splitlines() if "left out:" in line]
    assert len(left_out) == 3
    assert "Ann Lee" in left_out[0]
    assert "9 lines" in left_out[0]
    assert "characters)" in left_out[1]  # quoted short: "Long Company… (10,079 characters)"
    assert all(len(line) < 400 for line in result.stderr.splitlines())
    assert "2 letters left out" in left_out[2]
    assert [row[0] for row in post_sends(workspace)] == [3]  # only the printed one is recorded


def test_print_without_a_batch_says_what_to_do(run, tmp_path):
    result = run("--today", TODAY, "print")
    assert result.exit_code == 2
    assert "import your list first: `campaign import employers.xlsx`" in result.stderr
    assert run("import", write_csv(tmp_path / "list.csv", SHEET)).exit_code == 0
    result = run("--today", TODAY, "print")
    assert result.exit_code == 2
    assert result.stderr.endswith("; run `campaign batch` first\n")


# --- letters say only what is true ---------------------------------------------------


def _resume(path):
    """A two-page resume PDF, as a user would export it."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path))
    for number in (1, 2):
        canvas.drawString(72, 720, f"RESUME OF JANE DOE, PAGE {number}")
        canvas.showPage()
    canvas.save()
    return path


def test_posted_letters_enclose_the_resume_after_each_letter(batch, workspace, tmp_path):
    from tests.helpers import configure

    configure(workspace, sender={"resume": str(_resume(workspace / "resume.pdf"))})
    report = batch.json("--today", TODAY, "print", "--per-letter", tmp_path / "each")
    assert report["letters"] == 2
    assert report["pages"] == 6
    pages = pdf_pages(report["files"][0])
    assert "Tomáš Dvořák" in pages[0]
    assert "RESUME OF JANE DOE, PAGE 1" in pages[1]
    assert "RESUME OF JANE DOE, PAGE 2" in pages[2]
    assert "Zoë Łukasiewicz" in pages[3]
    assert "RESUME OF JANE DOE, PAGE 2" in pages[5]
    for single in report["files"][1:]:
        each = pdf_pages(single)
        assert len(each) == 3
        assert "RESUME OF JANE DOE, PAGE 1" in each[1]


def test_a_resume_that_is_not_a_pdf_is_one_clear_error(batch, workspace):
    from tests.helpers import configure

    (workspace / "resume.docx").write_bytes(b"PK\x03\x04 not a pdf")
    configure(workspace, sender={"resume": "resume.docx"})
    result = batch("--today", TODAY, "print")
    assert result.exit_code == 2
    assert "resume.docx is not a PDF" in result.stderr
    assert not list((workspace / "outbox").glob("*.pdf"))


@pytest.mark.parametrize("with_resume", [False, True])
def test_follow_ups_mention_an_enclosed_resume_only_when_there_is_one(
    batch, workspace, with_resume
):
    from tests.helpers import configure

    if with_resume:
        configure(workspace, sender={"resume": str(_resume(workspace / "resume.pdf"))})
    assert batch("--today", TODAY, "print", "--mark-mailed").exit_code == 0
    later = "2026-12-07"  # two weeks on: the first follow-up letter is due
    report = batch.json("--today", later, "print", "--followups")
    text = " ".join(pdf_pages(report["files"][0]))
    assert "I wrote to you about joining" in text
    assert ("enclosed another copy of my resume" in text) is with_resume


def test_preview_of_a_posted_letter_shows_it_as_printed_and_writes_the_pdf(batch, tmp_path):
    result = batch("--today", TODAY, "preview", "Dvořák", "--pdf", tmp_path / "one.pdf")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("By post: the letter as printed on US Letter, for a window envelope")
    head, rest = out.split("November 23, 2026", 1)
    assert "Jane Doe\n40 Oak Avenue · Springfield, IL 62704" in head
    # The window address block, then the body, then the typed name.
    assert "Tomáš Dvořák\nPlant Manager\nDvořák Castings\n22 Mill Rd\nHartford, CT 06103" in rest
    assert rest.index("Hartford, CT 06103") < rest.index("Dear Tomáš Dvořák,")
    assert rest.rstrip().endswith("Jane Doe")
    pages = pdf_pages(tmp_path / "one.pdf")
    assert len(pages) == 1
    assert "Hartford, CT 06103" in pages[0]
    assert "Dear Tomáš Dvořák," in pages[0]
    assert "Wrote the printed letter (1 page)" in result.stderr


def test_mailed_on_a_day_after_today_is_refused(batch, workspace):
    result = batch("--today", TODAY, "mailed", "--on", "2026-11-30")
    assert result.exit_code == 2
    assert "--on 2026-11-30 is after today (2026-11-23)" in result.stderr
    assert post_sends(workspace) == []
