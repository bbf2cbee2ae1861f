"""`campaign serve` over plain HTTP: the token, Host, CSRF and Origin guards, and sending once.

The browser's side of the token (another local server visited in Chromium) is in test_web.py,
with the other tests that drive Chromium.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import add_prospects, people, use_smtp

TODAY = "2026-11-30"


@contextlib.contextmanager
def client(served) -> Iterator[httpx.Client]:
    """A client that has done what the link file does: it holds the token cookie."""
    with httpx.Client(base_url=served.base, follow_redirects=False, timeout=20) as http:
        served.login(http)
        yield http


def csrf_of(http: httpx.Client, path: str = "/week") -> str:
    text = http.get(path).text
    return text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def finished(http: httpx.Client, started: httpx.Response) -> str:
    """The sending page once its run is over (it refreshes itself until then)."""
    deadline = time.monotonic() + 20
    where = started.url.join(started.headers["location"])  # /<scope>/sending/ID, absolute
    while 'http-equiv="refresh"' in (page := http.get(where)).text:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return page.text


def own(served) -> dict:
    return {"origin": served.origin}


def test_the_link_file_sets_a_cookie_scoped_to_the_secret_path(workspace, serve):
    served = serve(TODAY)
    assert served.link.parent == workspace
    assert served.link.stat().st_mode & 0o777 == 0o600  # the token's file: its user's only
    assert len(served.scope) >= 24
    assert served.scope != served.token
    with httpx.Client() as http:
        first = http.post(served.base + "/open", data={"token": served.token})
        cookie = first.headers["set-cookie"]
        assert first.headers["location"] == f"/{served.scope}/welcome"
        # The next page moves on by itself (a navigation of our own: the Strict cookie goes).
        welcome = http.get(served.base + "/welcome")
    assert cookie.startswith(f"campaign_token={served.token};")
    assert f"Path=/{served.scope};" in cookie or cookie.endswith(f"Path=/{served.scope}")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert f'content="0; url=/{served.scope}/"' in welcome.text
    assert served.token not in welcome.text
    with client(served) as http:
        page = http.get("/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"  # the path never leaves in a Referer
    assert "<script" not in page.text
    assert served.token not in page.text


@pytest.mark.parametrize("path", ["/", "/week", "/prospects", "/downloads/tracker.xlsx"])
def test_without_the_token_every_page_is_refused(workspace, serve, path):
    served = serve(TODAY)
    port = served.host.rsplit(":", 1)[1]
    for cookies in (
        {},
        {"campaign_token": "guessed"},
        {f"campaign_token_{port}": served.token},  # the old cookie's name
    ):
        response = httpx.get(served.base + path, cookies=cookies)
        assert response.status_code == 403
        assert "Open campaign from the link file" in response.text
    # The token in the address is no way in (it would stay in the history): refused.
    wrong = httpx.get(f"{served.base}{path}?token={served.token}")
    assert wrong.status_code == 403
    assert "set-cookie" not in wrong.headers
    guessed = httpx.post(served.base + "/open", data={"token": "guessed"})
    assert guessed.status_code == 403
    assert "set-cookie" not in guessed.headers
    # The right token, on the wrong path: the cookie's scope is the whole secret.
    with client(served) as http:
        token = http.cookies["campaign_token"]
        for elsewhere in (path, f"/x{path}", f"/{served.scope}x{path}"):
            response = httpx.get(served.origin + elsewhere, cookies={"campaign_token": token})
            assert response.status_code == 403, elsewhere


def test_another_host_name_is_refused_even_with_the_token(workspace, serve):
    """DNS rebinding: evil.example resolving to 127.0.0.1 still names evil.example."""
    served = serve(TODAY)
    port = served.host.split(":")[1]
    with client(served) as http:
        for host in (f"evil.example:{port}", "127.0.0.1:1", f"127.0.0.1.nip.io:{port}"):
            response = http.get("/", headers={"host": host})
            assert response.status_code == 403, host
            assert "answers only at 127.0.0.1 or localhost" in response.text
        assert http.get("/", headers={"host": f"localhost:{port}"}).status_code == 200


def test_a_change_needs_the_csrf_token_and_our_origin(run, workspace, serve, tmp_path):
    add_prospects(run, tmp_path, people(3))
    served = serve(TODAY)
    with client(served) as http:
        token = csrf_of(http)
        refused = [
            http.post("/week/pick", data={"size": "2"}, headers=own(served)),  # no CSRF token
            http.post("/week/pick", data={"size": "2", "csrf": "x"}, headers=own(served)),
            http.post(  # a foreign page posting with a stolen token
                "/week/pick",
                data={"size": "2", "csrf": token},
                headers={"origin": "http://evil.example"},
            ),
            http.post("/week/pick", data={"size": "2", "csrf": token}),  # no Origin, no Referer
        ]
        assert [r.status_code for r in refused] == [403, 403, 403, 403]
        assert run.json("--today", TODAY, "status")["batch"]["picked"] == 0
        assert http.get("/week/pick").status_code == 405  # GET never changes anything
        assert http.request("PUT", "/week/pick").status_code == 405
        done = http.post("/week/pick", data={"size": "2", "csrf": token}, headers=own(served))
        assert done.status_code == 303
    assert run.json("--today", TODAY, "status")["batch"]["picked"] == 2


def test_an_upload_over_20_mb_is_refused_and_nothing_lands_in_the_workspace(run, workspace, serve):
    served = serve(TODAY)

    def files() -> list[str]:
        # SQLite's -wal and -shm come and go as connections open and close: not uploads.
        return sorted(p.name for p in workspace.rglob("*") if not p.name.endswith(("-wal", "-shm")))

    before = files()
    with client(served) as http:
        token = csrf_of(http, "/import")
        big = b"Company,Contact,Email\n" + b"x" * (21 * 1024 * 1024)
        response = http.post(
            "/import",
            data={"csrf": token},
            files={"file": ("big.csv", big, "text/csv")},
            headers=own(served),
        )
        assert response.status_code == 413
        assert "larger than 20 MB" in response.text

        def chunks():  # no Content-Length: the body is cut off as it streams in
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
            for _ in range(22):
                yield b"x" * (1024 * 1024)

        streamed = http.post(
            "/import",
            content=chunks(),
            headers={**own(served), "content-type": "multipart/form-data; boundary=b"},
        )
        assert streamed.status_code == 413
        assert "larger than 20 MB" in streamed.text
    assert files() == before


def test_two_clicks_on_send_send_each_email_once(run, workspace, serve, smtp_server, tmp_path):
    use_smtp(workspace, smtp_server)
    add_prospects(run, tmp_path, people(6))
    run("--today", TODAY, "batch")
    served = serve(TODAY)
    with client(served) as http:
        token = csrf_of(http)
        form = {"csrf": token, "expected": "6"}
        runs = [http.post("/week/send/go", data=form, headers=own(served)) for _ in range(2)]
        assert all(r.status_code == 303 for r in runs)
        for response in runs:
            # Each run's summary: only emails sent, no refusal, nothing left unknown or waiting.
            assert re.search(r'id="summary">Sent [0-6] emails?\.</p>', finished(http, response))
    assert sorted(m.rcpt_tos[0] for m in smtp_server) == [
        f"person{n}@example.com" for n in range(1, 7)
    ]
    assert run.json("--today", TODAY, "status")["sent"]["email"] == 6


def test_send_refuses_more_than_was_confirmed(run, workspace, serve, smtp_server, tmp_path):
    use_smtp(workspace, smtp_server)
    add_prospects(run, tmp_path, people(4))
    run("--today", TODAY, "batch")
    served = serve(TODAY)
    with client(served) as http:
        form = {"csrf": csrf_of(http), "expected": "2"}  # the page said 2; 4 are owed now
        page = finished(http, http.post("/week/send/go", data=form, headers=own(served)))
    assert "4 emails are owed now, not the 2 you confirmed" in page
    assert len(smtp_server) == 0


# --- the token never leaves the app ------------------------------------------------------------


def test_a_stolen_cookie_or_path_of_another_run_is_refused(workspace, serve):
    """Two servers (two runs, or two users): neither's token opens the other, under either's
    path, nor with a Host naming the other's port."""
    first, second = serve(TODAY), serve(TODAY)
    assert first.scope != second.scope
    assert first.token != second.token
    for token, base, host in (
        (second.token, first.base, first.host),  # the other run's token
        (first.token, second.base, second.host),
        (first.token, first.base, second.host),  # the right token, another port's Host
        (first.token, second.origin + "/" + first.scope, second.host),
    ):
        response = httpx.get(base + "/", cookies={"campaign_token": token}, headers={"host": host})
        assert response.status_code == 403, (base, host)
    assert httpx.get(first.base + "/", cookies={"campaign_token": first.token}).status_code == 200


