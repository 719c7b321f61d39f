"""Tests of the seed codec (pallas_kernel.seed) against the reference files and itself.

The reference facts come from pallas-plan.md: the header table of 6.8, the
contents of the files, the bytes of the 6.3 example and the pin hashes of
5.2 (checked with a small BLAKE3 hasher of section 5.1 defined here).
"""

from __future__ import annotations

import struct

import pytest
from blake3 import blake3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pallas_kernel.plan import base58
from pallas_kernel.plan.reference import seed as seed_module
from pallas_kernel.plan.reference.seed import (
    SeedError,
    load_germ,
    load_pod,
    load_seed,
    pin_refs,
    save_germ,
    save_pod,
    save_seed,
    seed_header,
)
from pallas_kernel.plan.tree import App, Law, Pin, Tree, apps, equal, nat_text, row, spine, text_nat
from helpers import DATA

SEEDS = DATA / "seeds"
FILES = sorted(SEEDS.glob("*.seed"))

# pallas-plan.md 6.8: (holes, bigs, words, bytes, frags) and file size.
HEADERS = {
    "toNat.seed": ((0, 0, 1, 5, 1), 64),
    "isNat.seed": ((0, 0, 1, 5, 4), 72),
    "mul.seed": ((0, 0, 4, 5, 3), 120),
    "cmp.seed": ((0, 0, 22, 5, 34), 576),
    "silly.seed": ((0, 2, 1, 5, 1), 120),
}

# pallas-plan.md 5.2: base58 hashes of the files' top pins.
HASHES = {
    "toNat.seed": "HedgTAZEjCCShX97HZNsm4gGGWyxhRf9jepYzrtMR6RW",
    "isNat.seed": "UUg4gA355ySzHkLR9uyNbH667o6b4NkAv4rQ3pwJYqj",
    "mul.seed": "8YwEx9nXr46SsZokBzNtaaUVqYCszr5ir7FEmy6hEcv4",
    "cmp.seed": "J7qmkTg7sk7mRc5HPPdrnQoAfJbpRk671SQ2zGpx3pNY",
    "silly.seed": "4gxJKs53N7p5ht2tBna1iLKCKuuvSow6RhwLJcpYPBYj",
}


def read(name: str) -> bytes:
    return (SEEDS / name).read_bytes()


# --------------------------------------------------------------------------
# Helpers: a small pin hasher (5.1, no sets or tabs) and tree utilities


def _u64(n: int) -> bytes:
    return struct.pack("<Q", n)


def _nat(n: int) -> bytes:
    limbs = (n.bit_length() + 63) // 64
    return _u64(limbs) + n.to_bytes(8 * limbs, "little")


def _ser(t: Tree) -> bytes:
    """``ser`` of pallas-plan.md 5.1 for nats, pins, laws, closures, rows, cows, bars."""
    if isinstance(t, int):
        return b"\x03" + _nat(t)
    if isinstance(t, Pin):
        return b"\x00" + plan_hash(t.item)
    head, args = spine(t)
    if isinstance(head, Law) and head.name == 0 and head.body == 0 and head.arity == len(args) + 1:
        return b"\x06" + _u64(len(args)) + b"".join(_ser(x) for x in reversed(args))
    if isinstance(t, Law):
        if t.name == 0 and t.body == 0 and t.arity >= 2:
            return b"\x05" + _nat(t.arity - 1)
        size = (t.body.bit_length() - 1) // 8 if isinstance(t.body, int) else -1
        if t.name == 1 and t.arity == 1 and size >= 0 and t.body >> (8 * size) == 1:
            return b"\x04" + _u64(size) + t.body.to_bytes(size + 1, "little")[:size]
        return b"\x01" + _nat(t.name) + _nat(t.arity) + _ser(t.body)
    return b"\x02" + _u64(len(args)) + _ser(head) + b"".join(_ser(x) for x in args)


def plan_hash(t: Tree) -> bytes:
    return blake3(_ser(t)).digest()


def pin_hash(p: Pin) -> bytes:
    return plan_hash(p.item)


