"""The workspace is its user's alone: folders 0700, every file campaign writes 0600 (POSIX)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.helpers import Run, add_prospects, people
from tests.test_send import POST

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
TODAY = "2026-11-23"


def modes(root: Path) -> dict[str, str]:
    """Every folder and file under `root` (and root itself, as "."): its mode, in octal."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in sorted(root.rglob("*")):
        found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def open_to_others(root: Path) -> dict[str, str]:
    return {name: mode for name, mode in modes(root).items() if int(mode, 8) & 0o077}


def test_init_makes_a_private_workspace(tmp_path):
    root = tmp_path / "search"
    assert Run()("init", root, "--name", "Jane Doe").exit_code == 0
    found = modes(root)
    assert found["."] == "0o700"
    assert found["templates"] == found["outbox"] == "0o700"
    assert found["campaign.toml"] == found["campaign.db"] == "0o600"
    assert found["templates/intro.md"] == "0o600"
    assert open_to_others(root) == {}


def test_send_print_and_export_write_only_private_files(run, workspace, tmp_path):
    """Outbox drafts, the ledger's WAL files, the lock, PDFs and exports written inside."""
    add_prospects(run, tmp_path, [*people(3), POST])
    assert run("--today", TODAY, "batch", "--all").exit_code == 0
    assert run("--today", TODAY, "send", "--yes").exit_code == 0
    printed = run("--today", TODAY, "print", "--envelopes", workspace / "envelopes.pdf")
    assert printed.exit_code == 0, printed.stderr
    for name in ("tracker.xlsx", "followups.ics"):
        assert run("--today", TODAY, "export", workspace / name).exit_code == 0, name
    found = modes(workspace)
    assert len([n for n in found if n.startswith("outbox/") and n.endswith(".eml")]) == 3
    assert {"campaign.db-wal", "campaign.db-shm", ".campaign.lock"} <= set(found)
    assert [n for n in found if n.startswith("outbox/letters-") and n.endswith(".pdf")] != []
    assert {"tracker.xlsx", "followups.ics", "envelopes.pdf"} <= set(found)
    assert open_to_others(workspace) == {}


def test_preview_html_written_anywhere_is_private(run, workspace, tmp_path):
    add_prospects(run, tmp_path, people(1))
    out = tmp_path / "letter.html"
    assert run("--today", TODAY, "preview", "1", "--html", out).exit_code == 0
    assert oct(stat.S_IMODE(out.stat().st_mode)) == "0o600"


def test_a_workspace_readable_by_others_is_tightened_on_open_with_one_note(run, workspace):
    (workspace / "outbox" / "old.eml").write_text("From: me\n\nan old draft\n")
    # 12: the folder, campaign.toml, campaign.db, templates/ and its 6 letters, outbox/, old.eml
    for path in [workspace, *workspace.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    assert open_to_others(workspace) != {}
    first = run("status")
    assert first.exit_code == 0
    notes = [line for line in first.stderr.splitlines() if line.startswith("note: ")]
    assert notes == [
        f"note: made the workspace {workspace.resolve()} private (only you can read it now: it "
        "holds other people's names and letters); 12 files and folders had been readable by "
        "others."
    ]
    assert open_to_others(workspace) == {}
    assert "note:" not in run("status").stderr  # said once: nothing left to tighten


def test_the_web_apps_link_file_is_private(workspace, tmp_path):
    from tests.web_fixtures import start_serving

    served = start_serving(workspace, TODAY)
    try:
        assert oct(stat.S_IMODE(served.link.stat().st_mode)) == "0o600"
        assert open_to_others(workspace) == {}
    finally:
        served.stop()
    assert not served.link.exists()
