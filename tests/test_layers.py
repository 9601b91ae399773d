"""The layers of docs/ARCHITECTURE.md, enforced: who may import whom.

Data flows one way (files -> loaders -> store -> indicators -> charts -> pages and
exports), and that only stays true if nothing quietly imports against the flow: a
page reaching into the loaders, the indicators into the loaders' parsing, the demo
generator into the indicators. The contracts are written once, as data
(``CONTRACTS`` below), and the folder table's "may import" column in
docs/ARCHITECTURE.md must say exactly the same (tested), so the document cannot
drift from what is enforced.

The checker reads every ``.py`` file with ``ast`` (standard library only: the app
and its tests run offline, so no import-linter to install) and looks at every
import, including those inside functions and under ``TYPE_CHECKING``, with
relative imports resolved. It runs with ``make test`` in well under a second.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

PROJECT = Path(__file__).resolve().parent.parent
ARCHITECTURE = PROJECT / "docs" / "ARCHITECTURE.md"
# Not the project's code: the virtual environment, data, caches and hidden folders.
SKIPPED_FOLDERS = {"data", "__pycache__", "node_modules"}
ANYTHING = None  # the contract of a layer that may import everything


@dataclass(frozen=True)
class Contract:
    """What one layer may import of the project, and which libraries it never imports.

    ``may_import`` holds packages (``indicators``) or single modules
    (``loaders.store``); a layer may always import itself. ``ANYTHING`` means no limit.
    """

    may_import: tuple[str, ...] | None
    never: tuple[str, ...] = ()


NOT_STREAMLIT = ("streamlit",)

# The one place the layers are written down. A layer is a top-level package
# (a folder) or a top-level module (``app`` is app.py).
CONTRACTS: dict[str, Contract] = {
    "app": Contract(("ui",)),
    "app_pages": Contract(("ui", "exports", "charts", "domain")),
    "ui": Contract(
        (
            "indicators",
            "charts",
            "exports",
            "domain",
            # The store's public API, and what running a load from the Data page needs.
            "loaders.store",
            "loaders.load",
            "loaders.identity",
            "loaders.problems",
            "loaders.quarterly",
            "loaders.datasets",
            "loaders.commentary",  # an analyst's commentary, saved as a load
            "loaders.publish",  # replicas: the writer publishes, readers open published stores
        )
    ),
    "charts": Contract(("indicators", "domain"), NOT_STREAMLIT),
    "exports": Contract(("indicators", "charts", "domain", "loaders.store"), NOT_STREAMLIT),
    "indicators": Contract(("domain", "loaders.store"), NOT_STREAMLIT),
    "loaders": Contract(("domain", "demo"), NOT_STREAMLIT),
    "demo": Contract(("domain",), NOT_STREAMLIT),
    "domain": Contract((), NOT_STREAMLIT),
    "deploy": Contract((), NOT_STREAMLIT),
    "tests": Contract(ANYTHING),
    "benchmarks": Contract(ANYTHING),
}


@dataclass(frozen=True)
class Breach:
    """One import a layer's contract does not allow."""

    path: str  # relative to the project, with forward slashes
    line: int
    layer: str
    imported: str
    reason: str

    def describe(self) -> str:
        return f"{self.path}:{self.line}: {self.layer} imports {self.imported}: {self.reason}"


def python_files(root: Path) -> list[Path]:
    """Every .py file of the project under `root`, outside hidden and skipped folders."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if any(part.startswith(".") or part in SKIPPED_FOLDERS for part in parts[:-1]):
            continue
        found.append(path)
    return found


def layer_of(relative: Path) -> str:
    """The layer a file belongs to: its top folder, or its own name for a top-level module."""
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _package_of(relative: Path) -> list[str]:
    """The dotted package a file's relative imports start from."""
    parts = list(relative.with_suffix("").parts)
    return parts[:-1]  # a module's package; for __init__.py, the package itself


def imported_names(tree: ast.AST, relative: Path) -> list[tuple[int, str]]:
    """(line, dotted name) for every import in the tree, relative ones made absolute.

    ``from a.b import c`` gives ``a.b.c``, whether ``c`` is a module or a name in
    ``a.b``, so that a contract naming ``a.b`` or ``a.b.c`` matches it either way.
    """
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(relative)
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                names.append(
                    (node.lineno, module if alias.name == "*" else f"{module}.{alias.name}")
                )
    return names


def _within(name: str, allowed: str) -> bool:
    return name == allowed or name.startswith(allowed + ".")


def check_file(
    path: Path, root: Path, contracts: dict[str, Contract], layers: set[str]
) -> list[Breach]:
    """The breaches of one file's contract (an unknown layer is one breach)."""
    relative = path.relative_to(root)
    shown = relative.as_posix()
    layer = layer_of(relative)
    contract = contracts.get(layer)
    if contract is None:
        return [Breach(shown, 1, layer, "-", "no contract: add its layer to CONTRACTS")]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=shown)
    breaches = []
    for line, name in imported_names(tree, relative):
        top = name.split(".")[0]
        if top in contract.never:
            breaches.append(Breach(shown, line, layer, name, f"{layer} never imports {top}"))
        elif (
            top in layers
            and top != layer
            and contract.may_import is not ANYTHING
            and not any(_within(name, allowed) for allowed in contract.may_import)
        ):
            allowed = ", ".join(contract.may_import) or "nothing of the project"
            breaches.append(Breach(shown, line, layer, name, f"{layer} may import {allowed}"))
    return breaches


