"""campaign sync on bad and hostile input, a renumbered folder, a dropped connection."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading

from campaign.mailbox import sync as sync_module
from tests.dovecot import PASSWORD
from tests.helpers import add_prospects, configure, use_imap
from tests.messages import dsn, reply
from tests.test_mailbox import SENT_ON, rows, sent_batch


def test_hostile_and_broken_messages(run, workspace, smtp_server, imap, tmp_path):
    sent_batch(run, workspace, smtp_server, imap, tmp_path, count=3)
    huge = "A real answer.\n" + ("x" * 76 + "\n") * 70_000  # a 5 MB body
    broken_charset = (
        b"From: person2@company2.example.com\r\nTo: jane.doe@example.org\r\n"
        b"Subject: =?x-no-such-charset?q?caf=E9?=\r\nMessage-ID: <broken@mail.test>\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nCaf\xe9 tomorrow?\r\n"
    )
    # Encoded CR LF in From and Subject: the stdlib refuses to build it, a sender's program may.
    injection = (
        b"From: =?utf-8?q?Evil=0D=0ABcc=3A_all=40spam=2Etest?= <person3@company3.example.com>\r\n"
        b"To: jane.doe@example.org\r\nSubject: =?utf-8?q?Hello=0D=0AX-Injected=3A_yes?=\r\n"
        b"Message-ID: <inject@mail.test>\r\n\r\nHi\r\n"
    )
    long_ago = reply(
        "person1@company1.example.com",
        "An old note",
        "Written long before your letter.",
        when=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    imap.deliver(
        reply("person1@company1.example.com", "Re: hello", huge),
        broken_charset,
        injection,
        long_ago,
        b"\x00\xff garbage that is no message at all",
        b"From: x@y.example.com\r\nDate: Fri, 31 Dec 9999 23:59:59 -1200\r\n\r\nFar off\r\n",
    )
    report = run.json("--today", "2026-12-02", "sync")
    assert report["scanned"] == 6
    found = {i["prospect_id"]: i for i in report["items"]}
    assert sorted(found) == [1, 2, 3]  # the 2020 message from prospect 1 is not a reply
    assert report["replies"] == 3
    for item in report["items"]:
        assert "\n" not in item["subject"] + item["from"]
        assert "\r" not in item["subject"] + item["from"]
        assert len(item["subject"]) <= 200
    assert found[3]["subject"] == "Hello X-Injected: yes"
    shown = run.json("show", "1")["history"]
    [answer] = [h for h in shown if h["what"] == "reply"]
    assert "A real answer." in answer["detail"]
    assert len(answer["detail"]) < 400


def test_possible_reply_from_a_colleague_and_never_from_free_mail(
    run, workspace, smtp_server, imap, tmp_path
):
    sent_batch(run, workspace, smtp_server, imap, tmp_path, count=2)
    imap.deliver(
        reply("Pat Boss <pat.boss@company2.example.com>", "Your letter to Person2", "Call me."),
        reply("someone@gmail.com", "Hi", "I saw your letter."),
    )
    report = run.json("--today", "2026-12-02", "sync")
    assert report["possible_replies"] == 1
    assert report["replies"] == 0
    [item] = report["items"]
    assert (item["prospect_id"], item["kind"]) == (2, "possible-reply")
    due = run.json("--today", "2026-12-02", "due")
    [check] = [i for i in due if i["kind"] == "check-reply"]
    assert check["prospect_id"] == 2
    assert "pat.boss@company2.example.com" in check["reason"]
    assert run.json("prospects", "--status", "active")[1]["id"] == 2  # follow-ups go on
    assert run("--today", "2026-12-02", "log", "2", "reply").exit_code == 0
    due = run.json("--today", "2026-12-02", "due")
    assert not [i for i in due if i["kind"] == "check-reply"]


def test_a_temporary_failure_is_recorded_and_changes_nothing(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=1)
    address = "person1@company1.example.com"
    imap.deliver(dsn(address, status="4.4.1", original_id=ids[address]))
    report = run.json("--today", "2026-12-02", "sync")
    assert (report["bounces"], report["delayed"]) == (0, 1)
    due = run.json("--today", "2026-12-15", "due")
    assert [i["kind"] for i in due] == ["followup-letter-1"]


def test_a_bounce_clears_once_a_new_address_is_imported(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=1)
    address = "person1@company1.example.com"
    imap.deliver(dsn(address, original_id=ids[address]))
    assert run.json("--today", "2026-12-02", "sync")["bounces"] == 1
    assert [i["kind"] for i in run.json("--today", "2026-12-02", "due")] == ["bounced"]
    add_prospects(run, tmp_path, [{**rows(1)[0], "Email": "p.one@company1.example.com"}])
    # The new address never had the first letter: it is owed again, not "Following up...".
    assert run.json("--today", "2026-12-03", "due") == []
    assert run.json("--today", "2026-12-03", "send", "--yes")["sent"] == 1
    [again] = smtp_server.to("p.one@company1.example.com")
    assert not again.message["Subject"].startswith("Following up")
    history = run.json("show", "1")["history"]
    assert [h["status"] for h in history if h["what"] == "intro letter by email"] == ["sent"]
    due = run.json("--today", "2026-12-17", "due")
    assert [(i["kind"], i["channel"]) for i in due] == [("followup-letter-1", "email")]


def test_a_renumbered_inbox_is_read_again_without_recording_twice(
    run, workspace, smtp_server, imap, tmp_path
):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=2, inbox="Replies")
    with imap.client() as client:
        client.create_folder("Replies")
    answer = reply("person1@company1.example.com", "Re", "Yes", ids["person1@company1.example.com"])
    imap.deliver(answer, folder="Replies")
    assert run.json("--today", "2026-12-02", "sync")["replies"] == 1
    with imap.client() as client:  # a new folder of the same name: a new UIDVALIDITY
        client.delete_folder("Replies")
        client.create_folder("Replies")
    other = reply("person2@company2.example.com", "Re", "Me too")
    imap.deliver(answer, other, folder="Replies")
    result = run("--today", "2026-12-03", "sync", "--json")
    assert result.exit_code == 0
    assert "read again in full" in result.stderr
    assert [i["prospect_id"] for i in __import__("json").loads(result.stdout)["items"]] == [2]
    assert len([h for h in run.json("show", "1")["history"] if h["what"] == "reply"]) == 1


def test_bad_settings_and_servers_are_one_clear_line(run, workspace, imap, tmp_path):
    use_imap(workspace, imap)
    wrong = run("sync", env={"CAMPAIGN_IMAP_PASSWORD": "nope"})
    assert wrong.exit_code == 2
    assert wrong.stderr.count("\n") == 1
    assert "refused the login" in wrong.stderr
    assert "app password" in wrong.stderr
    use_imap(workspace, imap, inbox="NoSuchFolder")
    missing = run("sync")
    assert missing.exit_code == 2
    assert "there is no folder 'NoSuchFolder'" in missing.stderr
    assert "Traceback" not in missing.stderr
    configure(workspace, imap={"port": _closed_port()})
    refused = run("sync")
    assert refused.exit_code == 2
    assert "refused the connection" in refused.stderr
    configure(workspace, imap={"security": "tls"})
    assert "use ssl, starttls or none" in run("sync").stderr
    # The password is never written anywhere in the workspace.
    for path in workspace.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CuttingProxy:
    """A TCP relay to Dovecot that closes both sides once `limit` bytes came from the server."""

    def __init__(self, target: tuple[str, int], limit: int):
        self.target, self.limit = target, limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, self), daemon=True).start()

    def _pipe(self, source, sink, counter) -> None:
        sent = 0
        try:
            while data := source.recv(65536):
                if counter is not None and sent + len(data) > counter.limit:
                    break
                sink.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for sock in (source, sink):  # shutdown() wakes the other relay thread at once
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.listener.close()


def test_a_dropped_connection_stops_cleanly_and_the_next_sync_goes_on(
    run, workspace, smtp_server, imap, tmp_path, monkeypatch
):
    monkeypatch.setattr(sync_module, "BATCH", 10)
    addresses = [f"person{n}@company{n}.example.com" for n in range(1, 31)]
    use_imap(workspace, imap)
    add_prospects(run, tmp_path, rows(30))
    from tests.helpers import use_smtp

    use_smtp(workspace, smtp_server)
    assert run("--today", SENT_ON, "batch", "--size", "30").exit_code == 0
    assert run("--today", SENT_ON, "send", "--yes").exit_code == 0
    imap.deliver(*(reply(a, "Re", "Yes " * 250) for a in addresses))
    proxy = CuttingProxy((imap.server.host, imap.server.port), limit=25_000)
    configure(workspace, imap={"port": proxy.port})
    try:
        cut = run("--today", "2026-12-02", "sync")
    finally:
        proxy.close()
    assert cut.exit_code == 2
    assert cut.stderr.startswith("campaign: error: IMAP ")
    assert cut.stderr.count("\n") == 1
    replied = len(run.json("prospects", "--status", "replied"))
    assert 0 < replied < 30
    assert replied % 10 == 0  # whole batches, each with its place in the folder
    configure(workspace, imap={"port": imap.server.port})
    rest = run.json("--today", "2026-12-02", "sync")
    assert rest["replies"] == 30 - replied
    assert len(run.json("prospects", "--status", "replied")) == 30


def test_dry_run_reports_and_records_nothing(run, workspace, smtp_server, imap, tmp_path):
    ids = sent_batch(run, workspace, smtp_server, imap, tmp_path, count=1)
    imap.deliver(
        reply("person1@company1.example.com", "Re", "Yes", ids["person1@company1.example.com"])
    )
    first = run("--today", "2026-12-02", "sync", "--dry-run", "--json")
    assert first.exit_code == 0
    assert "Nothing was recorded" in first.stderr
    assert __import__("json").loads(first.stdout)["replies"] == 1
    assert run.json("prospects", "--status", "replied") == []
    assert run.json("--today", "2026-12-02", "sync")["replies"] == 1  # still new for a real sync


def test_sync_without_imap_says_how_to_set_it_up(run):
    result = run("sync")
    assert result.exit_code == 2
    assert "no [imap] section" in result.stderr
    assert result.stderr.count("\n") == 1


def test_the_smtp_password_serves_imap_only_for_the_same_username(
    run, workspace, imap, monkeypatch
):
    monkeypatch.delenv("CAMPAIGN_IMAP_PASSWORD")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    configure(workspace, smtp={"host": "127.0.0.1", "port": 25, "security": "none",
                               "username": imap.user})  # fmt: skip
    configure(workspace, imap={"host": imap.server.host, "port": imap.server.port,
                               "security": "none"})  # fmt: skip
    same = run("sync", env={"CAMPAIGN_SMTP_PASSWORD": PASSWORD})
    assert same.exit_code == 0, same.stderr
    configure(workspace, imap={"username": "someone-else"})
    other = run("sync", env={"CAMPAIGN_SMTP_PASSWORD": PASSWORD})
    assert other.exit_code == 2
    assert "no IMAP password for someone-else; set CAMPAIGN_IMAP_PASSWORD" in other.stderr


def test_a_bounced_address_with_a_postal_one_gets_its_follow_ups_by_post(
    run, workspace, smtp_server, imap, tmp_path
):
    use_imap(workspace, imap)
    from tests.helpers import use_smtp

    use_smtp(workspace, smtp_server)
    where = {"Address": "1 Mill Road", "City": "Springfield", "ZIP": "62704", "Phone": "555-0101"}
    add_prospects(run, tmp_path, rows(1, **where))
    assert run("--today", SENT_ON, "batch").exit_code == 0
    assert run("--today", SENT_ON, "send", "--yes").exit_code == 0
    imap.deliver(
        dsn("person1@company1.example.com", original_id=smtp_server[0].message["Message-ID"])
    )
    assert run.json("--today", "2026-12-02", "sync")["bounces"] == 1
    # A call nobody answered has not dealt with the bounce: it stays on the list.
    assert run("--today", "2026-12-02", "log", "1", "call", "--outcome", "no-answer").exit_code == 0
    due = run.json("--today", "2026-12-15", "due")
    kinds = {(i["kind"], i["channel"]) for i in due}
    assert ("bounced", "call") in kinds
    # The follow-up letter goes by post to the address on file, not to the bounced email.
    assert ("followup-letter-1", "post") in kinds
    assert ("followup-letter-1", "email") not in kinds
