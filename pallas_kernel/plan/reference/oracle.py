"""A literal, pure-Python PLAN evaluator: the test oracle for the C core.

It follows the current runtime semantics (``Fan/Eval.hs``) as written down in
``pallas-plan.md`` sections 1 and 2, with no jets and no optimisation: data
jets are just their PLAN shapes here. It is meant for small test programs, so
evaluation recurses in Python; the value conversions, :func:`compare` and the
hashing functions walk with explicit stacks.

Public API:

* :func:`evaluate` reads a tree as an expression and returns its normal form.
  It raises :class:`PlanCrash` (a PLAN crash: op >= 5, or a law of arity 0),
  :class:`PlanLoop` (a black hole was entered), :class:`OracleBudget` (the
  step budget ran out, or the value is cyclic and has no finite normal form)
  and :class:`OracleTooDeep` (Python ran out of recursion depth).
* :func:`compare` is the ``_Cmp`` order on normal-form trees.
* :func:`serialize`, :func:`plan_hash` and :func:`pin_hash` are the tagged
  serialization and BLAKE3 hashes of section 5.1.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator, Optional

import blake3

from ..tree import App, Law, Pin, Tree, spine

__all__ = [
    "PlanCrash",
    "PlanLoop",
    "OracleBudget",
    "OracleTooDeep",
    "evaluate",
    "compare",
    "serialize",
    "plan_hash",
    "pin_hash",
    "LT",
    "EQ",
    "GT",
]


# --------------------------------------------------------------------------
# Exceptions
# --------------------------------------------------------------------------


class PlanCrash(Exception):
    """A PLAN crash (``PRIMOP_CRASH op value``), as ``_Try`` would report it."""

    def __init__(self, op: int, value: Tree) -> None:
        super().__init__(f"PLAN crash: op {op}")
        self.op = op
        self.value = value


class PlanLoop(Exception):
    """Evaluation entered a black hole (``<<loop>>``)."""


class OracleBudget(Exception):
    """The program did not finish within the step budget (it may diverge).

    Also raised when a value is cyclic (built with a recursive let) and so has
    no finite normal form: normalising it would never end.
    """


class OracleTooDeep(Exception):
    """The program needs more Python recursion than the oracle allows."""


# --------------------------------------------------------------------------
# Mutable evaluation graph
# --------------------------------------------------------------------------

# Node tags.
_NAT, _PIN, _LAW, _APP, _IND, _HOLE = range(6)

# Python recursion allowed while evaluating (about ten frames per level of
# PLAN nesting). Python >= 3.11 keeps pure-Python calls off the C stack, so a
# high limit is safe there; older versions get a conservative one.
_RECURSION_LIMIT = 200_000 if sys.version_info >= (3, 11) else 8_000


class _Node:
    """One mutable graph node; thunks are overwritten in place.

    ``tag`` selects the meaning of the fields:

    * ``_NAT``: ``a`` is the int.
    * ``_PIN``: ``a`` is the item (normal form); ``arity`` is its arity.
    * ``_LAW``: ``a`` name, ``b`` arity, ``c`` body (normal form).
    * ``_APP``: ``a`` function, ``b`` argument. ``arity`` is 0 while the node
      may still be a thunk and the remaining arity once it is a closure.
    * ``_IND``: an evaluated thunk; ``a`` is its WHNF result.
    * ``_HOLE``: a black hole (an unfilled let slot or a thunk being run).

    ``nf`` marks nodes already known to be in normal form.
    """

    __slots__ = ("tag", "a", "b", "c", "arity", "nf")

    def __init__(self, tag: int, a=None, b=None, c=None, arity: int = 0) -> None:
        self.tag = tag
        self.a = a
        self.b = b
        self.c = c
        self.arity = arity
        self.nf = False


def _nat(n: int) -> _Node:
    return _Node(_NAT, n)


def _app(f: _Node, x: _Node) -> _Node:
    return _Node(_APP, f, x)


def _deref(node: _Node) -> _Node:
    """Follow indirections; stops at anything else (including black holes)."""
    while node.tag == _IND:
        node = node.a
    return node


def _arity(v: _Node) -> int:
    """Arity of a node in WHNF (section 1.2)."""
    tag = v.tag
    if tag == _NAT:
        return (3, 5, 3)[v.a] if v.a < 3 else 1
    if tag == _LAW:
        return v.b
    return v.arity  # pins and closures cache it


def _spine(node: _Node) -> tuple[_Node, list[_Node]]:
    """Head and arguments (application order) of a normal-form node."""
    args = []
    node = _deref(node)
    while node.tag == _APP:
        args.append(_deref(node.b))
        node = _deref(node.a)
    args.reverse()
    return node, args


def _children(t: Tree) -> tuple[Tree, ...]:
    """The subtrees of a tree node (none for a nat)."""
    if isinstance(t, Pin):
        return (t.item,)
    if isinstance(t, Law):
        return (t.body,)
    if isinstance(t, App):
        return (t.fun, t.arg)
    return ()


def _from_tree(tree: Tree) -> _Node:
    """The graph of ``tree`` read as an expression, keeping its sharing.

    ``Law(n, a, b)`` becomes the thunk ``(0 n a b)`` and ``Pin(x)`` the thunk
    ``(4 x)``, so literal laws and pins go through the checks of opcodes 0
    and 4 (arity 0 crashes, bodies and items are normalised) when forced.
    """
    memo: dict[int, _Node] = {}

    def node_of(t: Tree) -> _Node:
        return _nat(t) if isinstance(t, int) else memo[id(t)]

    todo: list[tuple[Tree, bool]] = [(tree, False)]
    while todo:
        t, ready = todo.pop()
        if isinstance(t, int) or id(t) in memo:
            continue
        if not ready:
            todo.append((t, True))
            todo.extend((k, False) for k in _children(t))
        elif isinstance(t, Pin):
            memo[id(t)] = _app(_nat(4), node_of(t.item))
        elif isinstance(t, Law):
            law = _app(_app(_nat(0), _nat(t.name)), _nat(t.arity))
            memo[id(t)] = _app(law, node_of(t.body))
        else:
            memo[id(t)] = _app(node_of(t.fun), node_of(t.arg))
    return node_of(tree)


def _to_tree(root: _Node) -> Tree:
    """The tree of a normal-form node, keeping its sharing."""
    memo: dict[int, Tree] = {}
    todo: list[tuple[_Node, bool]] = [(_deref(root), False)]
    while todo:
        n, ready = todo.pop()
        if id(n) in memo:
            continue
        if n.tag == _NAT:
            memo[id(n)] = n.a
            continue
        if n.tag == _APP:
            kids = [_deref(n.a), _deref(n.b)]
        else:
            kids = [_deref(n.c if n.tag == _LAW else n.a)]
        if not ready:
            todo.append((n, True))
            todo.extend((k, False) for k in kids)
            continue
        parts = [memo[id(k)] for k in kids]
        if n.tag == _APP:
            memo[id(n)] = App(parts[0], parts[1])
        elif n.tag == _LAW:
            memo[id(n)] = Law(n.a, n.b, parts[0])
        else:
            memo[id(n)] = Pin(parts[0])
    return memo[id(_deref(root))]


# --------------------------------------------------------------------------
# The evaluator
# --------------------------------------------------------------------------


class _Machine:
    """Graph reduction with a step budget; one instance per :func:`evaluate`."""

    def __init__(self, max_steps: int) -> None:
        self.max_steps = max_steps
        self.steps = 0

    def tick(self) -> None:
        """Count one reduction; give up when the budget is spent."""
        self.steps += 1
        if self.steps > self.max_steps:
            raise OracleBudget(f"more than {self.max_steps} steps")

    # -- weak head normal form ------------------------------------------

    def whnf(self, node: _Node) -> _Node:
        """Evaluate ``node`` to WHNF, updating the thunk in place.

        A thunk is black-holed while it runs, so re-entering it is a loop.
        An app whose head (once in WHNF) has arity > 1 is a closure and is
        kept, with its remaining arity cached. Over-application needs no
        special case: ``((f x y) z)`` first evaluates the saturated ``(f x
        y)`` as its function part.
        """
        node = _deref(node)
        if node.tag == _HOLE:
            raise PlanLoop("entered a black hole")
        if node.tag != _APP or node.arity:
            return node
        fun, arg = node.a, node.b
        node.tag = _HOLE
        f = self.whnf(fun)
        ar = _arity(f)
        if ar > 1:
            node.tag, node.a, node.arity = _APP, f, ar - 1
            return node
        self.tick()
        args = [arg]
        head = f
        while head.tag == _APP:
            args.append(head.b)
            head = _deref(head.a)
        args.reverse()
        result = self.execute(head, args)
        node.tag, node.a, node.b = _IND, result, None
        return result

    def nat_of(self, node: _Node) -> int:
        """``NAT(x)``: the nat x evaluates to, or 0 for anything else."""
        v = self.whnf(node)
        return v.a if v.tag == _NAT else 0

    # -- normal form ----------------------------------------------------

    def normalize(self, root: _Node) -> _Node:
        """Evaluate ``root`` fully (``F``): WHNF, then both sides of apps.

        Laws and pins are built normal. A closure that contains itself has
        no finite normal form; that raises :class:`OracleBudget`.
        """
        root = self.whnf(root)
        on_path: set[int] = set()
        # (node, step): step 0 enters a node, 1 turns to its argument once the
        # function side is normal, 2 finishes it. So the order is the spec's
        # F[(f x)] = F[f] then F[x]: left to right over a closure's arguments.
        todo: list[tuple[_Node, int]] = [(root, 0)]
        while todo:
            n, step = todo.pop()
            if step == 2:
                on_path.discard(id(n))
                n.nf = True
                continue
            if step == 1:
                n.b = self.whnf(n.b)
                todo.append((n.b, 0))
                continue
            if n.nf:
                continue
            if n.tag != _APP:
                n.nf = True
                continue
            if id(n) in on_path:
                raise OracleBudget("cyclic value has no normal form")
            on_path.add(id(n))
            todo.append((n, 2))
            todo.append((n, 1))
            n.a = self.whnf(n.a)
            todo.append((n.a, 0))
        return root

    # -- running a saturated call ---------------------------------------

    def execute(self, head: _Node, args: list[_Node]) -> _Node:
        """Run ``(head args...)``, exactly saturated; returns a WHNF node."""
        if head.tag == _NAT:
            return self.opcode(head.a, args)
        if head.tag == _LAW:
            return self.run_law(head, head, args)
        item = head.a  # a pin
        if item.tag == _LAW:
            return self.run_law(item, head, args)
        # A pin holding anything but a law is transparent.
        call = item
        for x in args:
            call = _app(call, x)
        return self.whnf(call)

    def opcode(self, op: int, args: list[_Node]) -> _Node:
        """Opcodes 0..4 (section 1.3); any other nat crashes."""
        if op == 0:
            return self.make_law(args[0], args[1], args[2])
        if op == 1:
            return self.reflect(args[0], args[1], args[2], args[3], args[4])
        if op == 2:
            z, p, x = args
            k = self.nat_of(x)
            return self.whnf(z if k == 0 else _app(p, _nat(k - 1)))
        if op == 3:
            return _nat(self.nat_of(args[0]) + 1)
        if op == 4:
            item = self.normalize(args[0])
            return _Node(_PIN, item, arity=_arity(item))
        # Normalise first: a crash inside the argument takes precedence.
        value = self.normalize(args[0])
        raise PlanCrash(op, _to_tree(value))

    def make_law(self, n: _Node, a: _Node, b: _Node) -> _Node:
        """``(0 n a b)``: the arity is checked before the body is touched."""
        name = self.nat_of(n)
        arity = self.nat_of(a)
        if arity == 0:
            raise PlanCrash(0, 0)
        return _Node(_LAW, name, arity, self.normalize(b))

    def reflect(self, p: _Node, l: _Node, a: _Node, n: _Node, x: _Node) -> _Node:
        """``(1 p l a n x)``: case on the kind of x (in WHNF)."""
        v = self.whnf(x)
        if v.tag == _PIN:
            call = _app(p, v.a)
        elif v.tag == _LAW:
            call = _app(_app(_app(l, _nat(v.a)), _nat(v.b)), v.c)
        elif v.tag == _APP:
            call = _app(_app(a, v.a), v.b)
        else:
            call = _app(n, v)
        return self.whnf(call)

    # -- laws -------------------------------------------------------------

    def run_law(self, law: _Node, self_ref: _Node, args: list[_Node]) -> _Node:
        """Run a law body with slots [self, args..., lets...] (section 2).

        Only the leading chain of ``(1 v b)`` is a let chain. Every let slot
        starts as a black hole, so bindings may refer to any slot; a binding
        that is (a chain of references back to) its own slot stays a hole.
        """
        binds = []
        body = law.c
        while True:
            h, xs = _spine(body)
            if not (h.tag == _NAT and h.a == 1 and len(xs) == 2):
                break
            binds.append(xs[0])
            body = xs[1]
        slots = [_Node(_HOLE) for _ in binds]
        env = [self_ref, *args, *slots]
        max_ref = len(env) - 1
        for slot, v in zip(slots, binds):
            graph = _build(v, env, max_ref)
            if _deref(graph) is not slot:
                slot.tag, slot.a = _IND, graph
        return self.whnf(_build(body, env, max_ref))


def _build(expr: _Node, env: list[_Node], max_ref: int) -> _Node:
    """Read a normal-form body expression into an unevaluated graph (2.2)."""
    expr = _deref(expr)
    if expr.tag == _NAT:
        return env[expr.a] if expr.a <= max_ref else expr
    if expr.tag != _APP:
        return expr
    h, xs = _spine(expr)
    if h.tag == _NAT and h.a == 0 and len(xs) == 2:
        return _app(_build(xs[0], env, max_ref), _build(xs[1], env, max_ref))
    if h.tag == _NAT and h.a == 2 and len(xs) == 1:
        return xs[0]
    return expr


@contextmanager
def _recursion_limit(limit: int) -> Iterator[None]:
    """Temporarily allow at least ``limit`` Python frames."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def evaluate(tree: Tree, max_steps: int = 100_000) -> Tree:
    """Evaluate ``tree`` (read as an expression) to normal form.

    Apps apply lazily; a ``Law(n, a, b)`` in the input is built like ``(0 n
    a b)`` and a ``Pin(x)`` like ``(4 x)`` when first forced (so an arity-0
    literal law crashes with op 0 only if it is used). ``max_steps`` bounds
    the number of reductions (saturated calls). The input tree is never
    modified; the result shares no nodes with it.
    """
    machine = _Machine(max_steps)
    try:
        with _recursion_limit(_RECURSION_LIMIT):
            return _to_tree(machine.normalize(_from_tree(tree)))
    except RecursionError as exc:
        raise OracleTooDeep(str(exc)) from None


