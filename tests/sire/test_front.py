"""The Sire front end: commands, expressions, leaves, macros, modules,
errors, the cache and the REPL, on Sire files written for these tests
(tests/data/sire/)."""

from __future__ import annotations

import io
import shutil

import pytest

from pallas_kernel import plan, rex
from pallas_kernel.errors import RexError
from pallas_kernel.rex import Node
from pallas_kernel.sire import ast
from pallas_kernel.sire.ast import F, K, L, R, V
from pallas_kernel.sire.cache import Cache
from pallas_kernel.sire.commands import run_block
from pallas_kernel.sire.failure import SireFailure
from pallas_kernel.sire.modules import Loader
from pallas_kernel.sire.reader import Reader
from pallas_kernel.sire.noun import bind_of_pin, bind_pin, decode_ast, layer, row_items, tab_items
from pallas_kernel.sire.state import State
from pallas_kernel.plan.tree import Law, Pin, nat_text, text_nat
from helpers import DATA as TEST_DATA

DATA = TEST_DATA / "sire"


def load(name: str, **kw) -> State:
    return Loader(include=[str(DATA)], **kw).load(name)


@pytest.fixture(scope="module")
def base() -> State:
    return load("t_base")


@pytest.fixture(scope="module")
def last() -> State:
    return load("t_last")


def value(st: State, name: str):
    return st.scope[text_nat(name)].value


def run(st: State, source: str) -> tuple[State, list]:
    """Run every block of ``source``; returns the state and what was output."""
    seen: list = []
    for block in rex.read_blocks(source, "test"):
        assert not block.errors, block.errors
        st = run_block(st, block.rex, "test", lambda kind, x: seen.append((kind, x)))
    return st, seen


def ev(st: State, source: str):
    """The value of one expression block."""
    _, seen = run(st, source)
    assert seen[-1][0] == "value"
    return seen[-1][1]


# ----- commands and expressions ------------------------------------------------

def test_value_definitions_and_chains(base):
    assert [int(value(base, n)) for n in ("zero", "one", "two", "three", "four")] == [0, 1, 2, 3, 4]


def test_expression_forms(base):
    assert int(value(base, "letv")) == 5        # @
    assert int(value(base, "recv")) == 1        # @@ (mutual recursion)
    assert int(value(base, "ketv")) == 4        # ^ binds _ to its last kid
    assert int(value(base, "inlined")) == 1     # ** inline mark


def test_leaf_rules(base):
    assert int(value(base, "dec")) == 123
    assert int(value(base, "txt")) == text_nat("abc")
    assert int(value(base, "quo")) == text_nat("hi")
    assert int(value(base, "lines")) == text_nat("one\ntwo")


def test_law_definitions_are_pinned_laws_with_exact_code(base):
    k = value(base, "k")
    assert k == plan.from_tree(Pin(Law(text_nat("k"), 2, 1))).force()
    # (f a b ? f 7 7) style: a named lambda calling itself is variable 0
    assert value(base, "pinned").kind == "pin"
    assert value(base, "unpinned").kind == "law"
    anon = layer(value(base, "anon"))
    assert isinstance(anon, Law) and anon.name == 0 and anon.arity == 2 and anon.body == 1
    tagged = layer(value(base, "tagged"))
    assert tagged.name == text_nat("myTag")


def test_our_if_has_the_reference_jet_hash(base):
    table = dict(plan.reference_jet_table())
    assert value(base, "_If").pin_hash() == table["_If"]
    assert value(base, "_If").has_jet


def test_keys_and_props(base):
    b = base.scope[text_nat("seventySeven")]
    assert b.key == 77 and int(b.value) == 77
    p = base.scope[text_nat("propped")]
    assert int(p.props) == 5 and int(p.value) == 8   # props (3 4)
    assert p.location == text_nat("t_base")


def test_tagged_named_lambda(base):
    law = layer(value(base, "wutTag"))
    assert isinstance(law, Law) and law.name == text_nat("otherTag") and law.arity == 1


def test_sharp_twins_and_multi_command(base):
    assert int(value(base, "sharp")) == 6
    assert int(value(base, "starred")) == 1 and int(value(base, "starred2")) == 2


