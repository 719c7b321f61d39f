"""`make run`: tools/run_lab.py serve, the command the Makefile runs, started
on a free port with its installs going to a temporary prefix (so the test
leaves the environment's Jupyter alone): JupyterLab answers, its /lab page
loads, /api/kernelspecs lists the kernel `pallas` run by this interpreter,
and the lab extension manager lists `pallas-sire` installed and enabled.
Then it is stopped with SIGTERM and must exit."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "pallas-test-token"
START_TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, str]:
    sep = "&" if "?" in path else "?"
    url = f"http://127.0.0.1:{port}{path}{sep}token={TOKEN}"
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(port, printed output so far) of a running `tools/run_lab.py serve`."""
    tmp = tmp_path_factory.mktemp("lab")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env.update(TOKEN=TOKEN, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"))
    proc = subprocess.Popen([sys.executable, str(ROOT / "tools" / "run_lab.py"), "serve",
                             "--port", str(port), "--prefix", str(tmp / "prefix")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert proc.poll() is None, "JupyterLab exited:\n" + "".join(lines)
            try:
                if get(port, "/api/status")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            pytest.fail("JupyterLab did not answer in time:\n" + "".join(lines))
        yield port, lines, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        reader.join(timeout=5)


def test_it_prints_the_url_to_open(lab):
    port, lines, _ = lab
    out = "".join(lines)
    assert f"http://127.0.0.1:{port}/lab?token={TOKEN}" in out
    assert re.search(r"kernelspec pallas in .*share/jupyter/kernels/pallas", out), out


def test_the_lab_page_loads_with_the_extension(lab):
    port = lab[0]
    status, page = get(port, "/lab")
    assert status == 200
    assert "pallas-sire" in page          # the page config names the federated extensions


def test_the_pallas_kernel_is_offered(lab):
    status, body = get(lab[0], "/api/kernelspecs")
    assert status == 200
    specs = json.loads(body)["kernelspecs"]
    spec = specs["pallas"]["spec"]
    assert spec["display_name"] == "Sire (Pallas)"
    assert spec["language"] == "sire"
    assert spec["argv"][:3] == [sys.executable, "-m", "pallas_kernel.kernel"]


def test_the_extension_is_installed_and_enabled(lab):
    status, body = get(lab[0], "/lab/api/extensions")
    assert status == 200
    [ext] = [e for e in json.loads(body) if e["name"] == "pallas-sire"]
    assert ext["installed"] and ext["enabled"] and ext["status"] == "ok"


def test_it_serves_the_tutorials(lab):
    status, body = get(lab[0], "/api/contents")
    assert status == 200
    names = {item["name"] for item in json.loads(body)["content"]}
    assert "01_sire_basics.ipynb" in names


def test_it_stops_on_sigterm(lab):
    proc = lab[2]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) is not None
