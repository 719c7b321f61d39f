"""Short constructors for expected Rex trees in tests: ``O("=", W("x"))`` is
an OPEN ``=`` node with the son ``x``; ``h=`` gives an heir."""

from hypothesis import strategies as st

from pallas_kernel.rex import Leaf, Node, add_heir, describe, equal, read


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


# -- Random trees (hypothesis strategies for the printer and the PLAN form) ------------

RUNES = ["|", ",", "+", "-", "=", ":", "%", ":|", "==", "!=", "<-", "@@@", "$", "'", "`", "\\", "~"]
words = st.text("abcXYZ019_", min_size=1, max_size=5)
texts = st.text("ab {}\"_|#;()[]'é\t\\", max_size=8)
line_texts = st.text("ab {};)\"é ", max_size=8)
runes = st.sampled_from(RUNES)
maybe = lambda s: st.none() | s  # noqa: E731


def closed_trees():
    leaves = st.builds(W, words) | st.builds(T, texts)

    def extend(kids):
        sons = st.lists(kids, max_size=3)
        return st.one_of(
            st.builds(lambda r, s, h: Node("NEST", r, tuple(s), h), runes, sons, maybe(kids)),
            st.builds(lambda r, s, h: Node("INFX", r, tuple(s), h), runes, st.lists(kids, min_size=2, max_size=3), maybe(kids)),
            st.builds(lambda r, s, h: Node("PREF", r, (s,), h), runes, kids, maybe(kids)),
            st.builds(lambda r, s, h: Node("SHUT", r, tuple(s), h), runes, st.lists(kids, min_size=2, max_size=3), maybe(kids)),
            st.builds(lambda t, h: Leaf("WORD", t, h), words, kids),
            st.builds(lambda t, h: Leaf("TEXT", t, h), texts, kids),
        )
    return st.recursive(leaves, extend, max_leaves=12)


def line_chains():
    def chain(ts):
        out = None
        for t in reversed(ts):
            out = L(t, out)
        return out
    return st.lists(line_texts, min_size=1, max_size=3).map(chain)


def with_line_tail():
    return st.builds(add_heir, closed_trees(), line_chains()) | st.builds(
        lambda r, chain: Node("PREF", r, (chain,)), runes, line_chains())


def open_trees():
    closed = closed_trees()
    son_leaves = closed | line_chains() | with_line_tail()

    def extend(kids):
        return st.builds(lambda r, s, h: Node("OPEN", r, tuple(s), h), runes,
                         st.lists(kids | son_leaves, max_size=4), maybe(kids | son_leaves))
    return st.recursive(st.builds(lambda r, s: Node("OPEN", r, tuple(s)), runes, st.lists(son_leaves, max_size=3)),
                        extend, max_leaves=10)
