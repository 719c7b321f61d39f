"""Read every .sire file under a directory with our Rex reader and report.

    python tools/rex_corpus.py DIR [--hashes OUT.tsv]

Prints the number of files, blocks, blocks with errors (each error is
shown), and blocks that do not survive print-then-read (our printer's
output read again must give the same tree) or PLAN encode-then-decode. With --hashes, writes one line
per block: file, line, base58 plan hash of the block's PLAN encoding (made
by the C core, and checked against the pure-Python oracle's hash).

Meant for a checkout of the reference (its sire/ directory): the reference
reads all of its own files without error, so must we. Exit status 1 if any
block fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pallas_kernel.plan import base58
from pallas_kernel.plan.reference import oracle
from pallas_kernel.rex import equal, from_plan, plan_hash_b58, read_blocks, show, to_plan


def check_file(path: Path, hashes: list[str] | None) -> tuple[int, list[str], list[str]]:
    """(blocks, error messages, round-trip failures) of one file."""
    errors: list[str] = []
    trips: list[str] = []
    count = 0
    for block in read_blocks(path.read_bytes(), str(path)):
        count += 1
        if block.errors:
            errors.extend(str(e) for e in block.errors)
            continue
        again = list(read_blocks(show(block.rex), "<printed>"))
        if len(again) != 1 or again[0].rex is None or not equal(again[0].rex, block.rex):
            trips.append(f"{path}:{block.line}: changes when printed and read again")
        if not equal(from_plan(to_plan(block.rex)), block.rex):
            trips.append(f"{path}:{block.line}: changes when encoded as PLAN and decoded")
        if hashes is not None:
            ours = plan_hash_b58(block.rex)
            if ours != base58.encode(oracle.plan_hash(to_plan(block.rex))):
                trips.append(f"{path}:{block.line}: the core and the pure-Python oracle hash it differently")
            hashes.append(f"{path}\t{block.line}\t{ours}")
    return count, errors, trips


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir")
    p.add_argument("--hashes", help="write per-block plan hashes to this file")
    args = p.parse_args(argv)
    files = sorted(Path(args.dir).rglob("*.sire"))
    hashes: list[str] | None = [] if args.hashes else None
    blocks = 0
    errors: list[str] = []
    trips: list[str] = []
    for f in files:
        n, e, t = check_file(f, hashes)
        blocks += n
        errors += e
        trips += t
    for line in errors + trips:
        print(line)
    if hashes is not None:
        Path(args.hashes).write_text("\n".join(hashes) + "\n")
    print(f"files={len(files)} blocks={blocks} errors={len(errors)} roundtrip_failures={len(trips)}")
    return 1 if errors or trips or not files else 0


if __name__ == "__main__":
    sys.exit(main())
