"""The weekly batch: the best twenty first, kept for the week, the next ones next week."""

from __future__ import annotations

import datetime as dt

import pytest

from campaign.letters.batch import iso_week
from tests.helpers import add_prospects, people

MONDAY = "2026-11-23"  # 2026-W48
SUNDAY = "2026-11-29"  # still 2026-W48
NEXT_MONDAY = "2026-11-30"  # 2026-W49
PRIORITIES = ["3", "", "1", "2", "high", "", "low", "2"]  # "high" is 1, "low" is 3


def sheet(count: int = 30) -> list[dict]:
    """`count` prospects; every fifth has no email but a postal address (goes by post)."""
    rows = []
    for n in range(1, count + 1):
        row = {
            "Company": f"Company {n}",
            "Contact": f"Person{n} Surname{n}",
            "Email": "" if n % 5 == 0 else f"person{n}@example.com",
            "Address": f"{n} Main St",
            "City": "Springfield",
            "ZIP": "62704",
            "Priority": PRIORITIES[n % len(PRIORITIES)],
        }
        rows.append(row)
    return rows


# The thirty of sheet() best first, written out: priority 1 ("1" and "high": rows 2, 4, 10...),
# then 2, then 3 ("3" and "low"), then the blank ones; the sheet's order within each.
BEST_FIRST = [2, 4, 10, 12, 18, 20, 26, 28]  # priority 1
BEST_FIRST += [3, 7, 11, 15, 19, 23, 27]  # priority 2
BEST_FIRST += [6, 8, 14, 16, 22, 24, 30]  # priority 3
BEST_FIRST += [1, 5, 9, 13, 17, 21, 25, 29]  # no priority: last


def pick(run, today: str, *args) -> dict:
    return run.json("--today", today, "batch", *args)


def ids(result: dict) -> list[int]:
    return [p["id"] for p in result["prospects"]]


@pytest.fixture
def thirty(run, tmp_path) -> list[int]:
    add_prospects(run, tmp_path, sheet())
    return BEST_FIRST


def test_twenty_by_default_best_priority_first_blank_last(run, thirty):
    result = pick(run, MONDAY)
    assert result["week"] == "2026-W48"
    assert result["new"] is True
    assert ids(result) == thirty[:20]
    assert [p["position"] for p in result["prospects"]] == list(range(1, 21))
    priorities = [p["priority"] for p in result["prospects"]]
    assert priorities == sorted(priorities)
    assert priorities[0] == 1


def test_blank_priority_comes_after_every_ranked_one(run, thirty):
    priorities = [p["priority"] for p in pick(run, MONDAY, "--all")["prospects"]]
    blanks = priorities.count(None)
    assert blanks == 8
    assert priorities[-blanks:] == [None] * blanks
    assert priorities[:-blanks] == sorted(priorities[:-blanks])


def test_same_batch_again_in_the_same_week(run, thirty):
    first = pick(run, MONDAY)
    again = pick(run, SUNDAY)
    assert again["new"] is False
    assert ids(again) == ids(first)
    shown = run("--today", SUNDAY, "batch")
    assert shown.exit_code == 0
    assert "Already picked 20 for the week of November 23 (2026-W48)" in shown.stderr
    assert "10 prospects are left" in shown.stderr


def test_next_week_picks_the_next_ones_then_says_when_none_are_left(run, thirty):
    assert ids(pick(run, MONDAY)) == thirty[:20]
    second = pick(run, NEXT_MONDAY)
    assert second["week"] == "2026-W49"
    assert second["new"] is True
    assert ids(second) == thirty[20:]
    third = run("--today", "2026-12-07", "batch")
    assert third.exit_code == 2
    assert "every active prospect already has a batch" in third.stderr


def test_size_option(run, thirty):
    assert ids(pick(run, MONDAY, "--size", "5")) == thirty[:5]
    assert ids(pick(run, NEXT_MONDAY, "--size", "7")) == thirty[5:12]
    refused = run("--today", "2026-12-07", "batch", "--size", "0")
    assert refused.exit_code == 2


def test_batch_size_from_campaign_toml(run, workspace, thirty):
    from tests.helpers import configure

    configure(workspace, sending={"batch_size": 4})
    assert ids(pick(run, MONDAY)) == thirty[:4]


def test_all_is_the_large_mailing_to_everyone_left(run, thirty):
    assert ids(pick(run, MONDAY, "--size", "3")) == thirty[:3]
    everyone = pick(run, NEXT_MONDAY, "--all")
    assert ids(everyone) == thirty[3:]
    assert run("--today", "2026-12-07", "batch").exit_code == 2


def test_json_gives_the_channel_email_or_post(run, thirty):
    prospects = pick(run, MONDAY, "--all")["prospects"]
    assert len(prospects) == 30
    for p in prospects:
        if p["id"] % 5 == 0:
            assert (p["channel"], p["email"]) == ("post", "")
        else:
            assert (p["channel"], p["email"]) == ("email", f"person{p['id']}@example.com")


