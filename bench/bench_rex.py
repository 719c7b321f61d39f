"""Benchmarks of the Rex reader, each against a peer measured in the same run.

    rex_read_1mb_vs_ast_parse   read 1 MB of generated Sire source (every block
                                to a tree) vs CPython's ast.parse of 1 MB of
                                generated Python source
    rex_read_4mb_vs_4x_1mb      read 4 MB vs four times the 1 MB time: a ratio
                                near 1 means reading is linear in the input
    rex_show_1mb_vs_read        print every tree of the 1 MB source vs reading it

Both sources are made here by a seeded generator (no reference files).
Each line: NAME ours=SECONDS peer=SECONDS ratio=R (ours / peer); times are
CPU seconds of this process, best of a few runs.
"""

from __future__ import annotations

import ast
import random
import time

from pallas_kernel.rex import read_blocks, show

from bench_core import line   # the same report format (timing here is CPU time)

NAMES = ["add", "sub", "map", "foldl", "len", "idx", "put", "get", "cons", "zip",
         "ifz", "seq", "trk", "bar", "rowAnd", "tabIns", "natBit", "listToRow"]


def _name(rng: random.Random) -> str:
    return rng.choice(NAMES) + rng.choice(["", "X", "2", "_go", "Loop"])


def _expr(rng: random.Random, depth: int = 0) -> str:
    """A closed Sire-like expression."""
    k = rng.randrange(9 if depth < 3 else 3)
    if k == 0:
        return _name(rng)
    if k == 1:
        return str(rng.randrange(10 ** rng.randrange(1, 8)))
    if k == 2:
        return "{" + rng.choice(["hello", "a b c", "x=y", "{nested}"]) + "}"
    if k == 3:
        return "(" + " ".join(_expr(rng, depth + 1) for _ in range(rng.randrange(1, 4))) + ")"
    if k == 4:
        return "[" + " ".join(_expr(rng, depth + 1) for _ in range(rng.randrange(0, 4))) + "]"
    if k == 5:
        return _name(rng) + rng.choice(["+", ".", ":", "-"]) + _name(rng)
    if k == 6:
        return "(" + _expr(rng, depth + 1) + " , " + _expr(rng, depth + 1) + ")"
    if k == 7:
        return rng.choice(["%", "#", "'", "$"]) + _name(rng)
    return _name(rng) + "(" + _expr(rng, depth + 1) + ")"


def _sire_block(rng: random.Random) -> str:
    """One top-level definition in the usual Sire layout."""
    fn, args = _name(rng), " ".join(_name(rng) for _ in range(rng.randrange(1, 4)))
    lines = [f"= ({fn} {args})"]
    for k in range(rng.randrange(1, 6)):
        pad = " " * (2 * rng.randrange(0, 2))
        kind = rng.randrange(5)
        if kind == 0:
            lines.append(f"{pad}@ {_name(rng)} {_expr(rng)}")
        elif kind == 1:
            lines.append(f"{pad}| {_name(rng)} {_expr(rng)} {_expr(rng)}")
        elif kind == 2:
            lines.append(f"{pad}: x < {_name(rng)} {_expr(rng)}")
        elif kind == 3:
            lines.append(f"{pad}  ; a comment about {_name(rng)}")
        else:
            lines.append(f"{pad}| {_name(rng)}")
            lines.append(f"{pad}    }} a line string {k}")
            lines.append(pad + "    } and its next line")
    lines.append(f"| {_expr(rng)}")
    head = f";; {fn}\n" if rng.random() < 0.3 else ""
    test = f"\n=?= 3 ({fn} {_expr(rng)})" if rng.random() < 0.3 else ""
    return head + "\n".join(lines) + test + "\n"


def _python_block(rng: random.Random) -> str:
    """One Python function of similar size and shape."""
    fn, args = _name(rng), ", ".join(f"a{k}" for k in range(rng.randrange(1, 4)))
    body = []
    for k in range(rng.randrange(1, 6)):
        body.append(f"    x{k} = {_name(rng)}(a0, {rng.randrange(10**6)}) + [1, 2, 'text']")
        if rng.random() < 0.3:
            body.append(f"    if x{k} > 3:\n        return {{'a': x{k}, 'b': (a0, a0)}}")
    body.append("    return x0")
    return f"def {fn}_{rng.randrange(10**6)}({args}):\n" + "\n".join(body) + "\n"


def generate(block, size: int, seed: int) -> str:
    rng = random.Random(seed)
    parts, total = [], 0
    while total < size:
        b = block(rng) + "\n"
        parts.append(b)
        total += len(b)
    return "".join(parts)


def best(fn, repeat: int = 3) -> float:
    """The fastest of a few runs of fn(), in seconds of this process's CPU
    time (the machine is shared, and wall time counts the neighbours' work)."""
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def read_everything(text: str) -> list:
    blocks = list(read_blocks(text, "bench.sire"))
    assert all(not b.errors for b in blocks), next(b.errors[0] for b in blocks if b.errors)
    return blocks


def main() -> None:
    mb = 1 << 20
    sire = generate(_sire_block, mb, 1)
    python = generate(_python_block, mb, 2)
    blocks = read_everything(sire)
    t1 = best(lambda: read_everything(sire))
    line("rex_read_1mb_vs_ast_parse", t1, best(lambda: ast.parse(python)),
         f"ast.parse, 1 MB of Python; {len(blocks)} Rex blocks")
    sire4 = generate(_sire_block, 4 * mb, 3)
    line("rex_read_4mb_vs_4x_1mb", best(lambda: read_everything(sire4), repeat=1), 4 * t1,
         "4 x the 1 MB time")
    trees = [b.rex for b in blocks]
    line("rex_show_1mb_vs_read", best(lambda: [show(r) for r in trees]), t1, "reading the same 1 MB")


if __name__ == "__main__":
    main()
