"""`make bench`: the performance budgets of docs/design.md, measured on this machine.

The bench is a package (bench/__main__.py says what it measures, and in what order): this file
runs it as `python -m bench` would, for `python bench/run.py`, as the Makefile calls it.
"""

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    # The repository, not bench/, is where `bench` and the app are imported from.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    runpy.run_module("bench", run_name="__main__")