# --------------------------------------------------------------------------
# Ordering
# --------------------------------------------------------------------------

LT, EQ, GT = 0, 1, 2


def _rank(t: Tree) -> int:
    if isinstance(t, int):
        return 0
    if isinstance(t, Pin):
        return 1
    if isinstance(t, Law):
        return 2
    return 3


def _order(x: int, y: int) -> int:
    return LT if x < y else GT if x > y else EQ


def compare(a: Tree, b: Tree) -> int:
    """The ``_Cmp`` order of two normal-form trees: 0 LT, 1 EQ, 2 GT.

    * Nat < Pin < Law < App; nats compare numerically.
    * Pins compare by their items.
    * Laws compare by name, then arity, then body.
    * Apps are flattened to ``(head a1 ... ak)``. The one with fewer
      arguments is smaller; with equal counts the heads are compared, then
      the arguments left to right (application order).

    The argument count comes first, before the head: the legal ``_Cmp`` in
    ``sire/sire_04_cmp.sire`` compares ``car`` before ``cdr``, and walking
    the cars of the longer closure reaches an app while the shorter one has
    reached its (non-app, hence smaller) head. Its tests say so: ``cmp (2 2)
    (1 1 1)`` is LT. The Haskell ``Ord Fan`` (``Fan/Eval.hs``) does the same
    with ``compare xw yw <> ...`` on ``fanLen``, the argument count.
    """
    todo = [(a, b)]
    while todo:
        x, y = todo.pop()
        if x is y:
            continue
        rx, ry = _rank(x), _rank(y)
        if rx != ry:
            return _order(rx, ry)
        if rx == 0:
            if x != y:
                return _order(x, y)
        elif rx == 1:
            todo.append((x.item, y.item))
        elif rx == 2:
            if x.name != y.name:
                return _order(x.name, y.name)
            if x.arity != y.arity:
                return _order(x.arity, y.arity)
            todo.append((x.body, y.body))
        else:
            hx, ax = spine(x)
            hy, ay = spine(y)
            if len(ax) != len(ay):
                return _order(len(ax), len(ay))
            pairs = [(hx, hy), *zip(ax, ay)]
            todo.extend(reversed(pairs))
    return EQ