def check_tree(root: Path, contracts: dict[str, Contract] = CONTRACTS) -> list[Breach]:
    """Every breach of the contracts in the project under `root`, in file and line order."""
    files = python_files(root)
    # The project's own top-level names: everything else imported is a library.
    layers = set(contracts) | {layer_of(path.relative_to(root)) for path in files}
    breaches: list[Breach] = []
    for path in files:
        breaches.extend(check_file(path, root, contracts, layers))
    return breaches


# ----------------------------------------------------------------------------- tests


def test_the_project_keeps_its_layers() -> None:
    breaches = check_tree(PROJECT)
    assert not breaches, "Imports against docs/ARCHITECTURE.md:\n" + "\n".join(
        breach.describe() for breach in breaches
    )


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _small_project(root: Path, page: str) -> Path:
    """A project with the real layer names and one page whose text is `page`."""
    return _write(
        root,
        {
            "app.py": "from ui import state\n",
            "ui/__init__.py": "",
            "ui/loading.py": "from loaders.load import ExtractOptions\n",
            "loaders/__init__.py": "",
            "loaders/load.py": "import pandas\n",
            "loaders/store.py": "",
            "app_pages/data.py": page,
        },
    )


def test_a_page_importing_the_loaders_is_reported_with_file_and_line(tmp_path: Path) -> None:
    page = (
        '"""A page."""\n'
        "from ui import loading\n"
        "\n"
        "\n"
        "def options():\n"
        "    from loaders.load import ExtractOptions\n"  # inside a function: still found
        "    return ExtractOptions\n"
    )
    breaches = check_tree(_small_project(tmp_path, page))
    assert [(b.path, b.line, b.layer, b.imported) for b in breaches] == [
        ("app_pages/data.py", 6, "app_pages", "loaders.load.ExtractOptions")
    ]
    assert breaches[0].describe().startswith("app_pages/data.py:6: app_pages imports loaders.load")


def test_the_same_page_through_ui_passes(tmp_path: Path) -> None:
    page = "from ui import loading\n\nOPTIONS = loading.ExtractOptions\n"
    assert check_tree(_small_project(tmp_path, page)) == []


def test_streamlit_below_the_ui_is_reported(tmp_path: Path) -> None:
    root = _small_project(tmp_path, "from ui import loading\n")
    (root / "loaders" / "preview.py").write_text("import streamlit as st\n", encoding="utf-8")
    assert [(b.path, b.imported, b.reason) for b in check_tree(root)] == [
        ("loaders/preview.py", "streamlit", "loaders never imports streamlit")
    ]


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "indicators/__init__.py": "from . import compute\n",
            "indicators/compute.py": "from ..loaders import store\nfrom ..loaders.ees import x\n",
            "loaders/__init__.py": "",
            "loaders/store.py": "",
            "loaders/ees.py": "",
        },
    )
    assert [(b.path, b.line, b.imported) for b in check_tree(root)] == [
        ("indicators/compute.py", 2, "loaders.ees.x")
    ]


def test_a_module_allowed_does_not_open_its_package(tmp_path: Path) -> None:
    """`loaders.store` is allowed to the indicators; `loaders.storage` or `loaders` is not."""
    root = _write(
        tmp_path,
        {
            "indicators/facts.py": (
                "from loaders.store import scalar\n"
                "from loaders import store\n"
                "import loaders.storage\n"
                "import loaders\n"
            ),
            "loaders/__init__.py": "",
        },
    )
    assert [(b.line, b.imported) for b in check_tree(root)] == [
        (3, "loaders.storage"),
        (4, "loaders"),
    ]


def test_a_new_top_level_package_needs_a_contract(tmp_path: Path) -> None:
    root = _write(tmp_path, {"reports/__init__.py": "import pandas\n"})
    assert [(b.path, b.layer) for b in check_tree(root)] == [("reports/__init__.py", "reports")]


def test_libraries_are_not_taken_for_layers(tmp_path: Path) -> None:
    root = _write(tmp_path, {"domain/periods.py": "import datetime\nimport numpy\n"})
    assert check_tree(root) == []


def test_domain_imports_nothing_of_the_project(tmp_path: Path) -> None:
    root = _write(tmp_path, {"domain/periods.py": "from indicators import catalogue\n"})
    (breach,) = check_tree(root)
    assert breach.reason == "domain may import nothing of the project"


# ----------------------------------------------------- the document says the same


def _architecture_table() -> dict[str, str]:
    """The folder table of docs/ARCHITECTURE.md: layer -> its "may import" cell."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Folders", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            layer = cells[0].strip("`").rstrip("/").removesuffix(".py")
            rows[layer] = cells[2]
    return rows


def _contract_from_cell(cell: str) -> Contract:
    if cell == "everything":
        return Contract(ANYTHING)
    allowed, _, never = cell.partition("; never ")
    may_import = tuple(re.findall(r"`([^`]+)`", allowed))
    return Contract(may_import, tuple(n.strip() for n in never.split(",")) if never else ())


def test_architecture_md_states_the_contracts() -> None:
    table = _architecture_table()
    assert sorted(table) == sorted(CONTRACTS)
    for layer, contract in CONTRACTS.items():
        stated = _contract_from_cell(table[layer])
        assert stated.never == contract.never, layer
        if contract.may_import is ANYTHING:
            assert stated.may_import is ANYTHING, layer
        else:
            assert stated.may_import is not ANYTHING, layer
            assert sorted(stated.may_import) == sorted(contract.may_import), layer


def test_the_table_reader_reads_names_and_refusals() -> None:
    assert _contract_from_cell("`ui`, `charts`; never streamlit") == Contract(
        ("ui", "charts"), ("streamlit",)
    )
    assert _contract_from_cell("nothing of the project; never streamlit") == Contract(
        (), ("streamlit",)
    )
    assert _contract_from_cell("everything") == Contract(ANYTHING)
