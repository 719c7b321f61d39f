"""Base58 with the bitcoin alphabet: how pin hashes are shown (pallas-plan.md 5.1).

The bytes are read as one big-endian number written in base 58; every leading
zero byte becomes a leading ``'1'`` (the alphabet's zero digit), so the
encoding is a bijection between byte strings and valid texts.
"""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DIGIT = {c: i for i, c in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    """The base58 text of ``data``; ``b""`` gives ``""``."""
    data = bytes(data)
    zeros = len(data) - len(data.lstrip(b"\0"))
    n = int.from_bytes(data, "big")
    digits = []
    while n:
        n, r = divmod(n, 58)
        digits.append(ALPHABET[r])
    return "1" * zeros + "".join(reversed(digits))


def decode(text: str) -> bytes:
    """The bytes whose base58 text is ``text``; ValueError on a non-alphabet character."""
    n = 0
    for pos, c in enumerate(text):
        d = _DIGIT.get(c)
        if d is None:
            raise ValueError(f"invalid base58 character {c!r} at position {pos}")
        n = n * 58 + d
    zeros = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * zeros + body
