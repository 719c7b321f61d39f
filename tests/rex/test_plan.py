"""The PLAN encoding of Rex trees: the shapes Sire macros see, both ways."""

import pytest
from hypothesis import given, settings

from pallas_kernel import plan
from pallas_kernel.errors import MalformedRex
from pallas_kernel.rex import Embed, from_plan, plan_hash_b58, read, to_plan
from pallas_kernel.rex.encoding import CONSTRUCTORS
from pallas_kernel.plan.tree import App, Law, Pin, apps, equal as tree_equal, row, text_nat

from helpers.rex_trees import N, O, T, W, assert_tree, closed_trees, open_trees


def con(name, arity):
    """A constructor as Sire defines it: a pinned law named ``##X``, body 0."""
    return Pin(Law(text_nat("##" + name), arity, 0))


def test_constructor_pins():
    assert set(CONSTRUCTORS) == {"EMBD", "WORD", "TEXT", "LINE", "OPEN", "NEST", "INFX", "PREF", "SHUT"}
    for name, pin in CONSTRUCTORS.items():
        arity = 2 if name == "EMBD" else 3 if name in ("WORD", "TEXT", "LINE") else 4
        assert tree_equal(pin, con(name, arity))


def test_word_is_word_text_heir():
    # ('x =?= (WORD {x} 0)): a leaf is the constructor applied to text and heir
    assert tree_equal(to_plan(W("x")), apps(con("WORD", 3), ord("x"), 0))
    assert tree_equal(to_plan(T("")), apps(con("TEXT", 3), 0, 0))


def test_node_is_rune_sons_heir():
    rex = read("(+ a b)c")
    want = apps(con("NEST", 4), ord("+"),
                row(apps(con("WORD", 3), ord("a"), 0), apps(con("WORD", 3), ord("b"), 0)),
                apps(con("WORD", 3), ord("c"), 0))
    assert tree_equal(to_plan(rex), want)


def test_text_is_utf8_little_endian():
    t = to_plan(T("hé"))
    assert t.fun.arg == int.from_bytes("hé".encode(), "little")


def test_embedded_value():
    assert tree_equal(to_plan(Embed(App(7, 8))), App(con("EMBD", 2), App(7, 8)))
    back = from_plan(App(con("EMBD", 2), 42))
    assert isinstance(back, Embed) and back.value == 42


def test_encoding_is_inert_in_the_core_and_decodes_back():
    rex = read("= (f x)\n| add x {hi} } line")
    value = plan.from_tree(to_plan(rex)).force()
    assert_tree(from_plan(value), rex)
    # the same value, so the same plan hash, however it was built
    again = plan.from_tree(to_plan(read("= (f x)\n| add x\n  {hi}\n  } line"))).force()
    assert value.plan_hash() == again.plan_hash()


def test_hash_depends_on_shape():
    assert plan_hash_b58(read("(f x)")) != plan_hash_b58(read("| f x"))
    assert plan_hash_b58(read("{x}")) == plan_hash_b58(read('"x"'))
    assert plan_hash_b58(read("{x}")) != plan_hash_b58(read("x"))


@pytest.mark.parametrize("bad", [
    5, App(5, 6), apps(con("WORD", 3), 1), apps(con("WORD", 3), 1, 2, 3),
    apps(con("OPEN", 4), ord("|"), 7, 0), apps(con("WORD", 3), App(1, 2), 0),
    apps(con("WORD", 3), 0xFF, 0), apps(Pin(Law(text_nat("##WORD"), 3, 1)), 1, 0),
])
def test_malformed_values_are_refused(bad):
    with pytest.raises(MalformedRex, match="^malformed rex: "):
        from_plan(bad, whole=True)


def test_malformed_core_values_are_refused():
    bad = plan.from_tree(apps(con("OPEN", 4), ord("|"), row(apps(con("WORD", 3), 0xFF, 0)), 0))
    with pytest.raises(MalformedRex, match="the text is not UTF-8 text"):
        from_plan(bad.force(), whole=True)


def test_decoding_is_lazy_and_keeps_the_value():
    """Only the top layer is checked at once; a malformed part deeper down
    fails when it is read. A decoded tree keeps the value it came from, so
    encoding it again gives that very value back (no walk)."""
    bad_sons = apps(con("OPEN", 4), ord("|"), row(apps(con("OPEN", 4), ord("|"), 7, 0)), 0)
    top = from_plan(bad_sons)
    assert (top.shape, top.rune) == ("OPEN", "|")
    inner, = top.sons
    with pytest.raises(MalformedRex, match="the sons of a node are not a row"):
        inner.sons
    bad_heir = apps(con("WORD", 3), ord("x"), 5)
    leaf = from_plan(bad_heir)
    assert leaf.text == "x"
    with pytest.raises(MalformedRex, match="not a Rex constructor"):
        leaf.heir
    value = plan.from_tree(to_plan(read("(f x)(g {y})"))).force()
    back = from_plan(value)
    assert to_plan(back) is value and to_plan(back.heir) is back.heir.encoded
    assert back.heir.encoded == plan.from_tree(to_plan(read("(g {y})"))).force()


@settings(max_examples=200, deadline=None)
@given(closed_trees() | open_trees())
def test_random_trees_encode_and_decode(rex):
    assert_tree(from_plan(to_plan(rex)), rex)
    assert_tree(from_plan(plan.from_tree(to_plan(rex)).force()), rex)


def test_deep_tree_encodes_without_recursion():
    rex = W("x")
    for _ in range(20000):
        rex = N("|", rex)
    back = from_plan(to_plan(rex))
    assert_tree(back, rex)
    assert_tree(from_plan(to_plan(O("=", W("a"), h=W("b")))), O("=", W("a"), h=W("b")))


@settings(max_examples=100, deadline=None)
@given(closed_trees() | open_trees())
def test_core_hash_agrees_with_the_pure_python_oracle(rex):
    from pallas_kernel.plan import base58
    from pallas_kernel.plan.reference import oracle
    assert plan_hash_b58(rex) == base58.encode(oracle.plan_hash(to_plan(rex)))
