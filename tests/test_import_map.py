"""Browser modules import each other by name (habit 11), and the import map in every page's head
gives each name its versioned URL (MODULES in wellbeing/pwa, built from the files in static/). A
name with no entry would fail in the browser only, on the page that imports it: this finds it
without one."""

import re
from pathlib import Path

from wellbeing.pwa import MODULES, STATIC

ROOT = Path(__file__).parents[1]
# `import … from "name"`, `export … from "name"`, `import "name"` and `import("name")`.
IMPORT = re.compile(
    r"""(?:^(?:import|export)\b[^;]*?\bfrom\s*|^import\s*|\bimport\(\s*)(["'])([^"']+)\1""", re.M
)
COMMENT = re.compile(r"/\*.*?\*/|(?<![:\w\"'])//[^\n]*", re.S)


def names_imported(text: str) -> set[str]:
    """The bare names a module's text imports; a URL or a relative path is no name."""
    found = {match.group(2) for match in IMPORT.finditer(COMMENT.sub("", text))}
    return {name for name in found if not name.startswith(("/", "./", "../", "http:", "https:"))}


def test_every_name_a_module_imports_is_in_the_import_map():
    missing = {}
    for path in STATIC.rglob("*.js"):
        if path.name.startswith("htmx-"):
            continue
        unknown = names_imported(path.read_text()) - MODULES.keys()
        if unknown:
            missing[path.relative_to(STATIC).as_posix()] = sorted(unknown)
    assert not missing


def test_every_module_a_page_names_is_in_the_import_map_and_starts():
    """static/app.js imports an element's data-module by name and calls its start(root)."""
    named = set()
    for path in (ROOT / "templates").rglob("*.html"):
        named |= set(re.findall(r'data-module="([^"]+)"', path.read_text()))
    assert {"room", "passkeys", "private/start", "screens/vault", "screens/sheet"} <= named
    for name in named:
        assert name in MODULES, name
        text = (STATIC / MODULES[name]).read_text()
        assert re.search(r"^export (?:async )?function start\(", text, re.M), name


def test_the_names_follow_the_files():
    assert MODULES["vault"] == "vault/index.js"
    assert MODULES["vault/format"] == "vault/format.js"
    assert MODULES["private/start"] == "private/start.js"
    assert "app" not in MODULES and not any(name.startswith("htmx") for name in MODULES)


def test_the_finder_reads_every_way_of_importing():
    text = (
        'import { a } from "vault";\nexport { b } from "shared/http";\n'
        'const c = await import("screens/line");\nimport "private/start";\n'
        "import('/static/vault/index.js');\n// a line from 'always abusive'\n"
        '/* import("not/this") */ const url = "https://example.org"; // from "nor/this"\n'
    )
    assert names_imported(text) == {"vault", "shared/http", "screens/line", "private/start"}


def loop_in(graph: dict[str, set[str]]) -> list[str]:
    """A loop of names, each importing the next and the last the first, or []."""
    done, path = set(), []

    def visit(name):
        if name in path:
            return path[path.index(name) :] + [name]
        if name in done:
            return []
        path.append(name)
        for imported in sorted(graph.get(name, ())):
            if found := visit(imported):
                return found
        path.pop()
        done.add(name)
        return []

    for name in sorted(graph):
        if found := visit(name):
            return found
    return []


def test_no_modules_import_each_other_in_a_loop():
    """Issue 25: exercises ⇢ screens/vault → screens/unlocks → passkeys ⇢ exercises was one,
    through dynamic imports. jsconfig.json lets editors and `farm-studio look static` follow
    the names too; this follows them without either."""
    graph = {name: names_imported((STATIC / file).read_text()) for name, file in MODULES.items()}
    assert loop_in(graph) == []


def test_the_loop_finder_finds_a_loop():
    graph = {"a": {"b"}, "b": {"c", "d"}, "c": {"a"}, "d": set()}
    assert loop_in(graph) == ["a", "b", "c", "a"]
    assert loop_in({"a": {"b"}, "b": set()}) == []
