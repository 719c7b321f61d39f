"""Starting the real Sire kernel for tests, without touching the user's Jupyter.

The kernelspec is written into a temporary directory put first on
``JUPYTER_PATH`` (connection files go to a temporary runtime directory), and
the kernel process finds this checkout's package through ``PYTHONPATH``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from queue import Empty
from typing import Iterator, Optional

from pallas_kernel.kernel.install import KERNEL_NAME, write_spec_dir

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@contextlib.contextmanager
def kernel_environment() -> Iterator[Path]:
    """os.environ set up for a kernel from this checkout, restored after."""
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "JUPYTER_RUNTIME_DIR", "PYTHONPATH")}
    with tempfile.TemporaryDirectory(prefix="pallas-kernel-test-") as tmp:
        base = Path(tmp)
        write_spec_dir(base / "data" / "kernels" / KERNEL_NAME)
        (base / "runtime").mkdir()
        os.environ["JUPYTER_PATH"] = str(base / "data")
        os.environ["JUPYTER_RUNTIME_DIR"] = str(base / "runtime")
        os.environ["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT)] + ([saved["PYTHONPATH"]] if saved["PYTHONPATH"] else []))
        try:
            yield base
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


@contextlib.contextmanager
def running_kernel() -> Iterator[tuple]:
    """(KernelManager, BlockingKernelClient) of a started, ready kernel."""
    from jupyter_client.manager import start_new_kernel

    with kernel_environment():
        km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=TIMEOUT)
        try:
            yield km, kc
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def execute(kc, code: str, timeout: float = TIMEOUT) -> tuple[dict, list[dict]]:
    """Run a cell: the execute_reply's content and the cell's iopub
    messages (type, content), in order, without status and execute_input."""
    msgs: list[dict] = []
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=msgs.append)
    out = [(m["msg_type"], m["content"]) for m in msgs
           if m["msg_type"] not in ("status", "execute_input")]
    return reply["content"], out


def shell_reply(kc, send, *args, **kwargs) -> dict:
    """Send a shell request (``kc.complete``, ``kc.inspect``, ...) and return
    its reply's content, skipping replies to other requests."""
    msg_id = send(*args, **kwargs)
    while True:
        try:
            msg = kc.get_shell_msg(timeout=TIMEOUT)
        except Empty:
            raise AssertionError(f"no reply to {send.__name__}") from None
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]


@contextlib.contextmanager
def kernel_on(machine: Path, cwd: Optional[Path] = None) -> Iterator[tuple]:
    """(KernelManager, BlockingKernelClient) of a kernel whose machine is
    ``machine`` (PALLAS_MACHINE), started in ``cwd``, shut down cleanly (the
    machine closed)."""
    from jupyter_client.manager import start_new_kernel

    with kernel_environment():
        os.environ["PALLAS_MACHINE"] = str(machine)
        try:
            extra = {} if cwd is None else {"cwd": str(cwd)}
            km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=TIMEOUT, **extra)
        finally:
            del os.environ["PALLAS_MACHINE"]
        try:
            yield km, kc
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=False)


def text_of(out) -> str:
    """The text of a cell's stream and display outputs, joined."""
    return "".join(c.get("text", "") or c.get("data", {}).get("text/plain", "") for _, c in out)
