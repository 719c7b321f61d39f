"""The big-nat fast paths of the C core against Python ints.

Big nats are gmpy2 mpz objects whose limbs the core reads in place (bit
length, bit tests, narrow bit slices, bytes, comparison, popcount), and small
operands of big operations are made mpz so that results never pass through a
Python int. Each jet here is checked on nats around limb and byte boundaries,
where an off-by-one in reading limbs would show.
"""

import pytest
from hypothesis import given, strategies as st

from pallas_kernel import _core, plan

pytestmark = pytest.mark.core  # run again by `make stress`

# Around 2^63 (small/big), 2^64 and 2^128 (limb edges), and much larger.
edge = st.sampled_from([0, 1, 63, 64, 65, 127, 128, 129, 191, 192, 1000])
nats = st.one_of(
    st.integers(0, 2 ** 70),
    st.builds(lambda b, x: (1 << b) + x, edge, st.integers(0, 2 ** 64)),
    st.builds(lambda b, x: (1 << b) - 1 - x, edge, st.integers(0, 3)).map(lambda n: max(n, 0)),
    st.integers(0, 2 ** 400),
)
offsets = st.one_of(st.integers(0, 200), edge, st.just(2 ** 70))


def J(name: str, *args) -> int:
    """The nat a jet returns."""
    return _core.call_jet(name, *args).nat


@given(n=nats)
def test_met_popcount_and_bytes(n):
    assert J("_Met", n) == n.bit_length()
    assert J("_PopCount", n) == bin(n).count("1")
    bar = _core.call_jet("natBar", n)
    assert J("barNat", bar) == n


@given(n=nats, i=offsets)
def test_bit_tests_read_the_right_bit(n, i):
    bit = (n >> i) & 1
    assert J("_Bix", i, n) == bit
    assert J("_TestBit", i, n) == bit


@given(n=nats, o=offsets, w=st.integers(0, 80))
def test_bit_slice(n, o, w):
    assert J("_BitSlice", o, w, n) == (n >> o) % (1 << w)


@given(x=nats, y=nats)
def test_compare(x, y):
    assert J("_Cmp", x, y) == (x > y) - (x < y) + 1
    assert J("_Eql", x, y) == int(x == y)


@given(v=st.integers(0, 2 ** 70), s=st.one_of(st.integers(0, 300), edge))
def test_shifts_of_small_and_big(v, s):
    assert J("_Lsh", v, s) == v << s
    assert J("_Rsh", v << s, s) == v
    assert J("_Add", J("_Lsh", v, s), 7) == (v << s) + 7


def test_append_bytes_as_a_string_builder():
    """A string built a byte at a time with met/lsh/add, as Sire appends do."""
    s, want = plan.nat(0), bytearray()
    for i in range(300):
        c = 97 + i % 26
        size = (J("_Met", s) + 7) // 8
        s = _core.call_jet("_Add", s, _core.call_jet("_Lsh", c, 8 * size))
        want.append(c)
    assert s.nat == int.from_bytes(want, "little")


FALLBACK = """
import random, sys
sys.modules["gmpy2"] = None          # as if gmpy2 were not installed: big nats are Python ints
from pallas_kernel import _core
rng = random.Random(4)
J = lambda *a: _core.call_jet(*a).nat
for _ in range(200):
    x = rng.getrandbits(rng.choice([10, 64, 65, 200, 1000]))
    i, w = rng.randrange(1100), rng.randrange(70)
    assert J("_Bix", i, x) == (x >> i) & 1 == J("_TestBit", i, x)
    assert J("_BitSlice", i, w, x) == (x >> i) % (1 << w)
    assert J("_Met", x) == x.bit_length() and J("_PopCount", x) == bin(x).count("1")
    assert J("barNat", _core.call_jet("natBar", x)) == x
    assert J("_Lsh", 97, i) == 97 << i and J("_Cmp", x, i) == (x > i) - (x < i) + 1
print("ok")
"""


def test_the_same_without_gmpy2():
    """Without gmpy2 the core holds Python ints and takes the number-protocol paths."""
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", FALLBACK], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
