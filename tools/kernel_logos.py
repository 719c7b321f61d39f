"""Draw the Jupyter kernel's logos (pallas_kernel/kernel/resources/logo-32x32.png
and logo-64x64.png) with the standard library only: a disc in Pallas blue with
a white "P" on it, written as PNG with zlib and struct. The files are
committed; run this again only to change the design."""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "pallas_kernel" / "kernel" / "resources"

BLUE = (35, 70, 140)
WHITE = (255, 255, 255)

# A "P" on a 5x7 grid, scaled to the logo size.
GLYPH = ["####.",
         "#...#",
         "#...#",
         "####.",
         "#....",
         "#....",
         "#...."]


def pixel(x: float, y: float, size: int) -> tuple[int, int, int, int]:
    """The colour at (x, y): transparent outside the disc, white on the glyph."""
    c = size / 2
    r = size / 2 - 0.5
    if (x - c) ** 2 + (y - c) ** 2 > r * r:
        return (0, 0, 0, 0)
    gx = (x - size * 0.3) / (size * 0.4) * 5
    gy = (y - size * 0.2) / (size * 0.6) * 7
    if 0 <= gx < 5 and 0 <= gy < 7 and GLYPH[int(gy)][int(gx)] == "#":
        return (*WHITE, 255)
    return (*BLUE, 255)


def png(size: int) -> bytes:
    """An RGBA PNG of the logo at ``size`` x ``size`` pixels."""
    rows = b"".join(b"\0" + bytes(v for x in range(size) for v in pixel(x + 0.5, y + 0.5, size))
                    for y in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    for size in (32, 64):
        (TARGET / f"logo-{size}x{size}.png").write_bytes(png(size))
    print(f"logos written to {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
