"""Properties of the Sire backend on random well-scoped ASTs (hypothesis).

The exact output is pinned down by the hand-worked cases of
test_sire_backend.py; here random ASTs check what must hold for every input:
compiling is deterministic, fails only with SireError, never leaves a key
unbound (the core accepts every law it makes), agrees between
compile_lambda and evaluating the lambda, and the AST encoding round-trips.
"""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pallas_kernel import plan
from pallas_kernel.errors import SireError
from pallas_kernel.sire import inline as inline_module
from pallas_kernel.sire.ast import A, Bind, F, G, K, L, Lam, M, R, Sire, V, equal, has_ref_to
from pallas_kernel.sire.backend import compile_expr, compile_lambda, evaluate
from pallas_kernel.sire.noun import sire_from_noun, sire_noun
from pallas_kernel.tree import equal as tree_equal

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _globals() -> list[Bind]:
    """A few closed globals: a plain law, an always-inline one, a value."""
    ident = Lam(pin=True, mark=True, recr=False, tag=73, args=1, body=V(0))
    first = Lam(pin=True, mark=False, recr=False, tag=70, args=2, body=V(1))
    return [
        Bind(key=1, value=compile_lambda(ident), code=F(ident)),
        Bind(key=2, value=compile_lambda(first), code=F(first)),
        Bind(key=3, value=7, code=K(7)),
    ]


GLOBALS = _globals()


@st.composite
def asts(draw, scope: int = 0, budget: int = 12) -> Sire:
    """A random AST with ``scope`` binders around it and at most about
    ``budget`` nodes."""
    kinds = ["K", "G"] + (["V"] if scope else [])
    if budget > 1:
        kinds += ["A", "A", "L", "R", "M", "F", "F"]
    kind = draw(st.sampled_from(kinds))
    sub = max(1, (budget - 1) // 2)
    if kind == "K":
        return K(draw(st.integers(0, 9)))
    if kind == "G":
        return G(draw(st.sampled_from(GLOBALS)))
    if kind == "V":
        return V(draw(st.integers(0, scope - 1)))
    if kind == "A":
        return A(draw(asts(scope, sub)), draw(asts(scope, sub)))
    if kind == "L":
        return L(draw(asts(scope, sub)), draw(asts(scope + 1, sub)))
    if kind == "M":
        return M(draw(asts(scope, budget - 1)))
    if kind == "R":
        n = draw(st.integers(0, 2))
        vs = tuple(draw(asts(scope + n, sub)) for _ in range(n))
        return R(vs, draw(asts(scope + n, sub)))
    args = draw(st.integers(1, 3))
    body = draw(asts(scope + 1 + args, budget - 1))
    return F(Lam(pin=draw(st.booleans()), mark=draw(st.booleans()),
                 recr=has_ref_to(args, body), tag=draw(st.integers(0, 3)),
                 args=args, body=body))


@contextlib.contextmanager
def low_expansion_limit():
    """Random marked self-applications may inline forever: stop early."""
    old = inline_module.EXPANSION_LIMIT
    inline_module.EXPANSION_LIMIT = 300
    try:
        yield
    finally:
        inline_module.EXPANSION_LIMIT = old


def compile_or_none(expr: Sire):
    """The compiled law, or None when the inliner gives up (SireError)."""
    try:
        return compile_expr(expr)
    except SireError as e:
        assert "inlining does not terminate" in str(e)
        return None


@SETTINGS
@given(asts())
def test_compiling_is_deterministic_and_the_core_accepts_the_law(expr):
    with low_expansion_limit():
        first = compile_or_none(expr)
        second = compile_or_none(expr)
    if first is None:
        assert second is None
        return
    assert tree_equal(first, second)
    # to_tree normalizes, building every law and pin: an arity-0 law or a
    # non-nat name would crash here
    assert tree_equal(plan.from_tree(first).to_tree(), first)


@SETTINGS
@given(asts(0, 10).filter(lambda e: isinstance(e, F)))
def test_compile_lambda_agrees_with_evaluating_the_lambda(expr):
    with low_expansion_limit():
        try:
            direct = compile_lambda(expr.lam)
        except SireError:
            return
        value = evaluate(expr)
    # the wrapper returns the very constant compile_lambda gives
    assert tree_equal(plan.from_tree(direct).to_tree(), value.to_tree())


@SETTINGS
@given(asts(2, 16))
def test_ast_encoding_round_trips(expr):
    noun = sire_noun(expr)
    back = sire_from_noun(noun)
    assert tree_equal(sire_noun(back), noun)
    # globals come back as equal bindings, not the same objects
    assert equal(sire_from_noun(sire_noun(K(1))), K(1))
