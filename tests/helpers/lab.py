"""JupyterLab started for a test the way ``make run`` starts it.

``tools/run_lab.py serve`` (the command the Makefile runs) on a free
localhost port, with a known token, its kernelspec and extension installs
going to a temporary prefix and its Jupyter config/data/runtime directories
temporary too, so a test leaves the environment's Jupyter alone. The kernels
it starts run this checkout's package (``PYTHONPATH``) on the machine
Jupyter names after the notebook (``PALLAS_MACHINE`` is cleared).
The server is always stopped (SIGTERM, then SIGKILL) when the context ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from helpers import REPO

TOKEN = "pallas-test-token"
START_TIMEOUT = 120
STOP_TIMEOUT = 30


def free_port() -> int:
    """A localhost port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running ``tools/run_lab.py serve``: its port, process and output."""

    port: int
    proc: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    token: str = TOKEN

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def url(self, path: str) -> str:
        """``path`` on this server, with the token."""
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}{path}{sep}token={self.token}"

    def get(self, path: str) -> tuple[int, str]:
        """(HTTP status, body) of a GET of ``path``."""
        try:
            with urllib.request.urlopen(self.url(path), timeout=10) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, ""


def wait_for_kernel(lab: Lab, path: str, timeout: float = START_TIMEOUT) -> None:
    """Return once the notebook at ``path`` (relative to the server's root)
    has a kernel that is idle with a client connected (a page that opened it);
    AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    sessions: list = []
    while time.monotonic() < deadline:
        status, body = lab.get("/api/sessions")
        sessions = json.loads(body) if status == 200 else []
        for s in sessions:
            kernel = s.get("kernel") or {}
            if (s.get("path") == path and kernel.get("execution_state") == "idle"
                    and kernel.get("connections", 0) >= 1):
                return
        time.sleep(0.25)
    raise AssertionError(f"no idle, connected kernel for {path} within {timeout}s: {sessions}\n"
                         + lab.output)


def lab_environment(tmp: Path) -> dict[str, str]:
    """os.environ for the server: temporary Jupyter directories (JupyterLab's
    user settings and workspaces too), the token, this checkout first on
    PYTHONPATH, no PALLAS_MACHINE."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("JUPYTER") and k not in ("PALLAS_MACHINE", "JPY_SESSION_NAME")}
    old = env.get("PYTHONPATH")
    env.update(TOKEN=TOKEN, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_CONFIG_DIR=str(tmp / "config"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "lab-settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "lab-workspaces"),
               PYTHONPATH=os.pathsep.join([str(REPO)] + ([old] if old else [])))
    return env


def wait_until_up(lab: Lab, timeout: float = START_TIMEOUT) -> None:
    """Return once /api/status answers 200; AssertionError if the server
    exits or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert lab.proc.poll() is None, "JupyterLab exited:\n" + lab.output
        try:
            if lab.get("/api/status")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"JupyterLab did not answer within {timeout}s:\n" + lab.output)


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def write_user_settings(tmp: Path, settings: dict[str, dict]) -> None:
    """JupyterLab user settings in the server's temporary settings directory:
    ``{"@jupyterlab/notebook-extension:tracker": {...}, ...}``."""
    for plugin, values in settings.items():
        package, _, name = plugin.rpartition(":")
        path = tmp / "lab-settings" / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


@contextlib.contextmanager
def running_lab(tmp: Path, root: Optional[Path] = None,
                settings: Optional[dict[str, dict]] = None) -> Iterator[Lab]:
    """``tools/run_lab.py serve`` on a free port, showing ``root`` (default:
    the tutorials, notebooks/), with the JupyterLab user ``settings`` given
    (see write_user_settings), up and answering; stopped on exit."""
    write_user_settings(tmp, settings or {})
    command = [sys.executable, str(REPO / "tools" / "run_lab.py"), "serve",
               "--port", str(free_port()), "--prefix", str(tmp / "prefix")]
    if root is not None:
        command += ["--root", str(root)]
    proc = subprocess.Popen(command, cwd=REPO, env=lab_environment(tmp), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lab = Lab(port=int(command[command.index("--port") + 1]), proc=proc)
    reader = threading.Thread(target=lambda: lab.lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        wait_until_up(lab)
        yield lab
    finally:
        stop(proc)
        reader.join(timeout=5)
