"""The browser alone, from the first start in an empty home folder to a sent letter and a
printed one: no terminal, no text editor. Then every page at a phone's width and through
axe-core; forms that keep what was typed; undo."""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers import add_prospects
from tests.test_web import TODAY, button, nav, pdf_text
from tests.web_fixtures import CAMPAIGN, Served, screenshot

USER = "jane.doe@example.org"
PASSWORD = "correct-horse-battery-staple-7731"


def serve_in_empty_home(home: Path) -> Served:
    """`campaign serve` as a new user starts it: no workspace anywhere, HOME empty."""
    import time
    from urllib.parse import unquote, urlsplit

    env = {**os.environ, "HOME": str(home), "CAMPAIGN_TODAY": TODAY}
    env.pop("CAMPAIGN_WORKSPACE", None)
    process = subprocess.Popen(
        [CAMPAIGN, "serve", "--no-browser", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=home,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        found = re.search(r"(file://\S+\.html)", line)
        if found:
            return Served(process, Path(unquote(urlsplit(found.group(1)).path)))
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError("campaign serve did not start outside a workspace")


def resume_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def usable(page) -> None:
    """This page as it stands (a form with its problems, a result): no axe-core violation at
    1280 px, and no sideways scroll at a phone's 390 px."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    found = Axe().run(page).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in found] == [], page.url
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    page.set_viewport_size(size)
    assert wide[0] <= wide[1], (page.url, wide)


def test_from_an_empty_home_to_a_sent_and_a_printed_letter(
    page, tmp_path, start_smtp_server, monkeypatch
):
    home = tmp_path / "home"
    home.mkdir()
    smtp = start_smtp_server()
    smtp.credentials = (USER, PASSWORD)
    served = serve_in_empty_home(home)
    try:
        page.goto(served.url)
        page.wait_for_url(served.base + "/start")
        assert str(home / "campaign") in page.inner_text("main")
        screenshot(page, tmp_path, "start")
        usable(page)

        # A mistake: the page says so beside the field, and keeps everything typed.
        page.get_by_label("Your name, as you sign letters").fill("Jane Doe")
        page.get_by_label("Your email address").fill("jane.doe@")
        page.get_by_label("Your postal address").fill("40 Oak Avenue\nSpringfield, IL 62704")
        button(page, "Make my campaign folder").click()
        expect(page.get_by_role("alert")).to_contain_text("1 problem to fix below")
        assert page.get_by_label("Your name, as you sign letters").input_value() == "Jane Doe"
        assert page.get_by_label("Your postal address").input_value() == (
            "40 Oak Avenue\nSpringfield, IL 62704"
        )
        assert "is not an email address" in page.locator(".field-problem").inner_text()
        assert not (home / "campaign" / "campaign.toml").exists()
        usable(page)  # the form with its problem
        page.get_by_label("Your email address").fill(USER)
        page.get_by_label("Your phone number").fill("(217) 555-0142")
        button(page, "Make my campaign folder").click()
        expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
        toml = (home / "campaign" / "campaign.toml").read_text(encoding="utf-8")
        assert 'name = "Jane Doe"' in toml
        assert "# Who the letters are from" in toml

        # The mail account: typed servers, the password kept in memory (no keyring here).
        nav(page, "Setup")
        page.get_by_label("Another provider: I type the servers below").check()
        page.get_by_label("Username (usually your full email address)").fill(USER)
        page.get_by_label("Password (or app password)").fill(PASSWORD)
        page.locator("summary", has_text="Servers").click()
        page.get_by_label("Sending server (SMTP)").fill(smtp.host)
        page.get_by_label("Port").first.fill(str(smtp.port))
        page.get_by_label("Security").first.select_option("none")
        button(page, "Save my mail account").click()
        expect(page.get_by_role("status")).to_contain_text("in memory only until it stops")
        assert PASSWORD not in (home / "campaign" / "campaign.toml").read_text()
        button(page, "Test the connection").click()
        expect(page.locator(".result")).to_contain_text(f"Sending works: {smtp.host}:{smtp.port}")
        assert smtp.logins == [(USER, True)]
        # The resume (a PDF); a signature that is not an image is refused beside its field.
        page.get_by_label(re.compile("^Your resume ")).set_input_files(
            files=[{"name": "cv.pdf", "mimeType": "application/pdf", "buffer": resume_pdf()}]
        )
        button(page, "Upload the resume").click()
        expect(page.get_by_role("status")).to_contain_text("Your resume is saved")
        page.get_by_label(re.compile("^Your signature:")).set_input_files(
            files=[{"name": "sig.png", "mimeType": "image/png", "buffer": b"not an image"}]
        )
        button(page, "Upload the signature").click()
        expect(page.locator("#e-signature")).to_contain_text("must be a PNG or JPEG image")
        screenshot(page, tmp_path, "setup")
        usable(page)

        # The letters: each example made the user's own in the browser.
        nav(page, "Letters")
        while page.locator("#example-note").count():
            button(page, "Remove the example note and save").click()
            expect(page.get_by_role("status")).to_contain_text("it is yours now")
            for link in (
                page.get_by_role("navigation", name="Your letters").get_by_role("link").all()
            ):
                link.click()
                if page.locator("#example-note").count():
                    break
        screenshot(page, tmp_path, "letters-editor")
        usable(page)

        # The list: one employer by email, one by post.
        sheet = tmp_path / "employers.csv"
        sheet.write_text(
            "Company,Contact,Email,Address,City,State,ZIP\n"
            "Acme Tools,Ann Lee,ann@acme.example,,,,\n"
            "Beta Works,Bo Chan,,1 Main St,Springfield,IL,62704\n",
            encoding="utf-8",
        )
        nav(page, "Import")
        page.get_by_label("Spreadsheet").set_input_files(str(sheet))
        button(page, "Check the file").click()
        page.wait_for_url("**/import/check?**")  # the dry run's own page, loaded
        usable(page)  # what the import would do, before it does
        button(page, "Import").click()
        expect(page.get_by_role("status")).to_contain_text("2 new")
        nav(page, "Dashboard")
        assert page.locator("section.checklist").count() == 0, page.inner_text("main")[:600]

        # The week: pick, send (asked first), print, mark as posted on a day.
        nav(page, "This week")
        button(page, "Pick this week's batch").click()
        button(page, "Send").click()
        expect(page.locator("#question")).to_contain_text("Send 1 email as Jane Doe")
        usable(page)
        button(page, "Send").click()
        expect(page.locator("#summary")).to_have_text("Sent 1 email.")
        usable(page)
        assert [m.rcpt_tos for m in smtp] == [["ann@acme.example"]]
        page.go_back()  # Back after the POST: a page, never "Confirm Form Resubmission"
        assert "Send" in page.title()
        page.goto(served.base + "/week")
        with page.expect_download() as download:
            page.get_by_role("link", name="Print", exact=True).click()
        printed = pdf_text(Path(download.value.path()).read_bytes(), tmp_path)
        assert "Beta Works" in printed
        assert "Jane Doe" in printed
        page.get_by_role("link", name="Mark as posted").click()
        assert page.get_by_label("The day they went in the post").input_value() == TODAY
        usable(page)
        button(page, "Record 1 letter as posted").click()
        expect(page.get_by_role("status")).to_contain_text(
            "Recorded 1 letter as posted on Mon 30 Nov"
        )
        expect(page.locator("#finished")).to_contain_text("have all gone")
        assert button(page, "Send").count() == 0
        assert page.get_by_role("link", name="Print", exact=True).count() == 0
        screenshot(page, tmp_path, "week-finished")
        written = sorted(p.name for p in (home / "campaign").iterdir())
        assert "resume.pdf" in written
        assert "campaign.db" in written
        assert sorted(p.name for p in home.iterdir()) == ["campaign"]  # nothing else written
    finally:
        served.stop()


PAGES = [
    "/",
    "/setup",
    "/week",
    "/due",
    "/prospects",
    "/prospects?stage=written&sort=next",
    "/prospects/1",
    "/import",
    "/letters",
    "/letters?template=followup1&prospect=2&as=post",
    "/week/posted",
    "/week/send",
    "/due/posted",
    "/prospects/2",
    "/no/such/page",
]


@pytest.fixture
def busy(run, workspace, tmp_path):
    """A workspace a week in: a batch sent as drafts, a call and an interview logged."""
    add_prospects(
        run,
        tmp_path,
        [
            {"Company": "Acme " + "Tools " * 40, "Contact": "Ann Lee", "Email": "ann@acme.example"},
            {"Company": "Beta", "Contact": "Bo Chan", "Address": "1 Main St",
             "City": "Springfield", "State": "IL", "ZIP": "62704"},
            {"Company": "Gamma", "Contact": "Cy Dee", "Email": "cy@gamma.example"},
        ],
    )  # fmt: skip
    run("--today", "2026-11-16", "batch")
    run("--today", "2026-11-16", "send", "--yes")
    run("--today", "2026-11-20", "log", "1", "call", "--outcome", "left-message")
    return workspace


def test_every_page_fits_a_phone_and_passes_axe(busy, serve, page, tmp_path):
    from axe_playwright_python.sync_playwright import Axe

    served = serve(TODAY)
    served.open(page)
    axe = Axe()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        for path in PAGES:
            page.goto(served.base + path)
            page.wait_for_load_state("load")
            wide = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert wide[0] <= wide[1], (path, width, wide)
            if width == 1280:
                found = axe.run(page).response["violations"]
                assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in found] == [], path
            name = re.sub(r"\W+", "-", path.strip("/")) or "dashboard"
            screenshot(page, tmp_path, f"{name}-{width}")


def test_a_log_with_a_problem_keeps_what_was_typed_and_undo_restores_due(busy, run, serve, page):
    served = serve(TODAY)
    served.open(page)
    page.goto(served.base + "/prospects/3")
    before = run.json("--today", TODAY, "due")
    page.locator("summary", has_text="An interview or meeting").click()
    form = page.get_by_role("form", name="An interview or meeting")
    form.get_by_label("People met: Name, Title, email; ...").fill("Ann Lee, CFO, ann@")
    form.get_by_label("Note").fill("went well, second round soon")
    form.get_by_role("button").click()
    form = page.get_by_role("form", name="An interview or meeting")
    expect(form.locator(".field-problem")).to_contain_text("is not an email address")
    assert form.get_by_label("Note").input_value() == "went well, second round soon"
    assert form.get_by_label("People met: Name, Title, email; ...").input_value() == (
        "Ann Lee, CFO, ann@"
    )
    assert run.json("--today", TODAY, "due") == before  # nothing was logged
    form.get_by_label("People met: Name, Title, email; ...").fill("Ann Lee, CFO, ann@gamma.example")
    form.get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text("Logged: An interview or meeting")
    assert any(i["kind"] == "thank-you" for i in run.json("--today", TODAY, "due"))
    page.get_by_role("button", name=re.compile("^Undo Interview")).click()
    expect(page.get_by_role("status")).to_contain_text("Undone: An interview or meeting")
    assert run.json("--today", TODAY, "due") == before
    assert page.locator("tr.undone").count() == 1