def test_a_token_or_cookie_that_is_not_ascii_is_refused_never_a_500(workspace, serve):
    served = serve(TODAY)
    headers = {"cookie": f"campaign_token=é{served.token}".encode()}
    assert httpx.get(served.base + "/", headers=headers).status_code == 403
    assert httpx.get(f"{served.base}/?token=é{served.token}").status_code == 403
    opened = httpx.post(served.base + "/open", data={"token": "ü" * 43})
    assert opened.status_code == 403
    assert "set-cookie" not in opened.headers
    with client(served) as http:
        posted = http.post("/week/pick", data={"size": "2", "csrf": "é" * 43}, headers=own(served))
        assert posted.status_code == 403


# --- names, ids and numbers are checked --------------------------------------------------------


def test_ids_and_page_numbers_past_any_prospect_are_a_404_or_a_page_never_a_500(
    run, workspace, serve, tmp_path
):
    add_prospects(run, tmp_path, people(2))
    run("--today", TODAY, "batch")
    served = serve(TODAY)
    huge = str(10**30)
    with client(served) as http:
        for path in (
            f"/prospects/{huge}",
            f"/preview/email/{huge}",
            f"/week/letter/{huge}.pdf",
            "/prospects/99999",
            "/prospects/١",  # an Arabic-Indic one: a digit, but no id
        ):
            assert http.get(path).status_code == 404, path
        listing = http.get(f"/prospects?page={huge}")
        assert listing.status_code == 200
        assert "Company 1" in listing.text  # the last page there is: the only one
        assert http.get("/prospects?page=-3").status_code == 200
        letters = http.get(f"/letters?prospect={huge}")
        assert letters.status_code == 200
        assert f"No prospect &#34;{huge}&#34;" in letters.text  # beside the field
        assert "No prospects yet" not in letters.text
        token = csrf_of(http)
        for path, form in (
            ("/due/unknown", {"send": huge, "went": "1"}),
            ("/due/call", {"prospect": huge, "outcome": "spoke"}),
            (f"/prospects/{huge}/log", {"event": "reply"}),
            ("/week/pick", {"size": huge}),
        ):
            answer = http.post(path, data={"csrf": token, **form}, headers=own(served))
            assert answer.status_code < 500, (path, answer.text)
    assert run.json("--today", TODAY, "status")["batch"]["picked"] == 2


