"""Benchmarks of the PLAN core, each against a peer measured in the same run.

Each line: NAME  ours=SECONDS  peer=SECONDS  ratio=R  (ratio = ours / peer, so
below 1 means we are faster). Run with `make bench`.
"""

from __future__ import annotations

import bisect
import pathlib
import pickle
import random
import sys
import time

import gmpy2

from pallas_kernel import _core, plan
from pallas_kernel.plan.reference import oracle, seed
from pallas_kernel.plan.tree import App, Law, Pin, apps, text_nat

TIMES = Pin(Law(text_nat("_Times"), 3,
                apps(0, apps(0, apps(0, apps(2, 2), 2), apps(0, apps(0, 0, 1), apps(0, 1, 2))), 3)))
TO_NAT = Pin(Law(text_nat("_ToNat"), 1, apps(0, apps(2, 0, 3), 1)))
ADD = Law(text_nat("_Add"), 2, apps(0, apps(0, App(TIMES, 3), apps(0, TO_NAT, 1)), 2))


def best(fn, repeat: int = 3) -> float:
    """The fastest of a few runs of fn(), in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def interleaved(ours, peer, expected, rounds: int = 5) -> tuple[float, float]:
    """The fastest of a few runs of each, taken in turns so that a busy
    machine slows both alike; both must return `expected`."""
    best_ours = best_peer = float("inf")
    for _ in range(rounds):
        for fn, side in ((ours, 0), (peer, 1)):
            t = time.perf_counter()
            assert fn() == expected
            took = time.perf_counter() - t
            if side == 0:
                best_ours = min(best_ours, took)
            else:
                best_peer = min(best_peer, took)
    return best_ours, best_peer


def line(name: str, ours: float, peer: float, peer_name: str) -> None:
    print(f"{name:<34} ours={ours:.4f}  peer={peer:.4f}  ratio={ours / peer:.3g}  (peer: {peer_name})")
    sys.stdout.flush()


def bench_unary_add() -> None:
    bare_add = plan.from_tree(ADD)           # the bare law: no jet anywhere

    def ours(n):
        with plan.jets_enabled(False):
            return bare_add.apply(0, n).nat

    def count(n):
        x = 0
        for _ in range(n):
            x = x + 1
        return x

    n = 1_000_000
    ours_s, peer_s = interleaved(lambda: ours(n), lambda: count(n), n)
    line("add_unjetted_1e6_vs_cpython_loop", ours_s, peer_s, "CPython for loop, 1e6 increments")
    n = 10_000
    tree = apps(ADD, 0, n)
    line("add_unjetted_1e4_vs_python_oracle", best(lambda: ours(n)),
         best(lambda: oracle.evaluate(tree, max_steps=10 ** 7), repeat=1),
         "pure-Python PLAN evaluator")


def bench_bignat() -> None:
    rng = random.Random(1)
    a, b = rng.getrandbits(1_000_000) | 1 << 999_999, rng.getrandbits(1_000_000) | 1 << 999_999
    ga, gb = gmpy2.mpz(a), gmpy2.mpz(b)
    va, vb = plan.nat(a), plan.nat(b)
    prod = a * b
    vp, gp = plan.nat(prod), gmpy2.mpz(prod)
    line("mul_1e6_bits_vs_gmpy2", best(lambda: _core.call_jet("_Mul", va, vb)), best(lambda: ga * gb), "gmpy2")
    line("div_2e6_by_1e6_bits_vs_gmpy2", best(lambda: _core.call_jet("_Div", vp, vb)), best(lambda: gp // gb),
         "gmpy2")


def balanced_tree(leaves: int):
    """A balanced tree of (0 x y) closures over distinct nats: 2 * leaves nodes."""
    level = list(range(1000, 1000 + leaves))
    while len(level) > 1:
        level = [apps(0, level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
    return level[0]


def bench_seed() -> None:
    """The C seed codec against the Python codec (same bytes) and pickle."""
    value = plan.evaluate(balanced_tree(50_000))   # 10^5 nodes
    data = _core.save_seed(value)
    tree = value.to_tree()
    assert seed.save_seed(tree) == data
    pickled = pickle.dumps(tree)
    c_save = best(lambda: _core.save_seed(value))
    c_load = best(lambda: _core.load_seed(data))
    line("seed_save_1e5_nodes_c_vs_python_codec", c_save, best(lambda: seed.save_seed(tree)),
         "pallas_kernel.seed.save_seed of the same value's tree")
    line("seed_load_1e5_nodes_c_vs_python_codec", c_load, best(lambda: seed.load_seed(data)),
         "pallas_kernel.seed.load_seed of the same bytes")
    line("seed_save_1e5_nodes_vs_pickle", c_save, best(lambda: pickle.dumps(tree)),
         "pickle.dumps of the same tree")
    line("seed_load_1e5_nodes_vs_pickle", c_load, best(lambda: pickle.loads(pickled)),
         "pickle.loads of the same tree")


def bench_nfib() -> None:
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))
    from helpers import hand_laws

    hand_laws.accept()
    nfib = hand_laws.value(hand_laws.NFIB)
    n = 30
    expected = hand_laws.py_nfib(n)
    assert nfib.apply(20).nat == hand_laws.py_nfib(20)
    ours, peer = interleaved(lambda: nfib.apply(n).nat, lambda: hand_laws.py_nfib(n), expected)
    line("nfib_30_vs_cpython", ours, peer, "the same function in CPython")


def bench_constant_space_loop() -> None:
    """count n = if n (count (dec n)) 0, for 10^7 steps; reports peak RSS."""
    import resource

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))
    from helpers import hand_laws

    hand_laws.accept()
    count = plan.read(f"<{{0 1 (0 (0 (0 {hand_laws.IF} 1) (0 0 (0 {hand_laws.DEC} 1))) (2 0))}}>")
    n = 10_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def loop(k):
        while k:
            k = k - 1
        return k

    ours = best(lambda: count.apply(n).nat, repeat=1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    line("loop_1e7_constant_space_vs_cpython", ours, best(lambda: loop(n), repeat=1),
         f"CPython while loop; peak RSS {peak // 1024} MB, grew {(peak - before) // 1024} MB")


def bench_row_sum_and_tab() -> None:
    n = 1_000_000
    row = plan.evaluate(apps(Law(0, n + 1, 0), *range(n)))
    items = list(range(n))
    assert _core.call_jet("sum", row).nat == sum(items)
    line("row_sum_1e6_vs_cpython_sum", best(lambda: _core.call_jet("sum", row)),
         best(lambda: sum(items)), "CPython sum() of a list")

    def ours(keys):
        tab = plan.read("#[]").force()
        for k in keys:
            tab = _core.call_jet("tabIns", k, k, tab)
        assert all(_core.call_jet("tabIdx", k, tab).nat == k for k in keys)

    def dict_peer(keys):
        d = {}
        for k in keys:
            d[k] = k
        assert all(d.get(k, 0) == k for k in keys)

    def sorted_lists_peer(keys):
        """The tab's own algorithm in CPython: sorted key and value lists, each
        insertion building new lists (tabs are immutable values)."""
        ks, vs = [], []
        for k in keys:
            i = bisect.bisect_left(ks, k)
            if i < len(ks) and ks[i] == k:
                vs = vs[:i] + [k] + vs[i + 1:]
            else:
                ks, vs = ks[:i] + [k] + ks[i:], vs[:i] + [k] + vs[i:]
        assert all(vs[bisect.bisect_left(ks, k)] == k for k in keys)

    m = 100_000
    keys = random.Random(3).sample(range(10 * m), m)
    line("tab_1e5_inserts_and_lookups_vs_dict", best(lambda: ours(keys), repeat=1),
         best(lambda: dict_peer(keys), repeat=1),
         "CPython dict; tabs are sorted arrays, so each insertion copies, like the reference")
    keys = keys[:10_000]
    line("tab_1e4_inserts_and_lookups_vs_cpython_sorted_lists", best(lambda: ours(keys), repeat=1),
         best(lambda: sorted_lists_peer(keys), repeat=1), "the same algorithm in CPython")


def bench_unfoldr() -> None:
    """unfoldr of a 10^6-step countdown: the loop runs in C through the
    continuation pin, calling a PLAN law each step."""
    countdown = plan.read("(2 0 {0 1 (0 (2 0) (0 (0 (2 {0 3 0}) 1) 1))})").force()   # k+1 -> SOME [k k]
    n = 1_000_000

    def ours():
        return _core.call_jet("unfoldr", countdown, n)

    def peer():
        out, k = [], n
        while k:
            k -= 1
            out.append(k)
        return tuple(out)

    assert _core.call_jet("_Len", ours()).nat == len(peer())
    line("unfoldr_1e6_vs_cpython_loop", best(ours, repeat=1), best(peer, repeat=1),
         "CPython while loop building a tuple")


def main() -> None:
    sys.setrecursionlimit(100_000)
    only = sys.argv[1:]                  # e.g. `bench_core.py nfib tab`: just those
    for bench in (bench_constant_space_loop, bench_row_sum_and_tab, bench_nfib, bench_unary_add,
                  bench_bignat, bench_seed, bench_unfoldr):
        if not only or any(word in bench.__name__ for word in only):
            bench()


if __name__ == "__main__":
    main()
