"""`campaign serve` in a real headless chromium: the whole weekly routine through the pages."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import httpx
from playwright.sync_api import expect
from pypdf import PdfReader

from campaign.util.resources import sample_list
from tests.helpers import add_prospects, free_port, people, use_smtp
from tests.web_fixtures import screenshot

TODAY = "2026-11-30"  # a Monday
LATER = "2026-12-03"  # the Thursday: receipt checks are due


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def print_from(page, tmp_path: Path) -> str:
    """Click Print; the downloaded PDF's text."""
    with page.expect_download() as download:
        page.get_by_role("link", name="Print", exact=True).click()
    return pdf_text(Path(download.value.path()).read_bytes(), tmp_path)


def nav(page, name: str) -> None:
    page.get_by_role("navigation", name="Pages").get_by_role("link", name=name, exact=True).click()


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def test_weekly_routine_in_the_browser(run, workspace, serve, page, smtp_server, tmp_path):
    use_smtp(workspace, smtp_server)
    served = serve(TODAY)
    served.open(page)
    assert page.url == served.base + "/"  # the token was never in the address bar
    assert page.get_by_role("heading", name="Dashboard").is_visible()

    # Import: the dry run first, then Import.
    nav(page, "Import")
    page.get_by_label("Spreadsheet").set_input_files(str(sample_list()))
    button(page, "Check the file").click()
    expect(page.get_by_role("status")).to_contain_text("120 new, 0 updated, 0 unchanged")
    screenshot(page, tmp_path, "import-check")
    assert run.json("prospects") == []  # nothing written by the dry run
    button(page, "Import").click()
    expect(page.get_by_role("status")).to_contain_text("Imported employers.xlsx: 120 new")
    assert len(run.json("prospects")) == 120

    # This week: pick the batch, preview, Send with a confirmation, progress, the summary.
    nav(page, "This week")
    button(page, "Pick this week's batch").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(20)
    batch = run.json("--today", TODAY, "batch")["prospects"]
    emails = [p for p in batch if p["channel"] == "email"]
    posts = [p for p in batch if p["channel"] == "post"]
    assert rows.first.inner_text().startswith(f"1\t{batch[0]['company']}")
    screenshot(page, tmp_path, "week")
    button(page, "Send").click()
    question = page.locator("#question").inner_text()
    assert question == (
        f"Send {len(emails)} emails as Jane Doe <jane.doe@example.org> via "
        f"127.0.0.1:{smtp_server.port}?"
    )
    # Who gets what, each email listed before anything goes.
    expect(page.locator("main details")).to_contain_text(emails[0]["company"])
    screenshot(page, tmp_path, "send-confirm")
    assert len(smtp_server) == 0  # asking sends nothing
    button(page, "Send").click()
    summary = page.locator("#summary")
    summary.wait_for()
    assert summary.inner_text() == f"Sent {len(emails)} emails."
    expect(page.locator("main")).to_contain_text(f"{len(posts)} letters go by post: print them")
    screenshot(page, tmp_path, "sent")
    assert sorted(m.rcpt_tos[0] for m in smtp_server) == sorted(p["email"] for p in emails)

    # A reload, and a second Send, never send twice.
    page.reload()
    page.goto(served.base + "/week")
    assert button(page, "Send").count() == 0  # nothing is owed by email: nothing to press
    page.goto(served.base + "/week/send")  # the question page, reached again, sends nothing
    expect(page.get_by_role("status")).to_contain_text("No email left to send")
    assert len(smtp_server) == len(emails)

    # Print the post letters (a PDF download), then Mark as posted.
    page.goto(served.base + "/week")
    printed = print_from(page, tmp_path)
    assert all(prospect["company"] in printed for prospect in posts)
    for link, pages in (("their envelopes", len(posts)), ("address labels", 1)):
        with page.expect_download() as download:
            page.get_by_role("link", name=link).click()
        data = Path(download.value.path()).read_bytes()
        assert len(PdfReader(io.BytesIO(data)).pages) == pages
        assert all(prospect["company"] in pdf_text(data, tmp_path) for prospect in posts)
    page.get_by_role("link", name="Mark as posted").click()
    button(page, f"Record {len(posts)} letters as posted").click()
    assert f"Recorded {len(posts)} letters as posted on Mon 30 Nov." in page.inner_text("main")
    status = run.json("--today", TODAY, "status")
    assert status["sent"] == {"email": len(emails), "post": len(posts)}
    # Posted letters are not offered for printing again (a second copy would reach them).
    expect(page.locator("#finished")).to_contain_text("Nothing more to do here this week")
    assert page.get_by_role("link", name="Print", exact=True).count() == 0

    # Three days later: the receipt calls for the posted letters; log one outcome.
    served.stop()
    later = serve(LATER)
    later.open(page)
    nav(page, "Due")
    screenshot(page, tmp_path, "due")
    called = posts[0]
    phone = run.json("show", str(called["id"]))["phone"]
    assert phone
    row = page.locator("tr", has=page.get_by_role("form", name=f"Call {called['company']}"))
    expect(row).to_contain_text(phone)  # the number to dial, on the page
    form = page.get_by_role("form", name=f"Call {called['company']}")
    form.get_by_label("Note").fill("sent it to HR")
    # Enter in a box logs no outcome by itself: the history below holds one call, not two.
    form.get_by_label("Note").press("Enter")
    form.get_by_label("Best time").fill("Tue 9am")
    form.get_by_label("Assistant").fill("Pat")
    form.get_by_role("button", name="Left message", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"Logged Left message: {called['company']}.")
    shown = run.json("show", str(called["id"]))
    assert shown["assistant"] == "Pat"
    assert shown["best_time"] == "Tue 9am"
    assert [h["status"] for h in shown["history"] if h["what"] == "call"] == ["left-message"]

    # An interview, logged on the prospect's page.
    met = emails[0]
    page.goto(f"{later.base}/prospects/{met['id']}")
    page.locator("summary", has_text="An interview or meeting").click()
    interview = page.get_by_role("form", name="An interview or meeting")
    interview.get_by_label("People met: Name, Title, email; ...").fill(
        "Ann Lee, CFO, ann.lee@example.com; Bo Chan, HR Lead"
    )
    interview.get_by_role("button").click()
    expect(page.get_by_role("status")).to_contain_text("Logged: An interview or meeting, Thu 3 Dec")
    # The history says who was met, as `campaign show` does, and names letters in words.
    history = page.locator("main section", has_text="History").inner_text()
    assert "Interview with Ann Lee, Bo Chan" in history
    assert "met Ann Lee (CFO, ann.lee@example.com)" in history
    assert "met Bo Chan (HR Lead)" in history
    assert "First letter by email" in history
    screenshot(page, tmp_path, "prospect")
    thanks = [i for i in run.json("--today", LATER, "due") if i["kind"] == "thank-you"]
    # The email decides: Ann's thank-you goes by email, Bo's by post.
    assert sorted((i["name"], i["channel"]) for i in thanks) == [
        ("Ann Lee", "email"),
        ("Bo Chan", "post" if run.json("show", str(met["id"]))["postal_code"] else "note"),
    ]
    # Logged twice the same day: the page says what to do on the page, not a CLI flag.
    for _ in range(2):
        page.locator("summary", has_text="A note").click()
        note = page.get_by_role("form", name="A note")
        note.get_by_label("Note", exact=True).fill("thanked them in person")
        note.get_by_role("button").click()
    problem = page.locator("main").inner_text()
    assert "already has this note" in problem
    assert 'tick "Record it again anyway"' in problem
    # What was typed is still there, and the box to record it again is beside it.
    note = page.get_by_role("form", name="A note")
    assert note.get_by_label("Note", exact=True).input_value() == "thanked them in person"
    expect(note.get_by_label("Record it again anyway")).to_be_visible()
    assert "--again" not in problem
    page.goto(f"{later.base}/prospects/{met['id']}")

    # The dashboard says what `campaign status --json` says.
    nav(page, "Dashboard")
    status = run.json("--today", LATER, "status")
    shown = {key: page.locator(f"#n-{key}").inner_text() for key in ("prospects", "due")}
    assert shown == {
        "prospects": str(status["prospects"]["total"]),
        "due": str(status["due_today"]),
    }
    # The cards count what was logged, as `status` does; the funnel counts prospects, an
    # interview answering the letter as a reply does, and each says so.
    cards = page.locator("section.cards").inner_text()
    assert status["replies"] == 0
    assert re.search(r"\b0\s+replies logged", cards)
    assert re.search(rf"\b{status['interviews']}\s+interviews? logged", cards)
    for key, value in (
        ("sent-email", status["sent"]["email"]),
        ("sent-post", status["sent"]["post"]),
        ("overdue", status["overdue"]),
        ("replies", status["replies"]),
        ("interviews", status["interviews"]),
        ("calls", status["calls"]),
    ):
        assert page.locator(f"#n-{key}").inner_text() == str(value), key
    funnel = page.locator("figure", has_text="The funnel").inner_text()
    assert re.search(r"Written to\s+20\b", funnel)
    assert re.search(r"Interviewed\s+1\b", funnel)
    assert re.search(r"Answered\s+1\b", funnel)
    assert "prospects at each stage" in funnel
    assert "Answered: a reply or an interview logged" in funnel
    screenshot(page, tmp_path, "dashboard")

    # The other pages, and the downloads.
    nav(page, "Prospects")
    page.get_by_label("Search").fill(called["company"])
    button(page, "Search").click()
    # expect() waits for the new page; a bare count() could read the old one.
    expect(page.locator("main table tbody")).to_contain_text(called["company"])
    screenshot(page, tmp_path, "prospects")
    nav(page, "Letters")
    page.get_by_role("navigation", name="Your letters").get_by_role(
        "link", name="Follow-up letter 1"
    ).click()
    page.get_by_label("Preview for (a name, company, email or number)").fill(str(met["id"]))
    button(page, "Preview").click()
    assert "not saved yet" not in page.inner_text("main")
    frame = page.frame_locator("iframe[title='The email as it goes']")
    assert met["company"] in frame.locator("body").inner_text()
    screenshot(page, tmp_path, "letters")
    nav(page, "Dashboard")
    with page.expect_download() as download:
        page.get_by_role("link", name="The tracker workbook (.xlsx)").click()
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    with page.expect_download() as download:
        button(page, "The follow-ups for your calendar (.ics)").click()
    assert b"BEGIN:VCALENDAR" in Path(download.value.path()).read_bytes()
    assert page.dialogs == []


