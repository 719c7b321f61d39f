"""Rewrite tests/data/library_missing.txt: the names of the reference
prelude's surface (tests/data/prelude_api.tsv, less `kern`) that our prelude
does not bind yet. Run after adding names to sire/; the surface test fails
while the list names a bound name or misses an unbound one."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.library import api_rows, library_state  # noqa: E402
from pallas_kernel.plan.view import name_text  # noqa: E402

HEAD = ("# Names of prelude_api.tsv our library does not bind yet (tests/library/test_surface.py).\n"
        "# The list only shrinks: the test fails when a name here is bound.\n")


def main() -> int:
    bound = {name_text(k) for k in library_state().scope}
    missing = [n for n, _, _, m in api_rows() if m != "kern" and n not in bound]
    (ROOT / "tests" / "data" / "library_missing.txt").write_text(
        HEAD + "".join(n + "\n" for n in missing), encoding="utf-8")
    print(f"{len(missing)} names missing", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