def test_explicit_week_and_a_week_that_does_not_exist(run, thirty):
    assert pick(run, MONDAY, "--week", "2026-w50")["week"] == "2026-W50"
    assert pick(run, MONDAY)["week"] == "2026-W48"
    bad = run("--today", MONDAY, "batch", "--week", "2026-W54")
    assert bad.exit_code == 2
    assert "2026-W54" in bad.stderr
    worse = run("--today", MONDAY, "batch", "--week", "next")
    assert worse.exit_code == 2
    assert "2026-W48" in worse.stderr  # shows the expected shape


def test_inactive_prospects_and_new_imports(run, tmp_path, ledger, thirty):
    ledger.execute("UPDATE prospects SET status = 'rejected' WHERE id = ?", (thirty[0],))
    assert ids(pick(run, MONDAY, "--size", "2")) == thirty[1:3]
    # A second sheet next week: its top-priority prospects jump the queue.
    add_prospects(
        run,
        tmp_path,
        [
            {"Company": "Late Co", "Contact": "Ann Late", "Email": "ann@late.example"},
            {"Company": "Top Co", "Contact": "Bo Top", "Email": "bo@top.example", "Priority": "0"},
        ],
        name="more.csv",
    )
    assert ids(pick(run, NEXT_MONDAY, "--size", "2")) == [32, thirty[3]]


def test_prospects_already_written_to_are_not_picked_again(run, workspace, thirty, ledger):
    assert run("--today", MONDAY, "batch", "--size", "3").exit_code == 0
    assert run("--today", MONDAY, "send", "--yes").exit_code == 0
    sent = {r[0] for r in ledger.execute("SELECT prospect_id FROM sends WHERE status = 'sent'")}
    assert sent == {n for n in thirty[:3] if n % 5}
    assert not sent & set(ids(pick(run, NEXT_MONDAY, "--all")))


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (dt.date(2026, 11, 23), "2026-W48"),
        (dt.date(2026, 11, 29), "2026-W48"),
        (dt.date(2027, 1, 1), "2026-W53"),
        (dt.date(2024, 12, 30), "2025-W01"),
    ],
)
def test_iso_week(day, week):
    assert iso_week(day) == week


def test_dry_run_shows_the_pick_and_keeps_nothing(run, tmp_path, ledger):
    add_prospects(run, tmp_path, people(5))
    shown = run.json("--today", MONDAY, "batch", "--size", "2", "--dry-run")
    assert [p["position"] for p in shown["prospects"]] == [1, 2]
    assert ledger.execute("SELECT count(*) FROM batch_members").fetchone()[0] == 0
    kept = run.json("--today", MONDAY, "batch", "--size", "2")
    assert [p["id"] for p in kept["prospects"]] == [p["id"] for p in shown["prospects"]]
    assert ledger.execute("SELECT count(*) FROM batch_members").fetchone()[0] == 2


# --- taking a prospect out, adding one ----------------------------------------------------------


def test_a_prospect_taken_out_waits_for_a_later_week_and_one_added_goes_last(run, thirty):
    first = pick(run, MONDAY, "--size", "5")
    assert ids(first) == [2, 4, 10, 12, 18]
    changed = run("--today", MONDAY, "batch", "--take-out", "4", "--add", "Company 30")
    assert changed.exit_code == 0, changed.stderr
    assert "Took out #4 Company 4." in changed.stderr
    assert "Added #30 Company 30." in changed.stderr
    assert "The batch now holds 5 for the week of November 23 (2026-W48)" in changed.stderr
    now = pick(run, MONDAY)
    assert ids(now) == [2, 10, 12, 18, 30]
    assert [p["position"] for p in now["prospects"]] == [1, 2, 3, 4, 5]
    # The one taken out is the best of those waiting: next week's batch takes it first.
    assert ids(pick(run, NEXT_MONDAY, "--size", "3")) == [4, 20, 26]


def test_a_letter_that_went_keeps_its_prospect_in_the_batch(run, thirty, workspace):
    pick(run, MONDAY, "--size", "3")
    assert run.json("--today", MONDAY, "send", "--yes")["sent"] == 2  # drafts; #10 by post
    refused = run("--today", MONDAY, "batch", "--take-out", "2")
    assert refused.exit_code == 2
    assert "the first letter to Company 2 (Person2 Surname2) went (on 2026-11-23)" in (
        refused.stderr
    )
    assert ids(pick(run, MONDAY)) == [2, 4, 10]


def test_what_cannot_be_added_is_said_in_one_line_and_nothing_changes(run, thirty):
    pick(run, MONDAY, "--size", "3")
    pick(run, NEXT_MONDAY, "--size", "2")  # 12 and 18, next week's
    for ref, said in (
        ("2", "Company 2 (Person2 Surname2) is already in this week's batch"),
        ("12", "Company 12 (Person12 Surname12) is already in the batch for 2026-W49"),
        ("nobody here", 'no prospect "nobody here"; `campaign prospects` lists them'),
    ):
        result = run("--today", MONDAY, "batch", "--add", ref)
        assert result.exit_code == 2, ref
        assert said in result.stderr
        assert "Traceback" not in result.stderr
    assert ids(pick(run, MONDAY)) == [2, 4, 10]
    none = run("--today", "2026-12-07", "batch", "--add", "20")
    assert none.exit_code == 2
    assert "no batch for the week of December 7 (2026-W50)" in none.stderr
    assert "campaign batch --week 2026-W50" in none.stderr
