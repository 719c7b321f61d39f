"""Benchmarks of the Sire session: what one notebook cell costs.

    session_cell_expr_ms_vs_cpython  Session.run of a small expression cell
                                     vs CPython compile + eval of the same
                                     expression (milliseconds per cell)
    session_cell_define_ms_vs_cpython  Session.run of a one-line law definition
                                     vs CPython compile + exec of the same def
    session_row_1e5_vs_cpython       a 100,000-element row literal (bare Sire:
                                     the row constructor applied to 100,000
                                     nats) vs CPython compile + eval of a
                                     100,000-element list display
    session_show_row_1e5_vs_repr     printing that row as Sire (cut at 4,000
                                     characters) vs repr() of the list (whole)

The session starts bare (no prelude: our standard library is another issue)
with two laws defined, as a cell would see them. Wall-clock seconds, best
of a few runs, this process.
"""

from __future__ import annotations

import sys

from bench_core import best, line   # the same timing and report format

from pallas_kernel.sire.session import Session

CELLS = 200


def _session() -> Session:
    s = Session()
    r = s.run("(k x y)=x\n\n(twice f x)=(f (f x))\n")
    assert r.ok, r.failures()
    return s


def bench_cells() -> None:
    s = _session()
    env = {"k": lambda x, y: x, "twice": lambda f, x: f(f(x))}

    def ours_expr():
        for i in range(CELLS):
            r = s.run(f"(twice (k {i}) 5)\n")
            assert r.ok

    def peer_expr():
        for i in range(CELLS):
            eval(compile(f"twice(lambda y: k({i}, y), 5)", "<cell>", "eval"), env)

    line("session_cell_expr_ms_vs_cpython", best(ours_expr) * 1e3 / CELLS, best(peer_expr) * 1e3 / CELLS,
         "CPython compile+eval of the same expression")

    def ours_define():
        for i in range(CELLS):
            r = s.run(f"(f{i} a b)=(k (twice (k a) b) {i})\n")
            assert r.ok

    def peer_define():
        for i in range(CELLS):
            exec(compile(f"def f{i}(a, b): return k(twice(lambda y: k(a, y), b), {i})",
                         "<cell>", "exec"), env)

    line("session_cell_define_ms_vs_cpython", best(ours_define) * 1e3 / CELLS, best(peer_define) * 1e3 / CELLS,
         "CPython compile+exec of the same def")


def bench_row_literal() -> None:
    n = 100_000
    s = _session()
    sire = f"r=(0 0 {n + 1} 0 " + " ".join(str(i) for i in range(n)) + ")\n"
    python = "[" + ", ".join(str(i) for i in range(n)) + "]"
    holder = {}

    def ours():
        r = s.run(sire)
        assert r.ok, r.failures()
        holder["row"] = r.events[0].binding.value

    def peer():
        holder["list"] = eval(compile(python, "<cell>", "eval"))

    line("session_row_1e5_vs_cpython", best(ours, 2), best(peer, 2),
         "CPython compile+eval of a 100,000-element list")
    row, lst = holder["row"], holder["list"]
    line("session_show_row_1e5_vs_repr", best(lambda: s.show(row)), best(lambda: repr(lst)),
         "repr() of the whole list")


def main() -> int:
    bench_cells()
    bench_row_literal()
    return 0


if __name__ == "__main__":
    sys.exit(main())