# --------------------------------------------------------------------------
# Hashing (section 5.1)
# --------------------------------------------------------------------------


def _u64(n: int) -> bytes:
    return n.to_bytes(8, "little")


def _nat_bytes(n: int) -> bytes:
    """``nat(n)``: u64 limb count, then the 64-bit limbs, low first."""
    limbs = (n.bit_length() + 63) // 64
    return _u64(limbs) + n.to_bytes(8 * limbs, "little")


def _is_zero(t: Tree) -> bool:
    return isinstance(t, int) and t == 0


def _row_items(t: Tree) -> Optional[list[Tree]]:
    """The elements (index order) if ``t`` is a row, else None.

    A row is the law ``{0 1 0}`` (empty) or an app whose flattened head is a
    law ``{0 n+1 0}`` applied to exactly n arguments; element 0 is the last
    argument.
    """
    if isinstance(t, Law):
        return [] if t.name == 0 and t.arity == 1 and _is_zero(t.body) else None
    if isinstance(t, App):
        head, args = spine(t)
        if _cow_size(head) == len(args):
            args.reverse()
            return args
    return None


def _set_keys(t: Tree) -> Optional[list[Tree]]:
    """The keys if ``t`` is a set ``{1 2 row}`` with a strictly ascending row."""
    if not (isinstance(t, Law) and t.name == 1 and t.arity == 2):
        return None
    keys = _row_items(t.body)
    if keys is None:
        return None
    if any(compare(keys[i], keys[i + 1]) != LT for i in range(len(keys) - 1)):
        return None
    return keys


