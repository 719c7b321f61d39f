"""Large Sire input: a 100,000-element row literal, a 10 MB one-line text
literal and long one-line applications read and compile in seconds, and the
time grows linearly with the size (no quadratic step)."""

from __future__ import annotations

import time

from pallas_kernel import plan
from pallas_kernel.plan.tree import text_nat

from helpers.sire_terms import run_source


def run(source: str):
    return run_source(source, "large.sire")


def row_literal(n: int) -> str:
    """``(0 0 n+1 0 x1 .. xn)``: the row constructor applied to n items."""
    return f"(0 0 {n + 1} 0 " + " ".join(str(i) for i in range(1, n + 1)) + ")\n"


def timed(source: str) -> tuple[float, list]:
    start = time.perf_counter()
    _, seen = run(source)
    return time.perf_counter() - start, seen


def test_a_hundred_thousand_element_row():
    elapsed, seen = timed(row_literal(100_000))
    shown = plan.show(seen[-1][1])
    assert shown.startswith("[100000 99999 ") and shown.endswith(" 2 1]")
    assert elapsed < 30  # about 3 s on a quiet machine


def test_a_ten_megabyte_text_literal():
    text = "ab" * 5_000_000
    start = time.perf_counter()
    st, _ = run("x={" + text + "}\n")
    elapsed = time.perf_counter() - start
    assert st.scope[text_nat("x")].value == plan.from_tree(text_nat(text)).force()
    assert elapsed < 10  # about 0.5 s on a quiet machine


def test_long_applications_grow_linearly():
    small, _ = timed(row_literal(25_000))
    big, _ = timed(row_literal(100_000))
    assert big < 8 * small  # 4 times the input: quadratic would be 16 times
