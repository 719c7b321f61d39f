"""Hypothesis strategies that generate random PLAN programs as trees.

The programs are meant for differential testing of the C core against the
pure-Python oracle (:mod:`pallas_kernel.oracle`), so they aim at the corners
of the semantics rather than at useful code: opcodes with too few, exactly
enough and too many arguments, laws whose bodies use slot references, ``(0 f
x)`` applications, ``(2 x)`` quotes and let chains, pinned laws, rows, big
nats, crashes and the occasional arity-0 law. A share of the law bodies use a
guarded recursion shape, ``(2 z (self ...) x)``, that counts its last
argument down, so many programs terminate; the oracle's step budget deals
with the ones that do not.

Use :func:`programs`; the other strategies are building blocks.
"""

from __future__ import annotations

from functools import lru_cache

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from pallas_kernel.plan.tree import App, Law, Pin, Tree, apps, row, text_nat

# Well-known terminating laws, as compiled by Sire (pallas-plan.md 2.3, 5.2).
CONST = Law(0, 2, 1)  # {0 2 1}: (K x y) = x
IDENTITY = Law(0, 1, 1)  # {0 1 1}
# (times f z n): (2 z (self f (f z)) n)
TIMES = Pin(
    Law(
        text_nat("_Times"),
        3,
        apps(0, apps(0, apps(0, apps(2, 2), 2), apps(0, apps(0, 0, 1), apps(0, 1, 2))), 3),
    )
)
TO_NAT = Pin(Law(text_nat("_ToNat"), 1, apps(0, apps(2, 0, 3), 1)))
ADD = Pin(Law(text_nat("_Add"), 2, apps(0, apps(0, App(TIMES, 3), apps(0, TO_NAT, 1)), 2)))
IF = Pin(Law(text_nat("_If"), 3, apps(0, apps(0, apps(0, apps(2, 2), 3), apps(0, CONST, 2)), 1)))
KNOWN = [CONST, IDENTITY, TIMES, TO_NAT, ADD, IF]

# Opcodes to call, with repeats as weights; 5, 7 and 99 crash.
_OPCODES = [0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 7, 99]
_ARITY = {0: 3, 1: 5, 2: 3}
_DEPTH = 3


@st.composite
def nats(draw) -> int:
    """Mostly 0..6 (opcodes and slot numbers), sometimes larger or big."""
    bucket = draw(st.integers(0, 19))
    if bucket < 16:
        return draw(st.integers(0, 6))
    if bucket < 18:
        return draw(st.integers(7, 300))
    if bucket < 19:
        return draw(st.integers(2**64 - 2, 2**64 + 2))
    return draw(st.integers(2**100, 2**130))


def leaves() -> SearchStrategy[Tree]:
    """Nats and a few known laws and pins."""
    known = st.sampled_from([*KNOWN, Pin(CONST), row(), row(1, 2)])
    return st.one_of(nats(), nats(), known)


@st.composite
def _calls(draw, head: SearchStrategy[Tree], arity: int, args: SearchStrategy[Tree]) -> Tree:
    """``head`` applied to ``arity`` arguments, or one fewer or more."""
    count = max(0, arity + draw(st.sampled_from([0, 0, 0, 0, -1, 1])))
    return apps(draw(head), *(draw(args) for _ in range(count)))


@st.composite
def opcode_calls(draw, args: SearchStrategy[Tree]) -> Tree:
    """An opcode (or a crashing nat) applied to about its arity of arguments."""
    op = draw(st.sampled_from(_OPCODES))
    return draw(_calls(st.just(op), _ARITY.get(op, 1), args))


@st.composite
def rows(draw, items: SearchStrategy[Tree]) -> Tree:
    """A row of 0..3 elements in its PLAN shape."""
    return row(*draw(st.lists(items, max_size=3)))


def _bapp(f: Tree, x: Tree) -> Tree:
    """The body expression ``(0 f x)``: apply f to x."""
    return apps(0, f, x)


