"""campaign demo: the whole weekly routine on the shipped sample list, files where it says."""

import email
import email.policy
import re
import sqlite3
from pathlib import Path

import openpyxl
from pypdf import PdfReader

from tests.helpers import Run

TODAY = "2026-11-23"


def test_demo_runs_the_week_and_reports_where_every_file_landed(tmp_path, workspace):
    root = tmp_path / "d"
    # A workspace of the user's own, named by the environment: the demo must leave it alone.
    result = Run()(
        "--today", TODAY, "demo", "--dir", root, env={"CAMPAIGN_WORKSPACE": str(workspace)}
    )
    assert result.exit_code == 0, result.stderr
    said = result.stderr

    # Every path in the closing summary exists.
    reported = [Path(p) for p in re.findall(r"^  (/\S+?)/?(?:\s|$)", said, re.MULTILINE)]
    assert {p.name for p in reported} >= {
        "campaign.toml",
        "templates",
        "campaign.db",
        "outbox",
        "tracker.xlsx",
    }
    for path in reported:
        assert path.exists(), path
        assert root in path.parents or path == root

    outbox = root / "outbox"
    emls = sorted(outbox.glob("*.eml"))
    count = int(re.search(r"(\d+) email drafts \(\.eml\)", said).group(1))
    assert count == len(emls) == 15
    for path in emls:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message["To"].addresses[0].addr_spec
        assert message.get_body(("plain",)).get_content().startswith("Dear ")

    letters = PdfReader(outbox / "letters-2026-W48.pdf")
    assert len(letters.pages) == 5
    assert "November 23, 2026" in letters.pages[0].extract_text()
    assert len(PdfReader(outbox / "envelopes.pdf").pages) == 5
    calls = " ".join(page.extract_text() for page in PdfReader(outbox / "calls.pdf").pages)
    # The receipt checks for the 5 posted letters, and a call to the prospect whose email bounced.
    assert "6 calls at 8 an hour" in " ".join(calls.split())
    assert "bounced on 2026-11-23" in " ".join(calls.split())

    book = openpyxl.load_workbook(root / "tracker.xlsx")
    assert book.sheetnames == ["Prospects", "Touches", "Due"]
    assert book["Prospects"].max_row == 121  # the header and the 120 sample employers
    # The header, 20 letters, and what `sync` read from the sample inbox: a reply and a bounce.
    assert book["Touches"].max_row == 23

    conn = sqlite3.connect(root / "campaign.db")
    assert conn.execute("SELECT count(*) FROM batch_members").fetchone()[0] == 20
    assert conn.execute("SELECT week FROM batches").fetchall() == [("2026-W48",)]
    sends = conn.execute(
        "SELECT channel, status, sent_on, count(*) FROM sends GROUP BY channel, status, sent_on"
    ).fetchall()
    assert sends == [("email", "sent", TODAY, 15), ("post", "sent", TODAY, 5)]
    assert conn.execute("SELECT count(*) FROM prospects").fetchone()[0] == 120
    assert conn.execute("SELECT kind FROM mail_seen ORDER BY id").fetchall() == [
        ("reply",),
        ("bounce",),
    ]
    assert conn.execute("SELECT count(*) FROM prospects WHERE status = 'replied'").fetchone() == (
        1,
    )
    conn.close()
    assert "Read 2 new messages: 1 reply, 0 automatic replies, 1 bounce" in said

    # What the demo says it did, in order.
    steps = re.findall(r"^\$ campaign (\w+)", said, re.MULTILINE)
    assert steps == [
        "init",
        "import",
        "batch",
        "preview",
        "send",
        "print",
        "sync",
        "due",
        "calls",
        "status",
        "export",
    ]

    mine = sqlite3.connect(workspace / "campaign.db")
    assert mine.execute("SELECT count(*) FROM prospects").fetchone()[0] == 0
    mine.close()
    assert not (workspace / "outbox").exists() or not list((workspace / "outbox").iterdir())
