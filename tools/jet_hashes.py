"""Write pallas_kernel/jet_hashes_library.tsv: the pin hashes of the laws in
our standard library (sire/) that are named like jets of the reference's
table, so that they get our native jets. Run by `make jet-hashes` after any
change to sire/ (a test fails while the shipped file is stale)."""

import sys
from pathlib import Path

from pallas_kernel.sire.library import format_jet_hashes, library_jet_hashes

OUT = Path(__file__).resolve().parents[1] / "pallas_kernel" / "jet_hashes_library.tsv"


def main() -> int:
    pairs = library_jet_hashes()
    OUT.write_text(format_jet_hashes(pairs), encoding="utf-8")
    print(f"{OUT}: {len(pairs)} jets", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
