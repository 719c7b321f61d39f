"""Benchmarks of the eval device: the fixed cost of one job sent to a worker
process and answered, against evaluating the same job in this process.

Each line: NAME  ours=SECONDS  peer=SECONDS  ratio=R  (ratio = ours / peer).
Run with `python bench/bench_eval.py` (the dask line needs the dask extra).
"""

from __future__ import annotations

import importlib.util
import queue
import sys
import time

from pallas_kernel import plan
from pallas_kernel.machine.device import RequestKey
from pallas_kernel.machine.devices import eval as ev
from pallas_kernel.machine.devices import eval_worker

TO_NAT = '<{"_ToNat" 1 (0 (2 0 3) 1)}>'
JOBS = 200


class Hub:
    """The least hub: answers wait in a queue for the (machine) thread."""

    store_dir = ""

    def __init__(self) -> None:
        self.answers: queue.Queue = queue.Queue()

    def answer(self, key, make, recomputable=False) -> None:
        self.answers.put(make)

    def call_soon(self, fn) -> None:
        self.answers.put(fn)

    def warn(self, text: str) -> None:
        print(text, file=sys.stderr)


def device_round_trip(spec: str) -> float:
    """Seconds per trivial job through the device: parse, issue, the worker,
    the hub, and building the answer row, one job after another."""
    hub = Hub()
    device = ev.EvalDevice(hub, spec)
    args = [plan.nat(10), plan.read(TO_NAT).force(), plan.nat(7)]
    try:
        def one(serial: int) -> None:
            key = RequestKey(0, 0, serial)
            device.issue(key, device.parse(key, args))
            assert plan.show(hub.answers.get(timeout=60)()) == "[7]"
        one(0)                                   # start a worker
        start = time.perf_counter()
        for serial in range(1, JOBS + 1):
            one(serial)
        return (time.perf_counter() - start) / JOBS
    finally:
        device.close()


def in_process() -> float:
    """Seconds per trivial job evaluated here (seed in, seed out)."""
    seed = plan.save_seed(ev._row([plan.read(TO_NAT).force(), 7]))
    start = time.perf_counter()
    for _ in range(JOBS):
        assert eval_worker.evaluate_job(seed, 10.0)[0] == "ok"
    return (time.perf_counter() - start) / JOBS


def line(name: str, ours: float, peer: float, peer_name: str) -> None:
    print(f"{name:<34} ours={ours:.4f}  peer={peer:.4f}  ratio={ours / peer:.3g}  (peer: {peer_name})")
    sys.stdout.flush()


def main() -> None:
    peer = in_process()
    line("eval job round trip (local pool)", device_round_trip("local"), peer, "same job in process")
    if importlib.util.find_spec("distributed") is None:
        print("eval job round trip (dask:local)   skipped: dask is not installed")
        return
    line("eval job round trip (dask:local)", device_round_trip("dask:local"), peer, "same job in process")


if __name__ == "__main__":
    main()