def test_a_template_is_named_never_reached_by_a_path(run, workspace, serve, tmp_path):
    add_prospects(run, tmp_path, people(1))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.md").write_text("---\nsubject: Planted\n---\nA SECRET FROM ELSEWHERE\n")
    served = serve(TODAY)
    with client(served) as http:
        for name in (
            "../../elsewhere/x",
            "../../../../" + str(elsewhere / "x").lstrip("/"),
            str(elsewhere / "x"),
            "..\\..\\elsewhere\\x",
            "C:x",
        ):
            frame = http.get("/preview/email/1", params={"template": name})
            assert frame.status_code == 400, name
            assert "is not a template&#39;s name" in frame.text
            assert "SECRET" not in frame.text
            shown = http.get("/letters", params={"template": name, "prospect": "1"})
            assert "SECRET" not in shown.text
            assert "is not a template&#39;s name" in shown.text
        assert "Company 1" in http.get("/preview/email/1", params={"template": "intro"}).text


def test_an_uploaded_file_name_over_80_characters_keeps_its_extension(
    run, workspace, serve, tmp_path
):
    served = serve(TODAY)
    name = "employers list exported from the company CRM on a long afternoon " * 2 + "final.csv"
    assert len(name) > 80
    sheet = b"Company,Contact,Email\nAcme,Ann Lee,ann@acme.example\n"
    with client(served) as http:
        checked = http.post(
            "/import",
            data={"csrf": csrf_of(http, "/import")},
            files={"file": (name, sheet, "text/csv")},
            headers=own(served),
        )
        assert checked.status_code == 303, checked.text  # to the dry run's own page
        checked = http.get(checked.url.join(checked.headers["location"]))
        assert checked.status_code == 200, checked.text
        assert "<strong>1</strong> new" in checked.text
        assert f"Import {name[:76]}.csv: what would change" in checked.text
        kept = checked.text.split('name="upload" value="', 1)[1].split('"', 1)[0]
        done = http.post(
            "/import/confirm",
            data={"csrf": csrf_of(http, "/import"), "upload": kept},
            headers=own(served),
        )
        assert done.status_code == 303
    assert [p["company"] for p in run.json("prospects")] == ["Acme"]


