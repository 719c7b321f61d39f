"""Benchmarks of our Sire standard library (sire/, `prelude`): loading it, and
typical cell work done with its functions, each against a peer in this run.

    library_load_cold_vs_peer      our prelude compiled from source (no cache)
                                   vs the reference's prelude compiled by our
                                   compiler when PALLAS_REFERENCE is set, else
                                   CPython compiling (no .pyc) stdlib modules
                                   of about as many source lines
    library_load_warm_vs_peer      the same from the compiled-module cache vs
                                   the same peer from its cache (.pyc)
    sort_1e4 / sort_1e5            `sort` of random nats vs `sorted`
    sort_scaling_1e5_over_1e4      time(10^5) / time(10^4), for n log n (~12.5)
    tab_insert_lookup_1e4 / _1e5   a tab built by 10^n `tabPut`s, then every key
                                   looked up with `tabGet`, vs a dict
    strcat_1e4                     `strCat` of 10^4 short strings vs "".join
    foldl_add_1e6                  `foldl add 0` over a row of 10^6 nats vs
                                   functools.reduce
    sum_gen_1e6                    `sum (gen n id)` vs sum(range(n))

Inputs are made in Python and handed to the library's functions as values
(the timed part is the evaluation). Wall-clock seconds, best of a few runs.
"""

from __future__ import annotations

import functools
import operator
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_core import best, interleaved, line   # the same timing and report format

from pallas_kernel import plan
from pallas_kernel.plan.tree import row
from pallas_kernel.plan.view import nat_of, row_items
from pallas_kernel.sire.cache import Cache
from pallas_kernel.sire.library import LAST_MODULE, library_dir
from pallas_kernel.sire.modules import Loader
from pallas_kernel.sire.session import Session

PEER_MODULES = ["_pydecimal", "argparse", "typing", "email.message", "json.decoder", "pathlib",
                "dataclasses", "inspect", "tarfile", "zipfile", "ipaddress", "difflib",
                "http.client", "configparser", "logging", "unittest.case", "textwrap", "calendar"]


def library_lines(directory: Path) -> int:
    """Source lines of the .sire files of a library directory."""
    return sum(len(p.read_text("utf-8").splitlines()) for p in directory.glob("*.sire"))


def peer_modules(lines: int) -> list[str]:
    """Stdlib modules whose sources add up to about ``lines`` lines."""
    import importlib.util
    chosen, total = [], 0
    for name in PEER_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        chosen.append(name)
        total += len(Path(spec.origin).read_text("utf-8").splitlines())
        if total >= lines:
            break
    return chosen


def python_import(modules: list[str], cache: str) -> float:
    """Seconds for a fresh CPython to import ``modules`` with .pyc files in
    ``cache`` (compiled there on the first run), less an empty start."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": cache}

    def run(code: str) -> float:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=env)
        return time.perf_counter() - t

    empty = min(run("pass") for _ in range(3))
    return run("import " + ", ".join(modules)) - empty


def load(directory: str, cache_dir: str | None) -> float:
    """Seconds to load the prelude of ``directory`` (from cache_dir if given)."""
    loader = Loader(include=[directory], cache=Cache(Path(cache_dir)) if cache_dir else None)
    t = time.perf_counter()
    loader.load(LAST_MODULE)
    return time.perf_counter() - t


def bench_load() -> None:
    ours_dir = str(library_dir())
    ref = os.environ.get("PALLAS_REFERENCE")
    with tempfile.TemporaryDirectory() as tmp:
        cold = load(ours_dir, None)
        load(ours_dir, tmp + "/ours")            # fill the cache
        warm = min(load(ours_dir, tmp + "/ours") for _ in range(3))
        if ref:
            ref_dir = str(Path(ref) / "sire")
            peer_cold = load(ref_dir, None)
            load(ref_dir, tmp + "/ref")
            peer_warm = min(load(ref_dir, tmp + "/ref") for _ in range(3))
            peer = "the reference's prelude, our compiler"
        else:
            mods = peer_modules(library_lines(library_dir()))
            peer_cold = python_import(mods, tmp + "/pyc")
            peer_warm = min(python_import(mods, tmp + "/pyc") for _ in range(3))
            peer = f"CPython importing {len(mods)} stdlib modules"
    line("library_load_cold_vs_peer", cold, peer_cold, peer + ", compiled")
    line("library_load_warm_vs_peer", warm, peer_warm, peer + ", cached")


def prelude() -> Session:
    s = Session(include=[str(library_dir())])
    s.load(LAST_MODULE)
    return s


def fn(s: Session, name: str) -> plan.Value:
    """The value a prelude name is bound to."""
    b = s.binding(name)
    if b is None:
        raise SystemExit(f"bench_library: the prelude does not bind {name}")
    return b.value if isinstance(b.value, plan.Value) else plan.from_tree(b.value)


def as_row(items: list) -> plan.Value:
    return plan.from_tree(row(*items)).force()


def bench_sort(s: Session) -> None:
    sort = fn(s, "sort")
    times = {}
    for n in (10_000, 100_000):
        rng = random.Random(n)
        xs = [rng.randrange(1 << 40) for _ in range(n)]
        r = as_row(xs)
        out = sort.apply(r).force()
        assert [nat_of(x) for x in row_items(out)][:50] == sorted(xs)[:50]
        ours = best(lambda: sort.apply(r).force())
        peer = best(lambda: sorted(xs))
        times[n] = ours
        line(f"sort_1e{len(str(n)) - 1}", ours, peer, "sorted(list)")
    print(f"{'sort_scaling_1e5_over_1e4':<34} ratio={times[100_000] / times[10_000]:.3g}  "
          f"(n log n predicts 12.5)")


def bench_tab(s: Session) -> None:
    put, get = fn(s, "tabPut"), fn(s, "tabGet")
    empty = fn(s, "emptyTab").force()
    for n in (10_000, 100_000):
        rng = random.Random(n)
        keys = [plan.nat(rng.randrange(1 << 30)) for _ in range(n)]

        def ours():
            t = empty
            for k in keys:
                t = put.apply(t, k, k).force()
            for k in keys:
                assert get.apply(t, k).force() == k

        def peer():
            d = {}
            for k in keys:
                d[k.nat] = k.nat
            for k in keys:
                assert d[k.nat] == k.nat

        line(f"tab_insert_lookup_1e{len(str(n)) - 1}", best(ours, 1), best(peer), "dict insert + lookup")


def bench_strcat(s: Session) -> None:
    strcat = fn(s, "strCat")
    words = [f"w{i}," for i in range(10_000)]
    r = as_row([plan.from_str(w) for w in words])
    assert plan.to_str(strcat.apply(r).force()) == "".join(words)
    line("strcat_1e4", best(lambda: strcat.apply(r).force()), best(lambda: "".join(words)), '"".join')


def bench_fold(s: Session) -> None:
    foldl, add, gen, ident, total = (fn(s, n) for n in ("foldl", "add", "gen", "id", "sum"))
    n = 1_000_000
    r = gen.apply(n, ident).force()
    ours, peer = interleaved(lambda: foldl.apply(add, 0, r).nat,
                             lambda: functools.reduce(operator.add, range(n), 0), n * (n - 1) // 2)
    line("foldl_add_1e6", ours, peer, "functools.reduce(add)")
    ours = best(lambda: total.apply(gen.apply(n, ident)).force())
    line("sum_gen_1e6", ours, best(lambda: sum(range(n))), "sum(range(n))")


def main() -> None:
    bench_load()
    s = prelude()
    bench_sort(s)
    bench_tab(s)
    bench_strcat(s)
    bench_fold(s)


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    main()
