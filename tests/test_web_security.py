"""`campaign serve` over plain HTTP: the token, Host, CSRF and Origin guards, and sending once."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import add_prospects, people, use_smtp
from tests.web_fixtures import *  # noqa: F403  (serve)

TODAY = "2026-11-30"


@contextlib.contextmanager
def client(served) -> Iterator[httpx.Client]:
    """A client that has opened the printed link: it holds the token cookie."""
    with httpx.Client(base_url=served.base, follow_redirects=False, timeout=20) as http:
        first = http.get(served.url)
        assert first.status_code == 303
        assert first.headers["location"] == "/"
        yield http


def csrf_of(http: httpx.Client, path: str = "/week") -> str:
    text = http.get(path).text
    return text.split('name="csrf" value="', 1)[1].split('"', 1)[0]


def finished(http: httpx.Client, started: httpx.Response) -> str:
    """The sending page once its run is over (it refreshes itself until then)."""
    deadline = time.monotonic() + 20
    while 'http-equiv="refresh"' in (page := http.get(started.headers["location"])).text:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return page.text


def own(served) -> dict:
    return {"origin": served.base}


def test_the_link_sets_a_private_cookie_and_pages_carry_a_strict_policy(workspace, serve):
    served = serve(TODAY)
    with httpx.Client(base_url=served.base) as http:
        first = http.get(served.url)
        cookie = first.headers["set-cookie"]
    port = served.base.rsplit(":", 1)[1]
    # One cookie name per port: cookies are not kept apart by port.
    assert cookie.startswith(f"campaign_token_{port}={served.token};")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    with client(served) as http:
        page = http.get("/")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert "<script" not in page.text


@pytest.mark.parametrize("path", ["/", "/week", "/prospects", "/downloads/tracker.xlsx"])
def test_without_the_token_every_page_is_refused(workspace, serve, path):
    served = serve(TODAY)
    port = served.base.rsplit(":", 1)[1]
    for cookies in ({}, {f"campaign_token_{port}": "guessed"}, {"campaign_token": served.token}):
        response = httpx.get(served.base + path, cookies=cookies)
        assert response.status_code == 403
        assert "Open the link that `campaign serve` printed" in response.text
    wrong = httpx.get(f"{served.base}{path}?token=guessed")
    assert wrong.status_code == 403
    assert "set-cookie" not in wrong.headers


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
    before = sorted(p.name for p in workspace.rglob("*"))
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
    assert sorted(p.name for p in workspace.rglob("*")) == before


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
            assert "failed 0, unknown 0, still owed 0" in finished(http, response)
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