def test_top_level_expression_is_evaluated_and_output(base):
    _, seen = run(base, "(k 4 5)\n")
    assert seen == [("value", seen[0][1])] and int(seen[0][1]) == 4


def test_reader_de_bruijn_indices():
    r = Reader(State(), rex.read("x"))
    lam = r.expr([], rex.read("(& (a b) a)"))
    assert isinstance(lam, F) and lam.lam.args == 2 and isinstance(lam.lam.body, V) and lam.lam.body.index == 1
    named = r.expr([], rex.read("(? (f a) f)")).lam
    assert named.recr and named.body.index == 1 and named.tag == text_nat("f")
    let = r.expr([], rex.read("(@ x 3 x)"))
    assert isinstance(let, L) and isinstance(let.v, K) and let.b.index == 0
    rec = r.expr([], rex.read("(@@ (a = b)(b = a) a)"))
    assert isinstance(rec, R) and rec.vs[0].index == 1 and rec.vs[1].index == 0 and rec.b.index == 0


def test_redefinition_shadows_but_old_code_keeps_old_value(base):
    st, _ = run(base, "v=1\n\n(g x)=v\n\nv=2\n")
    assert int(ev(st, "(g 0)\n")) == 1 and int(value(st, "v")) == 2


# ----- assertions and errors ---------------------------------------------------

def test_failed_assertion_names_the_place():
    with pytest.raises(SireFailure) as e:
        load("t_badassert")
    assert e.value.kind == "assert"
    assert "t_badassert.sire:5:1" in str(e.value) and "=?= 1 (k 2 1)" in str(e.value)


def test_unresolved_name_names_the_place():
    with pytest.raises(SireFailure) as e:
        load("t_unresolved")
    assert "t_unresolved.sire:5:6" in str(e.value) and "Unresolved symbol: nothere" in str(e.value)


def test_failed_macro_names_the_place():
    with pytest.raises(SireFailure) as e:
        load("t_badmacro")
    assert e.value.kind == "macro" and "t_badmacro.sire:7:3" in str(e.value) and "nope" in str(e.value)


def test_syntax_error_is_a_rex_error():
    with pytest.raises(RexError) as e:
        load("t_syntax")
    assert e.value.line == 5


def test_file_must_start_with_a_header():
    with pytest.raises(SireFailure, match="must start with module declaration"):
        load("t_noheader")


def test_a_failing_block_applies_nothing(base):
    with pytest.raises(SireFailure):
        run(base, "* (fresh=1) (y=nothere)\n")
    assert text_nat("fresh") not in base.scope


@pytest.mark.parametrize("src, msg", [
    ("=?= 1\n", "expects two parameters"),
    ("(|)\n", "empty application"),
    ("(@ x 1)\n", "Three paramaters"),
    ("x=(zz.yy)\n", "Unresolved symbol: zz.yy"),
    ("(%zz)\n", "Unbound rune"),
    ("= [a b] 4\n", "Bad binder"),
    ("x=(0xff)\n", "don't know how to parse this leaf"),
    ("x=(a(b))\n", "no # macro"),
    (":| nowhere\n", "Module not loaded"),
    (":| t_base [nothing]\n", "imported symbols do not exist"),
    ("^-^ nothing\n", "filter for non-existing keys"),
    ("#### other <- elsewhere\n", "not where we were"),
    ("#### other\n", "not in initial state"),
])
def test_error_cases(base, src, msg):
    st = base.copy()
    st.modules = {**st.modules, text_nat("t_base"): dict(base.scope)}
    with pytest.raises(SireFailure, match=msg):
        run(st, src)


# ----- modules -----------------------------------------------------------------

def test_imports_filter_and_qualified_names(last):
    names = {nat_text(n) for n in last.scope}
    assert {"after", "three", "k", "main"} <= names
    assert "s" not in names                         # t_next's ^-^ dropped it
    assert set(last.modules) == {text_nat("t_base"), text_nat("t_next")}
    assert int(ev(last, "(t_base.four)\n")) == 4   # qualified: any archived module


