"""Write the library reference from the doc comments in sire/: Markdown for
people (docs/library.md) and JSON for the kernel
(pallas_kernel/library_reference.json). Run by `make library-docs`."""

import sys
from pathlib import Path

from pallas_kernel.sire.library_reference import build_reference, to_json, to_markdown

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    entries = build_reference()
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "library.md").write_text(to_markdown(entries), encoding="utf-8")
    (ROOT / "pallas_kernel" / "library_reference.json").write_text(to_json(entries), encoding="utf-8")
    print(f"library reference: {len(entries)} names", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
