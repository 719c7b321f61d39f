"""Short constructors for expected Rex trees in tests: ``O("=", W("x"))`` is
an OPEN ``=`` node with the son ``x``; ``h=`` gives an heir."""

from pallas_kernel.rex import Leaf, Node, describe, equal, read


def W(text, h=None):
    return Leaf("WORD", text, h)


def T(text, h=None):
    return Leaf("TEXT", text, h)


def L(text, h=None):
    return Leaf("LINE", text, h)


def _node(shape):
    def make(rune, *sons, h=None):
        return Node(shape, rune, tuple(sons), h)
    return make


O = _node("OPEN")
N = _node("NEST")
I = _node("INFX")
P = _node("PREF")
S = _node("SHUT")


def assert_tree(got, want):
    """Structural equality with both trees shown on failure."""
    assert equal(got, want), f"\n got: {describe(got)}\nwant: {describe(want)}"


def assert_reads(source, want):
    assert_tree(read(source), want)
