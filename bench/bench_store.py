"""Benchmarks of the machine's store, each against raw LMDB in the same run.

Each line: NAME  ours=X  peer=Y  ratio=R (ratio = ours / peer). Here X and Y
are microseconds per durable commit (fsync on), so below 1 means we are faster:

- one 100-byte event per commit: ``Store.append_events([r])`` against a raw
  ``lmdb`` write transaction putting one 100-byte value (synced);
- batches of 100 events per commit (group commit), per event: ours against
  raw single-value commits, the peer a machine without group commit would pay.

Run with `make bench` (or directly). It works in a temporary directory under
$PALLAS_BENCH_DIR if set (fsync costs depend on the file system: tmpfs makes
them nearly free), else under the system's temporary directory.
"""

from __future__ import annotations

import os
import tempfile
import time

import lmdb
from bench_core import line   # the same report format

from pallas_kernel.machine import Store

RECORD = b"r" * 100
SINGLE = 200          # single commits timed (each is an fsync)
BATCHES = 20          # batches of BATCH records timed
BATCH = 100


def per_commit(fn, n: int) -> float:
    """Seconds per call of fn(i), over n calls."""
    t = time.perf_counter()
    for i in range(n):
        fn(i)
    return (time.perf_counter() - t) / n


def raw_single(directory: str) -> float:
    """Seconds per synced raw LMDB commit of one 100-byte value."""
    env = lmdb.open(directory, map_size=1 << 30, sync=True, metasync=True)
    try:
        def commit(i: int) -> None:
            with env.begin(write=True) as txn:
                txn.put(i.to_bytes(8, "big"), RECORD, append=True)
        return per_commit(commit, SINGLE)
    finally:
        env.close()


def ours_single(store: Store) -> float:
    return per_commit(lambda i: store.append_events([RECORD]), SINGLE)


def ours_batched(store: Store) -> float:
    """Seconds per event when events commit BATCH at a time."""
    batch = [RECORD] * BATCH
    return per_commit(lambda i: store.append_events(batch), BATCHES) / BATCH


def main() -> None:
    where = os.environ.get("PALLAS_BENCH_DIR") or None
    with tempfile.TemporaryDirectory(prefix="bench-store-", dir=where) as tmp:
        raw_dir = os.path.join(tmp, "raw")
        os.mkdir(raw_dir)
        with Store.create(os.path.join(tmp, "store")) as store:
            raw = raw_single(raw_dir)
            single = ours_single(store)
            batched = ours_batched(store)
    us = 1e6
    line("store_event_commit_us_vs_raw_lmdb", single * us, raw * us, "raw lmdb synced commit, 100 B")
    line("store_batch100_event_us_vs_raw_lmdb", batched * us, raw * us, "raw lmdb synced commit, 100 B")
    print(f"  durable commits/s: ours single {1 / single:,.0f}, ours batched {1 / batched:,.0f} events,"
          f" raw lmdb {1 / raw:,.0f}")


if __name__ == "__main__":
    main()