def test_the_dashboard_calendar_cancels_ended_follow_ups_as_the_cli_export_does(
    run, workspace, serve, page, tmp_path
):
    from icalendar import Calendar

    add_prospects(run, tmp_path, people(2))
    assert run("--today", TODAY, "batch").exit_code == 0
    assert run("--today", TODAY, "send", "--yes").exit_code == 0

    def download() -> dict[str, str]:
        """The calendar the Dashboard's button gives: each event's UID and STATUS."""
        with page.expect_download() as got:
            button(page, "The follow-ups for your calendar (.ics)").click()
        events = Calendar.from_ical(Path(got.value.path()).read_bytes()).walk("VEVENT")
        return {str(e["UID"]): str(e["STATUS"]) for e in events}

    served = serve("2026-12-01")
    served.open(page)
    first = download()
    assert set(first.values()) == {"CONFIRMED"}
    assert run("--today", "2026-12-01", "log", "1", "rejected").exit_code == 0
    page.reload()
    second = download()
    ended = {uid for uid, state in second.items() if state == "CANCELLED"}
    assert ended  # the rejected prospect's follow-ups...
    assert ended <= set(first)  # ...keep their UIDs, now cancelled: the calendar updates
    assert all(state == "CONFIRMED" for uid, state in second.items() if uid not in ended)
    # The CLI's export reads the same record: nothing new to cancel, the same UIDs.
    cli = tmp_path / "cli.ics"
    assert run("--today", "2026-12-01", "export", str(cli)).exit_code == 0
    events = Calendar.from_ical(cli.read_bytes()).walk("VEVENT")
    assert {str(e["UID"]) for e in events} == set(second)