def copy_tree(t: Tree) -> Tree:
    """A structurally equal tree made of new objects (iterative).

    Sharing inside ``t`` is kept (each object is copied once), so DAGs stay
    small, but no object of the copy is an object of ``t``.
    """
    done: dict[Tree, Tree] = {}

    def get(x: Tree) -> Tree:
        return x if isinstance(x, int) else done[x]

    stack: list = [t]
    while stack:
        node = stack[-1]
        if isinstance(node, int) or node in done:
            stack.pop()
            continue
        if isinstance(node, Pin):
            kids = [node.item]
        else:
            kids = [node.body] if isinstance(node, Law) else [node.fun, node.arg]
        todo = [k for k in kids if not isinstance(k, int) and k not in done]
        if todo:
            stack.extend(todo)
            continue
        stack.pop()
        if isinstance(node, Pin):
            done[node] = Pin(get(node.item))
        elif isinstance(node, Law):
            done[node] = Law(node.name, node.arity, get(node.body))
        else:
            done[node] = App(get(node.fun), get(node.arg))
    return get(t)


def merkle_hasher(top: Pin):
    """A cheap structural 32-byte pin hash: BLAKE3 of a pin's germ and its refs' hashes.

    Computed bottom-up for every pin object reachable from ``top``, so it is
    linear even for deep pin chains (unlike the real hash of 5.1, whose input
    grows with the expanded tree). Returns the lookup function.
    """
    hashes: dict[Pin, bytes] = {}
    stack: list = [(top, False)]
    while stack:
        p, ready = stack.pop()
        if p in hashes:
            continue
        if not ready:
            stack.append((p, True))
            stack.extend((r, False) for r in pin_refs(p) if r not in hashes)
            continue
        refs, body = save_germ(p, hashes.__getitem__)
        hashes[p] = blake3(body + b"".join(hashes[r] for r in refs)).digest()
    return hashes.__getitem__


def law_names(t: Tree) -> set[str]:
    """Names of all laws in ``t``, looking inside pins."""
    names = set()
    stack = [t]
    while stack:
        x = stack.pop()
        if isinstance(x, Pin):
            stack.append(x.item)
        elif isinstance(x, Law):
            names.add(nat_text(x.name))
            stack.append(x.body)
        elif isinstance(x, App):
            stack += [x.fun, x.arg]
    return names


def law(name: str, arity: int, body: Tree) -> Law:
    return Law(text_nat(name), arity, body)


def loads_or_rejects(data: bytes) -> None:
    """The decoder must either succeed or raise SeedError, nothing else."""
    try:
        load_seed(data)
    except SeedError:
        pass


# --------------------------------------------------------------------------
# The reference files


