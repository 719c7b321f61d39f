"""Benchmarks of the notebook kernel's machine, each against a peer in the
same run (ratio = ours / peer):

- ``kernel_restore_100_cells_s_vs_rerun``: seconds for a kernel to get its
  state back from a machine holding 100 recorded cells on the prelude (open
  the machine, load the last session pin), against running the 100 cells
  again on a fresh session with the prelude loaded from the compile cache
  (what a kernel without a machine would have to do). Goal: under 1 s.
- ``kernel_cell_recorded_ms_vs_unrecorded``: milliseconds per small cell
  with its event committed (session saved, pins stored, fsync), against the
  same cell not recorded.
- ``kernel_start_s_vs_ipykernel``: seconds from starting the Sire kernel
  (prelude from the compile cache, a fresh temporary machine) to its first
  reply, against ipykernel's own ``python3`` kernel.
- ``kernel_cell_roundtrip_ms_vs_ipykernel``: milliseconds per trivial cell
  (``(add 1 1)``, recorded) through a Jupyter client, against ``1+1`` on
  ipykernel.

Run with `make bench` (or directly).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from bench_core import line   # the same report format

from pallas_kernel.kernel.cells import CellRunner
from pallas_kernel.kernel.install import KERNEL_NAME, write_spec_dir
from pallas_kernel.kernel.kernel import start_session
from pallas_kernel.kernel.notebook import NotebookMachine

CELLS = 100


class _Quiet:
    def text(self, text: str, stream: str) -> None:
        pass

    def value(self, value) -> None:
        pass


def cell(i: int) -> str:
    return f"= (f{i} x) | add x {i}\n\nv{i}=(f{i} {i})"


ROUND_TRIPS = 50


def client_figures(kernel_name: str, code: str) -> tuple[float, float]:
    """(seconds to start the kernel and get its first reply, seconds per
    round trip of ``code``)."""
    from jupyter_client.manager import start_new_kernel

    t = time.perf_counter()
    km, kc = start_new_kernel(kernel_name=kernel_name, startup_timeout=120)
    try:
        kc.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
        started = time.perf_counter() - t
        t = time.perf_counter()
        for _ in range(ROUND_TRIPS):
            kc.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
        return started, (time.perf_counter() - t) / ROUND_TRIPS
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def kernel_lines() -> None:
    """Start-up and round trips of our kernel against ipykernel's."""
    with tempfile.TemporaryDirectory(prefix="bench-kernelspec-") as tmp:
        write_spec_dir(Path(tmp) / "kernels" / KERNEL_NAME)
        root = str(Path(__file__).resolve().parents[1])
        os.environ["JUPYTER_PATH"] = tmp + os.pathsep + os.path.join(sys.prefix, "share", "jupyter")
        os.environ["PYTHONPATH"] = root + os.pathsep + os.environ.get("PYTHONPATH", "")
        os.environ.pop("PALLAS_MACHINE", None)
        ours = client_figures(KERNEL_NAME, "(add 1 1)")
        peer = client_figures("python3", "1+1")
    line("kernel_start_s_vs_ipykernel", ours[0], peer[0], "ipykernel's python3 kernel")
    line("kernel_cell_roundtrip_ms_vs_ipykernel", ours[1] * 1e3, peer[1] * 1e3, "1+1 on ipykernel")


def main() -> None:
    where = os.environ.get("PALLAS_BENCH_DIR") or None
    with tempfile.TemporaryDirectory(prefix="bench-kernel-", dir=where) as tmp:
        path = Path(tmp) / "nb"
        nb = NotebookMachine.open(path)
        session, problem = start_session(nb)
        assert not problem, problem
        runner = CellRunner(session)
        recorded = time.perf_counter()
        for i in range(CELLS):
            outcome = runner.run(cell(i), f"In[{i + 1}]", _Quiet())
            assert outcome.ok, outcome.failures
            nb.record(outcome, i + 1, f"c{i}", session.save())
        recorded = (time.perf_counter() - recorded) / CELLS
        nb.close()

        t = time.perf_counter()
        nb = NotebookMachine.open(path)
        back, _ = start_session(nb)
        assert back.binding(f"v{CELLS - 1}") is not None
        restore = time.perf_counter() - t
        nb.close()

        t = time.perf_counter()
        fresh, _ = start_session(None)
        again = CellRunner(fresh)
        for i in range(CELLS):
            assert again.run(cell(i), f"In[{i + 1}]", _Quiet()).ok
        rerun = time.perf_counter() - t
        unrecorded = time.perf_counter()
        for i in range(CELLS, 2 * CELLS):
            assert again.run(cell(i), f"In[{i + 1}]", _Quiet()).ok
        unrecorded = (time.perf_counter() - unrecorded) / CELLS
    line("kernel_restore_100_cells_s_vs_rerun", restore, rerun, "a fresh session running the 100 cells again")
    line("kernel_cell_recorded_ms_vs_unrecorded", recorded * 1e3, unrecorded * 1e3,
         "the same cells, not recorded")
    kernel_lines()


if __name__ == "__main__":
    main()