def test_import_shows_every_problem_then_imports_the_good_rows(run, serve, page, tmp_path):
    sheet = tmp_path / "leads.csv"
    sheet.write_text(
        "Company,Contact,Email\nAcme,Ann Lee,ann@acme.example\nBeta,Bo Chan,bo@\n",
        encoding="utf-8",
    )
    served = serve(TODAY)
    served.open(page)
    page.goto(served.base + "/import")
    page.get_by_label("Spreadsheet").set_input_files(str(sheet))
    button(page, "Check the file").click()
    problems = page.locator("main table tbody tr")
    expect(problems).to_have_count(1)
    # The dry run is a page of its own: reloading it posts nothing again.
    assert "/import/check?" in page.url
    page.reload()
    expect(problems).to_have_count(1)
    # The counts say what importing the good rows would do, row by row too.
    expect(page.get_by_role("status")).to_contain_text("1 new, 0 updated, 0 unchanged; 1 row")
    expect(page.locator("main details").first).to_contain_text("row 2: Acme (Ann Lee): new")
    cells = problems.first.locator("td").all_inner_texts()
    assert cells[:2] == ["3", "Email"]
    assert "bo@" in cells[2]
    cli = run("import", str(sheet), "--dry-run")
    assert problems.first.get_attribute("title") in cli.stderr.splitlines()  # the CLI's line
    assert button(page, "Import").count() == 0
    button(page, "Import, skipping invalid rows").click()
    expect(page.get_by_role("status")).to_contain_text("1 new")
    assert [p["company"] for p in run.json("prospects")] == ["Acme"]

    # A file that is not a spreadsheet gets the CLI's one clear line, nothing more.
    junk = tmp_path / "notes.pdf"
    junk.write_bytes(b"%PDF-1.4 not a sheet")
    page.get_by_label("Spreadsheet").set_input_files(str(junk))
    button(page, "Check the file").click()
    assert page.get_by_role("alert").inner_text() == (
        "notes.pdf: unknown file type .pdf; use .xlsx, .xlsm, .xls, .ods, .csv or .vcf."
    )

    # Where the CLI's message names a flag (--map), the page says what to do instead.
    firms = tmp_path / "firms.csv"
    firms.write_text("Shop,Contact,Email\nAcme,Ann Lee,ann@acme.example\n", encoding="utf-8")
    assert "--map" in run("import", str(firms), "--dry-run").stderr
    page.get_by_label("Spreadsheet").set_input_files(str(firms))
    button(page, "Check the file").click()
    said = page.get_by_role("alert").inner_text()
    assert "no Company column found" in said
    assert "name the column so in the sheet and upload it again" in said
    assert "--map" not in said


