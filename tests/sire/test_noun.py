"""The PLAN encoding of Sire ASTs and bindings (pallas_kernel.sire.noun).

Expected nouns are written by hand from the table in pallas-sire.md 1.4
(``[%K x]``, ``[%F pin mark recr tag args body]``, bindings as pinned rows
of six).
"""

from __future__ import annotations

import pytest

from pallas_kernel import plan
from pallas_kernel.plan import notation
from pallas_kernel.errors import SireError
from pallas_kernel.sire.ast import A, Bind, F, G, K, L, Lam, M, R, V, equal
from pallas_kernel.sire.noun import (
    bind_from_noun,
    bind_noun,
    row_items,
    sire_from_noun,
    sire_noun,
    with_noun,
)
from pallas_kernel.plan.tree import Law, equal as tree_equal, text_nat

from helpers.sire_terms import Scope, assert_plan, shallow_stack, term


def assert_noun(got, want: str) -> None:
    assert tree_equal(got, notation.read(want)), f"got {notation.show(got)}, want {want}"


def const_scope() -> Scope:
    scope = Scope()
    scope.law("const", ["x", "y"], "x")
    return scope


def test_each_node_kind_encodes_as_the_reference_does():
    assert_noun(sire_noun(V(3)), "3")
    assert_noun(sire_noun(K(5)), '["K" 5]')
    assert_noun(sire_noun(A(V(0), K(1))), '["A" 0 ["K" 1]]')
    assert_noun(sire_noun(L(K(1), V(0))), '["L" ["K" 1] 0]')
    assert_noun(sire_noun(R((V(0), V(1)), V(1))), '["R" [0 1] 1]')
    assert_noun(sire_noun(R((), K(2))), '["R" [] ["K" 2]]')
    assert_noun(sire_noun(M(V(0))), '["M" 0]')
    lam = Lam(pin=True, mark=False, recr=True, tag=text_nat("f"), args=2, body=V(2))
    assert_noun(sire_noun(F(lam)), '["F" 1 0 1 "f" 2 2]')


def test_binding_is_a_pinned_row_of_six():
    scope = const_scope()
    bind = scope.binds["const"]
    assert_noun(bind_noun(bind), '<[1 <{"const" 2 1}> ["F" 1 0 0 "const" 2 1] 0 "const" 0]>')
    assert_noun(sire_noun(G(bind)),
                '["G" <[1 <{"const" 2 1}> ["F" 1 0 0 "const" 2 1] 0 "const" 0]>]')


def test_known_noun_is_reused():
    scope = const_scope()
    bind = with_noun(scope.binds["const"])
    assert bind_noun(bind) is bind.noun
    assert with_noun(bind) is bind


def test_round_trip_of_every_kind_shares_bindings():
    scope = const_scope()
    t = term(("&", ["a"], ("@@", [("b", ["const", "a"])],
                              ("@", "c", ("**", ["const", 3]), ["b", "c", ("?", "f", ["x"], "f")]))),
             (), scope)
    noun = sire_noun(t)
    back = sire_from_noun(noun)
    assert tree_equal(sire_noun(back), noun)
    # both references to const decode to one binding, carrying its noun
    cache: dict = {}
    back = sire_from_noun(noun, cache)
    assert len(cache) == 1
    (pin, bind), = cache.values()
    assert bind.noun is pin and bind.name == text_nat("const") and bind.key == 1
    assert equal(bind.code, scope.binds["const"].code)


def test_decoded_binding_still_inlines():
    """The mark of an always-inline law survives the round trip, so code
    read back from the state inlines as before."""
    scope = Scope()
    scope.law("I", ["x"], "x", mark=True)
    bind = bind_from_noun(bind_noun(scope.binds["I"]))
    t = F(Lam(False, False, False, 0, 1, A(G(bind), V(0))))
    from pallas_kernel.sire import compile_expr
    assert_plan(compile_expr(t), "{0 1 {0 1 1}}")


def test_noun_survives_the_core():
    """A binding noun evaluated by the core and read back as a tree decodes
    to the same binding (rows come back in the same shape)."""
    scope = const_scope()
    noun = bind_noun(scope.binds["const"])
    back = plan.evaluate(noun).to_tree()
    bind = bind_from_noun(back)
    assert bind.key == 1 and tree_equal(bind.value, scope.binds["const"].value)
    assert tree_equal(bind_noun(bind), noun)


@pytest.mark.parametrize("text,message", [
    ('["Q" 1]', "bad Sire AST"),
    ('["K" 1 2]', "bad Sire AST"),
    ('(5 6)', "bad Sire AST"),
    ('["F" 2 0 0 "f" 1 0]', "lambda flag"),
    ('["F" 0 0 0 [1] 1 0]', "tag and arity must be nats"),
    ('["R" 5 0]', "letrec bindings"),
    ('["G" [1 2 3 4 5 6]]', "not a pinned row of six"),
    ('["G" <[1 2 3]>]', "not a pinned row of six"),
])
def test_malformed_nouns_are_clear_errors(text, message):
    with pytest.raises(SireError, match=message):
        sire_from_noun(notation.read(text))


def test_row_items():
    assert row_items(notation.read("[1 2 3]")) == [1, 2, 3]
    assert row_items(Law(0, 1, 0)) == []
    assert row_items(notation.read("({0 3 0} 1)")) is None  # a partial cow
    assert row_items(notation.read("({1 2 0} 1)")) is None


def test_deep_ast_round_trips():
    body = V(0)
    for i in range(10_000):
        body = A(body, K(i))
    with shallow_stack():
        noun = sire_noun(body)
        back = sire_from_noun(noun)
    assert equal(back, body)


def test_long_chain_of_bindings_encodes_and_decodes_without_recursion():
    """b0=(K 0), b1=(b0 ...), ...: each binding's code refers to the one
    before, 3,000 deep, none with a known noun."""
    bind = Bind(key=1, value=0, code=K(0))
    for i in range(3000):
        bind = Bind(key=i + 2, value=0, code=A(G(bind), K(i)))
    with shallow_stack():
        noun = bind_noun(bind)
        back = bind_from_noun(noun)
    depth = 0
    while isinstance(back.code, A):
        back = back.code.f.bind
        depth += 1
    assert depth == 3000 and back.key == 1
