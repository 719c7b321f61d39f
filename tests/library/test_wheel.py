"""The standard library ships in the wheel: built from this checkout and
unpacked (the layout pip installs), `pallas sire prelude` finds our prelude
from an unrelated directory, with no checkout or SIRE_PATH in sight."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_wheel_runs_our_prelude(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(dist), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    wheel = next(dist.glob("pallas_kernel-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        z.extractall(site)
    assert "pallas_kernel/sire_library/prelude.sire" in names
    assert "pallas_kernel/jet_hashes_library.tsv" in names
    # the Jupyter kernelspec, as shared data pip installs under share/jupyter/kernels/pallas
    spec = [n for n in names if ".data/data/share/jupyter/kernels/pallas/" in n]
    assert sorted(n.rsplit("/", 1)[1] for n in spec) == ["kernel.json", "logo-32x32.png",
                                                         "logo-64x64.png"]
    assert "pallas_kernel/kernel/resources/logo-64x64.png" in names
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("SIRE_PATH", "PYTHONPATH")}
    env.update(PYTHONPATH=str(site), PALLAS_SIRE_CACHE=str(tmp_path / "cache"))
    run = subprocess.run([sys.executable, "-m", "pallas_kernel", "sire", "-q", "prelude"],
                         input="(add 2 3)\n", capture_output=True, text=True, cwd=work, env=env,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "5"
    assert str(site / "pallas_kernel" / "sire_library") in subprocess.run(
        [sys.executable, "-c", "from pallas_kernel.sire.modules import PACKAGE_SIRE; print(PACKAGE_SIRE)"],
        capture_output=True, text=True, cwd=work, env=env).stdout
