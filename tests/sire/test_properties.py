"""Properties of the Sire backend on random well-scoped ASTs (hypothesis).

The exact output is pinned down by the hand-worked cases of
test_sire_backend.py; here random ASTs check what must hold for every input:
compiling is deterministic, fails only with SireError, never leaves a key
unbound (the core accepts every law it makes), agrees between
compile_lambda and evaluating the lambda, and the AST encoding round-trips;
and random simply-typed programs compute what a direct interpreter of the
AST computes, whatever inlining, let handling and lambda lifting did.
"""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pallas_kernel import plan
from pallas_kernel.errors import SireError
from pallas_kernel.sire import inline as inline_module
from pallas_kernel.sire.ast import A, Bind, F, G, K, L, Lam, M, R, Sire, V, code_of, equal, has_ref_to
from pallas_kernel.sire.backend import compile_expr, compile_lambda, evaluate
from pallas_kernel.sire.noun import decode_ast, encode_ast
from pallas_kernel.plan.tree import equal as tree_equal

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
    noun = plan.from_tree(encode_ast(expr)).force()
    back = decode_ast(noun)
    assert plan.from_tree(encode_ast(back)).force() == noun
    # decoded without a shared cache, globals come back as equal bindings,
    # not the same objects
    assert equal(decode_ast(encode_ast(K(1))), K(1))


# --------------------------------------------------------------------------
# Meaning: random simply-typed programs against a direct interpreter
# --------------------------------------------------------------------------
#
# Simply-typed terms over nats (with 3, increment, as the one function
# constant) always terminate and never crash, so the compiled PLAN must give
# exactly what a direct interpreter of the AST gives, whatever the inliner,
# ingest and lambda lifting did to it.

NAT = "N"
INC = ("->", NAT, NAT)


def _arrow(a, b):
    return ("->", a, b)


def _typed_globals() -> list[tuple[Bind, object]]:
    """(binding, type): I (always inline), first (plain), twice (always
    inline, takes a function)."""
    def lam(tag, args, body, mark):
        lam_ = Lam(pin=True, mark=mark, recr=False, tag=tag, args=args, body=body)
        return Bind(key=tag, value=compile_lambda(lam_), code=F(lam_))
    ident = lam(1, 1, V(0), True)
    first = lam(2, 2, V(1), False)
    twice = lam(3, 2, A(V(1), A(V(1), V(0))), True)  # (twice f x)=(f (f x))
    return [(ident, INC), (first, _arrow(NAT, INC)), (twice, _arrow(INC, INC))]


TYPED_GLOBALS = _typed_globals()


@st.composite
def typed(draw, ty, ctx: tuple = (), budget: int = 10) -> Sire:
    """A random term of type ``ty``; ``ctx`` lists binder types, innermost
    first (None for a lambda's self, which is never referred to)."""
    options = ["var", "glo", "const", "lam", "app", "let", "letrec", "mark"]
    choice = draw(st.sampled_from(options if budget > 1 else options[:4]))
    sub = max(1, (budget - 1) // 2)
    if choice == "var":
        hits = [i for i, t in enumerate(ctx) if t == ty]
        if hits:
            return V(draw(st.sampled_from(hits)))
    if choice == "glo":
        hits = [b for b, t in TYPED_GLOBALS if t == ty]
        if hits:
            return G(draw(st.sampled_from(hits)))
    if choice == "app":
        arg_ty = draw(st.sampled_from([NAT, INC]))
        return A(draw(typed(_arrow(arg_ty, ty), ctx, sub)), draw(typed(arg_ty, ctx, sub)))
    if choice == "let":
        v_ty = draw(st.sampled_from([NAT, INC]))
        return L(draw(typed(v_ty, ctx, sub)), draw(typed(ty, (v_ty,) + ctx, sub)))
    if choice == "letrec":
        # acyclic: binding i may refer only to the bindings after it
        types = draw(st.lists(st.sampled_from([NAT, INC]), min_size=1, max_size=3))
        k = len(types)
        values = []
        for i in range(k):
            visible = tuple(t if j > i else None for j, t in enumerate(types))
            values.append(draw(typed(types[i], visible + ctx, max(1, sub // k))))
        return R(tuple(values), draw(typed(ty, tuple(types) + ctx, sub)))
    if choice == "mark":
        return M(draw(typed(ty, ctx, budget - 1)))
    if ty == NAT:
        return K(draw(st.integers(0, 12)))
    if ty == INC and draw(st.booleans()):
        return K(3)
    args = [ty[1]]
    result = ty[2]
    if result != NAT and draw(st.booleans()):
        args.append(result[1])
        result = result[2]
    inner = tuple(reversed(args)) + (None,) + ctx
    body = draw(typed(result, inner, budget - 1))
    return F(Lam(pin=draw(st.booleans()), mark=draw(st.booleans()), recr=False,
                 tag=draw(st.integers(0, 2)), args=len(args), body=body))


def _apply(f, x):
    """Application in the interpreter: 3 is increment, functions are Python."""
    return x + 1 if f == 3 else f(x)


def interpret(e: Sire, env: tuple = ()):
    """The meaning of a well-typed term, directly (small inputs only)."""
    match e:
        case V(index):
            return env[index]
        case K(value):
            return value
        case G(bind):
            return interpret(code_of(bind))
        case M(x):
            return interpret(x, env)
        case A(f, x):
            return _apply(interpret(f, env), interpret(x, env))
        case L(v, b):
            return interpret(b, (interpret(v, env),) + env)
        case R(vs, b):
            values = [None] * len(vs)
            for i in reversed(range(len(vs))):  # each refers only to later ones
                values[i] = interpret(vs[i], tuple(values) + env)
            return interpret(b, tuple(values) + env)
        case F(lam):
            def curry(got):
                if len(got) == lam.args:
                    return interpret(lam.body, tuple(reversed(got)) + (None,) + env)
                return lambda x: curry(got + [x])
            return curry([])
    raise AssertionError(e)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed(NAT, (), 14))
def test_compiled_programs_mean_what_the_ast_means(expr):
    want = interpret(expr)
    got = evaluate(expr)
    assert int(got) == want
