"""Outbox mode is honest: drafts say so, and so does the summary."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys

from tests.helpers import add_prospects, people
from tests.test_send import POST

TODAY = "2026-11-23"


def _batch(run, tmp_path, rows):
    add_prospects(run, tmp_path, rows)
    assert run("--today", TODAY, "batch", "--all").exit_code == 0


def test_outbox_files_are_drafts_and_the_summary_says_so(run, workspace, tmp_path):
    _batch(run, tmp_path, [*people(2), POST])
    result = run("--today", TODAY, "send", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["transport"] == "outbox"
    assert data["sent"] == 2
    assert (
        "Wrote 2 drafts to outbox/: send them from your mail program today; their follow-ups "
        "count from today." in result.stderr
    )
    assert "Sent 2" not in result.stderr
    assert "1 letter goes by post and is not recorded as posted yet: print it with " in (
        result.stderr
    )
    drafts = sorted((workspace / "outbox").glob("*.eml"))
    assert len(drafts) == 2
    for path in drafts:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message["X-Unsent"] == "1"
    # The ledger says what happened too: a draft, not a sent email.
    assert "First letter by email (draft in outbox/)" in run("show", "1").stdout
    assert "(2 of the emails as drafts in outbox/)" in run("status").stdout


def test_smtp_sends_are_not_drafts(run, workspace, tmp_path, smtp_server):
    from tests.helpers import use_smtp

    use_smtp(workspace, smtp_server)
    _batch(run, tmp_path, people(1))
    result = run("--today", TODAY, "send", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["transport"] == "smtp"
    assert "Sent 1 email." in result.stderr
    assert smtp_server[0].message["X-Unsent"] is None


def test_declining_the_prompt_sends_nothing_and_exits_0(workspace, tmp_path, run):
    _batch(run, tmp_path, people(2))
    leader, follower = os.openpty()
    os.write(leader, b"n\n")
    env = {**os.environ, "CAMPAIGN_WORKSPACE": str(workspace), "CAMPAIGN_TODAY": TODAY}
    done = subprocess.run(
        [sys.executable, "-m", "campaign", "send"],
        stdin=follower,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    os.close(leader)
    os.close(follower)
    assert done.returncode == 0, done.stderr
    assert b"Write 2 emails as drafts from Jane Doe <jane.doe@example.org>" in done.stderr
    assert done.stderr.strip().endswith(b"Nothing sent.")
    assert list((workspace / "outbox").glob("*.eml")) == []
    assert json.loads(run("status", "--json").stdout)["sent"]["email"] == 0
