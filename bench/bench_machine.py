"""Benchmarks of the running machine, each against a peer in the same run.

Each line: NAME  ours=X  peer=Y  ratio=R (ratio = ours / peer):

- ``machine_event_us_vs_raw_lmdb``: microseconds per durable event of a cog
  that counts as fast as it can (demo_count_fast: one event per count, each
  committed with fsync before its trk output is released), against a raw
  ``lmdb`` synced transaction writing the same records (the event's pin
  germ and its 36-byte log record). Goal: within 2x.
- ``machine_group_event_us_vs_raw``: the same per event with COGS counters
  spun by one cog, so that rounds commit many events at once (group
  commit), against the same raw single commit. Goal: below 1 (more events
  per second than raw single commits).
- ``machine_replay_us_vs_raw_read``: microseconds per event to replay the
  counter's log from the boot snapshot (read, check and rebuild each event
  pin, run the step), against reading the same records raw with a cursor.
- ``machine_boot_s_vs_python_import``: seconds of ``pallas boot STORE
  demo_counter.sire`` as a command (modules from the cache), against
  ``python -c "import pallas_kernel.machine"`` (what every command pays).

Run with `make bench` (or directly). Fsync costs depend on the file system:
set $PALLAS_BENCH_DIR to measure on a particular one.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import lmdb
from bench_core import line   # the same report format

from pallas_kernel import plan
from pallas_kernel.machine.runtime import Machine, logged, row, tab
from pallas_kernel.machine.service import start
from pallas_kernel.sire.library import library_dir
from pallas_kernel.sire.session import Session

ROOT = str(Path(__file__).resolve().parents[1])
SECONDS = 3.0
COGS = 64

MANY = """
= (countQuiet n k)
: _ < syscall TIME_WHEN
| countQuiet (inc n) k

= (spinMany n k)
| ifz n (k 0)
: _ < syscall (COG_SPIN (runCog (countQuiet 0)))
| spinMany (dec n) k

many=(runCog (spinMany %d))
""" % COGS


def session() -> Session:
    s = Session(include=[str(library_dir())])
    assert s.load("demo_count_fast").ok
    r = s.run(MANY)
    assert r.ok, [f.message() for f in r.failures()]
    return s


def run_for(store: str, seconds: float) -> tuple[int, float]:
    """Start the machine in ``store`` for ``seconds``: (events, elapsed)."""
    got = {}

    def ready(runner) -> None:
        got["runner"] = runner
        got["t0"] = time.perf_counter()
        threading.Timer(seconds, runner.stop).start()

    start(store, out=io.StringIO(), on_ready=ready, snapshot_events=10 ** 9, snapshot_seconds=1e9)
    return got["runner"].events, time.perf_counter() - got["t0"]


def raw_commits(directory: str, germ: bytes, n: int = 300) -> float:
    """Seconds per synced raw LMDB transaction writing one pin record of
    ``len(germ)`` bytes and one 36-byte log record."""
    env = lmdb.open(directory, map_size=1 << 30, sync=True, metasync=True, max_dbs=2,
                    readahead=False, meminit=False)     # the store's own flags
    pins, events = env.open_db(b"pins"), env.open_db(b"events")
    try:
        t = time.perf_counter()
        for i in range(n):
            with env.begin(write=True) as txn:
                txn.put(i.to_bytes(32, "big"), germ, db=pins)
                txn.put(i.to_bytes(8, "big"), b"E" * 36, db=events, append=True)
        return (time.perf_counter() - t) / n
    finally:
        env.close()


def raw_read(path: str) -> float:
    """Seconds to read every record of a store raw (all its databases)."""
    env = lmdb.open(path, readonly=True, lock=False, max_dbs=8)
    t = time.perf_counter()
    with env.begin() as txn:
        for name, _ in txn.cursor():
            db = env.open_db(name, txn=txn, create=False)
            for _ in txn.cursor(db=db):
                pass
    elapsed = time.perf_counter() - t
    env.close()
    return elapsed


def event_germ() -> bytes:
    """The germ of a counter event's pin (what the store writes per event)."""
    body = row(0, tab({0: logged(1796000000)}), plan.from_str("ok"))
    refs, data = plan.save_germ(plan.pin(body))
    return data + b"\0" * (32 * len(refs) + 4)


def command_seconds(*argv: str) -> float:
    env = dict(os.environ, PYTHONPATH=ROOT)
    t = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    s = session()
    where = os.environ.get("PALLAS_BENCH_DIR") or None
    with tempfile.TemporaryDirectory(prefix="bench-machine-", dir=where) as tmp:
        fast = os.path.join(tmp, "fast")
        Machine.boot(fast, s.binding("main").value)
        events, elapsed = run_for(fast, SECONDS)
        os.mkdir(os.path.join(tmp, "raw"))
        raw = raw_commits(os.path.join(tmp, "raw"), event_germ())
        single = elapsed / events
        line("machine_event_us_vs_raw_lmdb", single * 1e6, raw * 1e6, "raw lmdb synced txn, same records")

        many = os.path.join(tmp, "many")
        Machine.boot(many, s.binding("many").value)
        group_events, group_elapsed = run_for(many, SECONDS)
        grouped = group_elapsed / group_events
        line("machine_group_event_us_vs_raw", grouped * 1e6, raw * 1e6,
             f"raw lmdb synced txn, same records; {COGS} cogs")

        t = time.perf_counter()
        with Machine.open(fast, snapshot_at_most=0) as m:
            replayed = m.last_event()
        replay = (time.perf_counter() - t) / replayed
        line("machine_replay_us_vs_raw_read", replay * 1e6, raw_read(fast) / replayed * 1e6,
             "raw lmdb cursor over the same store")

        boot = command_seconds(sys.executable, "-m", "pallas_kernel", "boot", os.path.join(tmp, "counter"),
                               str(Path(library_dir()) / "demo_counter.sire"))
        imp = command_seconds(sys.executable, "-c", "import pallas_kernel.machine")
        line("machine_boot_s_vs_python_import", boot, imp, "python -c 'import pallas_kernel.machine'")
    print(f"  durable events/s: one counter {1 / single:,.0f}, {COGS} counters {1 / grouped:,.0f},"
          f" raw lmdb single commits {1 / raw:,.0f}; replay {1 / replay:,.0f} events/s")


if __name__ == "__main__":
    main()
