"""Decimal literals past CPython's 4,300-digit int/str limit: Sire leaves,
keys and the PLAN notation read and print them (through gmpy2) quickly and
without a traceback."""

from __future__ import annotations

import time

import pytest

from pallas_kernel import plan
from pallas_kernel.plan import notation
from pallas_kernel.rex import Leaf
from pallas_kernel.sire.failure import SireFailure
from pallas_kernel.sire.reader import try_key
from pallas_kernel.plan.tree import text_nat

from helpers.sire_terms import run_source

DIGITS = "1234567890" * 500  # 5,000 digits
BIG = int(notation.parse_decimal(DIGITS))


def run(source: str):
    return run_source(source, "big.sire")


def by_chunks(digits: str) -> int:
    """The value of a digit string, ten digits at a time (CPython's limit
    does not apply to small conversions)."""
    n = 0
    for k in range(0, len(digits), 10):
        chunk = digits[k:k + 10]
        n = n * 10 ** len(chunk) + int(chunk)
    return n


def test_decimal_helpers_agree_with_python_arithmetic():
    assert BIG == by_chunks(DIGITS)
    assert notation.decimal_text(BIG) == DIGITS
    assert notation.parse_decimal("0042") == 42


def test_a_five_thousand_digit_leaf_compiles():
    st, seen = run(f"x={DIGITS}\n\n(3 x)\n")
    assert int(st.scope[text_nat("x")].value) == BIG
    assert int(seen[-1][1]) == BIG + 1


def test_a_hundred_thousand_digit_leaf_compiles_fast():
    digits = "9" * 100_000
    start = time.perf_counter()
    st, _ = run(f"x={digits}\n")
    elapsed = time.perf_counter() - start
    assert int(st.scope[text_nat("x")].value) == 10 ** 100_000 - 1
    assert elapsed < 1.0


def test_big_keys():
    assert try_key(Leaf("WORD", DIGITS)) == BIG
    assert try_key(Leaf("WORD", "12x")) is None
    assert try_key(Leaf("WORD", "\u00b2")) == text_nat("\u00b2")  # not an ASCII digit


def test_big_key_in_a_definition():
    st, _ = run(f"= {DIGITS} y 5\n")
    assert st.scope[text_nat("y")].key == BIG


def test_unresolved_big_name_is_a_clear_error():
    with pytest.raises(SireFailure) as e:
        run(f"(. {DIGITS})\n")
    assert "Unresolved symbol: " + DIGITS in str(e.value)


def test_notation_reads_and_prints_big_nats():
    digits = "7" * 100_000
    start = time.perf_counter()
    tree = notation.read(f"(0 {digits})")
    text = notation.show(tree)
    elapsed = time.perf_counter() - start
    assert tree.arg == by_chunks(digits) and text == f"(0 {digits})"
    assert elapsed < 1.0
    assert plan.show(plan.from_tree(tree.arg)) == digits
