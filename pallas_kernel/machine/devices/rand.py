"""The ``rand`` device: ``[%rand flag %byte n]`` answers a bar of ``n``
bytes from the operating system's random source."""

from __future__ import annotations

import os

from ... import plan
from ...plan import Value
from ...plan.view import nat_of
from ..device import BadRequest, Hub, RequestKey

#: the most bytes one request may ask for
MAX_BYTES = 1 << 20


class RandDevice:
    """Answers at once: reading the OS source does not block."""

    name = "rand"

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def parse(self, key: RequestKey, args: list[Value]) -> int:
        """The number of bytes asked for."""
        if (len(args) != 3 or nat_of(args[0]) not in (0, 1)
                or nat_of(args[1]) != nat_of(plan.from_str("byte")) or nat_of(args[2]) is None):
            raise BadRequest("a rand request is [%rand 0 %byte n]")
        n = nat_of(args[2])
        if n > MAX_BYTES:
            raise BadRequest(f"a rand request asks for at most {MAX_BYTES} bytes, not {n}")
        return n

    def issue(self, key: RequestKey, n: int) -> None:
        data = os.urandom(n)
        self.hub.answer(key, lambda: plan.bar(data))

    def cancel(self, key: RequestKey) -> None:
        pass

    def recompute(self, args: list[Value]) -> None:
        return None

    def close(self) -> None:
        pass