def _tab_parts(t: Tree) -> Optional[tuple[list[Tree], list[Tree]]]:
    """(keys, values) if ``t`` is a tab: a set applied to a row of its length."""
    if not isinstance(t, App) or isinstance(t.fun, App):
        return None
    keys = _set_keys(t.fun)
    if keys is None:
        return None
    vals = _row_items(t.arg)
    if vals is None or len(vals) != len(keys):
        return None
    return keys, vals


def _cow_size(t: Tree) -> Optional[int]:
    """n if ``t`` is the cow ``{0 n+1 0}`` with n >= 1."""
    if isinstance(t, Law) and t.name == 0 and _is_zero(t.body) and t.arity >= 2:
        return t.arity - 1
    return None


def _bar_bytes(t: Tree) -> Optional[bytes]:
    """The bytes if ``t`` is a bar ``{1 1 N}``: N != 0, bit length 8k+1."""
    if not (isinstance(t, Law) and t.name == 1 and t.arity == 1 and isinstance(t.body, int)):
        return None
    n = t.body
    if n == 0 or (n.bit_length() - 1) % 8:
        return None
    size = (n.bit_length() - 1) // 8
    return (n - (1 << (8 * size))).to_bytes(size, "little")


def _pins_postorder(root: Tree) -> list[Pin]:
    """Every pin reachable from ``root``, each after the pins inside it."""
    seen: set[int] = set()
    out: list[Pin] = []
    todo: list[tuple[Tree, bool]] = [(root, False)]
    while todo:
        t, done = todo.pop()
        if done:
            if isinstance(t, Pin):
                out.append(t)
            continue
        if isinstance(t, int) or id(t) in seen:
            continue
        seen.add(id(t))
        todo.append((t, True))
        todo.extend((k, False) for k in _children(t))
    return out


