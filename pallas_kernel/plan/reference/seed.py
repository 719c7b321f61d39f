"""The seed format: PLAN values as compact binary trees (pallas-plan.md section 6).

The encoder is byte-identical with the reference encoder (``cbits/seed.c`` as
driven by ``Fan/Seed.hs``); the decoder accepts what the reference writes.

Cell trees
    A value becomes a binary tree whose leaves are nats or *holes*: a nat is a
    leaf, ``Pin(x)`` is ``(4 x)``, ``Law(n, a, b)`` is ``(((0 n) a) b)`` and
    ``App(f, x)`` is ``(f x)``. In a germ, the pin's direct sub-pins are holes.

Layout (every word a little-endian u64, total length a multiple of 8)::

    numHoles numBigs numWords numBytes numFrags     40-byte header
    bigWidth[numBigs]                               limbs of each bignat
    bigData                                         each bignat, low limb first
    words[numWords]                                 256 <= w < 2**64
    bytes[numBytes]                                 0 <= b < 256
    fragment bits, LSB first, from the next byte    then zero padding

    The reference table holds the holes, the atoms (bigs, words, bytes, each
    descending) and then the fragments; the last fragment (or, without
    fragments, the only leaf) is the result. Fragment ``i`` is ``enc(head)
    enc(tail)`` with ``enc(cell) = 1 enc(head) enc(tail)`` and ``enc(leaf) = 0
    index``, the index in ``bit_length(holes + atoms + i - 1)`` bits.

Encoder choices that make the bytes match the C encoder
    * Cells are hash-consed structurally. The C encoder makes a cell a
      fragment when it is the root or when its occurrence count in the fully
      expanded tree exceeds its parent's; since a cell's count is the sum of
      its parents' counts over its parent edges, that is exactly "root, or at
      least two parent edges in the hash-consed DAG", which is what we use
      (no counts to overflow, linear time).
    * Fragments are numbered in the post-order (head before tail) in which
      they are completed.
    * Atoms are sorted descending, except that by default bignats follow the
      C ``cmp_nat`` quirk (section 6.6): by limb count, then top limb, both
      descending, then the lower limbs *ascending*. ``c_quirk=False`` gives
      the strictly descending order of the legal PLAN ``save``.
    * A ``Law`` of arity 0 and negative nats are refused (:class:`SeedError`).
      Trees are read as expressions (see ``tree.py``), so an ``App`` shaped
      ``(4 x)`` or ``(0 n a b)`` loads back as a ``Pin`` or a ``Law``.

Decoder
    Cells are rebuilt into trees: ``(0 n a b)`` with nats ``n`` and ``a``
    becomes ``Law(n, a, b)`` (arity 0 is a :class:`SeedError`), ``(4 x)``
    becomes ``Pin(x)``, extra arguments are applied, and every other cell
    stays an :class:`App`. Nothing is evaluated. Equal subtrees that the seed
    shares are the same Python object. Holes are replaced by the values the
    caller gives, which take part in that rebuilding like any other value.

    Rejected (always as :class:`SeedError`): a size below 40 or not a
    multiple of 8, header counts larger than the data, a bignat width of 0,
    holes in a plain seed or a hole count that differs from the refs given,
    fragments with an empty leaf table, a back-reference out of range, data
    that ends inside a fragment, whole words left over after the data,
    non-zero padding bits, and no fragments with other than one leaf. As in
    the reference decoder, a bignat of width 1 or with a zero top limb is
    accepted and read as the number its limbs spell. The reference decoder
    rejects a few valid seeds whose fragment bits end exactly on a word
    boundary with a one-bit leaf; this decoder accepts them.

Germs and pods (section 6.7, ``Fan/Seed.hs``)
    A germ is the seed of a pin's item with its direct sub-pins (its *refs*)
    as holes; :func:`pin_refs` gives their order: a preorder walk of the item,
    the function of an ``App`` before its argument, a law's body, never inside
    a pin, first occurrences only. (For a row that holds several pins this is
    reverse index order, as in the legal ``pinRefs``; the Haskell ``PinRefs``
    uses index order.)

    A pod is ``b"SEEDPOD:"`` followed by the plain seed of::

        [topHash [[germBody [refIndex ...]] ...]]

    where ``topHash`` is the 32-byte hash of the top pin as a bar, and the
    storage row lists every pin once (deduplicated by hash) in dependency
    post-order, the top pin last: its germ body as a bar and the indices of
    its refs in that row. A bar of bytes ``bs`` is ``Law(1, 1, N)`` with
    ``N`` the little-endian nat of ``bs + b"\\x01"``; a row ``[x0 .. x(n-1)]``
    is ``({0 n+1 0} x(n-1) .. x0)``.

Every walk uses an explicit stack, so values may be millions of levels deep.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Hashable, Sequence

from ...errors import SeedError
from ..tree import App, Law, Pin, Tree, row, spine

__all__ = [
    "SeedError",
    "save_seed",
    "load_seed",
    "pin_refs",
    "save_germ",
    "load_germ",
    "save_pod",
    "load_pod",
    "seed_header",
    "POD_MAGIC",
]

POD_MAGIC = b"SEEDPOD:"
_HEADER = struct.Struct("<5Q")
_WORD = 1 << 64

# Markers in the ``heads`` array of the cell builder for the two kinds of leaf.
_NAT_LEAF = -1
_HOLE_LEAF = -2

# The bit writer hands whole bytes to the output once this many bits pile up.
_FLUSH_BITS = 1024

# Marks, on the build stack, that the object below it has its children done.
_FINISH = object()


# SeedError (a PallasError and a ValueError, from errors.py) is raised when a
# value cannot be saved, or bytes are not a valid seed, germ or pod.


# --------------------------------------------------------------------------
# Encoding: PLAN tree -> hash-consed cells


class _Cells:
    """A hash-consed cell DAG, built from a PLAN tree without recursion.

    Node ``i`` is a cell when ``heads[i] >= 0`` (``heads[i]``/``tails[i]`` are
    its children), a nat leaf when ``heads[i] == _NAT_LEAF`` (``tails[i]`` is
    the nat) and a hole when ``heads[i] == _HOLE_LEAF`` (``tails[i]`` is the
    hole's index). ``parents[i]`` counts the parent edges of node ``i``.
    """

    def __init__(self) -> None:
        self.heads: list[int] = []
        self.tails: list[int] = []
        self.parents: list[int] = []
        self.pairs: dict[tuple[int, int], int] = {}
        self.nats: dict[int, int] = {}
        self.holes: dict[int, int] = {}

    def nat(self, n: int) -> int:
        """The leaf node of nat ``n``."""
        node = self.nats.get(n)
        if node is None:
            if n < 0:
                raise SeedError(f"cannot save a negative number: {n}")
            node = self._add(_NAT_LEAF, int(n))
            self.nats[n] = node
        return node

    def hole(self, i: int) -> int:
        """The leaf node of hole ``i``."""
        node = self.holes.get(i)
        if node is None:
            node = self._add(_HOLE_LEAF, i)
            self.holes[i] = node
        return node

    def cons(self, head: int, tail: int) -> int:
        """The cell ``(head tail)``, shared with an equal earlier cell."""
        key = (head, tail)
        node = self.pairs.get(key)
        if node is None:
            node = self._add(head, tail)
            self.parents[head] += 1
            self.parents[tail] += 1
            self.pairs[key] = node
        return node

    def _add(self, head: int, tail: int) -> int:
        node = len(self.heads)
        self.heads.append(head)
        self.tails.append(tail)
        self.parents.append(0)
        return node

    def build(self, root: Tree, holes: dict[Pin, int] | None) -> int:
        """The node of ``root``; ``holes`` maps each sub-pin object to its hole (germ mode).

        A post-order walk that visits each Python object once (the memo is
        keyed by the nodes, which hash by identity); structurally equal but
        distinct objects merge in the cons table. The cons of an App, the
        hot path, is inlined.
        """
        heads, tails, parents, pairs = self.heads, self.tails, self.parents, self.pairs
        nats = self.nats
        memo: dict[Tree, int] = {}
        finish = _FINISH

        def node_of(t: Tree) -> int:
            if isinstance(t, int):
                return self.nat(t)
            if holes is not None and type(t) is Pin:
                return self.hole(holes[t])
            return memo[t]

        stack: list = [root]
        while stack:
            t = stack.pop()
            if t is finish:
                t = stack.pop()
                kind = type(t)
                if kind is App:
                    f = t.fun
                    x = t.arg
                    h = nats.get(f) if type(f) is int else memo.get(f)
                    if h is None:
                        h = node_of(f)
                    a = nats.get(x) if type(x) is int else memo.get(x)
                    if a is None:
                        a = node_of(x)
                    key = (h, a)
                    node = pairs.get(key)
                    if node is None:
                        node = pairs[key] = len(heads)
                        heads.append(h)
                        tails.append(a)
                        parents.append(0)
                        parents[h] += 1
                        parents[a] += 1
                    memo[t] = node
                elif kind is Law:
                    memo[t] = self._law(t, node_of(t.body))
                else:
                    memo[t] = self.cons(self.nat(4), node_of(t.item))
                continue
            kind = type(t)
            if kind is App:
                if t not in memo:
                    stack.append(t)
                    stack.append(finish)
                    x = t.arg
                    if type(x) is not int:
                        stack.append(x)
                    f = t.fun
                    if type(f) is not int:
                        stack.append(f)
            elif kind is Law:
                if t not in memo:
                    stack.append(t)
                    stack.append(finish)
                    stack.append(t.body)
            elif kind is Pin:
                if holes is None and t not in memo:
                    stack.append(t)
                    stack.append(finish)
                    stack.append(t.item)
            elif not isinstance(t, int):
                raise TypeError(f"not a PLAN tree node: {type(t).__name__}")
        return node_of(root)

    def _law(self, law: Law, body: int) -> int:
        """``(((0 name) arity) body)``."""
        if not (isinstance(law.name, int) and isinstance(law.arity, int)):
            raise TypeError("law name and arity must be ints")
        if law.arity == 0:
            raise SeedError(f"cannot save a law of arity 0 (name {law.name})")
        name = self.cons(self.nat(0), self.nat(law.name))
        return self.cons(self.cons(name, self.nat(law.arity)), body)


def _shatter(cells: _Cells, root: int, ref_index: list[int], base: int) -> list[int]:
    """The fragment cells in completion order; sets their ``ref_index``.

    A cell is a fragment when it is the root or has two or more parent edges
    (see the module docstring). The walk is depth first, head before tail;
    a finished fragment is a back-reference and is not entered again.
    """
    heads, tails, parents = cells.heads, cells.tails, cells.parents
    frags: list[int] = []
    if heads[root] < 0:
        return frags
    stack = [root]
    while stack:
        c = stack.pop()
        if c >= 0:
            if heads[c] >= 0 and ref_index[c] < 0:
                stack.append(~c)
                stack.append(tails[c])
                stack.append(heads[c])
        else:
            c = ~c
            if c == root or parents[c] >= 2:
                ref_index[c] = base + len(frags)
                frags.append(c)
    return frags


def _atom_order(nats: Sequence[int], c_quirk: bool) -> tuple[list[int], list[int], list[int]]:
    """The distinct nats split into (bigs, words, bytes), each in file order."""
    bigs = [n for n in nats if n >= _WORD]
    words = sorted((n for n in nats if 256 <= n < _WORD), reverse=True)
    small = sorted((n for n in nats if n < 256), reverse=True)
    if c_quirk:
        bigs.sort(key=_c_bignat_key)
    else:
        bigs.sort(reverse=True)
    return bigs, words, small


def _c_bignat_key(n: int) -> tuple[int, int, int]:
    """``cmp_nat`` of ``seed.c``: limbs and top limb descending, lower limbs ascending."""
    low_bits = 64 * ((n.bit_length() - 1) // 64)
    return (-low_bits, -(n >> low_bits), n & ((1 << low_bits) - 1))


def _emit_fragments(cells: _Cells, frags: list[int], ref_index: list[int], base: int) -> bytes:
    """The fragment bit stream, LSB first, padded with zeros to whole bytes.

    Each subtree is written as a run of ones (its head spine), the head
    leaf's ``0 index`` and then its arguments, innermost first.
    """
    heads, tails = cells.heads, cells.tails
    out = bytearray()
    acc = 0
    fil = 0
    for i, frag in enumerate(frags):
        refbits = (base + i - 1).bit_length()
        stack = [tails[frag], heads[frag]]
        while stack:
            s = stack.pop()
            k = 0
            r = ref_index[s]
            while r < 0:
                stack.append(tails[s])
                s = heads[s]
                k += 1
                r = ref_index[s]
            acc |= (((1 << k) - 1) | (r << (k + 1))) << fil
            fil += k + 1 + refbits
            if fil >= _FLUSH_BITS:
                nbits = fil & ~7
                out += (acc & ((1 << nbits) - 1)).to_bytes(nbits >> 3, "little")
                acc >>= nbits
                fil -= nbits
    out += acc.to_bytes((fil + 7) >> 3, "little")
    return bytes(out)


def _encode(root: Tree, holes: dict[Pin, int] | None, num_holes: int, c_quirk: bool) -> bytes:
    """The seed bytes of ``root``; in germ mode ``holes`` maps sub-pins to holes."""
    cells = _Cells()
    for i in range(num_holes):
        cells.hole(i)
    top = cells.build(root, holes)

    bigs, words, small = _atom_order(list(cells.nats), c_quirk)
    ref_index = [-1] * len(cells.heads)
    for i, node in cells.holes.items():
        ref_index[node] = i
    for rank, n in enumerate(bigs + words + small):
        ref_index[cells.nats[n]] = num_holes + rank
    base = num_holes + len(cells.nats)
    frags = _shatter(cells, top, ref_index, base)
    if not frags and base != 1:
        # Only a lone leaf can stand without fragments (plain nat, or germ <<p>>).
        raise SeedError("a leaf result needs a table of exactly one leaf")

    widths = [(n.bit_length() + 63) // 64 for n in bigs]
    out = bytearray(_HEADER.pack(num_holes, len(bigs), len(words), len(small), len(frags)))
    out += struct.pack(f"<{len(widths)}Q", *widths)
    for n, w in zip(bigs, widths):
        out += n.to_bytes(8 * w, "little")
    out += struct.pack(f"<{len(words)}Q", *words)
    out += bytes(small)
    out += _emit_fragments(cells, frags, ref_index, base)
    out += bytes(-len(out) % 8)
    return bytes(out)


# --------------------------------------------------------------------------
# Decoding: bytes -> PLAN tree


def seed_header(data: bytes) -> tuple[int, int, int, int, int]:
    """``(numHoles, numBigs, numWords, numBytes, numFrags)`` of a seed."""
    if len(data) < _HEADER.size:
        raise SeedError(f"seed of {len(data)} bytes is shorter than the 40-byte header")
    return _HEADER.unpack_from(data, 0)


def _read_atoms(data: bytes, header: tuple[int, ...]) -> tuple[list[int], int]:
    """The atoms in table order and the byte offset just after them.

    Every count is checked against the remaining data before anything of
    that size is allocated.
    """
    _, num_bigs, num_words, num_bytes, _ = header
    size = len(data)
    pos = _HEADER.size
    if num_bigs > (size - pos) // 8:
        raise SeedError(f"header: {num_bigs} bignat widths do not fit in {size} bytes")
    widths = struct.unpack_from(f"<{num_bigs}Q", data, pos)
    pos += 8 * num_bigs
    atoms: list[int] = []
    for i, w in enumerate(widths):
        if w == 0:
            raise SeedError(f"bignat {i} has width 0 (byte {_HEADER.size + 8 * i})")
        if w > (size - pos) // 8:
            raise SeedError(f"bignat {i} of {w} words runs past the end (byte {pos})")
        atoms.append(int.from_bytes(data[pos : pos + 8 * w], "little"))
        pos += 8 * w
    if num_words > (size - pos) // 8:
        raise SeedError(f"header: {num_words} words do not fit after byte {pos}")
    atoms.extend(struct.unpack_from(f"<{num_words}Q", data, pos))
    pos += 8 * num_words
    if num_bytes > size - pos:
        raise SeedError(f"header: {num_bytes} bytes do not fit after byte {pos}")
    atoms.extend(data[pos : pos + num_bytes])
    pos += num_bytes
    return atoms, pos


def _apply(head: Tree, arg: Tree) -> Tree:
    """The tree of the cell ``(head arg)``: a Law, a Pin or an App."""
    if type(head) is App:
        f = head.fun
        if type(f) is App and type(f.fun) is int and f.fun == 0:
            name, arity = f.arg, head.arg
            if type(name) is int and type(arity) is int:
                if arity == 0:
                    raise SeedError(f"law literal of arity 0 (name {name})")
                return Law(name, arity, arg)
    elif type(head) is int and head == 4:
        return Pin(arg)
    return App(head, arg)


def _read_fragments(data: bytes, pos: int, table: list[Tree], num_frags: int) -> int:
    """Read ``num_frags`` fragments from bit ``pos``, appending each to ``table``.

    Returns the bit offset after the last fragment. Bits are read through a
    128-bit window; data past the end reads as zeros, and any read that ends
    past the end is reported as truncation.
    """
    from_bytes = int.from_bytes
    end = len(data) * 8
    num_leaves = len(table)
    for i in range(num_frags):
        max_ref = num_leaves + i - 1
        refbits = max_ref.bit_length()
        mask = (1 << refbits) - 1
        values: list[Tree] = []
        missing: list[int] = []
        k = 1  # the fragment's own outer 1-bit is implicit
        while True:
            # A run of ones, the leaf's 0 tag and its index.
            while True:
                at = pos >> 3
                shift = pos & 7
                window = from_bytes(data[at : at + 16], "little") >> shift
                ones = (window ^ (window + 1)).bit_length() - 1
                if ones < 128 - shift:
                    break
                k += ones
                pos += ones
            k += ones
            pos += ones + 1
            if ones + 1 + refbits <= 128 - shift:
                index = (window >> (ones + 1)) & mask
            else:
                at = pos >> 3
                nbytes = ((pos & 7) + refbits + 7) >> 3
                index = (from_bytes(data[at : at + nbytes], "little") >> (pos & 7)) & mask
            pos += refbits
            if pos > end:
                raise SeedError(f"truncated: fragment {i} runs past the end of the data")
            if index > max_ref:
                raise SeedError(
                    f"fragment {i}: back-reference {index} > {max_ref} "
                    f"(byte {(pos - refbits) >> 3})"
                )
            value = table[index]
            if k:
                values.append(value)
                missing.append(k)
                k = 0
                continue
            # ``value`` is complete: apply the waiting heads to it.
            while values:
                value = _apply(values[-1], value)
                left = missing[-1] - 1
                if left:
                    values[-1] = value
                    missing[-1] = left
                    break
                values.pop()
                missing.pop()
            else:
                table.append(value)
                break
    return pos


def _check_end(data: bytes, pos: int) -> None:
    """The data must end in the word holding bit ``pos``, with zero bits after it."""
    want = -(-pos // 64) * 8
    if len(data) > want:
        raise SeedError(f"{(len(data) - want) // 8} words left over after byte {want}")
    if int.from_bytes(data[pos >> 3 :], "little") >> (pos & 7):
        raise SeedError(f"non-zero padding bits after bit {pos} (byte {pos >> 3})")


def _decode(data: bytes, holes: Sequence[Tree] | None) -> Tree:
    """The tree of a seed; ``holes`` (None for a plain seed) fill the holes."""
    data = bytes(data)
    if len(data) < _HEADER.size:
        raise SeedError(f"seed of {len(data)} bytes is shorter than the 40-byte header")
    if len(data) % 8:
        raise SeedError(f"seed size {len(data)} is not a multiple of 8")
    header = _HEADER.unpack_from(data, 0)
    num_holes, num_frags = header[0], header[4]
    given = 0 if holes is None else len(holes)
    if num_holes != given:
        if holes is None:
            raise SeedError(f"seed has {num_holes} holes; load it with load_germ")
        raise SeedError(f"germ has {num_holes} holes but {given} refs were given")
    atoms, pos = _read_atoms(data, header)
    table: list[Tree] = list(holes or ()) + atoms
    bit = pos * 8
    if num_frags == 0:
        if len(table) != 1:
            raise SeedError(f"no fragments but {len(table)} leaves")
        _check_end(data, bit)
        return table[0]
    if not table:
        raise SeedError("fragments without any leaf to refer to")
    if num_frags > (len(data) * 8 - bit) // 2:
        raise SeedError(f"header: {num_frags} fragments do not fit after byte {pos}")
    bit = _read_fragments(data, bit, table, num_frags)
    _check_end(data, bit)
    return table[-1]


# --------------------------------------------------------------------------
# Public API: seeds and germs


def save_seed(tree: Tree, *, c_quirk: bool = True) -> bytes:
    """The seed of ``tree`` (no holes), byte-identical with the C encoder.

    ``c_quirk=False`` sorts bignats strictly descending (legal PLAN ``save``).
    Raises :class:`SeedError` for a negative nat or a law of arity 0.
    """
    return _encode(tree, None, 0, c_quirk)


def load_seed(data: bytes) -> Tree:
    """The tree of a seed without holes; :class:`SeedError` if it is invalid."""
    return _decode(data, None)


def _collect_refs(pin: Pin, pin_key: Callable[[Pin], Hashable]) -> tuple[list[Pin], dict[Pin, int]]:
    """The pin's refs, and a map from every direct sub-pin object to its hole."""
    refs: list[Pin] = []
    index: dict[Hashable, int] = {}
    holes: dict[Pin, int] = {}
    seen: set[Tree] = set()
    stack: list[Tree] = [pin.item]
    while stack:
        t = stack.pop()
        kind = type(t)
        if kind is Pin:
            if t not in holes:
                key = pin_key(t)
                hole = index.get(key)
                if hole is None:
                    hole = index[key] = len(refs)
                    refs.append(t)
                holes[t] = hole
        elif (kind is App or kind is Law) and t not in seen:
            seen.add(t)
            if kind is App:
                stack.append(t.arg)
                stack.append(t.fun)
            else:
                stack.append(t.body)
    return refs, holes


def pin_refs(pin: Pin, pin_key: Callable[[Pin], Hashable] = id) -> list[Pin]:
    """The pin's direct sub-pins, first-seen order, deduplicated by ``pin_key``.

    Preorder over the item: an App's function before its argument, a law's
    body; referenced pins are not entered.
    """
    return _collect_refs(pin, pin_key)[0]


def save_germ(
    pin: Pin, pin_key: Callable[[Pin], Hashable] = id, *, c_quirk: bool = True
) -> tuple[list[Pin], bytes]:
    """``(refs, body)``: the pin's refs and the seed of its item with them as holes.

    ``pin_key`` identifies pins (e.g. by hash); sub-pins with equal keys
    share one hole. The default, ``id``, treats distinct objects as distinct.
    """
    refs, holes = _collect_refs(pin, pin_key)
    return refs, _encode(pin.item, holes, len(refs), c_quirk)


def load_germ(refs: Sequence[Tree], data: bytes) -> Tree:
    """The pin item stored in a germ body, its holes filled with ``refs`` in order."""
    return _decode(data, list(refs))


# --------------------------------------------------------------------------
# Pods


def _bar(data: bytes) -> Law:
    """The bar of ``data``: ``{1 1 N}``, N the LE nat of ``data ++ [1]``."""
    return Law(1, 1, int.from_bytes(bytes(data) + b"\x01", "little"))


def _bar_bytes(t: Tree) -> bytes | None:
    """The bytes of a bar, or None if ``t`` is not one."""
    if type(t) is not Law or t.name != 1 or t.arity != 1:
        return None
    n = t.body
    if type(n) is not int or n <= 0:
        return None
    size = (n.bit_length() - 1) // 8
    if n >> (8 * size) != 1:
        return None
    return (n ^ (1 << (8 * size))).to_bytes(size, "little")


def _row_items(t: Tree) -> list[Tree] | None:
    """The items of a row ``({0 n+1 0} x(n-1) .. x0)``, or None if ``t`` is not one."""
    head, args = spine(t)
    if type(head) is not Law or head.name != 0 or head.body != 0 or head.arity != len(args) + 1:
        return None
    args.reverse()
    return args


def _pin_hasher(pin_hash: Callable[[Pin], bytes]) -> Callable[[Pin], bytes]:
    """``pin_hash`` called once per pin object and checked to give 32 bytes."""
    cache: dict[Pin, bytes] = {}

    def hash_of(p: Pin) -> bytes:
        h = cache.get(p)
        if h is None:
            h = bytes(pin_hash(p))
            if len(h) != 32:
                raise SeedError(f"pin hash must be 32 bytes, got {len(h)}")
            cache[p] = h
        return h

    return hash_of


def save_pod(pin: Pin, pin_hash: Callable[[Pin], bytes], *, c_quirk: bool = True) -> bytes:
    """The pod of ``pin``: every reachable pin once, as germs, top pin last.

    ``pin_hash`` maps a pin to its 32-byte hash (BLAKE3, supplied by the
    caller); it identifies pins and is called once per pin object.
    """
    hash_of = _pin_hasher(pin_hash)
    index: dict[bytes, int] = {}
    entries: list[Tree] = []
    stack: list[tuple[Pin, tuple[list[Pin], dict[Pin, int]] | None]] = [(pin, None)]
    while stack:
        p, refs = stack.pop()
        h = hash_of(p)
        if h in index:
            continue
        if refs is None:
            refs = _collect_refs(p, hash_of)
            stack.append((p, refs))
            stack.extend((r, None) for r in reversed(refs[0]))
            continue
        body = _encode(p.item, refs[1], len(refs[0]), c_quirk)
        ids = [index[hash_of(r)] for r in refs[0]]
        index[h] = len(entries)
        entries.append(row(_bar(body), row(*ids)))
    return POD_MAGIC + save_seed(row(_bar(hash_of(pin)), row(*entries)), c_quirk=c_quirk)


def _parse_pod(tree: Tree) -> tuple[bytes, list[bytes], list[list[int]]]:
    """The top hash, germ bodies and ref indices of a decoded pod value."""
    top = _row_items(tree)
    if top is None or len(top) != 2:
        raise SeedError("pod: not a row [topHash storage]")
    top_hash = _bar_bytes(top[0])
    if top_hash is None or len(top_hash) != 32:
        raise SeedError("pod: top hash is not a 32-byte bar")
    storage = _row_items(top[1])
    if storage is None:
        raise SeedError("pod: pin storage is not a row")
    if not storage:
        raise SeedError("pod: no pins")
    bodies: list[bytes] = []
    refs: list[list[int]] = []
    for i, entry in enumerate(storage):
        pair = _row_items(entry)
        body = _bar_bytes(pair[0]) if pair is not None and len(pair) == 2 else None
        ids = _row_items(pair[1]) if body is not None else None
        if ids is None or not all(type(r) is int and r < len(storage) for r in ids):
            raise SeedError(f"pod: entry {i} is not [bodyBar [refIndex ...]]")
        bodies.append(body)
        refs.append(ids)
    return top_hash, bodies, refs


def load_pod(data: bytes, pin_hash: Callable[[Pin], bytes] | None = None) -> Pin:
    """The top pin of a pod, rebuilt from its germs (last entry is the top).

    Only pins reachable from the top are built; a cycle in the ref indices is
    a :class:`SeedError`. With ``pin_hash``, the top pin's hash must equal
    the stored top hash.
    """
    data = bytes(data)
    if data[:8] != POD_MAGIC:
        raise SeedError("pod: missing SEEDPOD: magic")
    top_hash, bodies, refs = _parse_pod(load_seed(data[8:]))
    count = len(bodies)
    pins: list[Pin | None] = [None] * count
    state = bytearray(count)  # 0 new, 1 in progress, 2 built
    stack = [count - 1]
    while stack:
        i = stack[-1]
        if state[i] == 2:
            stack.pop()
            continue
        missing = [r for r in refs[i] if state[r] != 2]
        if not missing:
            item = load_germ([pins[r] for r in refs[i]], bodies[i])
            pins[i] = Pin(item)
            state[i] = 2
            stack.pop()
            continue
        if state[i] == 1 or any(state[r] == 1 for r in missing) or i in missing:
            raise SeedError(f"pod: cycle through entry {i}")
        state[i] = 1
        stack.extend(missing)
    result = pins[count - 1]
    assert result is not None
    if pin_hash is not None and bytes(pin_hash(result)) != top_hash:
        raise SeedError("pod: top pin does not match the stored hash")
    return result
