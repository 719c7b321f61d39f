"""The kernelspec ``pallas`` and ``python -m pallas_kernel.kernel install``.

The same spec ships twice: in the wheel as shared data
(``share/jupyter/kernels/pallas/``, from ``resources/``, whose ``argv``
starts with ``python``, which jupyter_client replaces by the Python that
runs it), and written by :func:`install` with this interpreter's path, so a
kernel installed from a virtual environment runs in that environment.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import Optional

KERNEL_NAME = "pallas"
DISPLAY_NAME = "Sire (Pallas)"
LOGOS = ("logo-32x32.png", "logo-64x64.png")


def kernel_spec(python: Optional[str] = None) -> dict:
    """The kernel.json of the ``pallas`` kernel, run by ``python``."""
    return {
        "argv": [python or sys.executable, "-m", "pallas_kernel.kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "sire",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


def write_spec_dir(target: Path, python: Optional[str] = None) -> Path:
    """Write kernel.json and the logos into ``target`` (made if missing)."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "kernel.json").write_text(json.dumps(kernel_spec(python), indent=1) + "\n",
                                        encoding="utf-8")
    res = resources.files("pallas_kernel.kernel").joinpath("resources")
    for logo in LOGOS:
        (target / logo).write_bytes(res.joinpath(logo).read_bytes())
    return target


def install(user: bool = False, prefix: Optional[str] = None, sys_prefix: bool = False,
            python: Optional[str] = None) -> str:
    """Install the kernelspec with jupyter_client (``user``: in the user's
    Jupyter data directory; ``prefix``: under ``PREFIX/share/jupyter``;
    ``sys_prefix``: under this environment's prefix); the directory it went to."""
    from jupyter_client.kernelspec import KernelSpecManager

    if sys_prefix:
        prefix = sys.prefix
    with tempfile.TemporaryDirectory() as tmp:
        source = write_spec_dir(Path(tmp) / KERNEL_NAME, python)
        return KernelSpecManager().install_kernel_spec(str(source), KERNEL_NAME, user=user,
                                                       prefix=prefix)


def main(argv: list[str]) -> int:
    """``install [--user | --sys-prefix | --prefix P]``: install the spec and
    say where."""
    parser = argparse.ArgumentParser(prog="python -m pallas_kernel.kernel install",
                                     description="Install the Jupyter kernelspec 'pallas'.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="in the user's Jupyter data directory")
    where.add_argument("--sys-prefix", action="store_true",
                       help="in this Python environment (sys.prefix)")
    where.add_argument("--prefix", help="under PREFIX/share/jupyter/kernels")
    args = parser.parse_args(argv)
    try:
        path = install(user=args.user, prefix=args.prefix, sys_prefix=args.sys_prefix)
    except OSError as e:
        print(f"pallas kernel: cannot install the kernelspec: {e}", file=sys.stderr)
        return 1
    print(f"installed kernelspec {KERNEL_NAME} in {path}")
    return 0

