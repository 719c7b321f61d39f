"""Installing the kernelspec ``pallas`` (pallas_kernel/kernel/install.py):
``python -m pallas_kernel.kernel install --prefix/--user`` writes a spec that
Jupyter lists and that runs this Python; the spec shipped as shared data in
the wheel is the same with ``python`` as its command; the logos are PNGs of
the sizes Jupyter looks for. Everything goes to temporary directories."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from pathlib import Path

from pallas_kernel.kernel.install import DISPLAY_NAME, KERNEL_NAME, LOGOS, kernel_spec

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "pallas_kernel" / "kernel" / "resources"


def env_for(tmp: Path, **extra: str) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["JUPYTER_DATA_DIR"] = str(tmp / "user-data")   # never the user's own
    env.pop("JUPYTER_PATH", None)
    env.update(extra)
    return env


def run_module(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pallas_kernel.kernel", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_install_with_prefix_writes_a_spec_jupyter_lists(tmp_path):
    env = env_for(tmp_path)
    done = run_module(["install", "--prefix", str(tmp_path / "prefix")], env)
    assert done.returncode == 0, done.stderr
    spec_dir = tmp_path / "prefix" / "share" / "jupyter" / "kernels" / KERNEL_NAME
    assert str(spec_dir) in done.stdout
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"] == [sys.executable, "-m", "pallas_kernel.kernel", "-f", "{connection_file}"]
    assert spec["display_name"] == DISPLAY_NAME and spec["language"] == "sire"
    for logo in LOGOS:
        assert (spec_dir / logo).read_bytes() == (RESOURCES / logo).read_bytes()
    listing = subprocess.run([sys.executable, "-c", "from jupyter_client.kernelspecapp import "
                              "KernelSpecApp; KernelSpecApp.launch_instance()", "list", "--json"],
                             capture_output=True, text=True, timeout=120,
                             env={**env, "JUPYTER_PATH": str(tmp_path / "prefix" / "share" / "jupyter")})
    found = json.loads(listing.stdout)["kernelspecs"][KERNEL_NAME]
    assert found["spec"]["display_name"] == DISPLAY_NAME
    assert Path(found["resource_dir"]) == spec_dir


def test_install_user_goes_to_the_jupyter_data_dir(tmp_path):
    done = run_module(["install", "--user"], env_for(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "user-data" / "kernels" / KERNEL_NAME / "kernel.json").is_file()


def test_conflicting_places_are_refused(tmp_path):
    done = run_module(["install", "--user", "--prefix", str(tmp_path)], env_for(tmp_path))
    assert done.returncode == 2 and "not allowed with" in done.stderr
    assert not (tmp_path / "user-data").exists()


def test_shipped_spec_is_the_installed_one_run_by_python():
    shipped = json.loads((RESOURCES / "kernel.json").read_text())
    assert shipped == kernel_spec("python")


def test_logos_are_pngs_of_their_sizes():
    for logo, size in zip(LOGOS, (32, 64)):
        assert png_size((RESOURCES / logo).read_bytes()) == (size, size)
