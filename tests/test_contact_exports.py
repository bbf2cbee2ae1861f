"""Address book and CRM exports, as the programs write them, through `campaign import`.

The files and what each must become are described in tests/data/contacts/README.md; the
expected prospects are written out in tests/data/contacts/expected.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "contacts"
EXPECTED: dict[str, list[dict[str, str]]] = json.loads(
    (DATA / "expected.json").read_text(encoding="utf-8")
)
FILES = list(EXPECTED)
# The prospect fields the ledger has today (expected.json also gives each one's prefix).
FIELDS = (
    "company",
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "address",
    "city",
    "state",
    "postal_code",
    "country",
)
# Rows with no email and no postal address: reported, imported only with --skip-invalid.
UNREACHABLE = {"Connections.csv": [5, 7, 9]}
# Rows hidden in the sheet (by hand or by its AutoFilter): skipped and named unless
# --include-hidden; expected.json lists what the import makes with it.
HIDDEN = {"employers_excel.xlsx": [4, 5, 6]}


def import_args(name: str) -> list:
    return [
        "import",
        DATA / name,
        *(["--skip-invalid"] if name in UNREACHABLE else []),
        *(["--include-hidden"] if name in HIDDEN else []),
    ]


def imported(run, name: str, *extra: str) -> dict:
    """The --json document of importing `name`; the import must succeed."""
    result = run(*import_args(name), *extra, "--json")
    assert result.exit_code == 0, result.stderr.strip().splitlines()[-1:]
    return json.loads(result.stdout)


def person(prospect: dict) -> tuple[str, str, str]:
    return prospect["company"], prospect["last_name"], prospect["first_name"]


@pytest.mark.parametrize("name", FILES)
def test_dry_run_lists_every_contact_as_new(run, name):
    document = imported(run, name, "--dry-run")
    listed = sorted((p["company"], p["name"], p["action"]) for p in document["prospects"])
    expected = sorted(
        (p["company"], f"{p['first_name']} {p['last_name']}", "new") for p in EXPECTED[name]
    )
    assert listed == expected
    assert [e["row"] for e in document["errors"]] == UNREACHABLE.get(name, [])
    assert document["skipped"] == len(UNREACHABLE.get(name, []))


@pytest.mark.parametrize("name", FILES)
def test_import_makes_the_expected_prospects(run, name):
    imported(run, name)
    got = [{f: p[f] for f in FIELDS} for p in run.json("prospects")]
    expected = [{f: p[f] for f in FIELDS} for p in EXPECTED[name]]
    assert sorted(got, key=person) == sorted(expected, key=person)


@pytest.mark.parametrize("name", [n for n in FILES if any(p["prefix"] for p in EXPECTED[n])])
def test_name_prefix_is_kept_apart_from_job_title(run, name):
    imported(run, name)
    got = {}
    for listed in run.json("prospects"):
        shown = run.json("show", str(listed["id"]))
        got[person(shown)] = (shown.get("prefix"), shown["title"])
    expected = {person(p): (p["prefix"], p["title"]) for p in EXPECTED[name]}
    assert got == expected


def test_rows_hidden_in_excel_are_skipped_and_named(run):
    # Rows 4 and 5 are hidden by the sheet's AutoFilter (Priority = High), row 6 by hand:
    # the user filtered them out of the list they see, so they are not written to.
    result = run("import", DATA / "employers_excel.xlsx", "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert [p["row"] for p in document["prospects"]] == [2, 3]
    said = (
        "skipped 3 hidden rows (hidden by hand or by a filter): rows 4, 5, 6; "
        "--include-hidden imports hidden rows too"
    )
    assert said in document["warnings"]
    assert f"warning: {said}" in result.stderr


def test_include_hidden_imports_the_hidden_rows_too(run):
    document = imported(run, "employers_excel.xlsx", "--dry-run")
    assert [p["row"] for p in document["prospects"]] == [2, 3, 4, 5, 6]
    assert not any("hidden" in w for w in document["warnings"])
