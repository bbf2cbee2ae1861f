"""The house's rules, read from the code: packages by domain, dependencies pointing one way.

docs/architecture.md gives the order; this test reads every import (at module top and inside
functions alike) with ast and fails on an import against the order, or a cycle between modules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "campaign"
COMMAND_NAMES = ["init", "import", "batch", "preview", "send", "print", "mailed", "unknown"]
COMMAND_NAMES += ["due", "log", "calls", "status", "export", "sync", "check-mail", "serve"]

# Lower layers first. A module may import from its own package or from a package of a lower
# layer, never from a peer or from above. (errors is the floor: everyone may raise.)
LAYERS: list[set[str]] = [
    {"errors"},
    {"util"},
    {"ledger", "workspace"},
    {"sheets"},
    {"letters"},
    {"email", "post", "mailbox"},
    {"followups"},
    {"reports"},
    {"actions"},
    {"web"},  # imported only by `campaign serve`
    {"cli"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every campaign module `path` imports, wherever in the file the import is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import (write `from campaign....`)"
            if node.module == "campaign" or node.module.startswith("campaign."):
                for alias in node.names:
                    name = f"{node.module}.{alias.name}"
                    found.add(
                        name
                        if (PACKAGE.parent / name.replace(".", "/")).exists()
                        or (PACKAGE.parent / (name.replace(".", "/") + ".py")).exists()
                        else node.module
                    )
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("campaign")}
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: imports(path) & set(MODULES) for name, path in MODULES.items()}


def package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_top_level_holds_only_packages():
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "errors.py"]
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(RANK) - {"errors"}


def upward(module: str, targets: set[str]) -> list[str]:
    """The modules of `targets` that `module` may not import: a peer's, or a higher layer's."""
    mine = package(module)
    if mine in ("", "__main__"):
        return []
    return [
        target
        for target in sorted(targets)
        if package(target) not in ("", mine) and RANK[package(target)] >= RANK[mine]
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    assert upward(module, GRAPH[module]) == [], f"{module} imports from its layer or above"


def test_an_upward_or_sideways_import_is_caught():
    assert upward("campaign.ledger.db", {"campaign.followups.due"}) == ["campaign.followups.due"]
    assert upward("campaign.email.delivery", {"campaign.mailbox.imap"}) == ["campaign.mailbox.imap"]
    assert upward("campaign.cli.main", {"campaign.web.app", "campaign.errors"}) == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk of `graph` meets, each as a path back to its start."""
    state: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                found.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return found


def test_no_import_cycles():
    """Between modules, counting imports inside functions (they only hide a cycle)."""
    assert cycles(GRAPH) == []


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


FACES = ("cli", "web")
# A command line in a library message: `campaign send`, campaign init DIR, a --flag.
CLI_WORDS = re.compile(
    r"`campaign |\bcampaign (?:"
    + "|".join(map(re.escape, COMMAND_NAMES))
    + r")\b|(?<![\w-])--[a-z]"
)


def library_strings() -> list[tuple[str, int, str]]:
    """(module, line, text) of every string constant in the library, docstrings aside."""
    found = []
    for name, path in MODULES.items():
        if package(name) in FACES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                found.append((name, node.lineno, node.value))
    return found


# Text for people at the command line in files they edit (campaign.toml's comments), SQL
# comments, and the name of the option that sets today in either face.
WORDING_ALLOWED = {"campaign.workspace.skeleton", "campaign.workspace.providers"}
WORDING_ALLOWED_TEXT = {"--today"}


def test_the_library_never_words_a_face():
    """What to run or which page to open is each face's to say, through a hint key."""
    worded = [
        (m, line, text[:60])
        for m, line, text in library_strings()
        if CLI_WORDS.search(text)
        and m not in WORDING_ALLOWED
        and text not in WORDING_ALLOWED_TEXT
        and not text.lstrip().startswith(("CREATE ", "ALTER ", "--"))
    ]
    assert worded == []


def test_every_hint_has_words_in_both_faces():
    from campaign.cli.hints import HINTS as CLI_HINTS
    from campaign.web.hints import HINTS as WEB_HINTS

    used = set()
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = (isinstance(node, ast.keyword) and node.arg == "hint") or (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "hint" for t in node.targets)
            )
            value = getattr(node, "value", None)
            if named and isinstance(value, ast.Constant) and value.value:
                used.add(value.value)
    assert used, "no hint found: the scan is broken"
    assert sorted(used - set(CLI_HINTS)) == []
    assert sorted(used - set(WEB_HINTS)) == []
    assert set(CLI_HINTS) == set(WEB_HINTS)
