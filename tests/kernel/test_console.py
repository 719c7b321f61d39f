"""`jupyter console --kernel pallas` works: a terminal user types Sire and
gets values back (definitions print as the REPL prints them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.kernel import kernel_environment


def console() -> str:
    found = shutil.which("jupyter-console", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("jupyter-console is not installed (it is in the test extra)")
    return found


def test_jupyter_console_runs_sire(tmp_path):
    with kernel_environment():
        env = dict(os.environ, PALLAS_MACHINE=str(tmp_path / "m"))
        r = subprocess.run([console(), "--kernel", "pallas", "--simple-prompt"],
                           input="(add 1 2)\n= (triple x) | mul 3 x\n(triple 14)\n", env=env,
                           capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert "Out[1]: 3" in r.stdout, r.stdout + r.stderr
    assert "(triple a)" in r.stdout and "Out[3]: 42" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr
