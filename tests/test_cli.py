"""Wiring: help, exit codes, workspace discovery, errors without tracebacks."""

import json
import subprocess
import sys

import click

from campaign.cli.main import COMMANDS, cli
from tests.helpers import Run, write_csv


def test_outside_a_workspace_says_to_run_init(tmp_path):
    result = Run()("prospects")
    assert result.exit_code == 2
    assert "campaign init" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_workspace_found_upward_from_a_subfolder(workspace, monkeypatch):
    sub = workspace / "templates"
    monkeypatch.chdir(sub)
    result = Run().json("where")
    assert result["workspace"] == str(workspace.resolve())
    assert result["found_by"] == "found upward from the current folder"


def test_campaign_workspace_env_is_used(workspace, tmp_path):
    result = Run().json("where", env={"CAMPAIGN_WORKSPACE": str(workspace)})
    assert result["workspace"] == str(workspace.resolve())
    assert result["found_by"] == "$CAMPAIGN_WORKSPACE"


def test_today_option_and_env(run):
    assert run.json("--today", "2027-01-04", "where")["today"] == "2027-01-04"
    assert run.json("where", env={"CAMPAIGN_TODAY": "2027-02-01"})["today"] == "2027-02-01"
    bad = run("--today", "tomorrow", "where")
    assert bad.exit_code == 2
    assert "YYYY-MM-DD" in bad.stderr


def test_init_refuses_to_overwrite(workspace):
    result = Run()("init", str(workspace))
    assert result.exit_code == 2
    assert "already a campaign workspace" in result.stderr


def test_every_command_has_help_and_is_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        result = Run()(name, "--help")
        assert result.exit_code == 0, name
        assert command.help, name
        assert len(command.help.split("\n")[0]) > 10, name
        assert f"campaign {name}" in readme, f"README.md does not mention `campaign {name}`"


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys, campaign.cli.main\n"
        "heavy = [m for m in ('pandas', 'reportlab', 'jinja2', 'yagmail', 'openpyxl')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_then_list_as_json(run, tmp_path):
    sheet = write_csv(
        tmp_path / "list.csv",
        "Company,Contact,Email,ZIP\nAcme,Maria Lopez,maria@example.com,02134\n",
    )
    assert run("import", sheet).exit_code == 0
    [prospect] = run.json("prospects")
    assert prospect["company"] == "Acme"
    assert (prospect["first_name"], prospect["last_name"]) == ("Maria", "Lopez")
    assert prospect["postal_code"] == "02134"
    assert prospect["status"] == "active"


def test_every_command_has_a_one_line_summary():
    listing = Run()("--help").stdout
    for name, (_, _, text) in COMMANDS.items():
        assert f"{name}" in listing
        assert text in listing
        assert cli.get_command(click.Context(cli), name).short_help == text


def test_global_options_work_after_the_command_too(run, workspace):
    before = run("--today", "2026-11-23", "where", "--json")
    after = Run()("where", "--json", "--today", "2026-11-23", "--workspace", str(workspace))
    assert after.exit_code == 0, after.stderr
    assert json.loads(after.stdout)["today"] == "2026-11-23"
    assert json.loads(after.stdout)["workspace"] == json.loads(before.stdout)["workspace"]
    assert (
        json.loads(Run()("-w", workspace, "where", "--json", "--today=2027-01-04").stdout)["today"]
        == "2027-01-04"
    )