@lru_cache(maxsize=None)
def body_exprs(arity: int, max_ref: int, depth: int) -> SearchStrategy[Tree]:
    """Law-body expressions for a law with ``arity`` args and ``max_ref`` slots."""
    refs = st.integers(0, max_ref)
    args = st.integers(1, max_ref) if max_ref >= 1 else refs
    constants = st.sampled_from([CONST, IDENTITY, row(), Pin(CONST)])
    literal = st.one_of(st.integers(max_ref + 1, max_ref + 6), constants)
    if depth <= 0:
        return st.one_of(args, args, refs, literal)
    sub = body_exprs(arity, max_ref, depth - 1)
    quoted = exprs(depth - 1).map(lambda x: apps(2, x))
    applied = st.builds(_bapp, sub, sub)
    return st.one_of(args, refs, literal, quoted, applied, applied, _guarded_recursion(arity, sub))


@st.composite
def _guarded_recursion(draw, arity: int, sub: SearchStrategy[Tree]) -> Tree:
    """``(2 z (self e1 .. e[a-1]) $a)``: recurse on the last argument minus one."""
    part: Tree = 0
    for _ in range(arity - 1):
        part = _bapp(part, draw(sub))
    return _bapp(_bapp(_bapp(apps(2, 2), draw(sub)), part), arity)


@st.composite
def bodies(draw, arity: int, depth: int) -> Tree:
    """A law body: an optional leading let chain ``(1 v b)``, then an expression."""
    lets = draw(st.sampled_from([0, 0, 0, 1, 2]))
    exprs_here = body_exprs(arity, arity + lets, depth)
    values = [draw(exprs_here) for _ in range(lets)]
    body = draw(exprs_here)
    for v in reversed(values):
        body = apps(1, v, body)
    return body


@lru_cache(maxsize=None)
def laws(depth: int) -> SearchStrategy[Tree]:
    """Laws of arity 1..3 (rarely 0), sometimes pinned."""

    @st.composite
    def law(draw) -> Tree:
        arity = draw(st.sampled_from([1, 1, 2, 2, 3, 0] if depth > 0 else [1, 2]))
        name = draw(st.sampled_from([0, 0, 1, 2, text_nat("f")]))
        made = Law(name, arity, draw(bodies(max(arity, 1), max(depth, 0))))
        return Pin(made) if draw(st.booleans()) else made

    return law()


@lru_cache(maxsize=None)
def law_calls(depth: int) -> SearchStrategy[Tree]:
    """A random or known law (or pin) applied to about its arity of arguments."""

    @st.composite
    def call(draw) -> Tree:
        head = draw(st.one_of(laws(depth), laws(depth), st.sampled_from(KNOWN)))
        law = head.item if isinstance(head, Pin) else head
        return draw(_calls(st.just(head), law.arity, exprs(max(depth - 1, 0))))

    return call()


@lru_cache(maxsize=None)
def exprs(depth: int) -> SearchStrategy[Tree]:
    """Expressions: values, opcode calls, law calls, pins, rows and plain apps."""
    if depth <= 0:
        return leaves()
    sub = exprs(depth - 1)
    return st.one_of(
        leaves(),
        opcode_calls(sub),
        opcode_calls(sub),
        law_calls(depth - 1),
        law_calls(depth - 1),
        laws(depth - 1),
        st.builds(Pin, sub),
        rows(sub),
        st.builds(App, sub, sub),
    )


def known_calls() -> SearchStrategy[Tree]:
    """Calls of the Sire-compiled laws with small nat arguments."""
    small = st.integers(0, 30)
    steps = st.sampled_from([3, App(ADD, 2), App(CONST, 7)])
    return st.one_of(
        st.builds(lambda x, y: apps(ADD, x, y), small, small),
        st.builds(lambda f, z, n: apps(TIMES, f, z, n), steps, small, small),
        st.builds(lambda c, t, e: apps(IF, c, t, e), exprs(1), exprs(1), exprs(1)),
    )


def programs() -> SearchStrategy[Tree]:
    """Random PLAN programs (trees read as expressions) for differential tests."""
    return st.one_of(
        law_calls(_DEPTH - 1),
        law_calls(_DEPTH - 1),
        opcode_calls(exprs(_DEPTH - 1)),
        exprs(_DEPTH),
        known_calls(),
    )
