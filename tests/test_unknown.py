"""campaign unknown: a real `campaign send` killed mid-batch against aiosmtpd, then resolved.

The third message of five is in the server's hands when the process is killed, so the ledger
cannot know whether it went. The user looks in the Sent folder and says so, both ways; each
time exactly one copy reaches the server, and the follow-ups start from the day it was tried.
"""

from __future__ import annotations

import json
import signal

import pytest

from tests.helpers import people
from tests.test_send import TODAY, copies, prepare, rows, send_json, spawn_send

THIRD = "person3@example.com"
LATER = "2026-11-30"  # a week after the killed run: the user resolves it then


@pytest.fixture
def killed(run, workspace, tmp_path, smtp_server, ledger, request):
    """Five emails; the run is killed while the server holds the third (kept or dropped)."""
    prepare(run, workspace, tmp_path, smtp_server, people(5))
    smtp_server.block_at = 3
    smtp_server.keep_blocked = request.param
    kill_while_blocked(smtp_server, spawn_send(workspace))
    assert rows(ledger)[THIRD]["status"] == "sending"
    return smtp_server


def kill_while_blocked(server, process) -> None:
    """SIGKILL the `campaign send` process while the server holds its message unanswered."""
    arrived = server.blocked.wait(timeout=20)
    process.send_signal(signal.SIGKILL)
    _, err = process.communicate(timeout=10)
    server.release.set()
    assert arrived, err.decode()
    assert server.unblocked.wait(timeout=10)


def listed(run, today: str = LATER) -> list[dict]:
    return run.json("--today", today, "unknown")["unknown"]


def due_kinds(run, today: str, prospect: int = 3) -> list[tuple]:
    items = run.json("--today", today, "due", "--days", "30")
    return [(i["kind"], i["channel"], i["due"]) for i in items if i["prospect_id"] == prospect]


@pytest.mark.parametrize("killed", [True], indirect=True, ids=["3rd-delivered"])
def test_seen_in_the_sent_folder_is_recorded_as_sent_on_the_day_tried(run, killed, ledger):
    # `due` settles the dead run and lists the send as the one thing to resolve for #3.
    assert due_kinds(run, LATER) == [("unknown-send", "resolve", TODAY)]
    human = run("--today", LATER, "due")
    assert "Sends to resolve: did they go?" in human.stdout
    assert "1 unknown send to resolve (`campaign unknown`)" in human.stderr
    assert "send 3, intro to person3@example.com" in human.stdout
    [item] = listed(run)
    [to_resolve] = [i for i in run.json("--today", LATER, "due") if i["kind"] == "unknown-send"]
    assert to_resolve["send_id"] == item["send_id"]
    assert f"`campaign unknown --sent {item['send_id']}`" in to_resolve["reason"]
    [received] = killed.to(THIRD)
    assert item["message_id"] == received.message["Message-ID"]  # what to search Sent for
    assert (item["prospect_id"], item["recipient"], item["attempted_on"]) == (3, THIRD, TODAY)
    assert item["subject"] == received.message["Subject"]
    table = run("--today", LATER, "unknown")
    assert received.message["Message-ID"] in table.stdout
    assert "unknown --sent ID" in table.stderr
    assert "1 send may or may not have gone" in table.stderr  # one, said as one
    assert f"send {item['send_id']}  tried {TODAY}  #3 Company 3" in table.stdout

    done = run.json("--today", LATER, "unknown", "--sent", item["send_id"])
    assert (done["marked_sent"], done["marked_unsent"], done["unknown"]) == (
        [item["send_id"]],
        [],
        [],
    )
    row = rows(ledger)[THIRD]
    assert (row["status"], row["sent_on"]) == ("sent", TODAY)  # the day tried, not LATER
    # The next send sends the two the killed run never reached, and not the third again.
    code, again = send_json(run, "--yes", today=LATER)
    assert (code, again["sent"], again["unknown"], again["owed"]) == (0, 2, 0, 0)
    assert send_json(run, "--yes", today=LATER)[1]["sent"] == 0
    assert copies(killed) == {f"person{n}@example.com": 1 for n in range(1, 6)}
    # Its follow-ups count from Monday the 23rd, like the others sent that day: the receipt
    # check on Thursday the 26th (overdue now), the first follow-up letter two weeks on.
    assert due_kinds(run, LATER) == [
        ("receipt-check", "email", "2026-11-26"),
        ("followup-letter-1", "email", "2026-12-07"),
    ]
    assert due_kinds(run, LATER) == due_kinds(run, LATER, prospect=2)
    history = run.json("show", "3")["history"]
    assert history[0]["status"] == "sent"
    assert "recorded as sent by you" in history[0]["detail"]


