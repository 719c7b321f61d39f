"""Benchmarks of the bulk data jets (sets, tabs, bars), each against CPython
doing the same work in the same run.

Each line: NAME  ours=SECONDS  peer=SECONDS  ratio=R  (ratio = ours / peer, so
below 1 means we are faster). Run with `make bench`.
"""

from __future__ import annotations

import random

from pallas_kernel import _core, plan
from pallas_kernel.plan.tree import Law, apps

from bench_core import best, line   # the same timing and report format


def row(items) -> plan.Value:
    """A row value of the given trees, evaluated."""
    items = list(items)
    return plan.evaluate(apps(Law(0, len(items) + 1, 0), *reversed(items))) if items else plan.read("[]").force()


def bench_sets() -> None:
    n = 100_000
    rng = random.Random(5)
    xs, ys = sorted(rng.sample(range(4 * n), n)), sorted(rng.sample(range(4 * n), n))
    a, b = _core.call_jet("_MkSet", row(xs)), _core.call_jet("_MkSet", row(ys))
    sa, sb = set(xs), set(ys)
    assert _core.call_jet("setLen", _core.call_jet("setIntersect", a, b)).nat == len(sa & sb)
    ours = best(lambda: (_core.call_jet("setIntersect", a, b), _core.call_jet("setWeld", a, b),
                         _core.call_jet("setSub", a, b)))
    peer = best(lambda: (sorted(sa & sb), sorted(sa | sb), sorted(sa - sb)))
    line("set_1e5_and_or_minus_vs_sorted_sets", ours, peer, "CPython set operations, results sorted")


def bench_tab_from_pairs() -> None:
    n = 100_000
    rng = random.Random(6)
    pairs = [(rng.randrange(n), i) for i in range(n)]
    value = row(apps(Law(0, 3, 0), v, k) for k, v in pairs)
    d = dict(pairs)
    assert _core.call_jet("_TabLen", _core.call_jet("tabFromPairs", value)).nat == len(d)
    line("tab_from_1e5_pairs_vs_dict_sorted", best(lambda: _core.call_jet("tabFromPairs", value)),
         best(lambda: sorted(dict(pairs).items())), "CPython dict(pairs), items sorted")


def bench_bar_cat() -> None:
    n = 10_000
    chunks = [bytes([i % 251]) * (i % 40) for i in range(n)]
    value = row(Law(1, 1, int.from_bytes(c + b"\x01", "little")) for c in chunks)
    assert _core.call_jet("barLen", _core.call_jet("barCat", value)).nat == sum(map(len, chunks))
    line("bar_cat_1e4_bars_vs_bytes_join", best(lambda: _core.call_jet("barCat", value)),
         best(lambda: int.from_bytes(b"".join(chunks) + b"\x01", "little")),
         "CPython b''.join, then the bar's nat")


def main() -> None:
    bench_sets()
    bench_tab_from_pairs()
    bench_bar_cat()


if __name__ == "__main__":
    main()
