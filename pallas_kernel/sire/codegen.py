"""Lambda lifting and code generation: keyed functions to PLAN laws.

After ingest (:mod:`.ingest`) a function is a :class:`Fun`: its self, its
arguments and its let bindings are integer *keys*, and its body and bindings
are :data:`Exp` trees of constants, key references and applications. This
module turns one into a law, exactly as the reference does (``stats``,
``codeGen`` and ``compile`` in ``lib/Sire/Backend.hs``):

* **Reference statistics.** Walk from the body; the first time a let key is
  met, walk its binding first. Count every reference, and list keys in the
  order their first reference completes, so a binding's dependencies come
  before it. Bindings never reached are dropped.
* **Lambda lifting.** Keys referenced but bound neither as self, argument nor
  let are free: they become leading arguments, the function gets a fresh self
  key, and the old self becomes a let ``(self' free1 free2 ...)`` so that
  recursive calls pass them along. The caller applies the law to the free
  keys.
* **Code generation.** Law slots are self (0), arguments (1..n) and then the
  bindings kept, those referenced more than once, in statistics order. A
  binding used once is generated where it is used. A constant is quoted as
  ``(2 k)`` only if the law-body language would read it as code: a nat up to
  the highest slot, or a spine ``(0 a b)``, ``(1 a b)`` or ``(2 a)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from ..errors import SireError
from ..plan import Value
from ..plan.tree import App, Law, Pin, Tree
from .ast import tag_text
from .walk import Step, run


@dataclass(frozen=True, slots=True, eq=False)
class VAL:
    """A constant PLAN value."""

    value: Tree


@dataclass(frozen=True, slots=True, eq=False)
class VAR:
    """A reference to a key: self, an argument, a let or a free variable."""

    key: int


@dataclass(frozen=True, slots=True, eq=False)
class APP:
    """An application."""

    f: "Exp"
    x: "Exp"


Exp = Union[VAL, VAR, APP]


@dataclass(frozen=True, slots=True, eq=False)
class Fun:
    """A function with keyed binders: ``slf`` is its self key, ``arg`` its
    argument keys (first argument first), ``bin`` its let bindings."""

    pin: bool
    tag: int
    slf: int
    arg: tuple[int, ...]
    bin: dict[int, Exp]
    bod: Exp


@dataclass(frozen=True, slots=True)
class Stats:
    """How often each key is referenced, and the keys in order of first
    completed reference (dependencies first)."""

    counts: dict[int, int]
    order: tuple[int, ...]


def stats(fun: Fun) -> Stats:
    """Reference statistics of a function (see the module docstring)."""
    seen: set[int] = set()
    counts: dict[int, int] = {}
    order: list[int] = []
    # Entries: an Exp to walk, or an int key whose reference is now complete.
    todo: list[Union[Exp, int]] = [fun.bod]
    while todo:
        item = todo.pop()
        if isinstance(item, int):
            c = counts.get(item, 0)
            if c == 0:
                order.append(item)
            counts[item] = c + 1
        elif isinstance(item, APP):
            todo.append(item.x)
            todo.append(item.f)
        elif isinstance(item, VAR):
            k = item.key
            todo.append(k)
            if k not in seen:
                seen.add(k)
                bound = fun.bin.get(k)
                if bound is not None:
                    todo.append(bound)
    return Stats(counts, tuple(order))


def compile_fun(nex: int, fun: Fun) -> tuple[Tree, list[int]]:
    """The law (or pin) of ``fun`` and the free keys it must be applied to.

    ``nex`` is a key unused in ``fun``, for the self of the lifted function.
    """
    st = stats(fun)
    free = [k for k in st.order if _is_free(fun, k)]
    if not free:
        return code_gen(fun, st), free
    self_call: Exp = VAR(nex)
    for k in free:
        self_call = APP(self_call, VAR(k))
    lifted = Fun(fun.pin, fun.tag, nex, tuple(free) + fun.arg, {**fun.bin, fun.slf: self_call}, fun.bod)
    return code_gen(lifted, stats(lifted)), free


def _is_free(fun: Fun, key: int) -> bool:
    """Whether ``key`` is bound by none of ``fun``'s binders."""
    return key != fun.slf and key not in fun.bin and key not in fun.arg


def code_gen(fun: Fun, st: Stats) -> Tree:
    """The law of a function with no free keys (a pin if ``fun.pin``)."""
    if not fun.arg:
        raise SireError(f"the law {tag_text(fun.tag)} takes no arguments "
                        "(a law of arity 0 is a PLAN crash)")
    binds = [k for k in st.order if k in fun.bin and st.counts.get(k, 0) > 1]
    slots = {k: i for i, k in enumerate((fun.slf, *fun.arg, *binds))}
    max_ref = len(fun.arg) + len(binds)
    body = run(_gen(fun, st, slots, max_ref, fun.bod))
    for k in reversed(binds):
        body = App(App(1, run(_gen(fun, st, slots, max_ref, fun.bin[k]))), body)
    law: Tree = Law(fun.tag, len(fun.arg), body)
    return Pin(law) if fun.pin else law


def _gen(fun: Fun, st: Stats, slots: dict[int, int], max_ref: int, e: Exp) -> Step[Tree]:
    """The law-body code of one expression (generator, see :mod:`.walk`)."""
    while isinstance(e, VAR):
        k = e.key
        if st.counts.get(k) == 1 and k in fun.bin:
            e = fun.bin[k]  # used once: generated in place
            continue
        slot = slots.get(k)
        if slot is None:
            raise SireError(f"key {k} is not bound in the law {tag_text(fun.tag)}")
        return slot
    if isinstance(e, VAL):
        return App(2, e.value) if is_code_shaped(max_ref, e.value) else e.value
    f = yield _gen(fun, st, slots, max_ref, e.f)
    x = _gen_leaf(st, slots, max_ref, e.x)
    if x is None:
        x = yield _gen(fun, st, slots, max_ref, e.x)
    return App(App(0, f), x)


def _gen_leaf(st: Stats, slots: dict[int, int], max_ref: int, e: Exp) -> Optional[Tree]:
    """What :func:`_gen` gives for a constant or a variable in a slot,
    without starting a walk; None for anything else."""
    if isinstance(e, VAL):
        return App(2, e.value) if is_code_shaped(max_ref, e.value) else e.value
    if isinstance(e, VAR) and st.counts.get(e.key) != 1:
        return slots.get(e.key)   # None when unbound: _gen says so
    return None


def is_code_shaped(max_ref: int, value: Tree) -> bool:
    """Whether a law body would read ``value`` as code rather than as a
    constant: a nat that names a slot, or ``(0 a b)``, ``(1 a b)``, ``(2 a)``."""
    if isinstance(value, Value):  # a core value: look at its top layer
        value = value.layer()
    if isinstance(value, int):
        return value <= max_ref
    args = 0
    while isinstance(value, App) and args < 3:
        value = value.fun
        args += 1
        if isinstance(value, Value):
            value = value.layer()
    if isinstance(value, App) or not isinstance(value, int):
        return False
    return (value, args) in ((0, 2), (1, 2), (2, 1))
