"""The PLAN encoding of Sire ASTs and bindings (pallas_kernel.sire.noun).

Expected nouns are written by hand from the table in pallas-sire.md 1.4
(``[%K x]``, ``[%F pin mark recr tag args body]``, bindings as pinned rows
of six) and compared as core values.
"""

from __future__ import annotations

import pytest

from pallas_kernel import plan
from pallas_kernel.errors import SireError
from pallas_kernel.sire.ast import A, Bind, F, G, K, L, Lam, M, R, V, code_of, equal
from pallas_kernel.sire.noun import bind_of_pin, bind_pin, decode_ast, encode_ast, row_items
from pallas_kernel.plan.tree import Law, Pin, text_nat

from helpers.sire_terms import Scope, assert_plan, shallow_stack, term

CONST = '<[1 <{"const" 2 1}> ["F" 1 0 0 "const" 2 1] 0 "const" 0]>'


def core(tree) -> plan.Value:
    """A tree (its binding pins may already be core values) as a core value."""
    return plan.from_tree(tree).force()


def assert_noun(got, want: str) -> None:
    got, expected = core(got), plan.read(want).force()
    assert got == expected, f"got {plan.show(got)}, want {want}"


def const_scope() -> Scope:
    scope = Scope()
    scope.law("const", ["x", "y"], "x")
    return scope


def test_each_node_kind_encodes_as_the_reference_does():
    assert_noun(encode_ast(V(3)), "3")
    assert_noun(encode_ast(K(5)), '["K" 5]')
    assert_noun(encode_ast(A(V(0), K(1))), '["A" 0 ["K" 1]]')
    assert_noun(encode_ast(L(K(1), V(0))), '["L" ["K" 1] 0]')
    assert_noun(encode_ast(R((V(0), V(1)), V(1))), '["R" [0 1] 1]')
    assert_noun(encode_ast(R((), K(2))), '["R" [] ["K" 2]]')
    assert_noun(encode_ast(M(V(0))), '["M" 0]')
    lam = Lam(pin=True, mark=False, recr=True, tag=text_nat("f"), args=2, body=V(2))
    assert_noun(encode_ast(F(lam)), '["F" 1 0 1 "f" 2 2]')


def test_binding_is_a_pinned_row_of_six():
    bind = const_scope().binds["const"]
    assert_noun(bind_pin(bind), CONST)
    assert_noun(encode_ast(G(bind)), f'["G" {CONST}]')


def test_known_pin_is_reused():
    """A state's ``known`` cache makes a binding into a pin once; reading
    that pin back (or an equal one) gives the very binding again."""
    bind = const_scope().binds["const"]
    known: dict = {}
    pin = bind_pin(bind, known)
    assert known[1] == (bind, pin) and known[pin.pin_hash()] is bind
    assert len(known) == 2
    assert bind_pin(bind, known) is pin
    assert bind_of_pin(pin, known) is bind
    assert bind_of_pin(plan.read(CONST).force(), known) is bind  # by pin hash
    # another binding under the same key is not mistaken for it
    other = Bind(key=1, value=0, code=K(0))
    assert bind_pin(other, known) != pin and known[1][0] is other
    assert bind_of_pin(pin, {}) is not bind


def test_round_trip_of_every_kind_shares_bindings():
    scope = const_scope()
    t = term(("&", ["a"], ("@@", [("b", ["const", "a"])],
                              ("@", "c", ("**", ["const", 3]), ["b", "c", ("?", "f", ["x"], "f")]))),
             (), scope)
    noun = core(encode_ast(t))
    back = decode_ast(noun)
    assert core(encode_ast(back)) == noun
    # both references to const decode to one binding, remembered with its pin
    known: dict = {}
    back = decode_ast(noun, known)
    assert [k for k in known if isinstance(k, int)] == [1]
    bind, pin = known[1]
    assert pin == bind_pin(scope.binds["const"])
    assert bind.name == text_nat("const") and bind.key == 1
    assert equal(code_of(bind), scope.binds["const"].code)
    globals_ = []
    todo = [back]
    while todo:
        e = todo.pop()
        for part in (getattr(e, n, None) for n in ("f", "x", "v", "b", "lam")):
            if part is not None:
                todo.append(part.body if isinstance(part, Lam) else part)
        todo.extend(getattr(e, "vs", ()))
        if isinstance(e, G):
            globals_.append(e.bind)
    assert len(globals_) == 2 and globals_[0] is globals_[1] is bind