def test_a_hostile_sheet_is_shown_as_text_and_runs_nothing(run, workspace, serve, page, tmp_path):
    hostile = "<script>alert(1)</script>"
    add_prospects(
        run,
        tmp_path,
        [
            {
                "Company": hostile,
                "Contact": '<img src=x onerror="alert(2)">',
                "Title": "</iframe><script>alert(3)</script>",
                "Email": "ceo@hostile.example",
                "Industry": "<b onmouseover=alert(4)>x</b>",
            }
        ],
    )
    run("--today", TODAY, "batch")
    served = serve(TODAY)
    served.open(page)
    for path in ("/", "/week", "/prospects", "/prospects/1", "/letters?prospect=1", "/due"):
        page.goto(served.base + path)
        page.wait_for_load_state("load")
        if path != "/" and path != "/due":
            assert hostile in page.inner_text("main"), path
        assert page.locator("main script").count() == 0, path
    page.goto(served.base + "/letters?prospect=1")
    frame = page.frame_locator("iframe[title='The email as it goes']")
    assert hostile in frame.locator("body").inner_text()
    assert page.locator("iframe").get_attribute("sandbox") == ""
    screenshot(page, tmp_path, "hostile")
    assert page.dialogs == []


def test_a_template_error_is_shown_as_the_cli_shows_it(run, workspace, serve, page):
    add_prospects(
        run,
        workspace.parent,
        [{"Company": "Acme", "Contact": "Ann Lee", "Email": "ann@acme.example"}],
    )
    intro = workspace / "templates" / "intro.md"
    intro.write_text(intro.read_text(encoding="utf-8") + "\n{{ favourite_colour }}\n")
    served = serve(TODAY)
    served.open(page)
    page.goto(served.base + "/letters?template=intro&prospect=1")
    shown = page.get_by_role("alert").inner_text()
    cli = run("--today", TODAY, "preview", "1")
    assert cli.exit_code == 2
    assert cli.stderr.strip() == f"campaign: error: {shown}"
    assert "favourite_colour" in shown
    assert "intro.md" in shown