def test_a_damaged_ledger_is_a_page_saying_so_never_a_500(run, workspace, serve, tmp_path):
    from tests.helpers import damage_ledger

    add_prospects(run, tmp_path, people(300))
    damage_ledger(workspace / "campaign.db")
    served = serve(TODAY)
    with client(served) as http:
        shown = http.get("/prospects")
    assert shown.status_code == 503
    assert "The ledger campaign.db is damaged (database disk image is malformed)" in shown.text


FILLED = {"name": "followups.ics", "which": "resume", "run": "x"}  # the other parameters: 1


def _routes(method: str) -> list[str]:
    """Every path of the app answering `method`, path parameters filled in (so a page
    added later is checked without anyone listing it here)."""
    from campaign.web.pages import dashboard, due, importer, letters, prospects, setup, start, week

    paths = []
    for module in (start, setup, dashboard, importer, week, due, prospects, letters):
        for route in module.routes:
            if method in (route.methods or ()):
                filled = re.sub(r"\{(\w+):\w+\}", lambda m: FILLED.get(m[1], "1"), route.path)
                paths.append(filled)
    return sorted(set(paths))


def test_every_change_on_every_page_needs_the_token_the_csrf_token_and_our_origin(
    run, workspace, serve, tmp_path
):
    """Each POST route, the new pages' included (setup, letters, batch changes, undo): without
    the token cookie, without the form's CSRF token, or from another origin, it is refused and
    nothing in the workspace changes."""
    add_prospects(run, tmp_path, people(3))
    run("--today", TODAY, "batch")

    def files() -> dict[str, object]:
        """Each file's bytes; the ledger's records (its pages change as it keeps its cache)."""
        kept = {
            str(p.relative_to(workspace)): p.read_bytes()
            for p in sorted(workspace.rglob("*"))
            if p.is_file() and p.suffix not in (".db", ".db-wal", ".db-shm")
        }
        with sqlite3.connect(workspace / "campaign.db") as conn:
            for table in ("prospects", "sends", "touches", "batches", "batch_members"):
                kept[table] = conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
        return kept

    posts = _routes("POST")
    assert {"/setup/details", "/setup/mail", "/letters/save", "/week/add", "/week/out"} <= set(
        posts
    )
    served = serve(TODAY)
    with client(served) as http:
        token = csrf_of(http)
        before = files()
        for path in posts:
            form = {"csrf": token, "prospect": "1", "who": "Company 1", "text": "x", "on": TODAY}
            attempts = {
                "no token cookie": httpx.post(served.base + path, data=form, headers=own(served)),
                "no CSRF token": http.post(path, data={**form, "csrf": ""}, headers=own(served)),
                "another origin": http.post(
                    path, data=form, headers={"origin": "http://evil.example"}
                ),
            }
            for why, response in attempts.items():
                assert response.status_code == 403, (path, why, response.status_code)
    assert files() == before


def test_every_page_without_the_token_is_refused(workspace, serve):
    served = serve(TODAY)
    gets = _routes("GET")
    assert {"/setup", "/letters", "/import/check", "/week/posted"} <= set(gets)
    for path in gets:
        response = httpx.get(served.base + path)
        assert response.status_code == 403, path
        assert "Open campaign from the link file" in response.text


def test_a_page_says_a_week_by_its_date_never_by_its_iso_code(run, workspace, serve, tmp_path):
    add_prospects(run, tmp_path, people(2))
    served = serve(TODAY)  # no batch picked this week
    with client(served) as http:
        sent = http.post(
            "/week/add", data={"csrf": csrf_of(http), "who": "Company 1"}, headers=own(served)
        )
        assert sent.status_code == 303
        shown = http.get(sent.url.join(sent.headers["location"])).text
    assert "No batch for the week of" in shown
    assert not re.search(r"\d{4}-W\d{2}", shown)
    cli = run("--today", TODAY, "batch", "--add", "Company 1")
    assert re.search(r"the week of \w+ \d+ \(\d{4}-W\d{2}\)", cli.stderr)  # --week takes it
