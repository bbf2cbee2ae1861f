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


def test_a_damaged_ledger_is_one_line_and_exit_2(run, workspace, tmp_path):
    from tests.helpers import add_prospects, damage_ledger, people

    add_prospects(run, tmp_path, people(300))
    assert run("--today", "2026-11-23", "batch").exit_code == 0
    damage_ledger(workspace / "campaign.db")
    for command in (["status"], ["send", "--yes"], ["prospects"]):
        result = run("--today", "2026-11-23", *command)
        assert result.exit_code == 2, command
        assert result.stderr.strip().splitlines() == [
            "campaign: error: the ledger campaign.db is damaged (database disk image is "
            "malformed); nothing was changed. Restore it from a backup, or try `sqlite3 "
            "campaign.db .recover`."
        ], command
    assert list((workspace / "outbox").iterdir()) == []


def test_export_to_a_full_disk_is_one_line_and_leaves_nothing(run, workspace, tmp_path):
    """A 16 KB tmpfs, mounted in a user namespace of our own (no root needed): the tracker
    does not fit."""
    import shutil

    from tests.helpers import add_prospects, people
    from tests.web_fixtures import CAMPAIGN

    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare or "unshare", "-rm", "true"], capture_output=True)
    if unshare is None or probe.returncode != 0:
        import pytest

        pytest.skip("no user namespaces here to mount a small tmpfs in")
    add_prospects(run, tmp_path, people(300))
    full = tmp_path / "full"
    full.mkdir()
    script = (
        'mount -t tmpfs -o size=16k tmpfs "$1" && "$2" --workspace "$3" export "$1/tracker.xlsx"'
        '; status=$?; ls -A "$1"; exit $status'
    )
    done = subprocess.run(
        [unshare, "-rm", "sh", "-c", script, "sh", str(full), CAMPAIGN, str(workspace)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"campaign: error: {full}/tracker.xlsx: cannot be written (No space left on device); "
        "nothing was written."
    ]
    assert done.stdout == ""  # nothing left behind on the full disk, not even the part file
