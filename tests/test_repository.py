"""The repository stands alone: a clone with nothing beside it has everything it needs.

Nothing may read or cite a folder next to the checkout, and the design the code cites is the
repository's own docs/design.md.
"""

import ast
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Spelt in pieces so this file does not name what it looks for.
OUTSIDE = ("..", "/shared")
BRIEF = ("DESIGN", ".md")


def tracked_text_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    files = [ROOT / name for name in names if name != "CHANGELOG.md"]
    return [f for f in files if f.is_file() and f.suffix not in {".png", ".ico", ".woff2"}]


def test_no_file_names_a_folder_beside_the_repository():
    outside, brief = "".join(OUTSIDE), "".join(BRIEF)
    offenders = []
    for path in tracked_text_files():
        text = path.read_bytes().decode("utf-8", errors="ignore")
        if outside in text or brief in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_design_the_code_cites_is_in_the_repository():
    assert (ROOT / "docs" / "design.md").is_file()
    assert (ROOT / "sources" / "README.md").is_file()
    for number in ("000", "001", "002", "003", "004"):
        assert list((ROOT / "sources").glob(f"{number}_*.txt")), number


def test_every_module_uses_the_one_sqlite_driver():
    """Two SQLite libraries in one process break each other's file locks (docs/operations.md,
    "SQLite version"), so everything imports the driver from wellbeing.db."""
    direct = []
    for path in tracked_text_files():
        if path.suffix == ".py":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() in {"import sqlite3", "from sqlite3 import dbapi2"}:
                    direct.append(str(path.relative_to(ROOT)))
    assert direct == []


def test_no_test_module_imports_another():
    """Shared steps live in tests/steps.py and tests/browser/steps.py: a test module that
    imports another runs that module's tests' setup too, and ties their order together."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name.rsplit(".", 1)[-1].startswith("test_") for name in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_long_javascript_hides_in_a_python_string():
    """JavaScript longer than 10 lines lives in tests/browser/scripts/*.js, where Biome reads it."""
    long_scripts = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                looks_like_script = "=>" in node.value or "function" in node.value
                if looks_like_script and node.value.count("\n") > 10:
                    long_scripts.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert long_scripts == []
