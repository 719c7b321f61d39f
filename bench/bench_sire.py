"""Benchmarks of loading a chain of Sire modules, cold and warm (cache).

    sire_chain_cold_per_kloc   compile a generated chain (seconds per 1,000
                               lines) vs CPython compiling and running the same
                               number of lines of generated Python (the peer)
    sire_chain_warm_vs_cold    load the same chain again from the compile
                               cache vs compiling it (ratio well below 1 means
                               the cache pays)

    sire_defs_1600_vs_100_ms_per_def  CPU milliseconds per definition of a generated
                               one-module file of 1,600 definitions vs one of
                               100 (the peer): compile cost per definition
                               should not grow with the scope (ratio ~1)
    sire_ref_prelude_cold_s    only with PALLAS_REFERENCE: the reference chain
                               to ``prelude`` compiled cold (CPU seconds) vs CPython
                               compiling and running as many lines of Python

The chain is made here by a seeded generator: modules of primitive Sire,
each importing the one before, with laws, lets, lambdas, a macro used in
every module and an assertion per definition. With PALLAS_REFERENCE set
(a checkout of the reference), the reference chain to ``sire`` is timed
too (sire_ref_chain_cold_per_kloc, sire_ref_chain_warm_vs_cold).
Times are wall-clock seconds of this process (the load is single-threaded),
except the per-definition line (CPU time, best of three: it compares two
small runs, which a busy machine would otherwise skew) and the prelude line
(CPU time of both sides).
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from pallas_kernel import plan
from pallas_kernel.sire.cache import Cache
from pallas_kernel.sire.modules import Loader, run_file
from pallas_kernel.sire.state import State

MODULES = 12
DEFS = 60


def _module(i: int, rng: random.Random) -> str:
    """Module ``m<i>``: definitions over the previous module's names."""
    head = f"#### m{i}" + (f" <- m{i - 1}" if i else "")
    lines = [head, ""]
    if i:
        lines += [f":| m{i - 1}", ""]
    else:
        lines += ["= ({##EMBD} v z) .{##EMBD}", "",
                  "= ({%%} st rex err ok) (ok st (.{##EMBD} 7))", "",
                  "(k x y)=x", "", "= (twice f x) (f (f x))", ""]
    for d in range(DEFS):
        name = f"f{i}_{d}"
        n = rng.randrange(1, 4)
        k = rng.randrange(4)
        if k == 0:
            body = "(@ t (3 a1) (k t a1))"
        elif k == 1:
            body = "(twice (& y (3 y)) a1)"
        elif k == 2:
            body = "(@@ (g = (& z (k a1 g)))(h = 1) (g h))"
        else:
            body = "(k a1 (%%))"
        args = " ".join(f"a{j + 1}" for j in range(n))
        lines += [f"= ({name} {args})", f"  {body}", ""]
        call = " ".join(str(rng.randrange(9)) for _ in range(n))
        first = call.split()[0]
        want = {0: int(first) + 1, 1: int(first) + 2, 2: first, 3: first}[k]
        lines += [f"=?= {want} ({name} {call})", ""]
    exports = ["k", "twice", "{%%}", "{##EMBD}"] + [f"f{i}_{d}" for d in range(DEFS)]
    lines += ["^-^ " + " ".join(exports), ""]
    return "\n".join(lines)


def _python_peer(lines: int, rng: random.Random) -> str:
    """Python source of about ``lines`` lines doing similar work."""
    out = ["def k(x, y): return x", "def twice(f, x): return f(f(x))"]
    while len(out) < lines:
        n = len(out)
        out += [f"def g{n}(a1, a2=0):", "    t = a1 + 1", "    return k(t, a1)",
                f"assert g{n}({rng.randrange(9)}) >= 1", ""]
    return "\n".join(out)


def _time_load(lib: str, top: str, cache_dir: Path | None) -> float:
    loader = Loader(include=[lib], cache=Cache(cache_dir) if cache_dir else None)
    t = time.perf_counter()
    loader.load(top)
    return time.perf_counter() - t


def _line(name: str, ours: float, peer: float) -> None:
    print(f"{name} ours={ours:.4f} peer={peer:.4f} ratio={ours / peer:.3f}", flush=True)


def _chain(name: str, lib: str, top: str, lines: int, work: Path) -> None:
    cache = work / f"cache-{name}"
    cold = _time_load(lib, top, cache)
    warm = _time_load(lib, top, cache)
    rng = random.Random(2)
    src = _python_peer(lines, rng)
    t = time.perf_counter()
    exec(compile(src, "<peer>", "exec"), {})
    peer = time.perf_counter() - t
    _line(f"{name}_cold_per_kloc", cold * 1000 / lines, peer * 1000 / lines)
    _line(f"{name}_warm_vs_cold", warm, cold)


def _per_def(n: int) -> float:
    """CPU seconds per definition of a generated module of ``n`` definitions."""
    global DEFS
    saved, DEFS = DEFS, n
    try:
        data = _module(0, random.Random(3)).encode()
    finally:
        DEFS = saved
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        run_file(State(), data, "<generated>")
        best = min(best, time.process_time() - t)
    return best / n


def _cpu(fn) -> float:
    """CPU seconds of this process spent in ``fn()``."""
    t = time.process_time()
    fn()
    return time.process_time() - t


def _peer_seconds(lines: int) -> float:
    """CPython compiling and running ``lines`` lines of generated Python."""
    src = _python_peer(lines, random.Random(2))
    t = time.perf_counter()
    exec(compile(src, "<peer>", "exec"), {})
    return time.perf_counter() - t


def main() -> int:
    with plan.tracing(None):  # the modules' trk output is not timed
        return _run()


def _run() -> int:
    work = Path(tempfile.mkdtemp(prefix="pk_bench_sire_"))
    try:
        rng = random.Random(1)
        lib = work / "lib"
        lib.mkdir()
        lines = 0
        for i in range(MODULES):
            text = _module(i, rng)
            lines += text.count("\n")
            (lib / f"m{i}.sire").write_text(text)
        _chain("sire_chain", str(lib), f"m{MODULES - 1}", lines, work)
        _line("sire_defs_1600_vs_100_ms_per_def", _per_def(1600) * 1e3, _per_def(100) * 1e3)
        ref = os.environ.get("PALLAS_REFERENCE")
        if ref:
            d = Path(ref) / "sire" if (Path(ref) / "sire").is_dir() else Path(ref)
            n = _ref_lines(d)
            _chain("sire_ref_chain", str(d), "sire", n, work)
            if (d / "prelude.sire").is_file():
                cold = _cpu(lambda: Loader(include=[str(d)]).load("prelude"))
                peer = _cpu(lambda: _peer_seconds(_chain_lines(d, "prelude")))
                _line("sire_ref_prelude_cold_s", cold, peer)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _ref_lines(d: Path) -> int:
    """Lines of the reference chain up to ``sire`` (sire_*.sire and sire.sire)."""
    return sum(p.read_text().count("\n") for p in d.glob("sire*.sire") if p.stem != "sire_tests")


def _chain_lines(d: Path, top: str) -> int:
    """Lines of a module and its predecessors (following ``#### m <- prev``)."""
    total, cur, seen = 0, top, set()
    while cur and cur not in seen and (d / f"{cur}.sire").is_file():
        seen.add(cur)
        text = (d / f"{cur}.sire").read_text()
        total += text.count("\n")
        head = next((ln for ln in text.splitlines() if ln.startswith("####")), "")
        cur = head.split("<-", 1)[1].strip() if "<-" in head else None
    return total


if __name__ == "__main__":
    sys.exit(main())
