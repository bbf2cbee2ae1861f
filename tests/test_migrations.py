"""The ledger's schema steps and connect(): versions, pragmas, atomic steps."""

from __future__ import annotations

import sqlite3

import pytest

from campaign.errors import WorkspaceError
from campaign.ledger import migrations
from campaign.ledger.db import connect
from campaign.ledger.migrations import STEPS, migrate
from tests.helpers import Run

TABLES = {"prospects", "batches", "batch_members", "sends", "touches"}


def schema(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        " ORDER BY type, name"
    ).fetchall()


def version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def test_empty_db_is_migrated_to_the_last_step(tmp_path):
    conn = connect(tmp_path / "campaign.db")
    assert version(conn) == len(STEPS)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names >= TABLES
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()


def test_opening_twice_is_idempotent_and_keeps_data(tmp_path):
    path = tmp_path / "campaign.db"
    conn = connect(path)
    conn.execute(
        "INSERT INTO prospects (company, list_order, created_on, updated_on)"
        " VALUES ('Acme', 1, '2026-01-01', '2026-01-01')"
    )
    first = schema(conn)
    conn.close()
    again = connect(path)
    assert version(again) == len(STEPS)
    assert schema(again) == first
    assert again.execute("SELECT company FROM prospects").fetchall()[0][0] == "Acme"
    assert migrate(again) == len(STEPS)
    again.close()


@pytest.mark.parametrize("start", range(len(STEPS)))
def test_each_older_version_migrates_to_the_same_schema(tmp_path, start):
    fresh = connect(tmp_path / "fresh.db")
    old = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    for number, step in enumerate(STEPS[:start], start=1):
        step(old)
        old.execute(f"PRAGMA user_version = {number}")
    old.close()
    upgraded = connect(tmp_path / "old.db")
    assert version(upgraded) == len(STEPS)
    assert schema(upgraded) == schema(fresh)


def test_foreign_keys_are_enforced(tmp_path):
    conn = connect(tmp_path / "campaign.db")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        conn.execute(
            "INSERT INTO touches (prospect_id, kind, on_date, created_at)"
            " VALUES (99, 'call', '2026-01-01', '2026-01-01T00:00:00Z')"
        )


def test_status_and_email_constraints(tmp_path):
    conn = connect(tmp_path / "campaign.db")
    insert = (
        "INSERT INTO prospects (company, email, status, list_order, created_on, updated_on)"
        " VALUES (?, ?, ?, 1, '2026-01-01', '2026-01-01')"
    )
    conn.execute(insert, ("Acme", "a@example.com", "active"))
    conn.execute(insert, ("Beta", "", "active"))
    conn.execute(insert, ("Gamma", "", "active"))  # many prospects may have no email
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        conn.execute(insert, ("Delta", "A@EXAMPLE.COM", "active"))
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(insert, ("Eps", "e@example.com", "maybe"))


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "campaign.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(STEPS) + 1}")
    raw.close()
    with pytest.raises(WorkspaceError, match="newer campaign.*upgrade campaign"):
        connect(path)
    raw = sqlite3.connect(path)
    assert version(raw) == len(STEPS) + 1
    assert raw.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    raw.close()


def test_newer_schema_via_the_cli_is_one_line(workspace):
    raw = sqlite3.connect(workspace / "campaign.db")
    raw.execute(f"PRAGMA user_version = {len(STEPS) + 5}")
    raw.close()
    result = Run(workspace)("prospects")
    assert result.exit_code == 2
    assert result.stderr.startswith("campaign: error: campaign.db was written by a newer")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_file_that_is_not_a_database_is_one_error(tmp_path):
    path = tmp_path / "campaign.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(WorkspaceError, match="cannot open the ledger"):
        connect(path)


def _half_done(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE half_done (x)")
    conn.execute(
        "INSERT INTO prospects (company, list_order, created_on, updated_on)"
        " VALUES ('ghost', 1, '2026-01-01', '2026-01-01')"
    )
    raise RuntimeError("step failed")


def test_a_failing_step_rolls_back_entirely(tmp_path, monkeypatch):
    path = tmp_path / "campaign.db"
    connect(path).close()
    monkeypatch.setattr(migrations, "STEPS", [*STEPS, _half_done])
    with pytest.raises(RuntimeError, match="step failed"):
        connect(path)
    raw = sqlite3.connect(path)
    assert version(raw) == len(STEPS)
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half_done" not in tables
    assert raw.execute("SELECT count(*) FROM prospects").fetchone()[0] == 0
    raw.close()


def test_a_failing_step_keeps_the_steps_before_it(tmp_path, monkeypatch):
    monkeypatch.setattr(migrations, "STEPS", [*STEPS, _half_done])
    with pytest.raises(RuntimeError):
        connect(tmp_path / "campaign.db")
    raw = sqlite3.connect(tmp_path / "campaign.db")
    assert version(raw) == len(STEPS)
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables >= TABLES
    assert "half_done" not in tables
    raw.close()


def test_the_follow_up_store_starts_from_what_an_older_ledger_holds(tmp_path):
    """A ledger from before the follow-up store: every prospect stale, the counts counted."""
    old = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    for number, step in enumerate(STEPS[:4], start=1):
        step(old)
        old.execute(f"PRAGMA user_version = {number}")
    for n in (1, 2):
        old.execute(
            "INSERT INTO prospects (company, list_order, created_on, updated_on, status)"
            " VALUES (?, ?, '2026-01-01', '2026-01-01', ?)",
            (f"Acme {n}", n, "active" if n == 1 else "hired"),
        )
    old.execute(
        "INSERT INTO touches (prospect_id, kind, on_date, created_at)"
        " VALUES (2, 'hired', '2026-02-01', '2026-02-01T00:00:00Z')"
    )
    old.close()
    conn = connect(tmp_path / "old.db")
    stale = conn.execute("SELECT prospect_id FROM followup_stale ORDER BY 1").fetchall()
    assert [tuple(row) for row in stale] == [(1,), (2,)]
    kept = dict(
        ((what, key), n) for what, key, n in conn.execute("SELECT what, key, n FROM ledger_counts")
    )
    assert kept == {
        ("prospects", "active"): 1,
        ("prospects", "hired"): 1,
        ("touches", "hired|1"): 1,
    }
    conn.close()
