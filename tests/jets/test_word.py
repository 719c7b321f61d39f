"""Fixed-width word jets against a Python model of their legal definitions
(w32.sire / w64.sire), including inputs wider than the width and shifts of
the width or more."""

import pytest
from hypothesis import given, strategies as st

from pallas_kernel import _core

pytestmark = pytest.mark.core  # run again by `make stress`


def model(w: int):
    """The legal definitions, transcribed to Python for width w."""
    bex = 1 << w
    t = lambda x: x % bex
    lsh = lambda x, y: (t(x) << t(y)) % bex if t(y) < 4 * w else 0
    rsh = lambda x, y: t(x) >> t(y)

    def sub(x, y):
        return t(x) - t(y) if t(y) <= t(x) else max(0, bex + x - y)

    return {
        f"w{w}": lambda x: t(x),
        f"add{w}": lambda x, y: t(t(x) + t(y)),
        f"mul{w}": lambda x, y: t(t(x) * t(y)),
        f"div{w}": lambda x, y: t(x) // t(y) if t(y) else 0,
        f"and{w}": lambda x, y: t(x) & t(y),
        f"or{w}": lambda x, y: t(x) | t(y),
        f"xor{w}": lambda x, y: t(x) ^ t(y),
        f"lsh{w}": lsh,
        f"rsh{w}": rsh,
        f"sub{w}": sub,
        f"ror{w}": lambda x, y: rsh(x, y) | lsh(x, sub(w, y)),
        f"rol{w}": lambda x, y: lsh(x, y) | rsh(x, sub(w, y)),
    }


nats = st.one_of(st.integers(0, 70), st.integers(0, 2 ** 64 + 5), st.integers(0, 2 ** 130))


@pytest.mark.parametrize("w", [32, 64])
@given(x=nats, y=nats)
def test_word_jets_follow_the_legal_definitions(w, x, y):
    for name, fn in model(w).items():
        args = (x,) if name == f"w{w}" else (x, y)
        assert _core.call_jet(name, *args).nat == fn(*args), (name, args)


def test_word_edge_cases():
    assert _core.call_jet("sub32", 1, 2).nat == 2 ** 32 - 1
    # the borrow branch uses the raw inputs: (2^32 + 5) - (2^32 + 7), truncated at 0
    assert _core.call_jet("sub32", 5, 2 ** 32 + 7).nat == 0
    assert _core.call_jet("sub32", 2 ** 32 + 5, 7).nat == 2 ** 32 + 2 ** 32 + 5 - 7
    assert _core.call_jet("ror32", 1, 1).nat == 2 ** 31
    assert _core.call_jet("rol64", 2 ** 63, 1).nat == 1
    assert _core.call_jet("lsh64", 1, 64).nat == 0
    assert _core.call_jet("div64", 7, 0).nat == 0
