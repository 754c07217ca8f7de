"""The service worker is a Jinja template (templates/pwa/sw.js), which Biome can't read as it is.
So Biome lints the worker as the app sends it: `flask pwa worker` writes it, as `make lint` does."""

import subprocess
from pathlib import Path

BIOME = Path(__file__).parents[1] / "node_modules" / ".bin" / "biome"


def lint(path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            BIOME,
            "lint",
            "--colors=off",
            "--error-on-warnings",
            "--diagnostic-level=warn",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_worker_the_app_sends_passes_biome(one, tmp_path):
    written = tmp_path / "sw.js"
    result = one.app.test_cli_runner().invoke(args=["pwa", "worker", str(written)])
    assert result.exit_code == 0, result.output
    script = written.read_text()
    # The very script a phone gets.
    assert script == one.client("anonymous").get("/sw.js").get_data(as_text=True)
    linted = lint(written)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_biome_refuses_a_worker_with_a_mistake(tmp_path):
    """The check can fail: a name used but never declared is an error."""
    broken = tmp_path / "sw.js"
    broken.write_text('self.addEventListener("install", () => precahce());\n')
    assert lint(broken).returncode != 0
