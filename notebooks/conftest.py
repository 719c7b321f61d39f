"""``pytest --nbval notebooks/`` runs the tutorials on this checkout's kernel.

Whatever kernelspec ``pallas`` the environment has installed (or none), the
notebooks are checked against the code beside them: a kernelspec for this
interpreter is written into a temporary directory put first on
JUPYTER_PATH, the checkout is put first on PYTHONPATH, and PALLAS_MACHINE
and JPY_SESSION_NAME are cleared so each notebook runs on a fresh temporary
machine (never on the machines JupyterLab keeps in notebooks/.pallas/).
nbval starts its kernels after this runs, so they inherit it.

What truly varies between runs (a cell event's time in ``)log``, the port
of a cog's HTTP server) is replaced by ``sanitize.cfg`` beside this file,
given to nbval here unless ``--nbval-sanitize-with`` names another.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = Path(__file__).resolve().parent / "sanitize.cfg"
_SPEC_DIR: str = ""


def pytest_configure(config) -> None:
    global _SPEC_DIR
    if getattr(config.option, "nbval_sanitize_with", "unset") is None:
        config.option.nbval_sanitize_with = str(SANITIZE)
    sys.path.insert(0, str(ROOT))
    from pallas_kernel.kernel.install import KERNEL_NAME, write_spec_dir

    _SPEC_DIR = tempfile.mkdtemp(prefix="pallas-nbval-")
    write_spec_dir(Path(_SPEC_DIR) / "kernels" / KERNEL_NAME)
    previous = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = os.pathsep.join([_SPEC_DIR] + ([previous] if previous else []))
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([previous] if previous else []))
    os.environ.pop("PALLAS_MACHINE", None)
    os.environ.pop("JPY_SESSION_NAME", None)


def pytest_unconfigure(config) -> None:
    if _SPEC_DIR:
        shutil.rmtree(_SPEC_DIR, ignore_errors=True)
