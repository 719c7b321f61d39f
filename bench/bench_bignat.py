"""Benchmarks of big-nat work in PLAN, each against CPython doing the same
work in the same run (issue 14, item 2).

Each line: NAME  ours=SECONDS  peer=SECONDS  ratio=R  (ratio = ours / peer, so
below 1 means we are faster). Run with `make bench`.

    append_bytes_N           a string of N bytes built one byte at a time by a
                             Sire loop over the jets (met, lsh, add), against
                             the same loop on CPython ints; at N and 4N. Each
                             step copies the string (nats are immutable, and
                             so are ints), so both sides grow with N^2: the
                             `scale` line gives time(4N) / time(N), 16 for
                             quadratic; the peer's bytearray (amortized O(1)
                             appends) is printed for reference
    met_1e6_bits_xK          bit length of a 10^6-bit nat, K times in a Sire
                             loop, against gmpy2's bit_length(); K and 4K
    bix_1e6_bits_xK          bit tests spread over a 10^6-bit nat, K times in
                             a Sire loop, against gmpy2's bit_test(); K and 4K
    bar_weld_1e5_bytes       two 10^5-byte bars welded, against bytes + bytes
"""

from __future__ import annotations

import random
import sys
import time

import gmpy2

from pallas_kernel import _core, plan
from pallas_kernel.plan.tree import Law
from pallas_kernel.sire.library import library_dir
from pallas_kernel.sire.session import Session

from bench_core import best, line   # the same timing and report format

LOOPS = """
= (snocByte s c) | add s (lsh c (mul 8 (div (add 7 (met s)) 8)))
= (build s i n) | if (eql i n) s | build (snocByte s (add 97 (mod i 26))) (inc i) n
= (metLoop x k acc) | if (eql k 0) acc | metLoop x (dec k) (add acc (met x))
= (bixLoop x k acc) | if (eql k 0) acc | bixLoop x (dec k) (add acc (bix (mod (mul k 997) 1000000) x))
"""


def session() -> Session:
    """The library up to base_cmp (if, eql, met, lsh, ...) and the loops above."""
    s = Session(include=[str(library_dir())])
    result = s.load("base_cmp")
    if not result.ok:
        raise SystemExit(f"bench_bignat: base_cmp did not load: {result.failures}")
    result = s.run(LOOPS)
    if not result.ok:
        raise SystemExit(f"bench_bignat: the loops did not compile: {result.failures}")
    return s


def fn(s: Session, name: str) -> plan.Value:
    b = s.binding(name)
    return b.value if isinstance(b.value, plan.Value) else plan.from_tree(b.value)


def once(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def peer_append(n: int) -> int:
    s = 0
    for i in range(n):
        s = s + ((97 + i % 26) << (8 * ((s.bit_length() + 7) // 8)))
    return s


def peer_bytearray(n: int) -> bytearray:
    b = bytearray()
    for i in range(n):
        b.append(97 + i % 26)
    return b


def bench_append(s: Session) -> None:
    build = fn(s, "build")
    times = {}
    for n in (25_000, 100_000):
        want = bytes(97 + i % 26 for i in range(n))
        assert build.apply(0, 0, n).force().nat.to_bytes(n, "little") == want
        ours = once(lambda: build.apply(0, 0, n).force())
        peer = once(lambda: peer_append(n))
        times[n] = (ours, peer)
        line(f"append_bytes_{n}_vs_int_loop", ours, peer, "CPython ints, s + (c << 8*len)")
        line(f"append_bytes_{n}_vs_bytearray", ours, best(lambda: peer_bytearray(n)), "bytearray.append")
    (o1, p1), (o4, p4) = times[25_000], times[100_000]
    print(f"{'append_bytes_scale_4n_over_n':<34} ours={o4 / o1:.1f}x  peer={p4 / p1:.1f}x  "
          "(16x = quadratic: every step copies the string on both sides)")
    sys.stdout.flush()


def bench_met_bix(s: Session) -> None:
    met_loop, bix_loop = fn(s, "metLoop"), fn(s, "bixLoop")
    rng = random.Random(7)
    x = rng.getrandbits(1_000_000) | 1 << 999_999
    v, g = plan.nat(x), gmpy2.mpz(x)
    for k in (100_000, 400_000):
        assert met_loop.apply(v, k, 0).force().nat == k * 1_000_000
        ours = best(lambda: met_loop.apply(v, k, 0).force())

        def peer_met() -> int:
            acc = 0
            for _ in range(k):
                acc += g.bit_length()
            return acc
        line(f"met_1e6_bits_x{k}_vs_gmpy2", ours, best(peer_met), "gmpy2 bit_length() in a for loop")
    for k in (100_000, 400_000):
        positions = range(k, 0, -1)
        want = sum((x >> (j * 997 % 1_000_000)) & 1 for j in positions)
        assert bix_loop.apply(v, k, 0).force().nat == want
        ours = best(lambda: bix_loop.apply(v, k, 0).force())

        def peer_bix() -> int:
            acc = 0
            for j in range(k, 0, -1):
                acc += g.bit_test(j * 997 % 1_000_000)
            return acc
        line(f"bix_1e6_bits_x{k}_vs_gmpy2", ours, best(peer_bix), "gmpy2 bit_test() in a for loop")


def bench_weld() -> None:
    rng = random.Random(8)
    a, b = rng.randbytes(100_000), rng.randbytes(100_000)
    bar_a, bar_b = (plan.from_tree(Law(1, 1, int.from_bytes(x + b"\x01", "little"))) for x in (a, b))
    welded = _core.call_jet("barWeld", bar_a, bar_b)
    assert _core.call_jet("barNat", welded).nat == int.from_bytes(a + b, "little")
    line("bar_weld_1e5_bytes_vs_bytes_concat", best(lambda: _core.call_jet("barWeld", bar_a, bar_b)),
         best(lambda: a + b), "bytes + bytes")


def main() -> None:
    s = session()
    bench_met_bix(s)
    bench_weld()
    bench_append(s)


if __name__ == "__main__":
    main()