def _feed(root: Tree, pin_hashes: dict[int, bytes], sink) -> None:
    """Feed ``ser(root)`` to ``sink`` (a callable taking bytes).

    Data jets are detected by structure in the order tab, set, row, cow,
    bar, then nat, app, law, pin; sub-pins come from ``pin_hashes``.
    """
    todo: list[object] = [root]
    while todo:
        t = todo.pop()
        if isinstance(t, bytes):
            sink(t)
            continue
        parts: list[object]
        tab = _tab_parts(t)
        if tab is not None:
            keys, vals = tab
            parts = [b"\x08" + _u64(len(keys)), *keys, *vals]
        elif (keys := _set_keys(t)) is not None:
            parts = [b"\x07" + _u64(len(keys)), *keys]
        elif (items := _row_items(t)) is not None:
            parts = [b"\x06" + _u64(len(items)), *items]
        elif (size := _cow_size(t)) is not None:
            parts = [b"\x05" + _nat_bytes(size)]
        elif (data := _bar_bytes(t)) is not None:
            parts = [b"\x04" + _u64(len(data)) + data]
        elif isinstance(t, int):
            parts = [b"\x03" + _nat_bytes(t)]
        elif isinstance(t, App):
            head, args = spine(t)
            parts = [b"\x02" + _u64(len(args)), head, *args]
        elif isinstance(t, Law):
            parts = [b"\x01" + _nat_bytes(t.name) + _nat_bytes(t.arity), t.body]
        else:
            parts = [b"\x00" + pin_hashes[id(t)]]
        todo.extend(reversed(parts))


def _pin_hash_table(root: Tree) -> dict[int, bytes]:
    """Hashes of all pins under ``root`` (by id), innermost first."""
    table: dict[int, bytes] = {}
    for pin in _pins_postorder(root):
        if id(pin) not in table:
            hasher = blake3.blake3()
            _feed(pin.item, table, hasher.update)
            table[id(pin)] = hasher.digest()
    return table


def serialize(tree: Tree) -> bytes:
    """``ser(tree)``: the tagged preorder serialization hashed by BLAKE3."""
    chunks: list[bytes] = []
    _feed(tree, _pin_hash_table(tree), chunks.append)
    return b"".join(chunks)


def plan_hash(tree: Tree) -> bytes:
    """``_PlanHash``: the 32-byte BLAKE3 of ``ser(tree)`` (normal form)."""
    hasher = blake3.blake3()
    _feed(tree, _pin_hash_table(tree), hasher.update)
    return hasher.digest()


def pin_hash(item: Tree) -> bytes:
    """The hash of the pin ``<item>``: BLAKE3 of ``ser(item)``.

    This is the same as ``plan_hash(item)``; it exists to name the intent.
    """
    return plan_hash(item)