def test_import_list_brings_only_those_names():
    st = load("t_base")
    st2 = State()
    st2.modules = {text_nat("t_base"): st.scope}
    st2, _ = run(st2, ":| t_base [k two]\n")
    assert set(st2.scope) == {text_nat("k"), text_nat("two")}


def test_search_path_sire_path_and_cwd(tmp_path, monkeypatch):
    d = tmp_path / "lib"
    d.mkdir()
    shutil.copy(DATA / "t_base.sire", d)
    monkeypatch.setenv("SIRE_PATH", str(d))
    assert Loader().load("t_base").context == text_nat("t_base")
    monkeypatch.delenv("SIRE_PATH")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sire").mkdir()
    shutil.copy(DATA / "t_base.sire", tmp_path / "sire")
    assert Loader().load("t_base").context == text_nat("t_base")
    with pytest.raises(Exception, match="not found"):
        Loader().load("t_absent")


def test_cache_second_load_is_from_cache_and_equal(tmp_path):
    lib = tmp_path / "lib"
    shutil.copytree(DATA, lib)
    cache = Cache(tmp_path / "cache")
    first = Loader(include=[str(lib)], cache=cache)
    cold = first.load("t_last")
    assert first.from_cache == []
    second = Loader(include=[str(lib)], cache=cache)
    warm = second.load("t_last")
    assert second.from_cache == ["t_base", "t_next", "t_last"]
    assert warm.to_plan() == cold.to_plan()
    assert int(ev(warm, "(main 5)\n")) == 5
    # a changed file misses, and so does everything after it
    (lib / "t_next.sire").write_text((lib / "t_next.sire").read_text() + "\nextra=1\n")
    third = Loader(include=[str(lib)], cache=cache)
    third.load("t_last")
    assert third.from_cache == ["t_base"]


def test_damaged_cache_entry_is_ignored(tmp_path):
    cache = Cache(tmp_path / "cache")
    Loader(include=[str(DATA)], cache=cache).load("t_base")
    for p in (tmp_path / "cache").iterdir():
        p.write_bytes(b"garbage")
    again = Loader(include=[str(DATA)], cache=cache)
    assert int(value(again.load("t_base"), "four")) == 4 and again.from_cache == []


# ----- macros ------------------------------------------------------------------

def test_macro_sees_the_state_row(last):
    st = ev(last, "($$$)\n")
    items = row_items(st)
    assert len(items) == 4
    assert int(items[0]) == last.next_key and int(items[1]) == text_nat("t_last")
    assert [k for k, _ in tab_items(items[2])] == sorted(last.scope)
    mods = dict(tab_items(items[3]))
    assert set(mods) == set(last.modules)
    assert all(isinstance(layer(p), Pin) for p in mods.values())


def test_binding_encoding(last):
    st = ev(last, "($$$)\n")
    scope = dict(tab_items(row_items(st)[2]))
    b = layer(scope[text_nat("after")])
    assert isinstance(b, Pin)
    key, val, code, loc, name, props = row_items(b.item)
    bind = last.scope[text_nat("after")]
    assert int(key) == bind.key and int(val) == 1 and int(loc) == text_nat("t_next")
    assert int(name) == text_nat("after") and int(props) == 0
    assert ast.equal(decode_ast(code, last.known), ast.code_of(bind))
    tag, = row_items(code)[:1]
    assert int(tag) == text_nat("A")                 # (k 1 0) is an application


def test_macro_sees_the_whole_node_encoded(last):
    got = ev(last, "(~~~ a b)\n")
    want = rex.to_plan(rex.read("(~~~ a b)"))
    assert got == plan.from_tree(want).force()


def test_macro_expansion_is_recursive_and_returns_embeds(last):
    assert int(ev(last, "(%%%)\n")) == 42
    st = load("t_next")
    assert int(ev(st, "(+++)\n")) == 42


def test_shared_key_counter():
    st = load("t_next")
    st, _ = run(st, "a=1\n")
    k1 = st.scope[text_nat("a")].key
    st, _ = run(st, "b=(^^^)\n")                 # the macro takes one key
    assert st.scope[text_nat("b")].key == k1 + 2 and int(value(st, "b")) == 3
    st, _ = run(st, "c=1\n")
    assert st.scope[text_nat("c")].key == k1 + 3