def test_ctrl_c_stops_the_server_cleanly(serve):
    served = serve(TODAY)
    code, said = served.stop()
    assert code == 0
    assert "Traceback" not in said
    assert said.strip().endswith("Stopped.")


def test_a_bad_today_is_one_clear_line(run):
    result = run("--today", "2026-13-01", "serve", "--no-browser")
    assert result.exit_code == 2
    assert result.stderr.startswith("campaign: error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_week_can_be_sent_from_the_keyboard(run, workspace, serve, page, tmp_path):
    add_prospects(run, tmp_path, people(2))
    run("--today", TODAY, "batch")
    served = serve(TODAY)
    served.open(page)
    page.goto(served.base + "/week")

    def tab_to(name: str) -> None:
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.locator(":focus").inner_text() == name:
                return
        raise AssertionError(f"Tab never reached {name!r}")

    tab_to("Send")
    page.keyboard.press("Enter")
    page.locator("#question").wait_for()
    tab_to("Send")
    page.keyboard.press("Enter")
    expect(page.locator("#summary")).to_have_text("Wrote 2 drafts to the outbox folder.")
    assert len(list((workspace / "outbox").glob("*.eml"))) == 2


def test_port_is_the_one_asked_for_and_a_busy_port_is_one_clear_line(run, serve):
    port = free_port()
    served = serve(TODAY, "--port", str(port))
    assert served.host == f"127.0.0.1:{port}"
    busy = run("serve", "--no-browser", "--port", str(port))
    assert busy.exit_code == 2
    assert busy.stderr.startswith(f"campaign: error: cannot listen on 127.0.0.1:{port} (")
    assert busy.stderr.strip().endswith("pick another with --port.")


def test_the_cli_does_not_load_the_web_stack():
    code = (
        "import sys, campaign.cli.main; "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'campaign.web') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_send_left_unknown_is_resolved_on_the_due_page_then_sent_once(
    run, workspace, serve, page, smtp_server, ledger, tmp_path
):
    from tests.test_send import TODAY as SENT_ON
    from tests.test_send import copies, prepare, spawn_send

    prepare(run, workspace, tmp_path, smtp_server, people(5))
    smtp_server.block_at = 3  # the run is killed while the server holds the third
    process = spawn_send(workspace)
    assert smtp_server.blocked.wait(timeout=20)
    process.kill()
    process.communicate(timeout=10)
    smtp_server.release.set()
    assert smtp_server.unblocked.wait(timeout=10)

    served = serve(SENT_ON)
    served.open(page)
    nav(page, "Due")
    [third] = run.json("--today", SENT_ON, "unknown")["unknown"]
    due = page.locator("main").inner_text()
    assert "in your Sent folder; then say whether it went" in due
    assert "campaign unknown" not in due  # the CLI's way; here, the buttons
    form = page.get_by_role("form", name=re.compile(r"^Did it go\? .*, Company 3$"))
    form.get_by_role("button", name="It did not go", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Recorded the send as owed again.")
    assert run.json("--today", SENT_ON, "unknown")["unknown"] == []

    nav(page, "This week")
    button(page, "Send").click()
    assert page.locator("#question").inner_text().startswith("Send 3 emails as ")
    button(page, "Send").click()
    expect(page.locator("#summary")).to_have_text("Sent 3 emails.")
    assert copies(smtp_server) == {f"person{n}@example.com": 1 for n in range(1, 6)}


def test_follow_up_letters_by_post_are_printed_and_marked_from_the_due_page(
    run, workspace, serve, page, tmp_path
):
    run("import", str(sample_list()))
    run("--today", TODAY, "batch")
    run("--today", TODAY, "send", "--yes")
    run("--today", TODAY, "print", "--mark-mailed")
    two_weeks = "2026-12-14"
    by_post = [i for i in run.json("--today", two_weeks, "due") if i["kind"] == "followup-letter-1"]
    posted = [i for i in by_post if i["channel"] == "post"]
    assert len(posted) == 5
    served = serve(two_weeks)
    served.open(page)
    nav(page, "Due")
    printed = print_from(page, tmp_path)
    assert all(item["company"] in printed for item in posted)
    page.get_by_role("link", name="Mark as posted").click()
    button(page, "Record 5 letters as posted").click()
    expect(page.get_by_role("status")).to_have_text("Recorded 5 letters as posted on Mon 14 Dec.")
    left = run.json("--today", two_weeks, "due")
    assert [i for i in left if i["kind"] == "followup-letter-1" and i["channel"] == "post"] == []
    assert page.get_by_role("link", name="Mark as posted").count() == 0  # nothing to post
    assert run.json("--today", two_weeks, "status")["sent"]["post"] == 10


def test_last_weeks_post_letters_not_printed_in_time_are_printed_this_week(
    run, workspace, serve, page, tmp_path
):
    run("import", str(sample_list()))
    run("--today", TODAY, "batch")
    run("--today", TODAY, "send", "--yes")  # the emails went; the 5 post letters did not
    next_week = "2026-12-07"
    run("--today", next_week, "batch")
    served = serve(next_week)
    served.open(page)
    nav(page, "This week")
    expect(page.locator("main")).to_contain_text("of them still to post from earlier weeks")
    printed = print_from(page, tmp_path)
    owed = [p for p in run.json("--today", TODAY, "batch")["prospects"] if p["channel"] == "post"]
    assert len(owed) == 5
    assert all(p["company"] in printed for p in owed)
    page.get_by_role("link", name="Mark as posted").click()
    button(page, "Record 10 letters as posted").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded")
    sent = run.json("--today", next_week, "status")["sent"]["post"]
    posted_now = [p for p in run.json("--today", next_week, "batch")["prospects"]]
    assert sent == 5 + sum(p["channel"] == "post" for p in posted_now)


def test_read_my_inbox_records_a_reply_as_campaign_sync_does(
    run, workspace, serve, page, smtp_server, imap, tmp_path
):
    from tests.messages import reply
    from tests.test_mailbox import sent_batch

    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=2)
    first = "person1@company1.example.com"
    imap.deliver(reply(f"Person1 <{first}>", "Re: your letter", "Call me.", in_reply_to=ids[first]))
    served = serve("2026-12-02")
    served.open(page)
    nav(page, "Due")
    button(page, "Read my inbox").click()
    assert page.get_by_role("status").inner_text() == (
        "Read 1 new message: 1 reply; each is on the list below, with who wrote and what."
    )
    assert run.json("show", first)["status"] == "replied"
    # The reply is today's first to-do: who wrote, when, and their first words.
    replies = page.get_by_role("region", name="Replies to answer today")
    expect(replies).to_contain_text(f"Person1 <{first}> wrote on Wed 2 Dec: 'Call me.'")
    replies.get_by_role("link", name="Person1").click()
    history = page.get_by_role("region", name="History").inner_text()
    assert "Call me." in history
    for header in ("References", "In-Reply-To", "Message-ID"):
        assert header not in history
    assert b"\\Seen" not in imap.read()[0][0]  # only read: not even marked as seen


def test_when_every_prospect_has_a_batch_the_pages_say_so_as_batch_does(
    run, workspace, serve, page, tmp_path
):
    add_prospects(run, tmp_path, people(2))
    assert run("--today", TODAY, "batch").exit_code == 0
    next_week = "2026-12-07"
    cli = run("--today", next_week, "batch")
    assert "every active prospect already has a batch" in cli.stderr
    served = serve(next_week)
    served.open(page)
    said = page.locator("#none-left").inner_text()
    assert said == (
        "No batch this week. Every active prospect already has a batch; import more employers "
        "(the Import page) to start another."
    )
    assert page.get_by_role("link", name="Pick this week's batch").count() == 0
    nav(page, "This week")
    assert page.locator("#none-left").inner_text() == said
    assert button(page, "Pick this week's batch").count() == 0
    assert "prospects are waiting" not in page.inner_text("main")
    screenshot(page, tmp_path, "week-none-left")


def test_the_refusal_is_styled_and_still_runs_no_script(workspace, serve, page, tmp_path):
    """The stylesheet alone is served without the token (it holds nothing of the user's)."""
    served = serve(TODAY)
    response = httpx.get(served.base + "/")
    assert response.status_code == 403
    assert "script-src 'none'" in response.headers["content-security-policy"]
    sheet = httpx.get(served.origin + "/static/style.css")  # outside the secret path
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/css")
    assert (
        httpx.get(
            served.origin + "/static/style.css?x=1", headers={"host": "evil.example"}
        ).status_code
        == 403
    )
    page.goto(served.base + "/")
    heading = page.get_by_role("heading", name="Access refused")
    assert heading.evaluate("h => getComputedStyle(h).fontSize") == "26px"  # style.css's h1
    screenshot(page, tmp_path, "refused")


def test_chromium_sends_nothing_secret_to_another_local_server(
    workspace, serve, page, other_server
):
    """Browsers keep cookies apart by host, not port: a cookie of 127.0.0.1:APP reaches
    127.0.0.1:OTHER unless its path keeps it home. After opening the app, the browser visits
    another local server (on 127.0.0.1 and as localhost, at the root and under a path of the
    same shape as the app's): that server receives no cookie, no token, no secret path."""
    served = serve(TODAY)
    served.open(page)
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    other = f"127.0.0.1:{other_server.port}"
    for url in (
        f"http://{other}/",
        f"http://localhost:{other_server.port}/",
        f"http://{other}/{'A' * len(served.scope)}/",  # a path like the app's, not its own
        f"http://{other}/week",
    ):
        page.goto(url)
        assert page.get_by_text("another server").is_visible()
    page.goto(served.base + "/due")  # still let in: the cookie stayed with the app
    assert page.get_by_role("heading", name="Due").is_visible()
    assert len(other_server.received) >= 4
    for request in other_server.received:
        assert b"\r\ncookie:" not in request.lower(), request
        assert served.token.encode() not in request
        assert served.scope.encode() not in request  # nor the path, in a Referer or elsewhere


def test_the_token_is_in_no_url_the_browser_keeps(workspace, serve, browser, tmp_path):
    """Chromium's own History database, read back after a session: the app's pages are
    there, the token in none of their addresses (it went in a POST body, once)."""
    import sqlite3

    from tests.web_fixtures import CHROMIUM, CHROMIUM_ARGS

    served = serve(TODAY)
    profile = tmp_path / "profile"
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS
    )
    page = context.new_page()
    served.open(page)
    nav(page, "Prospects")
    page.goto(served.base + "/week")
    context.close()
    history = sqlite3.connect(profile / "Default" / "History")
    urls = [row[0] for row in history.execute("SELECT url FROM urls")]
    history.close()
    assert served.base + "/prospects" in urls
    assert served.link.as_uri() in urls
    assert [url for url in urls if served.token in url] == []