def test_decoded_binding_still_inlines():
    """The mark of an always-inline law survives the round trip, so code
    read back from the state inlines as before."""
    scope = Scope()
    scope.law("I", ["x"], "x", mark=True)
    bind = bind_of_pin(bind_pin(scope.binds["I"]))
    t = F(Lam(False, False, False, 0, 1, A(G(bind), V(0))))
    from pallas_kernel.sire import compile_expr
    assert_plan(compile_expr(t), "{0 1 {0 1 1}}")


def test_trees_decode_like_core_values():
    """The same binding written as a plain tree (not evaluated by the core)
    decodes to the same binding, and encodes back to the same pin."""
    scope = const_scope()
    tree = plan.read(CONST).to_tree()
    assert isinstance(tree, Pin)
    bind = bind_of_pin(tree)
    assert bind.key == 1 and core(bind.value) == core(scope.binds["const"].value)
    assert bind_pin(bind) == bind_pin(scope.binds["const"])


@pytest.mark.parametrize("text,message", [
    ('["Q" 1]', "malformed Sire code: tag Q with 1 fields"),
    ('["K" 1 2]', "malformed Sire code: tag K with 2 fields"),
    ('({"x" 3 0} 1)', "Sire code is not a row"),
    ('[]', "malformed Sire code: tag none"),
    ('[[1] 2]', "a Sire code tag is not a nat"),
    ('["F" 2 0 0 "f" 1 0]', "a lambda flag is 2, not 0 or 1"),
    ('["F" 0 0 0 [1] 1 0]', "a lambda's tag or arity is not a nat"),
    ('["R" 5 0]', "letrec bindings is not a row"),
    ('["G" [1 2 3 4 5 6]]', "a binding is not a pin"),
    ('["G" <[1 2 3]>]', "a binding is not a row of six"),
    ('["G" <[[1] 2 3 4 5 6]>]', "a binding key is not a nat"),
])
def test_malformed_nouns_are_clear_errors(text, message):
    with pytest.raises(SireError, match=message.replace("[", r"\[")):
        decode_ast(plan.read(text).force())
    with pytest.raises(SireError, match=message.replace("[", r"\[")):
        decode_ast(plan.read(text).to_tree())


def test_a_bindings_malformed_code_fails_when_read():
    """A binding's code is decoded when first used (code_of), and a
    malformed one is a clear error then."""
    for value in (plan.read('["G" <[1 2 [7] 4 5 6]>]').force(), plan.read('["G" <[1 2 [7] 4 5 6]>]').to_tree()):
        g = decode_ast(value)
        assert isinstance(g, G) and g.bind.key == 1
        with pytest.raises(SireError, match=r"malformed Sire code: tag 7 with 0 fields"):
            code_of(g.bind)


def test_row_items():
    assert row_items(plan.read("[1 2 3]").force()) == [1, 2, 3]
    assert row_items(Law(0, 1, 0)) == []
    with pytest.raises(SireError, match="a cow is not a row"):
        row_items(plan.read("({0 3 0} 1)").to_tree(), "a cow")  # a partial cow
    with pytest.raises(SireError, match="a row is not a row"):
        row_items(plan.read("({1 2 0} 1)").to_tree())


def test_deep_ast_round_trips():
    body = V(0)
    for i in range(10_000):
        body = A(body, K(i))
    with shallow_stack():
        noun = core(encode_ast(body))
        back = decode_ast(noun)
    assert equal(back, body)


def test_long_chain_of_bindings_encodes_and_decodes_without_recursion():
    """b0=(K 0), b1=(b0 ...), ...: each binding's code refers to the one
    before, 3,000 deep, none known yet; both ways stay off the Python stack
    and fill the ``known`` cache with every binding."""
    bind = Bind(key=1, value=0, code=K(0))
    for i in range(3000):
        bind = Bind(key=i + 2, value=0, code=A(G(bind), K(i)))
    known: dict = {}
    with shallow_stack():
        pin = bind_pin(bind, known)
        back = bind_of_pin(pin, {})
    assert len([k for k in known if isinstance(k, int)]) == 3001
    depth = 0
    while isinstance(code_of(back), A):
        back = code_of(back).f.bind
        depth += 1
    assert depth == 3000 and back.key == 1
