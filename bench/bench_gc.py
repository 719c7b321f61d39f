"""Benchmarks of the collector's pacing: collection count and time against n,
each workload against CPython doing the same work in the same run.

Each timing line: NAME  ours=SECONDS  peer=SECONDS  ratio=R  (ratio = ours / peer).
After it, a `gc` line with what the collector did during our run:

    collections   how many collections ran
    gc_s          seconds spent collecting (stats()["gc_seconds"])
    alloc_mb      bytes allocated, in MiB (stats()["allocated"])
    gc_s_per_gb   collection seconds per GiB allocated: flat when the pacing
                  works (a collection comes once the allocation since the last
                  one passes the live heap, so marking costs a bounded amount
                  per byte allocated)

then, per workload, the ratios at 4n over n of the collection seconds per
element and per GiB allocated. The workloads (no Sire: the core's jets and a
bare law):

    tab_insert   a tab built by n `tabIns` calls from Python (plan.tab_insert)
                 vs dict inserts. Tabs are sorted arrays, so insert k copies k
                 entries: allocation is O(n^2) and so is collection work, but
                 per GiB allocated it stays flat.
    row_append   a row built by n `rowSnoc` calls vs list.append (the same
                 O(n^2) copying: rows are persistent arrays).
    fold         the bare (unjetted) `_Add` law adding n in unary: O(1)
                 allocation per step, so collection work per element is flat
                 vs a CPython for loop of n increments.

Run with `make bench` or `python bench/bench_gc.py`.
"""

from __future__ import annotations

import time
from typing import Callable

from bench_core import ADD, line   # the same report format

from pallas_kernel import _core, plan


def measured(fn: Callable[[], None]) -> tuple[float, dict]:
    """Seconds of one run of fn() and the change of the runtime's counters."""
    before = plan.stats()
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    after = plan.stats()
    return seconds, {k: after[k] - before[k] for k in ("gc_count", "gc_seconds", "allocated")}


def peer_time(fn: Callable[[], None]) -> float:
    """The fastest of three runs of the peer, in seconds."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def gc_line(name: str, d: dict) -> float:
    """Print what the collector did; return its seconds per GiB allocated."""
    gib = d["allocated"] / (1 << 30)
    per_gb = d["gc_seconds"] / gib if gib else 0.0
    print(f"{name:<34} collections={d['gc_count']}  gc_s={d['gc_seconds']:.4f}  "
          f"alloc_mb={d['allocated'] / (1 << 20):.0f}  gc_s_per_gb={per_gb:.4f}")
    return per_gb


def scaling(name: str, n: int, small: tuple[dict, float], big: tuple[dict, float]) -> None:
    """The 4n/n ratios of collection seconds per element and per GiB allocated."""
    (d1, g1), (d4, g4) = small, big
    per_elem = (d4["gc_seconds"] / (4 * n)) / (d1["gc_seconds"] / n) if d1["gc_seconds"] else float("nan")
    per_gb = g4 / g1 if g1 else float("nan")
    print(f"{name + '_4n_over_n':<34} gc_per_element={per_elem:.3g}  gc_per_gb={per_gb:.3g}  "
          f"(flat: about 1)")


def tab_insert(n: int) -> None:
    """n tabIns of keys in a scattered order, checked at the end."""
    tab = plan.read("#[]").force()
    for i in range(n):
        tab = plan.tab_insert(tab, (i * 7919) % n, i)
    assert _core.call_jet("_Len", _core.call_jet("tabToPairs", tab)).force().nat == n


def dict_insert(n: int) -> None:
    d = {}
    for i in range(n):
        d[(i * 7919) % n] = i
    assert len(d) == n


def row_append(n: int) -> None:
    """n rowSnoc calls, each result forced before the next."""
    r = plan.read("[]").force()
    for i in range(n):
        r = _core.call_jet("rowSnoc", r, plan.nat(i)).force()
    assert _core.call_jet("_Len", r).force().nat == n


def list_append(n: int) -> None:
    out = []
    for i in range(n):
        out.append(i)
    assert len(out) == n


def fold(n: int) -> None:
    bare_add = plan.from_tree(ADD)
    with plan.jets_enabled(False):
        assert bare_add.apply(0, n).nat == n


def count(n: int) -> None:
    x = 0
    for _ in range(n):
        x = x + 1
    assert x == n


WORKLOADS = [
    ("tab_insert", tab_insert, dict_insert, "dict inserts", 5_000),
    ("row_append", row_append, list_append, "list.append", 5_000),
    # n large enough that both sizes pass the 64 MB floor (about 31 MB per 10^6)
    ("fold", fold, count, "CPython for loop", 3_000_000),
]


def main() -> None:
    for name, ours, peer, peer_name, n in WORKLOADS:
        results = []
        for size in (n, 4 * n):
            seconds, d = measured(lambda: ours(size))
            line(f"gc_{name}_{size}", seconds, peer_time(lambda: peer(size)), peer_name)
            results.append((d, gc_line(f"gc_{name}_{size}", d)))
        scaling(f"gc_{name}", n, results[0], results[1])


if __name__ == "__main__":
    main()
