"""The server's cache of follow-ups and dashboard numbers: kept while the ledger is unchanged,
computed again as soon as anything (here the CLI) commits to it."""

from __future__ import annotations

import datetime as dt

from campaign.followups.due import compute
from campaign.reports.status import dashboard
from campaign.web.cache import LedgerCache
from campaign.workspace.settings import load
from tests.helpers import add_prospects, people

TODAY = "2026-11-30"
DAY = dt.date.fromisoformat(TODAY)


def test_answers_are_kept_until_another_connection_commits(run, workspace, ledger, tmp_path):
    add_prospects(run, tmp_path, people(3))
    assert run("--today", TODAY, "batch").exit_code == 0
    assert run("--today", TODAY, "send", "--yes").exit_code == 0
    settings = load(workspace)
    cache = LedgerCache()
    first = cache.followups(settings, DAY)
    assert list(first) == compute(ledger, settings.cadence, DAY)
    assert cache.dashboard(settings, DAY) == dashboard(ledger, settings, DAY)
    computed = cache.computed
    assert cache.followups(settings, DAY) is first  # nothing changed: the same answer
    assert cache.dashboard(settings, DAY)["numbers"]["interviews"] == 0
    assert cache.computed == computed

    # The CLI logs an interview: a thank-you is due at once, and the dashboard counts it.
    logged = run("--today", TODAY, "log", "1", "interview", "--with", "Ann Lee, CFO")
    assert logged.exit_code == 0, logged.stderr
    kinds = [i.kind for i in cache.followups(settings, DAY)]
    assert "thank-you" in kinds
    assert list(cache.followups(settings, DAY)) == compute(ledger, settings.cadence, DAY)
    assert cache.dashboard(settings, DAY)["numbers"]["interviews"] == 1
    # Another day, or another cadence, is another answer.
    later = DAY + dt.timedelta(days=14)
    assert list(cache.followups(settings, later)) == compute(ledger, settings.cadence, later)
    settings.cadence["thank_you_late_days"] = 0
    assert list(cache.followups(settings, later)) == compute(ledger, settings.cadence, later)
    cache.stop()


def test_the_background_thread_has_the_answer_ready(run, workspace, tmp_path):
    add_prospects(run, tmp_path, people(2))
    settings = load(workspace)
    cache = LedgerCache()
    cache.start(lambda: settings, lambda: DAY)
    try:
        assert cache.warmed.wait(30)
        computed = cache.computed
        assert computed == 2  # the follow-ups, then the dashboard
        assert cache.dashboard(settings, DAY)["numbers"]["prospects"]["total"] == 2
        assert cache.computed == computed  # the page found it ready
    finally:
        cache.stop()