def _peak_mib(pid: int) -> float:
    """A live process's peak resident memory (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def test_the_import_page_refuses_hostile_sheets_in_one_line(serve, page, tmp_path):
    """The bombs of tests/test_sheet_bounds.py, uploaded: the same one line, at no cost."""
    import time

    from tests.test_sheet_bounds import one_far_cell, tiny_ods, zip_bomb

    served = serve("2026-11-23")
    page.goto(served.url)
    page.goto(served.base + "/import")
    before = _peak_mib(served.process.pid)
    for name, make in (
        ("far.xlsx", lambda p: one_far_cell(p, "A1:XFD1048576")),
        ("tiny.ods", lambda p: tiny_ods(p, 1_048_575, 1_024)),
        ("bomb.xlsx", zip_bomb),
    ):
        path = make(tmp_path / name)
        page.get_by_label("Spreadsheet").set_input_files(str(path))
        start = time.perf_counter()
        page.get_by_role("button", name="Check the file", exact=True).click()
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(f"{name}: ")
        seconds = time.perf_counter() - start
        text = alert.inner_text()
        print(f"{name} on the Import page: {seconds:.2f} s, {text}")
        assert "\n" not in text.strip()
        assert "not read. Is it the right file?" in text
        assert seconds < 2  # a round trip through the browser, on a shared machine
    # The server grew by a few megabytes at most (it was 6.5 GB for the first of these).
    assert _peak_mib(served.process.pid) - before < 50


def test_this_weeks_batch_loses_and_gains_a_prospect_before_sending(
    run, workspace, serve, page, tmp_path
):
    add_prospects(run, tmp_path, people(5))
    assert run("--today", TODAY, "batch", "--size", "3").exit_code == 0
    served = serve(TODAY)
    served.open(page)
    nav(page, "This week")
    button(page, "Take Company 2 out of this week's batch").click()
    expect(page.get_by_role("status")).to_have_text(
        "Took Company 2 out of this week's batch: they wait for a later week."
    )
    box = page.get_by_role("combobox", name="Add a prospect to this week's batch")
    box.fill("Nobody Known")
    button(page, "Add to this week").click()
    # Said beside the box, with what was typed still in it.
    expect(page.locator("#e-who")).to_contain_text('No prospect "Nobody Known"')
    expect(box).to_have_value("Nobody Known")
    box.fill("Company 5")
    button(page, "Add to this week").click()
    expect(page.get_by_role("status")).to_have_text("Added Company 5 to this week's batch.")
    assert [p["id"] for p in run.json("--today", TODAY, "batch")["prospects"]] == [1, 3, 5]
    # Once a letter went, its prospect stays: no Take out beside it.
    assert run.json("--today", TODAY, "send", "--yes")["sent"] == 3
    page.reload()
    assert page.get_by_role("button", name=re.compile("^Take .* out")).count() == 0


def test_a_refused_address_is_said_plainly_and_not_promised_a_retry(
    run, workspace, serve, page, smtp_server, tmp_path
):
    use_smtp(workspace, smtp_server)
    add_prospects(run, tmp_path, people(3))
    smtp_server.refuse = {"person2@example.com"}
    assert run("--today", TODAY, "batch").exit_code == 0
    served = serve(TODAY)
    served.open(page)
    nav(page, "This week")
    button(page, "Send").click()
    button(page, "Send").click()
    expect(page.locator("#summary")).to_have_text("Sent 2 emails; 1 address was refused (below).")
    expect(page.locator("main")).to_contain_text("person2@example.com")
    expect(page.locator("main")).to_contain_text("They are not tried again as they are")
    assert "retries them" not in page.inner_text("main")


def test_notes_written_by_hand_are_recorded_apart_from_printed_letters(
    run, workspace, serve, page, tmp_path
):
    """A thank-you to someone met with no address known is a note to write by hand: Due lists
    it apart, records it with its own button, and Mark as posted never records it unseen."""
    add_prospects(
        run,
        tmp_path,
        [
            {"Company": "Cedar Co", "Contact": "Lia Park", "Email": "lia@cedar.example"},
            {"Company": "Dune Foods", "Contact": "Raj Rao", "Address": "4 Pine Rd",
             "City": "Newark", "State": "NJ", "ZIP": "07102"},
        ],
    )  # fmt: skip
    assert run("--today", TODAY, "log", "1", "interview", "--with", "Bo Chan, CTO").exit_code == 0
    assert run("--today", TODAY, "log", "2", "interview").exit_code == 0  # by post: Raj Rao
    served = serve(TODAY)
    served.open(page)
    nav(page, "Due")
    notes = page.get_by_role("region", name="Notes to write by hand (1)")
    expect(notes).to_contain_text("Cedar Co")
    # Mark as posted lists, and records, the printed letter only.
    page.get_by_role("link", name="Mark as posted").click()
    expect(page.locator("main ul")).to_contain_text("Dune Foods")
    assert "Cedar Co" not in page.locator("main ul").inner_text()
    button(page, "Record 1 letter as posted").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded 1 letter as posted")
    kinds = {(i["prospect_id"], i["kind"]) for i in run.json("--today", TODAY, "due")}
    assert (1, "thank-you") in kinds
    assert (2, "thank-you") not in kinds
    button(page, "Record 1 note as sent").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded 1 note written by hand as sent")
    assert not [i for i in run.json("--today", TODAY, "due") if i["kind"] == "thank-you"]