def test_all_files_present():
    assert sorted(f.name for f in FILES) == sorted(HEADERS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_roundtrip_byte_identical(path):
    data = path.read_bytes()
    tree = load_seed(data)
    assert save_seed(tree) == data
    assert save_seed(copy_tree(tree)) == data


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_header_and_hash(path):
    data = path.read_bytes()
    header, size = HEADERS[path.name]
    assert len(data) == size
    assert seed_header(data) == header
    top = load_seed(data)
    assert isinstance(top, Pin)
    assert base58.encode(pin_hash(top)) == HASHES[path.name]


def test_to_nat_contents():
    expect = Pin(law("_ToNat", 1, apps(0, apps(2, 0, 3), 1)))
    assert equal(load_seed(read("toNat.seed")), expect)


def test_is_nat_contents():
    cases = apps(
        1,
        Law(0, 1, apps(2, 0)),
        Law(0, 3, apps(2, 0)),
        Law(0, 2, apps(2, 0)),
        Law(0, 1, apps(2, 1)),
    )
    expect = Pin(law("_IsNat", 1, apps(0, cases, 1)))
    assert equal(load_seed(read("isNat.seed")), expect)


def test_silly_contents():
    big = 3247812347124781239471243
    inner = apps(0, 1, apps(0, apps(0, apps(0, apps(2, 0), 2), 3), big))
    expect = Pin(law("foo", 1, apps(0, law("bigSillyNamedLaw", 3, inner), 1)))
    assert equal(load_seed(read("silly.seed")), expect)


def test_mul_structure():
    top = load_seed(read("mul.seed"))
    assert isinstance(top, Pin) and isinstance(top.item, Law)
    assert nat_text(top.item.name) == "_Mul" and top.item.arity == 2
    refs = pin_refs(top, pin_hash)
    assert [nat_text(p.item.name) for p in refs] == ["_Exec", "_Add"]
    assert law_names(top) == {"_Mul", "_Exec", "_Add", "_ToNat"}
    # _Exec is today's _Times (5.2) under its old name.
    exec_law = refs[0].item
    times = Pin(law("_Times", exec_law.arity, exec_law.body))
    assert base58.encode(pin_hash(times)) == "FWYFvK5cNTUB1PAsYNvgzidAFxSMDTrqch7UsJjpJbvJ"


def test_cmp_structure():
    top = load_seed(read("cmp.seed"))
    assert isinstance(top, Pin) and isinstance(top.item, Law)
    assert nat_text(top.item.name) == "_Cmp" and top.item.arity == 2
    names = law_names(top)
    for name in ("_If", "_IsNat", "natCmp", "_Sub", "_Exec", "_Car", "_Cdr", "_Dec", "_Not"):
        assert name in names
    by_name = {}
    stack = [top]
    while stack:
        x = stack.pop()
        if isinstance(x, Pin):
            if isinstance(x.item, Law):
                by_name[nat_text(x.item.name)] = x
            stack.append(x.item)
        elif isinstance(x, Law):
            stack.append(x.body)
        elif isinstance(x, App):
            stack += [x.fun, x.arg]
    assert base58.encode(pin_hash(by_name["_If"])) == "CGWi51frV26N7KUBbso2WzBad8W2mbix6HaejVem5YaZ"
    assert base58.encode(pin_hash(by_name["_IsNat"])) == HASHES["isNat.seed"]


def test_example_6_3_bytes():
    one = App(0, 1)
    data = save_seed(App(one, one))
    assert data == _u64(0) * 3 + _u64(2) + _u64(2) + bytes([1, 0, 0x42, 0x02]) + bytes(4)
    assert equal(load_seed(data), App(App(0, 1), App(0, 1)))


def test_single_nat_seeds():
    for n in (0, 5, 255, 256, 2**64 - 1, 2**64, 2**300 + 7):
        data = save_seed(n)
        assert seed_header(data)[4] == 0
        assert load_seed(data) == n


def test_known_hash_base58():
    add = bytes.fromhex("060eb5e38be102311584a13cff1b6cef4a6b2dcd2cc7bf2396e3748b90cf4e42")
    assert base58.encode(add) == "QeTTm1EFP1r7mkXJQVnBYUW2QeKUvjNfYA5PiGzFRVj"
    assert base58.decode("QeTTm1EFP1r7mkXJQVnBYUW2QeKUvjNfYA5PiGzFRVj") == add
    for raw in (b"", b"\0", b"\0\0\x01", bytes(range(40))):
        assert base58.decode(base58.encode(raw)) == raw
    assert base58.encode(b"\0\0\x01") == "112"
    with pytest.raises(ValueError):
        base58.decode("0OIl")


# --------------------------------------------------------------------------
# Encoder details


def test_bignat_sort_quirk():
    # Same width (2 limbs) and same top limb: C order is ascending lower limbs.
    top = 7 << 64
    a, b = top + 1, top + 2
    tree = App(App(9, a), b)
    quirk = save_seed(tree)
    legal = save_seed(tree, c_quirk=False)
    assert quirk != legal
    assert struct.unpack_from("<Q", quirk, 56)[0] == 1  # first bignat's low limb
    assert struct.unpack_from("<Q", legal, 56)[0] == 2
    assert equal(load_seed(quirk), tree) and equal(load_seed(legal), tree)


def test_sharing_does_not_change_bytes():
    x = App(App(1, 2), 3)
    shared = App(App(x, x), App(x, 5))
    assert save_seed(shared) == save_seed(copy_tree(shared))
    # (x x) shares x: x is a fragment, and so is the root.
    assert seed_header(save_seed(shared))[4] >= 2


def test_fragment_bits_ending_on_a_word_boundary():
    # One word atom, a left chain of 33 leaves: one fragment of exactly 64 bits
    # (0-bit indices). The C decoder rejects this; the format allows it.
    w = 1000
    t: Tree = w
    for _ in range(32):
        t = App(t, w)
    data = save_seed(t)
    assert seed_header(data) == (0, 0, 1, 0, 1) and len(data) == 56
    assert data[48:] == bytes([0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0])  # 31 ones, 33 zeros
    assert equal(load_seed(data), t)


def test_reinterpreted_shapes():
    # Trees read as expressions: (4 x) is a pin, (0 n a b) a law, extra args applied.
    assert equal(load_seed(save_seed(App(4, 9))), Pin(9))
    assert equal(load_seed(save_seed(apps(0, 5, 2, 7, 8))), App(Law(5, 2, 7), 8))
    assert equal(load_seed(save_seed(apps(0, App(1, 1), 2, 7))), apps(0, App(1, 1), 2, 7))
    with pytest.raises(SeedError, match="arity 0"):
        load_seed(save_seed(apps(0, 5, 0, 7)))


def test_save_rejects_bad_values():
    with pytest.raises(SeedError):
        save_seed(-1)
    with pytest.raises(SeedError):
        save_seed(Law(1, 0, 0))
    with pytest.raises(TypeError):
        save_seed(App(1, "x"))  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Random trees (hypothesis)

NATS = st.one_of(
    st.integers(0, 6),
    st.integers(0, 300),
    st.integers(0, 2**64 + 3),
    st.integers(0, 2**200),
    st.builds(lambda lo: (5 << 128) + lo, st.integers(0, 2**128 - 1)),  # quirk ties
)


def _reinterpreted(f: Tree) -> bool:
    """Would ``App(f, x)`` load back as something other than an App?"""
    if isinstance(f, int):
        return f == 4
    if isinstance(f, App) and isinstance(f.fun, App):
        g = f.fun
        law_literal = isinstance(g.fun, int) and g.fun == 0
        return law_literal and isinstance(g.arg, int) and isinstance(f.arg, int)
    return False


@st.composite
def trees(draw, max_steps: int = 40) -> Tree:
    """Random trees with nats, laws, pins and apps, sharing objects and equal copies."""
    pool: list[Tree] = [draw(NATS)]
    for _ in range(draw(st.integers(0, max_steps))):
        anywhere = st.integers(0, len(pool) - 1)
        recent = st.integers(max(0, len(pool) - 4), len(pool) - 1)
        pick = st.one_of(recent, anywhere).map(lambda i: pool[i])
        op = draw(st.sampled_from(["app", "app", "app", "law", "pin", "nat", "copy"]))
        if op == "app":
            f, x = draw(pick), draw(pick)
            pool.append(App(5 if _reinterpreted(f) else f, x))
        elif op == "law":
            pool.append(Law(draw(NATS), draw(st.integers(1, 4)), draw(pick)))
        elif op == "pin":
            pool.append(Pin(draw(pick)))
        elif op == "nat":
            pool.append(draw(NATS))
        else:
            pool.append(copy_tree(draw(pick)))
    top = pool[-1]
    for x in pool[-4:-1]:  # tie the last few together so the result is rarely trivial
        top = App(5 if _reinterpreted(top) else top, x)
    return top


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_random_roundtrip(tree):
    data = save_seed(tree)
    back = load_seed(data)
    assert equal(back, tree)
    assert save_seed(back) == data
    assert save_seed(copy_tree(tree)) == data
    legal = save_seed(tree, c_quirk=False)
    assert equal(load_seed(legal), tree)


def c_model_fragments(cells: seed_module._Cells, root: int) -> list[int]:
    """Fragments as ``seed.c shatter`` picks them, for cross-checking.

    Counts occurrences in the fully expanded tree, then walks it depth first
    (head before tail), making a cell a fragment at completion when it is the
    root or occurs more often than its parent; fragments become leaves.
    """
    heads, tails = cells.heads, cells.tails
    count = [0] * len(heads)
    count[root] = 1
    for c in reversed(range(len(heads))):  # parents are created after children
        if heads[c] >= 0 and count[c]:
            count[heads[c]] += count[c]
            count[tails[c]] += count[c]
    order: list[int] = []
    done: set[int] = set()
    stack = [(root, 0, False)]
    while stack:
        c, parent_count, finished = stack.pop()
        if heads[c] < 0 or c in done:
            continue
        if not finished:
            stack += [(c, parent_count, True), (tails[c], count[c], False), (heads[c], count[c], False)]
        elif c == root or count[c] > parent_count:
            done.add(c)
            order.append(c)
    return order


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_fragments_match_c_model(tree):
    cells = seed_module._Cells()
    root = cells.build(tree, None)
    ours = seed_module._shatter(cells, root, [-1] * len(cells.heads), 0)
    assert ours == c_model_fragments(cells, root)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_random_germ_roundtrip(tree):
    top = Pin(App(tree, Pin(tree)) if not _reinterpreted(tree) else tree)
    key = merkle_hasher(top)
    refs, body = save_germ(top, key)
    assert refs == pin_refs(top, key)
    assert seed_header(body)[0] == len(refs)
    assert equal(load_germ(refs, body), top.item)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees())
