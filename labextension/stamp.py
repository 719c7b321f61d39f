"""The digest of the extension's sources (package.json, package-lock.json,
tsconfig.json, src/*.ts), recorded in built-from.sha256 by `make labextension`
next to the build it made (pallas_kernel/labextension/, committed). A test
recomputes it: a change to the sources without a rebuild fails it, since the
wheel ships the committed build, not the sources."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAMP = HERE / "built-from.sha256"


def sources(root: Path = HERE) -> list[Path]:
    """The files the build is made from, in a fixed order."""
    fixed = [root / name for name in ("package.json", "package-lock.json", "tsconfig.json")]
    return fixed + sorted((root / "src").glob("*.ts"))


def digest(root: Path = HERE) -> str:
    """sha256 over each source's relative path and bytes."""
    h = hashlib.sha256()
    for path in sources(root):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


if __name__ == "__main__":
    STAMP.write_text(digest() + "\n")
    print(f"{STAMP.name}: {STAMP.read_text().strip()}", file=sys.stderr)
