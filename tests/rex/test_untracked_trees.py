"""The trees and spans the reader makes are left out of the cycle collector
(the C core's untrack_acyclic and untracked_tuple), so a large file's trees
cost collections nothing, and are still ordinary values."""

import gc

import pytest

from pallas_kernel import _core
from pallas_kernel.rex import Leaf, Node, Span, describe, read
from pallas_kernel.rex.model import make_span


def spans_of(rex):
    todo, out = [rex], []
    while todo:
        x = todo.pop()
        if x is None:
            continue
        out.append(x.span)
        todo.append(x.heir)
        todo.extend(getattr(x, "sons", ()))
    return out


def test_reader_spans_are_untracked_and_ordinary():
    spans = spans_of(read("= (f x)\n| add x {text} -y\n"))
    assert len(spans) > 5
    for s in spans:
        assert type(s) is Span and not gc.is_tracked(s)
    s = make_span("f.sire", 2, 3, b"abc")
    assert s == Span("f.sire", 2, 3, b"abc") and str(s) == "f.sire:2:3"
    assert s._replace(line=4).line == 4 and not gc.is_tracked(s)


def test_untracked_tuple_keeps_tracking_a_tuple_that_holds_a_container():
    inner = [1]
    t = _core.untracked_tuple(Span, "f", 1, 1, inner)
    assert gc.is_tracked(t) and t.source is inner


@pytest.mark.parametrize("cls", [tuple, int, "Span"])
def test_untracked_tuple_takes_only_a_tuple_subclass(cls):
    with pytest.raises(TypeError):
        _core.untracked_tuple(cls, 1, 2)


def nodes_of(rex):
    todo, out = [rex], []
    while todo:
        x = todo.pop()
        if x is None:
            continue
        out.append(x)
        todo.append(x.heir)
        todo.extend(getattr(x, "sons", ()))
    return out


def test_reader_trees_of_words_and_strings_are_untracked():
    rex = read("= (f x)\n| add x {text} [a b] (g 3)\n  } a line\n  } and more\n")
    for x in nodes_of(rex):
        assert not gc.is_tracked(x), describe(x)
        if isinstance(x, Node):
            assert not gc.is_tracked(x.sons)
    assert describe(rex).startswith("OPEN(=)[NEST(|)[WORD('f'),WORD('x')]")


def test_untrack_acyclic_keeps_tracking_what_refers_to_a_tracked_object():
    inner = Leaf("WORD", "x", None, [1])   # a list is tracked: so is the leaf
    assert gc.is_tracked(_core.untrack_acyclic(inner))
    outer = Node("NEST", "|", (inner,), None, None)
    assert _core.untrack_acyclic(outer) is outer and gc.is_tracked(outer)
    plain = Leaf("WORD", "y", None, None)
    assert _core.untrack_acyclic(plain) is plain and not gc.is_tracked(plain)
    assert _core.untrack_acyclic(5) == 5
