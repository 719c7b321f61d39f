"""Binder: the steps mybinder (repo2docker) takes with binder/, replayed in a
fresh virtualenv on a copy of the working tree: install binder/requirements.txt,
run binder/postBuild in the repository (pip install ., the kernelspec, the
checks, the prelude compiled into the cache). Then, with nothing of this
checkout on the paths: `jupyter kernelspec list` shows `pallas` inside the
new environment, `jupyter labextension list` shows `pallas-sire` enabled and
OK (installed by pip, as the wheel's shared data), and lesson 1 executes
with nbconvert on that kernel, giving the outputs saved in the notebook.

This builds the C core and installs JupyterLab from scratch: it takes a few
minutes (see the README); it is marked `binder` and runs in `make test`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".git", ".venv", "build", "node_modules", "__pycache__", "*.so",
                              "*.egg-info", ".pallas", ".hypothesis", ".pytest_cache", "dist")
INSTALL_TIMEOUT = 1800

pytestmark = pytest.mark.binder


def run(cmd, cwd, env, timeout=600) -> str:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    out = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert proc.returncode == 0, f"{cmd} failed ({proc.returncode}):\n{out[-4000:]}"
    return out


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """(environment variables, repository copy) after the Binder build."""
    tmp = tmp_path_factory.mktemp("binder")
    repo = tmp / "repo"
    shutil.copytree(ROOT, repo, ignore=SKIP)
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    home = tmp / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "PYTHON", "PALLAS", "SIRE", "VIRTUAL_ENV", "JPY"))}
    env.update(PATH=f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}", HOME=str(home),
               VIRTUAL_ENV=str(env_dir), NO_COLOR="1")
    python = str(env_dir / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"], repo, env,
        INSTALL_TIMEOUT)
    run(["bash", "binder/postBuild"], repo, env, INSTALL_TIMEOUT)
    return env, repo, env_dir


def test_the_kernelspec_is_in_the_environment(binder_env):
    env, repo, env_dir = binder_env
    out = run(["jupyter", "kernelspec", "list", "--json"], repo, env)
    spec = json.loads(out[out.index("{"):])["kernelspecs"]["pallas"]
    assert Path(spec["resource_dir"]).is_relative_to(env_dir)
    assert spec["spec"]["display_name"] == "Sire (Pallas)"
    assert spec["spec"]["argv"][0] == str(env_dir / "bin" / "python")


def test_the_lab_extension_is_installed_by_pip(binder_env):
    env, repo, env_dir = binder_env
    out = run(["jupyter", "labextension", "list"], repo, env)
    assert re.search(r"pallas-sire v0\.1\.0 +enabled +OK +\(python, pallas-kernel\)", out), out
    assert (env_dir / "share" / "jupyter" / "labextensions" / "pallas-sire" / "package.json").is_file()


def test_lesson_1_runs_on_the_installed_kernel(binder_env, tmp_path):
    env, repo, env_dir = binder_env
    out = tmp_path / "out.ipynb"
    run(["jupyter", "nbconvert", "--to", "notebook", "--execute", "notebooks/01_sire_basics.ipynb",
         "--output", str(out), "--ExecutePreprocessor.kernel_name=pallas"], repo, env)
    # the copy outside the checkout ran it: the package came from the environment
    assert not (repo / "pallas_kernel" / "_core.so").exists()
    saved = json.loads((repo / "notebooks" / "01_sire_basics.ipynb").read_text())
    ran = json.loads(out.read_text())

    def results(nb):
        return [[o.get("data", {}).get("text/plain") or o.get("text") or o.get("evalue")
                 for o in c["outputs"]] for c in nb["cells"] if c["cell_type"] == "code"]

    assert results(ran) == results(saved)