def test_random_pod_roundtrip(tree):
    top = Pin(tree)
    pod = save_pod(top, merkle_hasher(top))
    back = load_pod(pod)
    assert equal(back, top)
    assert merkle_hasher(back)(back) == merkle_hasher(top)(top)
    assert save_pod(back, merkle_hasher(back)) == pod


# --------------------------------------------------------------------------
# Deep values


def test_million_deep_roundtrip():
    t: Tree = 7
    for i in range(10**6):
        t = App(t, i % 5 + 1) if i % 3 else App(i % 7 + 5, t)
    data = save_seed(t)
    assert equal(load_seed(data), t)


def test_deep_pins_and_laws():
    t: Tree = 3
    for i in range(100_000):
        t = Pin(t) if i % 2 else Law(i, 1 + i % 3, t)
    data = save_seed(t)
    assert equal(load_seed(data), t)
    # A pod of a 10^4-pin chain: every pin is its own germ.
    chain: Tree = 1
    for i in range(10_000):
        chain = Pin(App(chain, i))
    back = load_pod(save_pod(chain, merkle_hasher(chain)))
    assert equal(back, chain)


# --------------------------------------------------------------------------
# Germs


def test_germ_holes_and_order():
    a = Pin(law("a", 1, 1))
    b = Pin(law("b", 1, 1))
    item = law("top", 2, apps(0, apps(b, 1), apps(a, 2), apps(b, 3)))
    top = Pin(item)
    refs, body = save_germ(top)
    assert refs == [b, a]  # preorder, function before argument
    assert seed_header(body)[0] == 2
    assert equal(load_germ(refs, body), item)
    # Holes are filled with whatever values are given.
    filled = load_germ([7, 8], body)
    assert equal(filled, law("top", 2, apps(0, apps(7, 1), apps(8, 2), apps(7, 3))))
    with pytest.raises(SeedError, match="holes"):
        load_germ([a], body)
    with pytest.raises(SeedError, match="holes"):
        load_seed(body)


