"""Shared fixtures: an isolated workspace per test, the ledger, and a real SMTP server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from campaign.cli import cli


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test runs in its own folder, with no workspace, password or date from outside."""
    for name in ("CAMPAIGN_WORKSPACE", "CAMPAIGN_TODAY", "CAMPAIGN_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


class Run:
    """Invoke the CLI as a user would; returns click's Result."""

    def __init__(self, workspace: Path | None = None):
        self.workspace = workspace

    def __call__(self, *args: str, input: str | None = None, env: dict | None = None):
        prefix = ["--workspace", str(self.workspace)] if self.workspace else []
        runner = CliRunner()
        return runner.invoke(
            cli, [*prefix, *map(str, args)], input=input, env=env, catch_exceptions=False
        )

    def json(self, *args: str, **kwargs):
        result = self(*args, "--json", **kwargs)
        assert result.exit_code in (0, 1), result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh workspace made by `campaign init`."""
    root = tmp_path / "ws"
    result = CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def run(workspace: Path) -> Run:
    return Run(workspace)


@pytest.fixture
def ledger(workspace: Path):
    from campaign.ledger import connect

    conn = connect(workspace / "campaign.db")
    yield conn
    conn.close()


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], title_rows: int = 0) -> Path:
    """An .xlsx written with openpyxl; `title_rows` blank-or-title rows above the header."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Employers"
    for index in range(title_rows):
        sheet.append(["My target employers" if index == 0 else None])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path
