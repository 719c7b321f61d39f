"""The wheel ships what an installed pallas-kernel needs, built from this
checkout and unpacked (the layout pip installs): `pallas sire prelude` finds
our prelude from an unrelated directory, with no checkout or SIRE_PATH in
sight; Pygments finds the Sire lexer through the wheel's entry point; and the
prebuilt JupyterLab extension is shared data that JupyterLab lists, so
installing needs no Node."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LABEXT = "share/jupyter/labextensions/pallas-sire"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """(names in the wheel, the unpacked wheel, a scratch directory): built once."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(dist), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    built = next(dist.glob("pallas_kernel-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(built) as z:
        names = z.namelist()
        z.extractall(site)
    return names, site, tmp_path


def clean_env(site: Path, tmp_path: Path) -> dict:
    """The environment of a process that sees the unpacked wheel first."""
    env = {k: v for k, v in os.environ.items() if k not in ("SIRE_PATH", "PYTHONPATH")}
    env.update(PYTHONPATH=str(site), PALLAS_SIRE_CACHE=str(tmp_path / "cache"))
    return env


def test_the_installed_wheel_runs_our_prelude(wheel):
    names, site, tmp_path = wheel
    assert "pallas_kernel/sire_library/prelude.sire" in names
    assert "pallas_kernel/jet_hashes_library.tsv" in names
    # the Jupyter kernelspec, as shared data pip installs under share/jupyter/kernels/pallas
    spec = [n for n in names if ".data/data/share/jupyter/kernels/pallas/" in n]
    assert sorted(n.rsplit("/", 1)[1] for n in spec) == ["kernel.json", "logo-32x32.png",
                                                         "logo-64x64.png"]
    assert "pallas_kernel/kernel/resources/logo-64x64.png" in names
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = clean_env(site, tmp_path)
    run = subprocess.run([sys.executable, "-m", "pallas_kernel", "sire", "-q", "prelude"],
                         input="(add 2 3)\n", capture_output=True, text=True, cwd=work, env=env,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "5"
    assert str(site / "pallas_kernel" / "sire_library") in subprocess.run(
        [sys.executable, "-c", "from pallas_kernel.sire.modules import PACKAGE_SIRE; print(PACKAGE_SIRE)"],
        capture_output=True, text=True, cwd=work, env=env).stdout


def test_pygments_finds_the_lexer_by_its_entry_point(wheel):
    """The wheel's entry_points.txt declares the lexer, and Pygments (which
    looks plugins up with importlib.metadata) finds it by name, file name
    and mime type, loaded from the unpacked wheel."""
    names, site, tmp_path = wheel
    entry_points = next(site.glob("pallas_kernel-*.dist-info/entry_points.txt")).read_text()
    assert re.search(r"\[pygments\.lexers\]\s*sire = pallas_kernel\.kernel\.lexer:SireLexer", entry_points)
    probe = ("from pygments.lexers import get_lexer_by_name, get_lexer_for_filename, get_lexer_for_mimetype\n"
             "import sys\n"
             "for lx in (get_lexer_by_name('sire'), get_lexer_by_name('rex'),\n"
             "           get_lexer_for_filename('x.sire'), get_lexer_for_mimetype('text/x-sire')):\n"
             "    print(type(lx).__name__, sys.modules[type(lx).__module__].__file__)\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=tmp_path, env=clean_env(site, tmp_path), timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert len(lines) == 4
    for line in lines:
        cls, path = line.split(" ", 1)
        assert cls == "SireLexer" and Path(path).is_relative_to(site), line


def test_the_wheel_installs_the_labextension_as_shared_data(wheel):
    names, site, tmp_path = wheel
    data = next(site.glob("pallas_kernel-*.data")) / "data"
    ext = [n for n in names if f".data/data/{LABEXT}/" in n]
    assert any(n.endswith(f"{LABEXT}/package.json") for n in ext)
    assert any(n.endswith(f"{LABEXT}/install.json") for n in ext)
    assert any(re.search(rf"{LABEXT}/static/remoteEntry\.[0-9a-f]+\.js$", n) for n in ext)
    built = ROOT / "pallas_kernel" / "labextension"
    shipped = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file()}
    assert {n.split(f"{LABEXT}/", 1)[1] for n in ext} == shipped | {"install.json"}
    assert not [n for n in names if n.startswith("pallas_kernel/labextension/")]  # not twice
    # and JupyterLab, pointed at the wheel's share/jupyter, lists it enabled
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(JUPYTER_PATH=str(data / "share" / "jupyter"), JUPYTER_DATA_DIR=str(tmp_path / "jdata"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "jconfig"))
    run = subprocess.run([sys.executable, "-m", "jupyterlab.labextensions", "list"],
                         capture_output=True, text=True, env=env, timeout=300)
    out = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout + run.stderr)
    assert re.search(r"pallas-sire v0\.1\.0 +enabled +OK +\(python, pallas-kernel\)", out), out