def test_germ_keys_merge_equal_pins():
    p1 = Pin(law("p", 1, 1))
    p2 = Pin(law("p", 1, 1))
    top = Pin(App(p1, p2))
    assert len(save_germ(top)[0]) == 2  # by id: two holes
    refs, body = save_germ(top, pin_hash)
    assert refs == [p1]
    assert equal(load_germ(refs, body), App(p1, p1))


def test_germ_of_pin_of_pin_and_of_nat():
    inner = Pin(5)
    refs, body = save_germ(Pin(inner))
    assert refs == [inner] and seed_header(body) == (1, 0, 0, 0, 0)
    assert load_germ(refs, body) is inner
    refs, body = save_germ(Pin(9))
    assert refs == [] and load_germ([], body) == 9


# --------------------------------------------------------------------------
# Pods


def test_pod_roundtrip_mul():
    top = load_seed(read("mul.seed"))
    pod = save_pod(top, pin_hash)
    assert pod.startswith(b"SEEDPOD:")
    back = load_pod(pod, pin_hash)
    assert equal(back, top)
    # Layout: [topHash [[body refs] ...]], four pins, top last, refs before users.
    value = load_seed(pod[8:])
    head, args = spine(value)
    assert head.arity == 3 and len(args) == 2
    storage = args[0]
    entries = list(reversed(spine(storage)[1]))
    assert len(entries) == 4
    last_refs = list(reversed(spine(spine(entries[-1])[1][0])[1]))
    assert last_refs == [0, 2]  # _Exec, _Add (entry 1 is _ToNat, used by _Add)
    top_bar = args[1]
    assert top_bar.body == int.from_bytes(pin_hash(top) + b"\x01", "little")


@pytest.mark.parametrize("name", ["mul.seed", "isNat.seed"])
def test_corrupt_pods(name):
    pod = save_pod(load_seed(read(name)), pin_hash)
    for size in range(len(pod)):
        try:
            load_pod(pod[:size])
        except SeedError:
            pass
    for i in range(8, len(pod)):
        corrupt = bytearray(pod)
        corrupt[i] ^= 0x24
        try:
            load_pod(bytes(corrupt), pin_hash)
        except SeedError:
            pass


