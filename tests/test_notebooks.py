"""Run every notebook under nbs/ as one pytest test, with nbdev's own runner.

This is `nbdev-test` seen through pytest: the same engine (`nbdev.test.test_nb`), the same notebook
list (nbdev's `nbglob`: recursive, without names or folders that start with `_` or `.`, nor folders
holding a `.notest` file), the same skipped cells (`tst_flags` in `[tool.nbdev]`, currently `slow`),
the same cell timeout. What pytest adds is one test per notebook and an "N passed" line.

    python -m pytest -q tests                       # every notebook, slow cells skipped
    python -m pytest -q tests -k 00_core            # one notebook
    KNOWEDIT_SLOW=1 python -m pytest -q tests       # the slow cells too (like `nbdev-test --flags slow`)

Notebooks run one after another in this process; a failing cell's traceback is printed to stderr.
"""

import gc
import os
from pathlib import Path

import pytest
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import _keep_file
from nbdev.test import test_nb as run_notebook  # renamed, or pytest would collect it as a test

CFG = get_config(Path(__file__).resolve().parent)
TST_FLAGS = CFG.tst_flags.split() if isinstance(CFG.tst_flags, str) else list(CFG.tst_flags or [])
# KNOWEDIT_SLOW=1 forces the `slow` cells to run, as `nbdev-test --flags slow` does
FORCE_FLAGS = ["slow"] if os.environ.get("KNOWEDIT_SLOW", "") not in ("", "0") else []
NOTEBOOKS = sorted(
    p.absolute() for p in nbglob(CFG.nbs_path, as_path=True) if _keep_file(p, ".notest") and ".ipynb_checkpoints" not in p.parts
)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.relative_to(CFG.nbs_path.absolute()).as_posix() for p in NOTEBOOKS])
def test_notebook(nb: Path):
    ok, _secs = run_notebook(
        nb,
        skip_flags=TST_FLAGS,
        force_flags=FORCE_FLAGS,
        basepath=CFG.config_path,
        cell_timeout=CFG.cell_timeout or None,
    )
    gc.collect()  # the notebook's namespace (models, tensors) goes with its shell
    assert ok, f"{nb.name} failed: its traceback is printed above (captured stderr)"
