"""`make run`: tools/run_lab.py serve, the command the Makefile runs, started
on a free port with its installs going to a temporary prefix (so the test
leaves the environment's Jupyter alone): JupyterLab answers, its /lab page
loads, /api/kernelspecs lists the kernel `pallas` run by this interpreter,
and the lab extension manager lists `pallas-sire` installed and enabled.
Then it is stopped with SIGTERM and must exit."""

from __future__ import annotations

import json
import re
import signal
import sys

import pytest

from helpers.lab import TOKEN, running_lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running `tools/run_lab.py serve` (helpers.lab.Lab)."""
    with running_lab(tmp_path_factory.mktemp("lab")) as lab:
        yield lab


def test_it_prints_the_url_to_open(lab):
    port, out = lab.port, lab.output
    assert f"http://127.0.0.1:{port}/lab?token={TOKEN}" in out
    assert re.search(r"kernelspec pallas in .*share/jupyter/kernels/pallas", out), out


def test_the_lab_page_loads_with_the_extension(lab):
    status, page = lab.get("/lab")
    assert status == 200
    assert "pallas-sire" in page          # the page config names the federated extensions


def test_the_pallas_kernel_is_offered(lab):
    status, body = lab.get("/api/kernelspecs")
    assert status == 200
    specs = json.loads(body)["kernelspecs"]
    spec = specs["pallas"]["spec"]
    assert spec["display_name"] == "Sire (Pallas)"
    assert spec["language"] == "sire"
    assert spec["argv"][:3] == [sys.executable, "-m", "pallas_kernel.kernel"]


def test_the_extension_is_installed_and_enabled(lab):
    status, body = lab.get("/lab/api/extensions")
    assert status == 200
    [ext] = [e for e in json.loads(body) if e["name"] == "pallas-sire"]
    assert ext["installed"] and ext["enabled"] and ext["status"] == "ok"


def test_it_serves_the_tutorials(lab):
    status, body = lab.get("/api/contents")
    assert status == 200
    names = {item["name"] for item in json.loads(body)["content"]}
    assert "01_sire_basics.ipynb" in names


def test_it_stops_on_sigterm(lab):
    proc = lab.proc
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) is not None