def test_pod_rejects_tampering():
    top = load_seed(read("toNat.seed"))
    pod = save_pod(top, pin_hash)
    with pytest.raises(SeedError, match="magic"):
        load_pod(b"SEEDPIE:" + pod[8:])
    other = load_seed(read("isNat.seed"))
    with pytest.raises(SeedError, match="hash"):
        load_pod(pod, lambda p: pin_hash(other))
    not_a_pod = b"SEEDPOD:" + save_seed(row(1, 2))
    with pytest.raises(SeedError):
        load_pod(not_a_pod)
    # A cycle: entry 0 refers to itself.
    bar = lambda bs: Law(1, 1, int.from_bytes(bs + b"\x01", "little"))  # noqa: E731
    _, body = save_germ(Pin(App(Pin(1), 2)))
    cyclic = row(bar(bytes(32)), row(row(bar(body), row(0))))
    with pytest.raises(SeedError, match="cycle"):
        load_pod(b"SEEDPOD:" + save_seed(cyclic))


# --------------------------------------------------------------------------
# Corrupt input: every case loads or raises SeedError


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_truncations(path):
    data = path.read_bytes()
    for size in range(len(data)):
        loads_or_rejects(data[:size])
        if size % 8 == 0 and size >= 40:
            with pytest.raises(SeedError):
                load_seed(data[:size])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_flipped_bytes(path):
    data = path.read_bytes()
    for i in range(len(data)):
        for mask in (0x01, 0x10, 0x80, 0xFF):
            corrupt = bytearray(data)
            corrupt[i] ^= mask
            loads_or_rejects(bytes(corrupt))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_bad_header_counts(path):
    data = path.read_bytes()
    for word in range(5):
        old = struct.unpack_from("<Q", data, 8 * word)[0]
        for value in (0, 1, 2, 3, 7, 8, 33, old - 1, old + 1, 2**31, 2**32, 2**63, 2**64 - 1):
            if value < 0:
                continue
            corrupt = bytearray(data)
            struct.pack_into("<Q", corrupt, 8 * word, value)
            loads_or_rejects(bytes(corrupt))
            if word == 0 and value != 0:
                with pytest.raises(SeedError, match="holes"):
                    load_seed(bytes(corrupt))


def test_specific_rejections():
    good = read("toNat.seed")
    with pytest.raises(SeedError, match="header"):
        load_seed(good[:32])
    with pytest.raises(SeedError, match="multiple of 8"):
        load_seed(good + b"\0")
    with pytest.raises(SeedError, match="left over"):
        load_seed(good + bytes(8))
    with pytest.raises(SeedError, match="padding"):
        load_seed(good[:-1] + b"\x80")
    with pytest.raises(SeedError, match="leaves"):
        load_seed(_u64(0) * 3 + _u64(2) + _u64(0) + bytes(8))
    with pytest.raises(SeedError, match="width 0"):
        load_seed(_u64(0) + _u64(1) + _u64(0) * 3 + _u64(0))
    with pytest.raises(SeedError, match="do not fit"):
        load_seed(_u64(0) * 2 + _u64(2**64 - 1) + _u64(0) * 2)
    with pytest.raises(SeedError, match="fragments"):
        load_seed(_u64(0) * 3 + _u64(1) + _u64(2**40) + bytes(8))


def test_back_reference_out_of_range():
    # The 6.3 example: table [1, 0], fragment 0 = (0 1) in bits 0-3 of byte 42,
    # fragment 1 = (f0 f0) with 2-bit indices, the head's at bits 5-6. Make it
    # 3, beyond the maximum reference 2.
    data = bytearray(save_seed(App(App(0, 1), App(0, 1))))
    data[42] |= 0b0110_0000
    with pytest.raises(SeedError, match="back-reference"):
        load_seed(bytes(data))


@settings(max_examples=400, deadline=None)
@given(
    st.tuples(*[st.integers(0, 6) for _ in range(5)]),
    st.binary(min_size=0, max_size=120),
)
def test_random_garbage(counts, body):
    data = struct.pack("<5Q", *counts) + body
    data += bytes(-len(data) % 8)
    loads_or_rejects(data)
    try:
        load_germ([Pin(1)] * counts[0], data)
    except SeedError:
        pass