def test_hash_macro_gets_odd_leaves_and_juxtapositions():
    st = load("t_next")
    hex_leaf = rex.from_plan(value(st, "hexLeaf"))
    assert isinstance(hex_leaf, Node) and (hex_leaf.shape, hex_leaf.rune) == ("PREF", "#")
    assert hex_leaf.sons[0].text == "0xff"
    heir = rex.from_plan(value(st, "heirLeaf"))
    assert (heir.shape, heir.rune) == ("INFX", "#")
    assert [s.text for s in heir.sons] == ["foo", "bar"] and heir.sons[0].heir is None


def test_macros_shadow_builtin_runes():
    st = load("t_next")
    st, _ = run(st, "= ({|} st rex err ok) (ok st (.{##EMBD} 7))\n")
    assert int(ev(st, "(k 1 2)\n")) == 7


def test_macro_error_result_and_bad_results():
    st = load("t_next")
    with pytest.raises(SireFailure) as e:
        run(st, "(!!! x)\n")
    assert e.value.kind == "macro" and "nope" in str(e.value)
    st, _ = run(st, "= ({!?!} st rex err ok) 5\n")
    with pytest.raises(SireFailure, match="Invalid macro expansion result"):
        run(st, "(!?! x)\n")


# ----- the core hooks the front end uses ---------------------------------------

def test_value_layer_opens_one_level():
    from pallas_kernel.plan.tree import App, row
    v = plan.from_tree(row(1, 2, 3)).force()
    t = v.layer()
    assert isinstance(t, App) and t.arg == 1 and t.fun.arg == 2 and t.fun.fun.arg == 3
    assert isinstance(t.fun.fun.fun, plan.Value)           # the row constructor
    p = plan.from_tree(Pin(Law(5, 1, 0))).force().layer()
    assert isinstance(p, Pin) and isinstance(p.item, plan.Value)
    assert p.item.layer().name == 5 and plan.nat(7).layer() == 7


def test_value_leaves_in_trees_are_shared_not_copied():
    from pallas_kernel.plan.tree import App
    inner = plan.from_tree(Pin(Law(text_nat("k"), 2, 1))).force()
    v = plan.from_tree(App(App(inner, 4), 5)).force()
    assert int(v) == 4


# ----- the command line ----------------------------------------------------------

def test_cli_sire_and_save(tmp_path, monkeypatch, capsys):
    from pallas_kernel.cli import main
    monkeypatch.setattr("sys.stdin", io.StringIO("(k 3 4)\n"))
    assert main(["sire", "--no-cache", "-I", str(DATA), "t_last"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "3"
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["sire", "--no-cache", "-I", str(DATA), "t_unresolved"]) == 2
    assert "t_unresolved.sire:5:6" in capsys.readouterr().err
    seed = tmp_path / "m.seed"
    assert main(["save", "--no-cache", str(seed), str(DATA / "t_last.sire")]) == 0
    assert main(["show", str(seed)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("<")


def test_cli_sire_uses_the_cache(tmp_path, monkeypatch, capsys):
    from pallas_kernel.cli import main
    monkeypatch.setenv("PALLAS_SIRE_CACHE", str(tmp_path / "c"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["sire", "-I", str(DATA), "t_last"]) == 0
    assert len(list((tmp_path / "c").glob("*.seed"))) == 3


def test_state_pins_are_the_bindings_pins_and_read_back(base):
    """The scope a macro sees holds, for every binding of a module, the pin
    that encoding the binding afresh gives; each pin decodes (without the
    state's cache) to a new binding that encodes to the same pin, and with
    the cache to the very binding the state holds."""
    scope = dict(tab_items(base.scope_plan()))
    assert sorted(scope) == sorted(base.scope)
    for name, b in base.scope.items():
        pin = scope[name]
        assert pin == bind_pin(b), nat_text(b.name)
        again = bind_of_pin(pin)
        assert again is not b and (again.key, again.location, again.name) == (b.key, b.location, b.name)
        assert again.value == plan.from_tree(b.value).force() and bind_pin(again) == pin
        assert bind_of_pin(pin, base.known) is b
