"""The JupyterLab extension (labextension/, TypeScript) is shipped prebuilt in
pallas_kernel/labextension/ so that installing needs no Node: that build is
the one the sources describe (same package.json, built from the sources'
recorded digest), it is a JupyterLab 4 federated extension (`_build`,
shared singletons), its code registers the sire language for text/x-sire,
and JupyterLab lists it enabled and OK from a data directory holding exactly
what the wheel installs. (The wheel itself is checked in
tests/library/test_wheel.py.)"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "labextension"
BUILT = ROOT / "pallas_kernel" / "labextension"


def load_stamp():
    """labextension/stamp.py, which computes the sources' digest."""
    spec = importlib.util.spec_from_file_location("labextension_stamp", SOURCES / "stamp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def built_package() -> dict:
    return json.loads((BUILT / "package.json").read_text())


def source_package() -> dict:
    return json.loads((SOURCES / "package.json").read_text())


def test_the_build_is_of_these_sources():
    """package.json is copied with the build's `_build` added; the digest of
    the sources (src/*.ts, package.json, the lock file) is the one recorded
    when the committed build was made: edit a source and not rebuild
    (`make labextension`), and this fails."""
    built = built_package()
    lab = built["jupyterlab"]
    build = lab.pop("_build")
    assert built == source_package()
    assert (BUILT / build["load"]).is_file()
    assert build["extension"] == "./extension"
    stamp = load_stamp()
    assert (SOURCES / "built-from.sha256").read_text().strip() == stamp.digest()


def test_it_names_the_sources_version_and_shares_codemirror():
    built = built_package()
    assert built["name"] == "pallas-sire"
    assert built["version"] == source_package()["version"]
    assert built["jupyterlab"]["extension"] is True
    shared = built["jupyterlab"]["sharedPackages"]
    for pkg in ("@jupyterlab/codemirror", "@codemirror/language", "@lezer/highlight"):
        assert shared[pkg] == {**shared[pkg], "bundled": False, "singleton": True}, pkg


def test_the_static_code_registers_the_language():
    code = "\n".join(p.read_text() for p in (BUILT / "static").glob("*.js"))
    assert "text/x-sire" in code
    assert "addLanguage" in code and "addFileType" in code
    assert re.search(r"""commentTokens:\{line:["']?;["']?\}""", code)
    assert "cm-sire-" in code
    assert "pallas-sire:language" in code
    # the remote entry JupyterLab loads is the one package.json names
    load = built_package()["jupyterlab"]["_build"]["load"]
    assert "pallas-sire" in (BUILT / load).read_text()


def test_the_source_and_the_build_ship_no_node_modules():
    assert not any("node_modules" in p.parts for p in BUILT.rglob("*"))
    tracked = subprocess.run(["git", "ls-files", "labextension", "pallas_kernel/labextension"],
                             cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode == 0:
        assert not [f for f in tracked.stdout.split() if "node_modules" in f]


def test_jupyterlab_lists_it_enabled(tmp_path):
    """The files the wheel installs (the build plus install.json) under a
    fresh share/jupyter: `jupyter labextension list` shows it enabled, OK,
    and installed by pip as pallas-kernel."""
    share = tmp_path / "share" / "jupyter"
    target = share / "labextensions" / "pallas-sire"
    shutil.copytree(BUILT, target)
    shutil.copy(SOURCES / "install.json", target)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(JUPYTER_PATH=str(share), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), NO_COLOR="1")
    run = subprocess.run([sys.executable, "-m", "jupyterlab.labextensions", "list"],
                         capture_output=True, text=True, env=env, timeout=300)
    out = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout + run.stderr)
    assert run.returncode == 0, out
    section = out.split(str(share / "labextensions"), 1)
    assert len(section) == 2, out
    line = next(ln for ln in section[1].splitlines() if "pallas-sire" in ln)
    assert re.search(r"pallas-sire v0\.1\.0 +enabled +OK +\(python, pallas-kernel\)", line), line