@pytest.mark.parametrize("killed", [False], indirect=True, ids=["3rd-lost"])
def test_not_in_the_sent_folder_is_sent_once_by_the_next_send(run, killed, ledger):
    [item] = listed(run)
    assert due_kinds(run, LATER) == [("unknown-send", "resolve", TODAY)]
    assert THIRD not in copies(killed)
    done = run.json("--today", LATER, "unknown", "--unsent", item["send_id"])
    assert done["marked_unsent"] == [item["send_id"]]
    assert rows(ledger)[THIRD]["status"] == "deferred"
    assert listed(run) == []
    assert due_kinds(run, LATER) == []  # owed, not a follow-up

    code, data = send_json(run, "--yes", today=LATER)  # the third, then the two never reached
    assert (code, data["sent"], data["unknown"], data["owed"]) == (0, 3, 0, 0)
    assert len(killed.to(THIRD)) == 1
    code, again = send_json(run, "--yes", today=LATER)
    assert again["sent"] == 0
    assert copies(killed) == {f"person{n}@example.com": 1 for n in range(1, 6)}
    row = rows(ledger)[THIRD]
    assert (row["status"], row["sent_on"]) == ("sent", LATER)
    # Its follow-ups count from the day it really went.
    assert due_kinds(run, LATER, prospect=3)[0] == ("receipt-check", "email", "2026-12-03")


@pytest.mark.parametrize("killed", [False], indirect=True, ids=["3rd-lost"])
def test_mistakes_are_one_line_and_change_nothing(run, killed, ledger):
    [item] = listed(run)
    sent_id = rows(ledger)["person1@example.com"]["id"]
    for args, message in [
        ((str(item["send_id"]),), "say what happened to them: --sent or --unsent."),
        (("--sent",), "name the sends by id; `campaign unknown` lists them"),
        (("--sent", "999"), "no send 999; `campaign unknown` lists them"),
        (
            ("--unsent", str(item["send_id"]), str(sent_id)),
            f"send {sent_id} is sent, not unknown; nothing was changed.",
        ),
    ]:
        result = run("--today", LATER, "unknown", *args)
        assert result.exit_code == 2, args
        assert result.stderr == f"campaign: error: {message}\n"
    assert [r["send_id"] for r in listed(run)] == [item["send_id"]]  # all or nothing
    assert rows(ledger)[THIRD]["status"] == "unknown"


def test_nothing_unknown(run, workspace, tmp_path, smtp_server):
    prepare(run, workspace, tmp_path, smtp_server, people(2))
    assert send_json(run, "--yes")[1]["sent"] == 2
    result = run("unknown")
    assert result.exit_code == 0
    assert "No unknown sends" in result.stderr
    assert json.loads(run("unknown", "--json").stdout) == {
        "unknown": [],
        "marked_sent": [],
        "marked_unsent": [],
    }


@pytest.mark.parametrize("went", [True, False], ids=["seen", "not-seen"])
def test_an_unknown_follow_up_letter_is_resolved_the_same_way(
    run, workspace, tmp_path, smtp_server, ledger, went
):
    from tests.helpers import add_prospects, use_smtp

    # Intros on Wednesday the 18th; their receipt checks fall due on Monday the 23rd (TODAY).
    use_smtp(workspace, smtp_server)
    add_prospects(run, tmp_path, people(3))
    assert run("--today", "2026-11-18", "batch", "--all").exit_code == 0
    assert send_json(run, "--yes", today="2026-11-18")[1]["sent"] == 3
    smtp_server.block_at = 5  # the second receipt check
    smtp_server.keep_blocked = went
    kill_while_blocked(smtp_server, spawn_send(workspace, "--followups"))

    [item] = listed(run, TODAY)
    assert (item["kind"], item["recipient"], item["attempted_on"]) == (
        "receipt",
        "person2@example.com",
        TODAY,
    )
    flag = "--sent" if went else "--unsent"
    said = run("--today", TODAY, "unknown", flag, item["send_id"])
    assert said.exit_code == 0
    assert (
        "Recorded 1 send as sent on the day tried; its follow-ups start then."
        if went
        else "1 letter is owed again"
    ) in said.stderr
    code, data = send_json(run, "--yes", "--followups")
    # The third receipt check is still owed either way; the second goes again only if unseen.
    assert (code, data["sent"]) == (0, 1 if went else 2)
    assert send_json(run, "--yes", "--followups")[1]["sent"] == 0
    # Each person holds exactly two messages: the intro and one receipt check.
    assert copies(smtp_server) == {f"person{n}@example.com": 2 for n in (1, 2, 3)}
    statuses = {r["dedupe"]: r["status"] for r in ledger.execute("SELECT * FROM sends")}
    assert statuses == {f"{kind}:{n}": "sent" for kind in ("intro", "receipt") for n in (1, 2, 3)}
